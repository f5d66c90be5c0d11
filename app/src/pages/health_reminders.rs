//! Health topic alerts: reminders such as a vaccine that is due, for the patient and for
//! viewers with the alerts scope (the parent of a 13-17-year-old, P5).

use super::components::record::{RecordBanner, record_problem, use_subject};
use super::components::site::PageTitle;
use crate::api::clinical::{AlertList, health_alerts};
use leptos::prelude::*;

#[component]
pub fn HealthRemindersPage() -> impl IntoView {
    let subject = use_subject();
    let list = Resource::new(move || subject.get(), health_alerts);
    view! {
        <PageTitle page="Health reminders" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Reminders list /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Health reminders"</h1>
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
fn Reminders(list: AlertList) -> impl IntoView {
    let AlertList { heading, rows } = list;
    let title = match heading.subject {
        None => "Your health reminders".to_owned(),
        Some(_) => format!("{}'s health reminders", heading.name),
    };
    let empty = rows.is_empty();
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        {if empty {
            view! { <p>"No reminders right now."</p> }.into_any()
        } else {
            view! {
                <ul class="viewer-list">
                    {rows
                        .into_iter()
                        .map(|row| {
                            view! {
                                <li class="card" class:card--highlight=row.overdue>
                                    <h2>{row.topic}</h2>
                                    <p>{row.detail}</p>
                                    {(!row.due.is_empty()).then(|| view! { <p><strong>{row.due}</strong></p> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}
