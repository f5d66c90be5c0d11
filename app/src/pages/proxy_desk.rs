//! The proxy desk (P1, P2, P7): requests for access to someone's record waiting for staff, each
//! with who asks and for whom; staff verify the requester's identity and approve, or deny with a
//! reason the requester reads. Staff also enter paper proxy forms here, a court-appointed
//! guardian's with the order's end. Front desk and administrators only (the server decides).

use super::components::form::{PageForm, form_action};
use super::components::record::{action_problem, record_problem};
use super::components::site::PageTitle;
use crate::api::proxy::{CourtOrder, DecideRequest, DeskRequest, EnterPaperForm, proxy_desk_queue};
use crate::domain::dates::long_date;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;

#[component]
pub fn ProxyDeskPage() -> impl IntoView {
    let decide = form_action::<DecideRequest>();
    let paper = form_action::<EnterPaperForm>();
    let queue = Resource::new(
        move || (decide.version().get(), paper.version().get()),
        |_| proxy_desk_queue(),
    );
    view! {
        <PageTitle page="Proxy desk" />
        <h1>"Proxy desk"</h1>
        <p>
            <A href="/staff/desk">"Enrolment desk"</A>
        </p>
        <div role="alert" class="form-problem">
            {action_problem(decide)}
        </div>
        {move || {
            decide
                .value()
                .get()
                .and_then(Result::ok)
                .map(|done| view! { <p role="status" class="form-success">{done}</p> })
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => view! { <Queue queue decide /> }.into_any(),
                    Err(crate::api::PortalError::SignInRequired) => {
                        view! {
                            <p>
                                "The proxy desk is for signed-in staff. "
                                <A href="/staff/sign-in">"Staff sign-in"</A>
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => record_problem(e),
                }
            })}
        </Transition>
        <PaperFormSection paper />
    }
}

