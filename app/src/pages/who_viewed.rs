//! "Who viewed the record": the access log of a record, newest first, a page at a time. Clinic
//! staff who looked the patient up are listed too. The viewer's own visits are left out unless
//! asked for (`?mine=true`).

use super::components::record::{RecordBanner, record_problem, use_subject};
use super::components::site::PageTitle;
use crate::api::record::{AccessLogPage, who_viewed};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WhoViewedPage() -> impl IntoView {
    let subject = use_subject();
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let mine = Memo::new(move |_| query.read().get("mine").is_some_and(|m| m == "true"));
    let log = Resource::new(
        move || (subject.get(), page.get(), mine.get()),
        |(subject, page, mine)| who_viewed(subject, Some(page), Some(mine)),
    );
    view! {
        <PageTitle page="Who viewed the record" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(log) => view! { <Log log /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Who viewed the record"</h1>
                            {record_problem(e)}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The link to a page of the log.
fn page_link(subject: Option<i32>, page: u32, mine: bool) -> String {
    let mut params = Vec::new();
    if let Some(id) = subject {
        params.push(format!("for={id}"));
    }
    if page > 0 {
        params.push(format!("page={page}"));
    }
    if mine {
        params.push("mine=true".to_owned());
    }
    if params.is_empty() {
        "/record/who-viewed".to_owned()
    } else {
        format!("/record/who-viewed?{}", params.join("&"))
    }
}

#[component]
fn Log(log: AccessLogPage) -> impl IntoView {
    let AccessLogPage {
        heading,
        entries,
        page,
        more,
        own_visits_shown,
    } = log;
    let subject = heading.subject;
    let title = if subject.is_none() {
        "Who viewed my record".to_owned()
    } else {
        format!("Who viewed {}'s record", heading.name)
    };
    let toggle = if own_visits_shown {
        (page_link(subject, 0, false), "Leave out my own visits")
    } else {
        (page_link(subject, 0, true), "Include my own visits")
    };
    let empty = entries.is_empty();
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <p class="lead">
            "Every time someone opens or changes this record in the portal, it is listed here: people with proxy access, and clinic staff too."
        </p>
        <p>
            <a href=toggle.0>{toggle.1}</a>
        </p>
        {if empty {
            view! { <p>"No one has viewed this record yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="log-caption">
                    <table class="access-log">
                        <caption id="log-caption">{format!("Newest first, page {}", page + 1)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"As"</th>
                                <th scope="col">"What"</th>
                                <th scope="col">"Where"</th>
                                <th scope="col">"From address"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {entries
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <tr>
                                            <td>{e.when}</td>
                                            <td>{e.who}</td>
                                            <td>{e.acting_as}</td>
                                            <td>{e.action}</td>
                                            <td>{e.area}</td>
                                            <td>{e.from.unwrap_or_default()}</td>
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
        <nav class="pager" aria-label="Pages of the log">
            {(page > 0)
                .then(|| {
                    view! { <a href=page_link(subject, page - 1, own_visits_shown)>"Newer entries"</a> }
                })}
            {more
                .then(|| {
                    view! { <a href=page_link(subject, page + 1, own_visits_shown)>"Older entries"</a> }
                })}
        </nav>
    }
}
