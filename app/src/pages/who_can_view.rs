//! "Who can view my record" (P2, P3): everyone with a grant to the record, what it gives and
//! until when. On their own record an adult withdraws an adult proxy's access at once, or
//! renews it for the policy's term from today.

use super::components::form::{PageForm, form_action};
use super::components::record::{RecordBanner, action_problem, record_problem, use_subject};
use super::components::site::PageTitle;
use crate::api::record::{RecordViewer, RecordViewers, RenewAccess, RevokeAccess, who_can_view};
use crate::domain::dates::long_date;
use leptos::prelude::*;

#[component]
pub fn WhoCanViewPage() -> impl IntoView {
    let subject = use_subject();
    let revoke = form_action::<RevokeAccess>();
    let renew = form_action::<RenewAccess>();
    let viewers = Resource::new(
        move || (subject.get(), revoke.version().get(), renew.version().get()),
        |(subject, _, _)| who_can_view(subject),
    );
    view! {
        <PageTitle page="Who can view the record" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match viewers.await {
                    Ok(viewers) => view! { <Viewers viewers revoke renew /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Who can view the record"</h1>
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
fn Viewers(
    viewers: RecordViewers,
    revoke: ServerAction<RevokeAccess>,
    renew: ServerAction<RenewAccess>,
) -> impl IntoView {
    let RecordViewers { heading, viewers } = viewers;
    let own = heading.subject.is_none();
    let title = if own {
        "Who can view my record".to_owned()
    } else {
        format!("Who can view {}'s record", heading.name)
    };
    let empty = viewers.is_empty();
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <Show when=move || own>
            <p class="lead">
                "Anyone you gave adult proxy access can see your whole record until it expires. You can withdraw it here at any time: it stops at once. Clinic staff who look at your record are listed on the \"Who viewed the record\" page."
            </p>
        </Show>
        <div role="alert" class="form-problem">
            {action_problem(revoke)}
            {action_problem(renew)}
        </div>
        <Show when=move || matches!(revoke.value().get(), Some(Ok(())))>
            <p role="status" class="form-success">
                "Access withdrawn. They can no longer see your record."
            </p>
        </Show>
        {move || {
            renew
                .value()
                .get()
                .and_then(Result::ok)
                .map(|until| {
                    view! {
                        <p role="status" class="form-success">
                            {format!("Access renewed until {}.", long_date(until))}
                        </p>
                    }
                })
        }}
        {if empty {
            view! { <p>"No one else has access to this record."</p> }.into_any()
        } else {
            view! {
                <ul class="viewer-list">
                    {viewers
                        .into_iter()
                        .map(|viewer| view! { <Viewer viewer revoke renew /> })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

#[component]
fn Viewer(
    viewer: RecordViewer,
    revoke: ServerAction<RevokeAccess>,
    renew: ServerAction<RenewAccess>,
) -> impl IntoView {
    let RecordViewer {
        grant,
        name,
        relationship,
        scopes,
        since,
        until,
        status,
        may_revoke,
        may_renew,
        renewal_until,
    } = viewer;
    let heading_id = format!("viewer-{grant}");
    let labelled_by = heading_id.clone();
    let scopes = if scopes.is_empty() {
        "Nothing now".to_owned()
    } else {
        let mut s = scopes;
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        s
    };
    let renew_label = renewal_until
        .map(|d| format!("Renew {name}'s access until {}", long_date(d)))
        .unwrap_or_default();
    let revoke_label = format!("Withdraw {name}'s access");
    view! {
        <li class="card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name}</h2>
            <dl class="facts">
                <dt>"Relationship"</dt>
                <dd>{relationship}</dd>
                <dt>"Access"</dt>
                <dd>{status}</dd>
                <dt>"Can see"</dt>
                <dd>{scopes}</dd>
                <dt>"Since"</dt>
                <dd>{long_date(since)}</dd>
                <dt>"Until"</dt>
                <dd>
                    {until
                        .map(long_date)
                        .unwrap_or_else(|| "No end date".to_owned())}
                </dd>
            </dl>
            <div class="actions">
                {may_renew
                    .then(|| {
                        view! {
                            <PageForm action=renew>
                                <input type="hidden" name="grant" value=grant.to_string() />
                                <button type="submit" class="button button--secondary">
                                    {renew_label}
                                </button>
                            </PageForm>
                        }
                    })}
                {may_revoke
                    .then(|| {
                        view! {
                            <PageForm action=revoke>
                                <input type="hidden" name="grant" value=grant.to_string() />
                                <button type="submit" class="button button--danger">
                                    {revoke_label}
                                </button>
                            </PageForm>
                        }
                    })}
            </div>
        </li>
    }
}
