//! Personal information (C5): name, date of birth, record number, address, phone and email of
//! the record's subject. The patient, or a viewer with full access, updates the address and
//! phone; a new email address takes effect only when the link sent to it is followed. No
//! clinical data here.

use super::components::form::{PageForm, form_action, typed_before};
use super::components::record::{
    RecordBanner, SubjectField, action_problem, record_problem, use_subject,
};
use super::components::site::PageTitle;
use crate::api::record::{
    ChangeEmail, PersonalDetails, SaveEmailChoices, UpdateContact, personal_information,
};
use crate::domain::dates::long_date;
use crate::domain::notification::NewInformation;
use leptos::prelude::*;

#[component]
pub fn PersonalInformationPage() -> impl IntoView {
    let subject = use_subject();
    let update = form_action::<UpdateContact>();
    let email = form_action::<ChangeEmail>();
    let choices = form_action::<SaveEmailChoices>();
    let details = Resource::new(
        move || {
            (
                subject.get(),
                update.version().get(),
                email.version().get(),
                choices.version().get(),
            )
        },
        |(subject, _, _, _)| personal_information(subject),
    );
    view! {
        <PageTitle page="Personal information" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(details) => view! { <Details details update email choices /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Personal information"</h1>
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
fn Details(
    details: PersonalDetails,
    update: ServerAction<UpdateContact>,
    email: ServerAction<ChangeEmail>,
    choices: ServerAction<SaveEmailChoices>,
) -> impl IntoView {
    let PersonalDetails {
        heading,
        date_of_birth,
        medical_record_number,
        contact,
        email: current_email,
        pending_email,
        may_change_email,
        email_choices,
    } = details;
    let given_name = heading.given_name.clone();
    let subject = heading.subject;
    let title = if subject.is_none() {
        "Your personal information".to_owned()
    } else {
        format!("{}'s personal information", heading.name)
    };
    let name = heading.name.clone();
    let typed_email = typed_before::<ChangeEmail>("email").unwrap_or_default();
    // Shown as typed when the server refused it without JavaScript, else as stored.
    let value = move |field: &str, stored: String| {
        typed_before::<UpdateContact>(&format!("contact[{field}]")).unwrap_or(stored)
    };
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <section class="card" aria-labelledby="identity-heading">
            <h2 id="identity-heading">"Name and record"</h2>
            <dl class="facts">
                <dt>"Name"</dt>
                <dd>{name}</dd>
                <dt>"Date of birth"</dt>
                <dd>{long_date(date_of_birth)}</dd>
                <dt>"Record number"</dt>
                <dd>{medical_record_number}</dd>
            </dl>
            <p class="hint">
                "A name or date of birth that is wrong can only be corrected by the clinic: tell the front desk at your next visit, or call the help line."
            </p>
        </section>
        <section class="card" aria-labelledby="contact-heading">
            <h2 id="contact-heading">"Address and phone"</h2>
            <PageForm action=update>
                <SubjectField subject />
                <div class="field">
                    <label for="address_line">"Street address"</label>
                    <input
                        id="address_line"
                        name="contact[address_line]"
                        autocomplete="street-address"
                        value=value("address_line", contact.address_line)
                    />
                </div>
                <div class="field">
                    <label for="city">"City"</label>
                    <input
                        id="city"
                        name="contact[city]"
                        autocomplete="address-level2"
                        value=value("city", contact.city)
                    />
                </div>
                <div class="field">
                    <label for="region">"State"</label>
                    <input
                        id="region"
                        name="contact[region]"
                        autocomplete="address-level1"
                        value=value("region", contact.region)
                    />
                </div>
                <div class="field">
                    <label for="postal_code">"ZIP code"</label>
                    <input
                        id="postal_code"
                        name="contact[postal_code]"
                        autocomplete="postal-code"
                        value=value("postal_code", contact.postal_code)
                    />
                </div>
                <div class="field">
                    <label for="phone">"Phone"</label>
                    <input
                        id="phone"
                        name="contact[phone]"
                        type="tel"
                        autocomplete="tel"
                        aria-describedby="phone-hint"
                        value=value("phone", contact.phone)
                    />
                    <p id="phone-hint" class="hint">"With the area code, for example 608-555-0142."</p>
                </div>
                <button type="submit" class="button">"Save address and phone"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {action_problem(update)}
            </div>
            <Show when=move || matches!(update.value().get(), Some(Ok(())))>
                <p role="status" class="form-success">"Saved."</p>
            </Show>
        </section>
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email"</h2>
            <p>
                {match current_email {
                    Some(address) => format!("Email goes to {address}."),
                    None => "There is no email address on the record.".to_owned(),
                }}
            </p>
            {pending_email
                .map(|address| {
                    view! {
                        <p class="notice">
                            {format!(
                                "A link was sent to {address}. The new address takes effect when the link is followed.",
                            )}
                        </p>
                    }
                })}
            {if may_change_email {
                view! {
                    <PageForm action=email>
                        <div class="field">
                            <label for="email">"New email address"</label>
                            <input
                                id="email"
                                name="email"
                                type="email"
                                autocomplete="email"
                                aria-describedby="email-hint"
                                value=typed_email
                                required
                            />
                            <p id="email-hint" class="hint">
                                "We send a link to the new address. It takes effect when you follow the link."
                            </p>
                        </div>
                        <button type="submit" class="button">"Send the link"</button>
                    </PageForm>
                    <div role="alert" class="form-problem">
                        {action_problem(email)}
                    </div>
                    {move || {
                        email
                            .value()
                            .get()
                            .and_then(Result::ok)
                            .map(|to| {
                                view! {
                                    <p role="status" class="form-success">
                                        {format!(
                                            "We sent a link to {to}. Look in the junk mail folder too if it does not arrive.",
                                        )}
                                    </p>
                                }
                            })
                    }}
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        {format!(
                            "Only {given_name} can change their email address, from their own account. The clinic can also change it at a visit.",
                        )}
                    </p>
                }
                    .into_any()
            }}
        </section>
        {may_change_email
            .then(|| {
                view! {
                    <section class="card" aria-labelledby="emails-heading">
                        <h2 id="emails-heading">"Emails about new information"</h2>
                        <p>
                            "We email you when there is something new to read here. The email never says what it is."
                        </p>
                        <PageForm action=choices>
                            <fieldset class="choices">
                                <legend>"Email me when"</legend>
                                {[
                                    ("results", NewInformation::ResultReleased, email_choices.results),
                                    (
                                        "appointments",
                                        NewInformation::AppointmentChanged,
                                        email_choices.appointments,
                                    ),
                                    ("reports", NewInformation::ReportAnswered, email_choices.reports),
                                ]
                                    .into_iter()
                                    .map(|(name, kind, on)| {
                                        view! {
                                            <label>
                                                <input type="checkbox" name=name value="true" checked=on />
                                                {kind.describe()}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            <button type="submit" class="button">"Save email choices"</button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {action_problem(choices)}
                        </div>
                        <Show when=move || matches!(choices.value().get(), Some(Ok(())))>
                            <p role="status" class="form-success">"Saved."</p>
                        </Show>
                    </section>
                }
            })}
    }
}
