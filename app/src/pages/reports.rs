//! Reports of incorrect information (C4): clinical information is read-only, so a patient who
//! finds something wrong tells the clinic here (`?kind=immunization&item=ID` names the item),
//! and reads each report's status and the clinic's answer.

use super::components::form::{PageForm, form_action, typed_before};
use super::components::record::{
    RecordBanner, SubjectField, action_problem, record_problem, use_subject,
};
use super::components::site::PageTitle;
use crate::api::clinical::{ReportIncorrect, ReportList, correction_reports};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let subject = use_subject();
    let query = use_query_map();
    let about = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("kind"),
            q.get("item").and_then(|i| i.trim().parse::<i32>().ok()),
        )
    });
    let report = form_action::<ReportIncorrect>();
    let list = Resource::new(
        move || (subject.get(), about.get(), report.version().get()),
        |(subject, (kind, item), _)| correction_reports(subject, kind, item),
    );
    view! {
        <PageTitle page="Reports of incorrect information" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Reports list report about /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Reports of incorrect information"</h1>
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
fn Reports(
    list: ReportList,
    report: ServerAction<ReportIncorrect>,
    about: Memo<(Option<String>, Option<i32>)>,
) -> impl IntoView {
    let ReportList {
        heading,
        rows,
        about: item,
    } = list;
    let subject = heading.subject;
    let (kind, id) = about.get_untracked();
    let empty = rows.is_empty();
    let typed = typed_before::<ReportIncorrect>("note").unwrap_or_default();
    view! {
        <RecordBanner heading />
        <h1>"Reports of incorrect information"</h1>
        <p>
            "Clinical information can only be corrected by the clinic. If something in the record is wrong, tell us here: the clinic checks it, corrects it if needed, and answers you."
        </p>
        <div role="alert" class="form-problem">
            {action_problem(report)}
        </div>
        {move || {
            report
                .value()
                .get()
                .and_then(Result::ok)
                .map(|what| {
                    view! {
                        <p role="status" class="form-success">
                            {format!("Sent to the clinic: {what}. You will find the answer here.")}
                        </p>
                    }
                })
        }}
        {(kind.is_some() && item.is_none())
            .then(|| {
                view! {
                    <p class="notice">
                        "We could not find that item in the record. Go back to it and choose \"Report incorrect information\" again, or call the clinic."
                    </p>
                }
            })}
        {item
            .map(|item| {
                view! {
                        <section class="card" aria-labelledby="new-report-heading">
                            <h2 id="new-report-heading">"Tell the clinic what is wrong"</h2>
                            <p>{item.clone()}</p>
                            <PageForm action=report>
                                <SubjectField subject />
                                <input type="hidden" name="kind" value=kind.clone().unwrap_or_default() />
                                <input type="hidden" name="item" value=id.unwrap_or_default().to_string() />
                                <div class="field">
                                    <label for="note">"What is wrong?"</label>
                                    <textarea id="note" name="note" rows="4" maxlength="2000" required>
                                        {typed.clone()}
                                    </textarea>
                                </div>
                                <button type="submit" class="button">"Send to the clinic"</button>
                            </PageForm>
                        </section>
                }
            })}
        <section aria-labelledby="sent-heading">
            <h2 id="sent-heading">"Reports sent"</h2>
            {if empty {
                view! { <p>"No reports sent."</p> }.into_any()
            } else {
                view! {
                    <ul class="viewer-list">
                        {rows
                            .into_iter()
                            .map(|row| {
                                view! {
                                    <li class="card">
                                        <h3>{row.item}</h3>
                                        <dl class="facts">
                                            <dt>"Sent"</dt>
                                            <dd>{row.sent}</dd>
                                            <dt>"What was wrong"</dt>
                                            <dd>{row.note}</dd>
                                            <dt>"Status"</dt>
                                            <dd>{row.status}</dd>
                                            {row
                                                .answer
                                                .map(|a| {
                                                    view! {
                                                        <dt>"The clinic's answer"</dt>
                                                        <dd>{a}</dd>
                                                    }
                                                })}
                                        </dl>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}
