//! One test result (C3, C8): each component's value, unit, reference range and the lab's flag,
//! with a link to the history of each numeric component. Nothing is interpreted.

use super::components::record::{RecordBanner, record_link, record_problem, use_subject};
use super::components::site::PageTitle;
use super::results::AskTheClinic;
use crate::api::results::{ResultView, result_detail};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ResultPage() -> impl IntoView {
    let subject = use_subject();
    let query = use_query_map();
    let id = Memo::new(move |_| {
        query
            .read()
            .get("id")
            .and_then(|p| p.trim().parse::<i32>().ok())
    });
    let found = Resource::new(
        move || (subject.get(), id.get()),
        |(subject, id)| result_detail(subject, id),
    );
    view! {
        <PageTitle page="Test result" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(result) => view! { <Result result /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Test result"</h1>
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
fn Result(result: ResultView) -> impl IntoView {
    let ResultView {
        id,
        heading,
        test,
        collected,
        resulted,
        ordered_by,
        components,
        phone,
    } = result;
    let subject = heading.subject;
    let report = record_link(
        "/record/reports",
        subject,
        &format!("kind=result&item={id}"),
    );
    view! {
        <RecordBanner heading />
        <h1>{test.clone()}</h1>
        <dl class="facts">
            <dt>"Collected"</dt>
            <dd>{collected}</dd>
            <dt>"Resulted"</dt>
            <dd>{resulted}</dd>
            <dt>"Ordered by"</dt>
            <dd>{ordered_by}</dd>
        </dl>
        <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{test} values")>
            <table class="access-log">
                <caption>{format!("{test}: values as the lab reported them")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Component"</th>
                        <th scope="col">"Value"</th>
                        <th scope="col">"Standard range"</th>
                        <th scope="col">"Flag"</th>
                        <th scope="col">"History"</th>
                    </tr>
                </thead>
                <tbody>
                    {components
                        .into_iter()
                        .map(|c| {
                            let history = c
                                .numeric
                                .then(|| {
                                    let href = record_link(
                                        "/record/results/trend",
                                        subject,
                                        &format!("component={}", c.id),
                                    );
                                    let label = format!("History of {}", c.name.to_lowercase());
                                    view! { <A href=href>{label}</A> }
                                });
                            view! {
                                <tr>
                                    <th scope="row">{c.name}</th>
                                    <td>{c.value}</td>
                                    <td>{c.range}</td>
                                    <td>{c.flag}</td>
                                    <td>{history}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <AskTheClinic phone subject />
        <p>
            <A href=report>"Report incorrect information in this result"</A>
        </p>
        <p>
            <a href=record_link("/record/results", subject, "")>"All test results"</a>
        </p>
    }
}
