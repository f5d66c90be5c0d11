//! The health summary (P8): allergies, medications, problems, immunizations and the latest
//! released results, as a page to print and as a FHIR R4 document (International Patient
//! Summary) to download and take to another organization. Full access only.

use super::components::record::{RecordBanner, record_link, record_problem, use_subject};
use super::components::site::PageTitle;
use crate::api::clinical::{SummaryView, health_summary_view};
use crate::domain::dates::long_date;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HealthSummaryPage() -> impl IntoView {
    let subject = use_subject();
    let found = Resource::new(move || subject.get(), health_summary_view);
    view! {
        <PageTitle page="Health summary" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) => view! { <Summary view /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Health summary"</h1>
                            {record_problem(e)}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A "report incorrect information" link for one item.
fn report_link(subject: Option<i32>, kind: &str, id: i32, what: &str) -> impl IntoView + use<> {
    let href = record_link(
        "/record/reports",
        subject,
        &format!("kind={kind}&item={id}"),
    );
    let label = format!("Report incorrect information: {what}");
    view! {
        <A href=href attr:class="no-print" attr:aria-label=label>
            "Report incorrect information"
        </A>
    }
}

#[component]
fn Summary(view: SummaryView) -> impl IntoView {
    let SummaryView {
        heading,
        summary,
        allergy_ids,
        medication_ids,
        problem_ids,
    } = view;
    let subject = heading.subject;
    let p = &summary.patient;
    let who = format!(
        "{} {}, born {}, record number {}",
        p.given_name,
        p.family_name,
        long_date(p.date_of_birth),
        p.record_number
    );
    let download = match subject {
        None => "/api/record/health-summary/fhir".to_owned(),
        Some(id) => format!("/api/record/health-summary/fhir?subject={id}"),
    };
    let title = match subject {
        None => "Your health summary".to_owned(),
        Some(_) => format!("{}'s health summary", heading.name),
    };
    view! {
        <div class="no-print">
            <RecordBanner heading />
        </div>
        <h1>{title}</h1>
        <p>{who}</p>
        <p class="no-print">
            <a href=download download="health-summary.json" class="button">
                "Download the summary (FHIR document)"
            </a>
        </p>
        <p class="hint no-print">
            "The download is a standard FHIR R4 document (International Patient Summary) that other health care organizations can read. Keep it as safe as any health record. To print, use your browser's Print command."
        </p>
        <section aria-labelledby="allergies-heading">
            <h2 id="allergies-heading">"Allergies"</h2>
            {if summary.allergies.is_empty() {
                view! { <p>"No known allergies recorded."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {summary
                            .allergies
                            .into_iter()
                            .zip(allergy_ids)
                            .map(|(a, id)| {
                                let text = match &a.reaction {
                                    Some(r) => format!("{}: {r}", a.substance),
                                    None => a.substance.clone(),
                                };
                                view! { <li>{text} " " {report_link(subject, "allergy", id, &a.substance)}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section aria-labelledby="medications-heading">
            <h2 id="medications-heading">"Medications"</h2>
            {if summary.medications.is_empty() {
                view! { <p>"No medications recorded."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {summary
                            .medications
                            .into_iter()
                            .zip(medication_ids)
                            .map(|(m, id)| {
                                let text = match &m.instructions {
                                    Some(i) => format!("{}: {i}", m.name),
                                    None => m.name.clone(),
                                };
                                view! { <li>{text} " " {report_link(subject, "medication", id, &m.name)}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section aria-labelledby="problems-heading">
            <h2 id="problems-heading">"Problems"</h2>
            {if summary.problems.is_empty() {
                view! { <p>"No problems recorded."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {summary
                            .problems
                            .into_iter()
                            .zip(problem_ids)
                            .map(|(p, id)| {
                                view! {
                                    <li>
                                        {format!("{} (since {})", p.name, long_date(p.noted_on))} " "
                                        {report_link(subject, "problem", id, &p.name)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section aria-labelledby="immunizations-heading">
            <h2 id="immunizations-heading">"Immunizations"</h2>
            {if summary.immunizations.is_empty() {
                view! { <p>"No immunizations recorded."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {summary
                            .immunizations
                            .into_iter()
                            .map(|i| view! { <li>{format!("{}, {}", i.vaccine, long_date(i.given_on))}</li> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section aria-labelledby="results-heading">
            <h2 id="results-heading">"Latest results"</h2>
            {if summary.results.is_empty() {
                view! { <p>"No released results."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {summary
                            .results
                            .into_iter()
                            .map(|r| {
                                let value = match (r.value, &r.text) {
                                    (Some(v), _) => format!("{v} {}", r.unit.clone().unwrap_or_default()),
                                    (None, Some(t)) => t.clone(),
                                    (None, None) => String::new(),
                                };
                                view! { <li>{format!("{}: {}", r.name, value.trim())}</li> }
                            })
                            .collect_view()}
                    </ul>
                    <p class="no-print">
                        <A href=record_link("/record/results", subject, "")>"All test results"</A>
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}
