//! Test results (C3, C8): the released results of a record, newest first, 25 a page, and on
//! one's own record the choice to wait for the clinician before results show. The portal says
//! what the lab reported and never what it means: questions go to the clinic.

use super::components::form::{PageForm, form_action};
use super::components::record::{
    RecordBanner, action_problem, record_link, record_problem, use_subject,
};
use super::components::site::PageTitle;
use crate::api::results::{ResultList, SetResultWait, results};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ResultsPage() -> impl IntoView {
    let subject = use_subject();
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let wait = form_action::<SetResultWait>();
    let list = Resource::new(
        move || (subject.get(), page.get(), wait.version().get()),
        |(subject, page, _)| results(subject, Some(page)),
    );
    view! {
        <PageTitle page="Test results" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Results list wait /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Test results"</h1>
                            {record_problem(e)}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// C8: what the portal does not do, and whom to ask.
#[component]
pub fn AskTheClinic(phone: String, subject: Option<i32>) -> impl IntoView {
    view! {
        <aside class="notice" aria-label="Questions about results">
            <p>
                {format!(
                    "The portal shows results as the lab reports them and does not explain what they mean. For questions about a result, call the clinic at {phone}, or ask at your next visit. ",
                )}
                <A href=record_link("/record/appointments/book", subject, "")>
                    "Book an appointment"
                </A>
            </p>
        </aside>
    }
}

#[component]
fn Results(list: ResultList, wait: ServerAction<SetResultWait>) -> impl IntoView {
    let ResultList {
        heading,
        rows,
        page,
        more,
        waits_for_clinician,
        may_change_wait,
        phone,
    } = list;
    let subject = heading.subject;
    let title = match subject {
        None => "Your test results".to_owned(),
        Some(_) => format!("{}'s test results", heading.name),
    };
    let empty = rows.is_empty();
    let previous =
        (page > 0).then(|| record_link("/record/results", subject, &format!("page={}", page - 1)));
    let next = more.then(|| {
        record_link(
            "/record/results",
            subject,
            &format!("page={}", page.saturating_add(1)),
        )
    });
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <AskTheClinic phone subject />
        {if empty {
            view! { <p>"No test results to show yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Test results">
                    <table class="access-log">
                        <caption>
                            {format!("Results, newest first (page {})", page.saturating_add(1))}
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">"Test"</th>
                                <th scope="col">"Resulted"</th>
                                <th scope="col">"Flagged by the lab"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let href = record_link(
                                        "/record/results/view",
                                        subject,
                                        &format!("id={}", row.id),
                                    );
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=href>{row.test}</a>
                                            </td>
                                            <td>{row.resulted}</td>
                                            <td>{if row.flagged { "Yes" } else { "No" }}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}
        {(previous.is_some() || next.is_some())
            .then(|| {
                view! {
                    <nav class="pager" aria-label="Pages of results">
                        {previous.map(|href| view! { <a href=href>"Newer results"</a> })}
                        {next.map(|href| view! { <a href=href>"Older results"</a> })}
                    </nav>
                }
            })}
        <section class="card" aria-labelledby="wait-heading">
            <h2 id="wait-heading">"When results show"</h2>
            <p>
                {if waits_for_clinician {
                    "Results show here only once the clinician has released them."
                } else {
                    "Most lab results show here automatically a few days after they are in, even before the clinician has reviewed them. Other results show once the clinician releases them."
                }}
            </p>
            {may_change_wait
                .then(|| {
                    view! {
                        <PageForm action=wait>
                            <input
                                type="hidden"
                                name="wait"
                                value=if waits_for_clinician { "false" } else { "true" }
                            />
                            <button type="submit" class="button button--secondary">
                                {if waits_for_clinician {
                                    "Show results automatically again"
                                } else {
                                    "Wait for my clinician before results show"
                                }}
                            </button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {action_problem(wait)}
                        </div>
                    }
                })}
        </section>
    }
}
