//! What every page of a person's record shares: whose record it is (from `?for=`), the banner
//! that says so with the menu of what the viewer may open, and the answers for a record that
//! cannot be shown.

use crate::api::PortalError;
use crate::api::record::RecordHeading;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Whose record the page is about: `?for=ID`, or the viewer's own without it. A `for` that is
/// not a number names no one (the server answers "not found"), never the viewer's own record.
pub fn use_subject() -> Memo<Option<i32>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("for")
            .map(|v| v.trim().parse::<i32>().unwrap_or(0))
    })
}

/// A query string for another page of the same record.
pub fn subject_query(subject: Option<i32>) -> String {
    subject.map(|id| format!("for={id}")).unwrap_or_default()
}

/// A link to a page of the same record (`path`), with more query after the subject's.
pub fn record_link(path: &str, subject: Option<i32>, more: &str) -> String {
    let query = [subject_query(subject), more.to_owned()]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The hidden field that carries the subject in a form (none for the viewer's own record).
#[component]
pub fn SubjectField(subject: Option<i32>) -> impl IntoView {
    subject.map(|id| view! { <input type="hidden" name="subject" value=id.to_string() /> })
}

/// "You are viewing Lily Chen's record", the areas of it the viewer may open, and why the rest
/// is missing.
#[component]
pub fn RecordBanner(heading: RecordHeading) -> impl IntoView {
    let whose = if heading.subject.is_none() {
        "You are viewing your own record.".to_owned()
    } else {
        format!("You are viewing {}'s record.", heading.name)
    };
    let label = if heading.subject.is_none() {
        "Your record".to_owned()
    } else {
        format!("{}'s record", heading.given_name)
    };
    view! {
        <nav class="record-banner" aria-label=label>
            <p class="record-banner__whose">
                <strong>{whose}</strong>
                " "
                <A href="/records">"Switch record"</A>
            </p>
            <ul class="record-banner__menu">
                {heading
                    .menu
                    .into_iter()
                    .map(|link| view! { <li><A href=link.href>{link.title}</A></li> })
                    .collect_view()}
            </ul>
            {heading
                .why_not
                .map(|why| {
                    view! {
                        <p class="why-not">
                            <strong>"Why can't I see more? "</strong>
                            {why}
                        </p>
                    }
                })}
        </nav>
    }
}

/// The page for an answer that is not the record: sign in, or "not found" (which is also the
/// answer for a record the viewer may not open).
pub fn record_problem(e: PortalError) -> AnyView {
    match e {
        PortalError::SignInRequired => view! {
            <p class="notice">
                "Sign in to see this page. " <A href="/sign-in">"Sign in"</A>
            </p>
        }
        .into_any(),
        PortalError::NotFound => view! {
            <p class="notice">
                "We could not find this record. " <A href="/records">"See the records you can open"</A>
            </p>
        }
        .into_any(),
        e => view! { <p class="notice">{e.to_string()}</p> }.into_any(),
    }
}

/// The error an action answered with, as a sentence (nothing while there is none).
pub fn action_problem<S>(action: ServerAction<S>) -> impl Fn() -> Option<String> + Copy
where
    S: leptos::server_fn::ServerFn<Error = PortalError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    }
}
