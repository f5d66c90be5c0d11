//! Appointments (C1, C2, P4): the record's upcoming and past visits, a link to book one, and
//! cancelling where the appointment allows it online (asked once more before it is done:
//! `?cancel=ID` shows the question, so it works without JavaScript). Otherwise the page says
//! whom to call.

use super::components::form::{PageForm, form_action};
use super::components::record::{
    RecordBanner, SubjectField, action_problem, record_link, record_problem, use_subject,
};
use super::components::site::PageTitle;
use crate::api::appointments::{
    AppointmentList, AppointmentRow, CancelAppointment, CancelOption, appointments,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let subject = use_subject();
    let cancel = form_action::<CancelAppointment>();
    let list = Resource::new(
        move || (subject.get(), cancel.version().get()),
        |(subject, _)| appointments(subject),
    );
    view! {
        <PageTitle page="Appointments" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Appointments list cancel /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Appointments"</h1>
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
fn Appointments(list: AppointmentList, cancel: ServerAction<CancelAppointment>) -> impl IntoView {
    let AppointmentList {
        heading,
        upcoming,
        past,
    } = list;
    let subject = heading.subject;
    let title = match subject {
        None => "Your appointments".to_owned(),
        Some(_) => format!("{}'s appointments", heading.name),
    };
    let query = use_query_map();
    // The appointment whose cancelling is being confirmed, unless it has just been cancelled.
    let confirming = move || {
        let cancelled = matches!(cancel.value().get(), Some(Ok(_)));
        query
            .read()
            .get("cancel")
            .and_then(|id| id.parse::<i32>().ok())
            .filter(|_| !cancelled)
    };
    let no_upcoming = upcoming.is_empty();
    let no_past = past.is_empty();
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <p>
            <A href=record_link("/record/appointments/book", subject, "") attr:class="button">
                "Book an appointment"
            </A>
        </p>
        <div role="alert" class="form-problem">
            {action_problem(cancel)}
        </div>
        {move || {
            cancel
                .value()
                .get()
                .and_then(Result::ok)
                .map(|what| {
                    view! {
                        <p role="status" class="form-success">
                            {format!("Cancelled: {what}. The time is free for someone else now.")}
                        </p>
                    }
                })
        }}
        <section aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">"Upcoming"</h2>
            {if no_upcoming {
                view! { <p>"No upcoming appointments."</p> }.into_any()
            } else {
                view! {
                    <ul class="appointment-list">
                        {upcoming
                            .into_iter()
                            .map(|row| {
                                view! { <Appointment row subject cancel confirming /> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section aria-labelledby="past-heading">
            <h2 id="past-heading">"Past and cancelled"</h2>
            {if no_past {
                view! { <p>"No past appointments."</p> }.into_any()
            } else {
                view! {
                    <ul class="appointment-list">
                        {past
                            .into_iter()
                            .map(|row| {
                                view! { <Appointment row subject cancel confirming /> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Appointment(
    row: AppointmentRow,
    subject: Option<i32>,
    cancel: ServerAction<CancelAppointment>,
    confirming: impl Fn() -> Option<i32> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let AppointmentRow {
        id,
        day,
        time,
        visit_type,
        provider,
        department,
        cancelled,
        cancel: option,
    } = row;
    let heading_id = format!("appointment-{id}");
    let labelled_by = heading_id.clone();
    let when = format!("{day} at {time}");
    let what = format!("{visit_type} on {when}");
    let action = match option {
        CancelOption::Online { until } => {
            let ask = record_link("/record/appointments", subject, &format!("cancel={id}"));
            let back = record_link("/record/appointments", subject, "");
            let question = format!("Cancel the {what}?");
            let label = format!("Cancel this appointment: {visit_type} on {day}");
            view! {
                <p class="hint">{format!("You can cancel online until {until}.")}</p>
                {move || {
                    if confirming() == Some(id) {
                        view! {
                            <div class="confirm" role="group" aria-label=question.clone()>
                                <p>
                                    <strong>{question.clone()}</strong>
                                </p>
                                <PageForm action=cancel>
                                    <SubjectField subject />
                                    <input type="hidden" name="appointment" value=id.to_string() />
                                    <button type="submit" class="button button--danger">
                                        "Yes, cancel it"
                                    </button>
                                </PageForm>
                                <a href=back.clone() class="button button--secondary">
                                    "No, keep it"
                                </a>
                            </div>
                        }
                            .into_any()
                    } else {
                        view! {
                            <a href=ask.clone() class="button button--secondary" aria-label=label.clone()>
                                "Cancel this appointment"
                            </a>
                        }
                            .into_any()
                    }
                }}
            }
                .into_any()
        }
        CancelOption::CallTheClinic(sentence) => {
            view! { <p class="hint">{sentence}</p> }.into_any()
        }
        CancelOption::Nothing => ().into_any(),
    };
    view! {
        <li class="card" aria-labelledby=labelled_by>
            <h3 id=heading_id>{visit_type}</h3>
            <dl class="facts">
                <dt>"When"</dt>
                <dd>{when}</dd>
                <dt>"With"</dt>
                <dd>{provider}</dd>
                <dt>"Where"</dt>
                <dd>{department}</dd>
                {cancelled
                    .then(|| {
                        view! {
                            <dt>"Status"</dt>
                            <dd>"Cancelled"</dd>
                        }
                    })}
            </dl>
            {action}
        </li>
    }
}
