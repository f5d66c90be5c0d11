//! Results to release (C3): the results no provider has released and that have not been
//! released automatically yet, oldest first, with when the patient would see each without
//! the clinician; the clinician releases one now. Clinicians and administrators only (the
//! server decides).

use super::components::form::{PageForm, form_action};
use super::components::record::{action_problem, record_problem};
use super::components::site::PageTitle;
use crate::api::results::{PendingRow, ReleaseResult, pending_results};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ResultsDeskPage() -> impl IntoView {
    let release = form_action::<ReleaseResult>();
    let queue = Resource::new(move || release.version().get(), |_| pending_results());
    view! {
        <PageTitle page="Results to release" />
        <h1>"Results to release"</h1>
        <p>
            <A href="/staff/desk">"Staff desk"</A>
        </p>
        <div role="alert" class="form-problem">
            {action_problem(release)}
        </div>
        {move || {
            release
                .value()
                .get()
                .and_then(Result::ok)
                .map(|done| {
                    view! {
                        <p role="status" class="form-success">
                            {format!("Released: {done}. The patient can see it now.")}
                        </p>
                    }
                })
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(rows) => view! { <Pending rows release /> }.into_any(),
                    Err(crate::api::PortalError::SignInRequired) => {
                        view! {
                            <p>
                                "This page is for signed-in clinicians. "
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
fn Pending(rows: Vec<PendingRow>, release: ServerAction<ReleaseResult>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No result is waiting."</p> }.into_any();
    }
    view! {
        <ul class="viewer-list">
            {rows
                .into_iter()
                .map(|row| {
                    let heading_id = format!("result-{}", row.id);
                    let labelled_by = heading_id.clone();
                    let label = format!(
                        "Release to the patient now: {} of {}",
                        row.test,
                        row.patient,
                    );
                    view! {
                        <li class="card" aria-labelledby=labelled_by>
                            <h2 id=heading_id>{format!("{}: {}", row.patient, row.test)}</h2>
                            <dl class="facts">
                                <dt>"Record number"</dt>
                                <dd>{row.record_number}</dd>
                                <dt>"Resulted"</dt>
                                <dd>{row.resulted}</dd>
                                <dt>"Release"</dt>
                                <dd>{row.release}</dd>
                            </dl>
                            <PageForm action=release>
                                <input type="hidden" name="id" value=row.id.to_string() />
                                <button type="submit" class="button" aria-label=label>
                                    "Release to the patient now"
                                </button>
                            </PageForm>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
