//! "Whose record": the viewer's own record and everyone they hold a grant for, each with what
//! they may open and the access engine's reasons in sentences (P4, P5, P6); and proxy requests
//! (P1, P2): asking for access to someone's record, the requests filed and where they stand,
//! and adults' requests for the viewer's own record, to agree to or refuse.

use super::components::form::{PageForm, form_action, kept_answer, this_page, typed_before};
use super::components::record::{action_problem, record_problem};
use super::components::site::PageTitle;
use crate::api::PortalError;
use crate::api::form_answers::PAGE_FIELD;
use crate::api::proxy::{AnswerRequest, RequestAccess, RequestsOverview, proxy_requests};
use crate::api::proxy::{RequestGuardianship, request_guardianship};
use crate::api::record::{RecordChoice, record_choices};
use crate::domain::court_order::{MAX_BYTES, OrderProblem};
use crate::domain::dates::long_date;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;

#[component]
pub fn RecordsPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| record_choices());
    view! {
        <PageTitle page="Records" />
        <h1>"Records you can open"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => {
                        view! {
                            <p class="lead">
                                "Choose whose record to look at. Each page says whose record it is."
                            </p>
                            <ul class="record-choices">
                                {choices
                                    .into_iter()
                                    .map(|choice| view! { <Choice choice /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(e) => record_problem(e),
                }
            })}
        </Suspense>
        <Requests />
    }
}

#[component]
fn Requests() -> impl IntoView {
    let ask = form_action::<RequestAccess>();
    let answer = form_action::<AnswerRequest>();
    // Requests sent with a court order (not a server action: a file goes as it is).
    let sent = RwSignal::new(0u32);
    // Its answer lives here: the form is drawn again when the requests are read again.
    let sent_answer = RwSignal::new(kept_answer::<RequestGuardianship>());
    let sending = RwSignal::new(false);
    let overview = Resource::new(
        move || (ask.version().get(), answer.version().get(), sent.get()),
        |_| proxy_requests(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                overview
                    .await
                    .ok()
                    .map(|overview| view! { <Overview overview answer /> })
            })}
        </Transition>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                overview
                    .await
                    .ok()
                    .map(|_| {
                        view! {
                            <AskForm ask />
                            <GuardianForm sent answer=sent_answer busy=sending />
                        }
                    })
            })}
        </Suspense>
    }
}

