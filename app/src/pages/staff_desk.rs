//! The enrolment desk (A2): find a patient (by medical record number, or by family name and date
//! of birth) or register a new one, then issue a one-time activation code to print for them. Front desk and administrators only (the server decides).

use super::components::form::{PageForm, answer_position, form_action, typed_before};
use super::components::site::PageTitle;
use crate::api::desk::{
    DeskFindPatient, DeskIssueAccessCode, DeskIssueActivationCode, DeskPatient,
    DeskRegisterPatient, DeskResetTwoStep, DeskSearchPatients, DeskUnlockAccount, IssuedCode,
};
use crate::api::staff_sign_in::current_staff;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn StaffDeskPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_staff());
    view! {
        <PageTitle page="Enrolment desk" />
        <h1>"Enrolment desk"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(staff)) => {
                        view! {
                            <p class="lead">{format!("Signed in as {}", staff.display_name)}</p>
                            <p>
                                <A href="/staff/proxy-desk">"Proxy desk: requests for access to someone's record"</A>
                            </p>
                            <p>
                                <A href="/staff/results">"Results to release"</A>
                            </p>
                            <p>
                                <A href="/staff/reports">"Reports of incorrect information to answer"</A>
                            </p>
                            <Desk />
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <p>
                                "The desk is for signed-in staff. "
                                <A href="/staff/sign-in">"Staff sign-in"</A>
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Desk() -> impl IntoView {
    let find = form_action::<DeskFindPatient>();
    let search = form_action::<DeskSearchPatients>();
    let register = form_action::<DeskRegisterPatient>();
    let issue = form_action::<DeskIssueActivationCode>();
    let access = form_action::<DeskIssueAccessCode>();
    let unlock = form_action::<DeskUnlockAccount>();
    let reset = form_action::<DeskResetTwoStep>();
    // The patient the desk is working with: the last one found or registered (without
    // JavaScript, the newest of the answers the page came back with).
    let newest_kept = [
        (
            answer_position::<DeskFindPatient>(),
            find.value().get_untracked(),
        ),
        (
            answer_position::<DeskRegisterPatient>(),
            register.value().get_untracked(),
        ),
        (
            answer_position::<DeskResetTwoStep>(),
            reset.value().get_untracked(),
        ),
    ]
    .into_iter()
    .filter_map(|(at, answer)| Some((at?, answer?.ok()?)))
    .max_by_key(|(at, _)| *at)
    .map(|(_, patient)| patient);
    let found = RwSignal::new(newest_kept);
    // Later answers, each as it comes (not the kept ones again when the page hydrates: the
    // newest of those is already `found`).
    let follow = move |answer: Box<dyn Fn() -> Option<DeskPatient>>| {
        Effect::watch(
            answer,
            move |patient, _, _| {
                if let Some(patient) = patient {
                    found.set(Some(patient.clone()));
                }
            },
            false,
        );
    };
    follow(Box::new(move || find.value().get().and_then(Result::ok)));
    follow(Box::new(move || {
        register.value().get().and_then(Result::ok)
    }));
    follow(Box::new(move || reset.value().get().and_then(Result::ok)));
    view! {
        <section class="card no-print">
            <h2>"Find a patient"</h2>
            <PageForm action=find>
                <div class="field">
                    <label for="medical_record_number">"Medical record number"</label>
                    <input
                        id="medical_record_number"
                        value={typed_before::<DeskFindPatient>("medical_record_number")}
                        name="medical_record_number"
                        required
                    />
                </div>
                <button type="submit" class="button">"Find patient"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {move || find.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            <h3>"No record number? Search by name and date of birth"</h3>
            <PageForm action=search>
                <div class="field">
                    <label for="search_family_name">"Family name"</label>
                    <input
                        id="search_family_name"
                        value={typed_before::<DeskSearchPatients>("family_name")}
                        name="family_name"
                        autocomplete="off"
                        required
                    />
                </div>
                <div class="field">
                    <label for="search_date_of_birth">"Date of birth"</label>
                    <input
                        id="search_date_of_birth"
                        value={typed_before::<DeskSearchPatients>("date_of_birth")}
                        name="date_of_birth"
                        type="date"
                        required
                    />
                </div>
                <button type="submit" class="button button--secondary">"Search"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {move || search.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            {move || {
                search.value().get().and_then(Result::ok).map(|patients| {
                    if patients.is_empty() {
                        return view! {
                            <p role="status">
                                "No patient has that family name and date of birth. Check the spelling and the date, or register the patient below."
                            </p>
                        }
                            .into_any();
                    }
                    view! {
                        <ul class="device-list" aria-label="Search results">
                            {patients
                                .into_iter()
                                .map(|p| {
                                    let label = format!("Open {}, record {}", p.name, p.medical_record_number);
                                    view! {
                                        <li>
                                            <p>
                                                <strong>{p.name.clone()}</strong>
                                                {format!(
                                                    ", born {}, record {}",
                                                    crate::domain::dates::long_date(p.date_of_birth),
                                                    p.medical_record_number,
                                                )}
                                            </p>
                                            <PageForm action=find>
                                                <input
                                                    type="hidden"
                                                    name="medical_record_number"
                                                    value=p.medical_record_number
                                                />
                                                <button type="submit" class="button button--secondary" aria-label=label>
                                                    "Open"
                                                </button>
                                            </PageForm>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                })
            }}
        </section>
        {move || found.get().map(|patient| view! { <PatientCard patient issue access unlock reset /> })}
        <RegisterPatient register />
        {move || {
            issue
                .value()
                .get()
                .and_then(Result::ok)
                .map(|issued| {
                    view! {
                        <CodeSlip
                            issued
                            title="Activation code"
                            instructions="Enter it on the portal's Activate page with your date of birth."
                        />
                    }
                })
        }}
        {move || {
            access
                .value()
                .get()
                .and_then(Result::ok)
                .map(|issued| {
                    view! {
                        <CodeSlip
                            issued
                            title="Access code"
                            instructions="Enter it on the portal's Forgot portal ID page with your Social Security number and date of birth."
                        />
                    }
                })
        }}
    }
}

/// Registers a patient who is not on record yet (the server refuses someone already registered).
#[component]
fn RegisterPatient(register: ServerAction<DeskRegisterPatient>) -> impl IntoView {
    view! {
        <section class="card no-print" aria-labelledby="register-heading">
            <h2 id="register-heading">"Register a new patient"</h2>
            <p>"Search first: a patient already on record must not get a second record."</p>
            <PageForm action=register>
                <div class="field">
                    <label for="new_given_name">"Given name"</label>
                    <input
                        id="new_given_name"
                        value={typed_before::<DeskRegisterPatient>("patient[given_name]")}
                        name="patient[given_name]"
                        autocomplete="off"
                        required
                    />
                </div>
                <div class="field">
                    <label for="new_family_name">"Family name"</label>
                    <input
                        id="new_family_name"
                        value={typed_before::<DeskRegisterPatient>("patient[family_name]")}
                        name="patient[family_name]"
                        autocomplete="off"
                        required
                    />
                </div>
                <div class="field">
                    <label for="new_date_of_birth">"Date of birth"</label>
                    <input
                        id="new_date_of_birth"
                        value={typed_before::<DeskRegisterPatient>("patient[date_of_birth]")}
                        name="patient[date_of_birth]"
                        type="date"
                        required
                    />
                </div>
                <div class="field">
                    <label for="new_email">"Email (optional)"</label>
                    <input
                        id="new_email"
                        value={typed_before::<DeskRegisterPatient>("patient[email]")}
                        name="patient[email]"
                        type="email"
                        autocomplete="off"
                        aria-describedby="new_email-hint"
                    />
                    <p id="new_email-hint" class="hint">"With an email on file, the patient can ask for an activation code online."</p>
                </div>
                <div class="field">
                    <label for="new_phone">"Phone (optional)"</label>
                    <input
                        id="new_phone"
                        value={typed_before::<DeskRegisterPatient>("patient[phone]")}
                        name="patient[phone]"
                        type="tel"
                        autocomplete="off"
                    />
                </div>
                <div class="field">
                    <label for="new_ssn">"Social Security number (optional)"</label>
                    <input id="new_ssn" name="patient[ssn]" inputmode="numeric" autocomplete="off" aria-describedby="new_ssn-hint" />
                    <p id="new_ssn-hint" class="hint">"Needed for the patient to recover a forgotten password or portal ID online. Stored encrypted; only the last 4 digits are ever shown."</p>
                </div>
                <button type="submit" class="button">"Register patient"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {move || register.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            {move || register.value().get().and_then(Result::ok).map(|p| view! {
                <p role="status" class="form-success">
                    {format!("{} is registered as record {}. Their record is shown above.", p.name, p.medical_record_number)}
                </p>
            })}
        </section>
    }
}

/// A code to read out or print for the patient.
#[component]
fn CodeSlip(issued: IssuedCode, title: &'static str, instructions: &'static str) -> impl IntoView {
    view! {
                        <section class="card code-slip" aria-labelledby="code-heading">
                            <h2 id="code-heading">
                                {format!("{title} for {}", issued.patient_name)}
                            </h2>
                            <p class="code-slip__code">{issued.code}</p>
                            <p>
                                {format!(
                                    "{instructions} It works once, until {}.",
                                    crate::domain::dates::long_date(issued.expires_on),
                                )}
                            </p>
                            <button
                                type="button"
                                class="button no-print"
                                on:click=|_| {
                                    if let Some(window) = web_sys_window() {
                                        let _ = window.print();
                                    }
                                }
                            >
                                "Print"
                            </button>
                        </section>
    }
}

#[component]
fn PatientCard(
    patient: DeskPatient,
    issue: ServerAction<DeskIssueActivationCode>,
    access: ServerAction<DeskIssueAccessCode>,
    unlock: ServerAction<DeskUnlockAccount>,
    reset: ServerAction<DeskResetTwoStep>,
) -> impl IntoView {
    let reset_mrn = patient.medical_record_number.clone();
    let two_step_on = patient.two_step_on;
    let mrn = patient.medical_record_number.clone();
    let unlock_mrn = patient.medical_record_number.clone();
    let has_account = patient.has_account;
    let locked = patient.account_locked;
    let ssn = patient
        .ssn_last_four
        .map_or_else(|| "not on file".to_owned(), |l| format!("***-**-{l}"));
    view! {
        <section class="card no-print" aria-labelledby="patient-heading">
            <h2 id="patient-heading">{patient.name.clone()}</h2>
            <dl class="facts">
                <dt>"Record number"</dt>
                <dd>{patient.medical_record_number.clone()}</dd>
                <dt>"Date of birth"</dt>
                <dd>{crate::domain::dates::long_date(patient.date_of_birth)}</dd>
                <dt>"Social Security number"</dt>
                <dd>{ssn}</dd>
                <dt>"Portal account"</dt>
                <dd>{if patient.has_account { "Yes" } else { "Not yet" }}</dd>
            </dl>
            <PageForm action=issue>
                <input type="hidden" name="medical_record_number" value=patient.medical_record_number />
                <fieldset class="choices">
                    <legend>"How is the patient enrolling?"</legend>
                    <label>
                        <input type="radio" name="route" value="visit" checked />
                        "At this visit"
                    </label>
                    <label>
                        <input type="radio" name="route" value="paper" />
                        "From a paper sign-up form"
                    </label>
                </fieldset>
                <button type="submit" class="button">"Issue activation code"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {move || issue.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            {locked
                .then(|| {
                    view! {
                        <div class="notice">
                            <p>"This account is locked after too many failed attempts."</p>
                            <PageForm action=unlock>
                                <input type="hidden" name="medical_record_number" value=unlock_mrn />
                                <button type="submit" class="button">"Unlock account"</button>
                            </PageForm>
                        </div>
                    }
                })}
            <p role="status">
                {move || {
                    unlock
                        .value()
                        .get()
                        .map(|r| match r {
                            Ok(_) => "The account is unlocked. The patient can sign in now.".to_owned(),
                            Err(e) => e.to_string(),
                        })
                }}
            </p>
            {two_step_on.then(|| view! {
                <h3>"Lost phone and recovery codes"</h3>
                <p>"After confirming who is asking, turn off 2-step verification: the patient then signs in with their password and can turn it on again."</p>
                <PageForm action=reset>
                    <input type="hidden" name="medical_record_number" value=reset_mrn />
                    <button type="submit" class="button">"Turn off 2-step verification"</button>
                </PageForm>
            })}
            <div role="alert" class="form-problem">
                {move || reset.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            <Show when=move || reset.value().get().is_some_and(|r| r.is_ok())>
                <p role="status">"2-step verification is off for this patient."</p>
            </Show>
            {has_account.then(|| view! {
                <h3>"Forgotten portal ID"</h3>
                <p>"After confirming who is calling, give them an access code (it works for a day)."</p>
                <PageForm action=access>
                    <input type="hidden" name="medical_record_number" value=mrn />
                    <button type="submit" class="button">"Issue portal ID access code"</button>
                </PageForm>
                <div role="alert" class="form-problem">
                    {move || access.value().get().and_then(Result::err).map(|e| e.to_string())}
                </div>
            })}
        </section>
    }
}

/// The browser window, for printing (absent during server rendering).
fn web_sys_window() -> Option<leptos::web_sys::Window> {
    leptos::web_sys::window()
}
