//! Reports to answer (C4): what patients reported as wrong in their records, oldest first.
//! Staff correct the record where it is wrong (in the clinical system), then answer here; the
//! answer closes the report and the patient is emailed that there is news (C6). Clinicians
//! only: what patients report is clinical.

use super::components::form::{PageForm, form_action};
use super::components::record::{action_problem, record_problem};
use super::components::site::PageTitle;
use crate::api::clinical::{AnswerReport, QueueRow, reports_queue};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ReportsDeskPage() -> impl IntoView {
    let answer = form_action::<AnswerReport>();
    let queue = Resource::new(move || answer.version().get(), |_| reports_queue());
    view! {
        <PageTitle page="Reports to answer" />
        <h1>"Reports to answer"</h1>
        <p>
            <A href="/staff/desk">"Staff desk"</A>
        </p>
        <div role="alert" class="form-problem">
            {action_problem(answer)}
        </div>
        {move || {
            answer
                .value()
                .get()
                .and_then(Result::ok)
                .map(|who| {
                    view! {
                        <p role="status" class="form-success">
                            {format!("Answered. {who} can read the answer now.")}
                        </p>
                    }
                })
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(rows) => view! { <Queue rows answer /> }.into_any(),
                    Err(crate::api::PortalError::SignInRequired) => {
                        view! {
                            <p>
                                "This page is for signed-in staff. "
                                <A href="/staff/sign-in">"Staff sign-in"</A>
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => record_problem(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn Queue(rows: Vec<QueueRow>, answer: ServerAction<AnswerReport>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No report is waiting."</p> }.into_any();
    }
    view! {
        <ul class="viewer-list">
            {rows
                .into_iter()
                .map(|row| {
                    let heading_id = format!("report-{}", row.id);
                    let labelled_by = heading_id.clone();
                    let field = format!("answer-{}", row.id);
                    view! {
                        <li class="card" aria-labelledby=labelled_by>
                            <h2 id=heading_id>{format!("{}: {}", row.patient, row.item)}</h2>
                            <dl class="facts">
                                <dt>"Record number"</dt>
                                <dd>{row.record_number}</dd>
                                <dt>"Sent"</dt>
                                <dd>{row.sent}</dd>
                                <dt>"What is wrong"</dt>
                                <dd>{row.note}</dd>
                            </dl>
                            <PageForm action=answer>
                                <input type="hidden" name="id" value=row.id.to_string() />
                                <div class="field">
                                    <label for=field.clone()>"Answer to the patient"</label>
                                    <textarea id=field name="answer" rows="3" maxlength="2000" required></textarea>
                                </div>
                                <button type="submit" class="button">"Send the answer and close"</button>
                            </PageForm>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
