//! Immunizations: the list, and the same page printed (the print stylesheet keeps the
//! person's name, date of birth and the table, and drops the site's furniture). Viewers with
//! the immunizations scope see it, such as the parent of a 13-17-year-old (P5).

use super::components::record::{RecordBanner, record_link, record_problem, use_subject};
use super::components::site::PageTitle;
use crate::api::clinical::{ImmunizationList, immunizations};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ImmunizationsPage() -> impl IntoView {
    let subject = use_subject();
    let list = Resource::new(move || subject.get(), immunizations);
    view! {
        <PageTitle page="Immunizations" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Immunizations list /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Immunizations"</h1>
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
fn Immunizations(list: ImmunizationList) -> impl IntoView {
    let ImmunizationList {
        heading,
        date_of_birth,
        rows,
        may_report,
    } = list;
    let subject = heading.subject;
    let name = heading.name.clone();
    let title = match subject {
        None => "Your immunizations".to_owned(),
        Some(_) => format!("{name}'s immunizations"),
    };
    let empty = rows.is_empty();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = leptos::web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="no-print">
            <RecordBanner heading />
        </div>
        <h1>{title}</h1>
        <p class="print-only">{format!("{name}, born {date_of_birth}")}</p>
        <p class="no-print">
            <button type="button" class="button button--secondary" on:click=print>
                "Print this page"
            </button>
            " "
            <span class="hint">"Without the button, use your browser's Print command: the page prints without the menus."</span>
        </p>
        {if empty {
            view! { <p>"No immunizations recorded."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Immunizations">
                    <table class="access-log">
                        <caption>{format!("Immunizations of {name}, newest first")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Vaccine"</th>
                                <th scope="col">"Dose"</th>
                                <th scope="col">"Given on"</th>
                                <th scope="col">"Given by"</th>
                                {may_report.then(|| view! { <th scope="col" class="no-print">"Wrong?"</th> })}
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let report = record_link(
                                        "/record/reports",
                                        subject,
                                        &format!("kind=immunization&item={}", row.id),
                                    );
                                    let label = format!(
                                        "Report incorrect information: {}, {}",
                                        row.vaccine,
                                        row.given_on,
                                    );
                                    view! {
                                        <tr>
                                            <th scope="row">{row.vaccine}</th>
                                            <td>{row.dose}</td>
                                            <td>{row.given_on}</td>
                                            <td>{row.given_by}</td>
                                            {may_report
                                                .then(|| {
                                                    view! {
                                                        <td class="no-print">
                                                            <A href=report attr:aria-label=label>
                                                                "Report incorrect information"
                                                            </A>
                                                        </td>
                                                    }
                                                })}
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
    }
}
