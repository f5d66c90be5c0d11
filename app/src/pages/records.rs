//! "Whose record": the viewer's own record and everyone they hold a grant for, each with what
//! they may open and the access engine's reasons in sentences (P4, P5, P6).

use super::components::record::record_problem;
use super::components::site::PageTitle;
use crate::api::record::{RecordChoice, record_choices};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn RecordsPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| record_choices());
    view! {
        <PageTitle page="Records" />
        <h1>"Records you can open"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => {
                        view! {
                            <p class="lead">
                                "Choose whose record to look at. Each page says whose record it is."
                            </p>
                            <ul class="record-choices">
                                {choices
                                    .into_iter()
                                    .map(|choice| view! { <Choice choice /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(e) => record_problem(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Choice(choice: RecordChoice) -> impl IntoView {
    let RecordChoice {
        heading,
        relationship,
        explanations,
        has_access,
    } = choice;
    let id = format!("record-{}", heading.subject.unwrap_or(0));
    let labelled_by = id.clone();
    let menu = (!heading.menu.is_empty()).then(|| {
        view! {
            <ul class="record-choice__menu">
                {heading
                    .menu
                    .into_iter()
                    .map(|link| view! { <li><A href=link.href>{link.title}</A></li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <li class="card" aria-labelledby=labelled_by>
            <h2 id=id>{heading.name}</h2>
            <p class="record-choice__relationship">{relationship}</p>
            {explanations.into_iter().map(|e| view! { <p>{e}</p> }).collect_view()}
            <Show when=move || !has_access>
                <p>"You cannot open this record now."</p>
            </Show>
            {menu}
        </li>
    }
}