#[component]
fn Overview(overview: RequestsOverview, answer: ServerAction<AnswerRequest>) -> impl IntoView {
    let RequestsOverview { mine, to_answer } = overview;
    let asked = (!to_answer.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="to-answer-heading">
                <h2 id="to-answer-heading">"Requests for your record"</h2>
                <div role="alert" class="form-problem">
                    {action_problem(answer)}
                </div>
                <ul class="viewer-list">
                    {to_answer
                        .into_iter()
                        .map(|r| {
                            let (yes_id, no_id) = (r.id.to_string(), r.id.to_string());
                            let text = if r.agreed {
                                format!(
                                    "You agreed to give {} adult proxy access to your whole record. The clinic has not decided yet: until it does, you can take your agreement back.",
                                    r.requester_name,
                                )
                            } else {
                                format!(
                                    "{} asked on {} for adult proxy access to your whole record. If you agree, the clinic checks their identity, then they can see your record for {} years, or until you withdraw it.",
                                    r.requester_name,
                                    long_date(r.filed_on),
                                    r.years,
                                )
                            };
                            let agree_label = format!("Agree: give {} access", r.requester_name);
                            let no_label = if r.agreed {
                                format!("Take back my agreement to {}", r.requester_name)
                            } else {
                                format!("Say no to {}", r.requester_name)
                            };
                            let agreed = r.agreed;
                            view! {
                                <li>
                                    <p>{text}</p>
                                    <div class="actions">
                                        {(!agreed)
                                            .then(|| {
                                                view! {
                                                    <PageForm action=answer>
                                                        <input type="hidden" name="request" value=yes_id />
                                                        <input type="hidden" name="agree" value="yes" />
                                                        <button type="submit" class="button">
                                                            {agree_label}
                                                        </button>
                                                    </PageForm>
                                                }
                                            })}
                                        <PageForm action=answer>
                                            <input type="hidden" name="request" value=no_id />
                                            <input type="hidden" name="agree" value="no" />
                                            <button type="submit" class="button button--secondary">
                                                {no_label}
                                            </button>
                                        </PageForm>
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    });
    let filed = (!mine.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="mine-heading">
                <h2 id="mine-heading">"Your requests"</h2>
                <ul class="viewer-list">
                    {mine
                        .into_iter()
                        .map(|r| {
                            view! {
                                <li>
                                    <p>
                                        <strong>{r.subject_name}</strong>
                                        {format!(" ({}), asked on {}: ", r.relationship.to_lowercase(), long_date(r.filed_on))}
                                        {r.status}
                                    </p>
                                    {r.note.map(|note| view! { <p>{format!("The clinic says: {note}")}</p> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        {asked}
        {filed}
    }
}

#[component]
fn AskForm(ask: ServerAction<RequestAccess>) -> impl IntoView {
    let typed = |field: &str| typed_before::<RequestAccess>(field).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="ask-heading">
            <h2 id="ask-heading">"Ask for access to someone's record"</h2>
            <p>
                "Each person asks for themselves: two parents send two requests. Give the record number from the person's clinic papers and their date of birth. A legal guardian uses the next form, with the court order."
            </p>
            <PageForm action=ask>
                <fieldset class="choices">
                    <legend>"You are"</legend>
                    <label>
                        <input type="radio" name="kind" value="parent" checked />
                        "The parent of a child under 18"
                    </label>
                    <label>
                        <input type="radio" name="kind" value="adult-proxy" />
                        "An adult the other adult has agreed to let help them"
                    </label>
                </fieldset>
                <div class="field">
                    <label for="request_mrn">"Their record number"</label>
                    <input
                        id="request_mrn"
                        name="medical_record_number"
                        autocomplete="off"
                        value=typed("medical_record_number")
                        required
                    />
                </div>
                <div class="field">
                    <label for="request_dob">"Their date of birth"</label>
                    <input
                        id="request_dob"
                        name="date_of_birth"
                        type="date"
                        value=typed("date_of_birth")
                        required
                    />
                </div>
                <button type="submit" class="button">"Send the request"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {action_problem(ask)}
            </div>
            {move || {
                ask.value()
                    .get()
                    .and_then(Result::ok)
                    .map(|done| view! { <p role="status" class="form-success">{done}</p> })
            }}
        </section>
    }
}

/// A legal guardian's request with a copy of the court order (P7). Without JavaScript the
/// browser posts the file itself; with it, the form is sent in place, once, after checking the
/// file's size.
#[component]
fn GuardianForm(
    sent: RwSignal<u32>,
    answer: RwSignal<Option<Result<String, PortalError>>>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let file = NodeRef::<leptos::html::Input>::new();
    let typed = |field: &str| typed_before::<RequestGuardianship>(field).unwrap_or_default();
    let page = this_page();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        use wasm_bindgen::JsCast;
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let too_large = file
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
            .is_some_and(|chosen| chosen.size() > MAX_BYTES as f64);
        if too_large {
            answer.set(Some(Err(PortalError::Invalid(
                OrderProblem::TooLarge.to_string(),
            ))));
            return;
        }
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = request_guardianship(data.into()).await;
            if result.is_ok() {
                form.reset();
                sent.update(|n| *n += 1);
            }
            answer.set(Some(result));
            busy.set(false);
        });
    };
    let problem = move || answer.get().and_then(Result::err).map(|e| e.to_string());
    let done = move || {
        answer
            .get()
            .and_then(Result::ok)
            .map(|done| view! { <p role="status" class="form-success">{done}</p> })
    };
    view! {
        <section class="card" aria-labelledby="guardian-heading">
            <h2 id="guardian-heading">"Legal guardians: send the court order"</h2>
            <p>
                "A guardian appointed by a court sends a copy of the order with the request: a PDF, or a photo or scan as JPEG or PNG, of 10 MB at most. Only the clinic staff who review your request can open it."
            </p>
            <form
                method="post"
                action=RequestGuardianship::PATH
                enctype="multipart/form-data"
                on:submit=on_submit
            >
                <input type="hidden" name=PAGE_FIELD value=page />
                <div class="field">
                    <label for="guardian_mrn">"Their record number"</label>
                    <input
                        id="guardian_mrn"
                        name="medical_record_number"
                        autocomplete="off"
                        value=typed("medical_record_number")
                        required
                    />
                </div>
                <div class="field">
                    <label for="guardian_dob">"Their date of birth"</label>
                    <input
                        id="guardian_dob"
                        name="date_of_birth"
                        type="date"
                        value=typed("date_of_birth")
                        required
                    />
                </div>
                <div class="field">
                    <label for="guardian_order_end">"The day the order ends (optional)"</label>
                    <input
                        id="guardian_order_end"
                        name="order_ends_on"
                        type="date"
                        value=typed("order_ends_on")
                        aria-describedby="guardian_order_end-hint"
                    />
                    <p id="guardian_order_end-hint" class="hint">
                        "Leave it empty if the order has no end date."
                    </p>
                </div>
                <div class="field">
                    <label for="guardian_order">"The court order"</label>
                    <input
                        id="guardian_order"
                        name="court_order"
                        type="file"
                        accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
                        aria-describedby="guardian_order-hint"
                        node_ref=file
                        required
                    />
                    <p id="guardian_order-hint" class="hint">"PDF, JPEG or PNG, 10 MB at most."</p>
                </div>
                <button type="submit" class="button" disabled=move || busy.get()>
                    "Send the request and the order"
                </button>
            </form>
            <div role="alert" class="form-problem">
                {problem}
            </div>
            {done}
        </section>
    }
}

#[component]
fn Choice(choice: RecordChoice) -> impl IntoView {
    let RecordChoice {
        heading,
        relationship,
        explanations,
        has_access,
    } = choice;
    let id = format!("record-{}", heading.subject.unwrap_or(0));
    let labelled_by = id.clone();
    let menu = (!heading.menu.is_empty()).then(|| {
        view! {
            <ul class="record-choice__menu">
                {heading
                    .menu
                    .into_iter()
                    .map(|link| view! { <li><A href=link.href>{link.title}</A></li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <li class="card" aria-labelledby=labelled_by>
            <h2 id=id>{heading.name}</h2>
            <p class="record-choice__relationship">{relationship}</p>
            {explanations.into_iter().map(|e| view! { <p>{e}</p> }).collect_view()}
            <Show when=move || !has_access>
                <p>"You cannot open this record now."</p>
            </Show>
            {menu}
        </li>
    }
}