#[component]
fn Queue(queue: Vec<DeskRequest>, decide: ServerAction<DecideRequest>) -> impl IntoView {
    if queue.is_empty() {
        return view! {
            <section class="card" aria-labelledby="queue-heading">
                <h2 id="queue-heading">"Requests waiting"</h2>
                <p>"No request is waiting."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section aria-labelledby="queue-heading">
            <h2 id="queue-heading">{format!("Requests waiting ({})", queue.len())}</h2>
            <ul class="viewer-list">
                {queue
                    .into_iter()
                    .map(|request| view! { <Request request decide /> })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn Request(request: DeskRequest, decide: ServerAction<DecideRequest>) -> impl IntoView {
    let id = request.id;
    let heading = format!("request-{id}");
    let labelled_by = heading.clone();
    let verified = format!("verified-{id}");
    let note = format!("note-{id}");
    let mrn = |m: Option<String>| m.unwrap_or_else(|| "no record here".to_owned());
    view! {
        <li class="card" aria-labelledby=labelled_by>
            <h3 id=heading>
                {format!("{} asks to be {}'s {}", request.requester_name, request.subject_name, request.relationship.to_lowercase())}
            </h3>
            <dl class="facts">
                <dt>"Requester"</dt>
                <dd>
                    {format!(
                        "{}, born {}, record {}",
                        request.requester_name,
                        long_date(request.requester_date_of_birth),
                        mrn(request.requester_record_number),
                    )}
                </dd>
                <dt>"Patient"</dt>
                <dd>
                    {format!(
                        "{}, born {}, record {}",
                        request.subject_name,
                        long_date(request.subject_date_of_birth),
                        mrn(request.subject_record_number),
                    )}
                </dd>
                <dt>"Filed"</dt>
                <dd>{long_date(request.filed_on)}</dd>
                {request
                    .guardian
                    .then(|| {
                        let ends = request
                            .order_ends_on
                            .map_or_else(
                                || "The order has no end date.".to_owned(),
                                |end| format!("The order ends on {}.", long_date(end)),
                            );
                        let copy = match request.court_order.clone() {
                            Some(order) => {
                                let href = format!(
                                    "{}?order={}",
                                    CourtOrder::PATH,
                                    order.key,
                                );
                                view! {
                                    <a href=href rel="noreferrer" download>
                                        {format!("Open the court order ({})", order.description)}
                                    </a>
                                }
                                    .into_any()
                            }
                            None => "No copy was sent: see the paper order.".into_any(),
                        };
                        view! {
                            <dt>"Court order"</dt>
                            <dd>{copy} " " {ends}</dd>
                        }
                    })}
                {request
                    .consented
                    .then(|| {
                        view! {
                            <dt>"Consent"</dt>
                            <dd>"The patient agreed from their own account."</dd>
                        }
                    })}
            </dl>
            <PageForm action=decide>
                <input type="hidden" name="request" value=id.to_string() />
                <div class="field field--check">
                    <input id=verified.clone() type="checkbox" name="identity_verified" />
                    <label for=verified>
                        "I checked the requester's identity and their relationship to the patient"
                    </label>
                </div>
                <fieldset class="choices">
                    <legend>"Decision"</legend>
                    <label>
                        <input type="radio" name="decision" value="approve" required />
                        "Approve"
                    </label>
                    <label>
                        <input type="radio" name="decision" value="deny" />
                        "Deny"
                    </label>
                </fieldset>
                {request
                    .guardian
                    .then(|| {
                        let ends = format!("order-ends-{id}");
                        let hint = format!("order-ends-{id}-hint");
                        let value = request
                            .order_ends_on
                            .map(|d| d.to_string())
                            .unwrap_or_default();
                        view! {
                            <div class="field">
                                <label for=ends.clone()>"The order's end date, as the order gives it"</label>
                                <input
                                    id=ends
                                    name="order_ends_on"
                                    type="date"
                                    value=value
                                    aria-describedby=hint.clone()
                                />
                                <p id=hint class="hint">
                                    "Filled in as the requester gave it: check it against the order. Leave it empty if the order has no end. The access ends on that day."
                                </p>
                            </div>
                        }
                    })}
                <div class="field field--wide">
                    <label for=note.clone()>"Reason (the requester reads it; needed to deny)"</label>
                    <textarea id=note name="note" rows="2" maxlength="500"></textarea>
                </div>
                <button type="submit" class="button">"Record the decision"</button>
            </PageForm>
        </li>
    }
}

#[component]
fn PaperFormSection(paper: ServerAction<EnterPaperForm>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="paper-heading">
            <h2 id="paper-heading">"Enter a paper proxy form"</h2>
            <p>
                "For a requester or patient without an account, or a legal guardian with a court order: check the form, the requester's identity and the order, then enter it. It takes effect at once."
            </p>
            <PageForm action=paper>
                <fieldset class="choices">
                    <legend>"Kind of form"</legend>
                    <label>
                        <input type="radio" name="form[kind]" value="parent" checked />
                        "Parent of a child"
                    </label>
                    <label>
                        <input type="radio" name="form[kind]" value="legal-guardian" />
                        "Legal guardian (court order)"
                    </label>
                    <label>
                        <input type="radio" name="form[kind]" value="adult-proxy" />
                        "Adult proxy, signed by the patient"
                    </label>
                </fieldset>
                <div class="field">
                    <label for="requester_record_number">"Requester's record number"</label>
                    <input id="requester_record_number" name="form[requester_record_number]" required />
                </div>
                <div class="field">
                    <label for="requester_date_of_birth">"Requester's date of birth"</label>
                    <input id="requester_date_of_birth" name="form[requester_date_of_birth]" type="date" required />
                </div>
                <div class="field">
                    <label for="subject_record_number">"Patient's record number"</label>
                    <input id="subject_record_number" name="form[subject_record_number]" required />
                </div>
                <div class="field">
                    <label for="subject_date_of_birth">"Patient's date of birth"</label>
                    <input id="subject_date_of_birth" name="form[subject_date_of_birth]" type="date" required />
                </div>
                <div class="field">
                    <label for="order_ends_on">"Court order ends on (guardians; leave empty if it has no end)"</label>
                    <input id="order_ends_on" name="form[order_ends_on]" type="date" />
                </div>
                <div class="field field--check">
                    <input id="paper_verified" type="checkbox" name="identity_verified" />
                    <label for="paper_verified">"I checked the requester's identity and the form"</label>
                </div>
                <button type="submit" class="button">"Enter the form"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {action_problem(paper)}
            </div>
            {move || {
                paper
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|done| view! { <p role="status" class="form-success">{done}</p> })
            }}
        </section>
    }
}
