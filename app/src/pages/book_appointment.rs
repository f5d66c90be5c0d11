//! Booking an appointment (C1, P4): first the kind of visit (a GET form, `?type=ID`), then an
//! open time in the coming weeks. Visits the clinic books itself, and visits for several
//! people at once or with several caregivers, are named with the number to call; the server
//! refuses them too.

use super::components::form::{PageForm, form_action};
use super::components::record::{
    RecordBanner, SubjectField, action_problem, record_link, record_problem, use_subject,
};
use super::components::site::PageTitle;
use crate::api::appointments::{
    BookAppointment, BookingChoices, DayChoice, WEEKS_AHEAD, booking_options,
};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BookAppointmentPage() -> impl IntoView {
    let subject = use_subject();
    let query = use_query_map();
    let visit_type = Memo::new(move |_| {
        query
            .read()
            .get("type")
            .and_then(|t| t.trim().parse::<i32>().ok())
    });
    let book = form_action::<BookAppointment>();
    let options = Resource::new(
        move || (subject.get(), visit_type.get(), book.version().get()),
        |(subject, visit_type, _)| booking_options(subject, visit_type),
    );
    view! {
        <PageTitle page="Book an appointment" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => view! { <Booking options book /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Book an appointment"</h1>
                            {record_problem(e)}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Booking(options: BookingChoices, book: ServerAction<BookAppointment>) -> impl IntoView {
    let BookingChoices {
        heading,
        visit_types,
        chosen,
        days,
        phone,
    } = options;
    let subject = heading.subject;
    let title = match subject {
        None => "Book an appointment".to_owned(),
        Some(_) => format!("Book an appointment for {}", heading.given_name),
    };
    let list_link = record_link("/record/appointments", subject, "");
    let chosen_id = chosen.as_ref().map(|c| c.id);
    let (online, by_clinic): (Vec<_>, Vec<_>) = visit_types
        .into_iter()
        .partition(|t| t.not_online.is_none());
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <div role="alert" class="form-problem">
            {action_problem(book)}
        </div>
        {move || {
            book.value()
                .get()
                .and_then(Result::ok)
                .map(|booked| {
                    view! {
                        <div role="status" class="form-success">
                            <p>
                                {format!(
                                    "Booked: {} on {} at {} with {}.",
                                    booked.visit_type,
                                    booked.day,
                                    booked.time,
                                    booked.provider,
                                )}
                            </p>
                            <p>
                                <a href=list_link.clone()>"See all appointments"</a>
                            </p>
                        </div>
                    }
                })
        }}
        <section class="card" aria-labelledby="kind-heading">
            <h2 id="kind-heading">"1. Choose the kind of visit"</h2>
            <Form method="GET" action="/record/appointments/book" noscroll=true>
                {subject.map(|id| view! { <input type="hidden" name="for" value=id.to_string() /> })}
                <fieldset class="choices">
                    <legend>"Kind of visit"</legend>
                    {online
                        .into_iter()
                        .map(|t| {
                            view! {
                                <label>
                                    <input
                                        type="radio"
                                        name="type"
                                        value=t.id.to_string()
                                        checked=chosen_id == Some(t.id)
                                        required
                                    />
                                    {format!("{} ({} minutes)", t.name, t.minutes)}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button type="submit" class="button">"Show open times"</button>
            </Form>
            <div class="notice">
                <p>"These cannot be booked online. Please call the clinic to book them:"</p>
                <ul>
                    {by_clinic
                        .into_iter()
                        .map(|t| view! { <li>{t.name}</li> })
                        .collect_view()}
                    <li>"a visit for more than one person at once, such as two children"</li>
                    <li>"a visit with more than one caregiver"</li>
                </ul>
                <p>{format!("The clinic's number is {phone}.")}</p>
            </div>
        </section>
        {chosen
            .map(|chosen| {
                view! {
                    <section class="card" aria-labelledby="time-heading">
                        <h2 id="time-heading">
                            {format!("2. Choose a time for the {}", chosen.name.to_lowercase())}
                        </h2>
                        <Times days subject book phone=phone.clone() />
                    </section>
                }
            })}
    }
}

#[component]
fn Times(
    days: Vec<DayChoice>,
    subject: Option<i32>,
    book: ServerAction<BookAppointment>,
    phone: String,
) -> impl IntoView {
    if days.is_empty() {
        return view! {
            <p>
                {format!(
                    "There are no open times in the next {WEEKS_AHEAD} weeks. Please call the clinic at {phone}.",
                )}
            </p>
        }
            .into_any();
    }
    view! {
        <PageForm action=book>
            <SubjectField subject />
            {days
                .into_iter()
                .map(|day| {
                    view! {
                        <fieldset class="choices choices--times">
                            <legend>{day.day.clone()}</legend>
                            {day
                                .times
                                .into_iter()
                                .map(|t| {
                                    view! {
                                        <label>
                                            <input
                                                type="radio"
                                                name="slot"
                                                value=t.slot.to_string()
                                                required
                                            />
                                            {format!("{} with {}", t.time, t.provider)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })
                .collect_view()}
            <fieldset class="choices">
                <legend>"About the visit"</legend>
                <label>
                    <input type="checkbox" name="several_people" value="true" />
                    "It is for more than one person at once (for example, two children)"
                </label>
                <label>
                    <input type="checkbox" name="several_caregivers" value="true" />
                    "It needs more than one caregiver"
                </label>
            </fieldset>
            <button type="submit" class="button">"Book this time"</button>
        </PageForm>
    }
    .into_any()
}
