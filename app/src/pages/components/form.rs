//! Forms that work with and without JavaScript (see [`crate::api::form_answers`]). Every page
//! form is a [`PageForm`] whose action comes from [`form_action`]: with JavaScript, it calls the
//! server function in place; without, it posts, and the page comes back rendered by the server
//! with the answer already in the action, so the same view shows it.

use crate::api::form_answers::{self, FormAnswers, PAGE_FIELD};
use leptos::prelude::*;
use leptos::reactive::owner::Owner;
use leptos::server::SharedValue;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::error::{FromServerFnError, IntoAppError, ServerFnErrorErr};
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::{Http, ServerFn};
use leptos_router::hooks::use_location;
use serde::de::DeserializeOwned;

/// The answers the server kept for the page it rendered.
#[derive(Clone, Copy)]
struct KeptAnswers {
    answers: StoredValue<Option<FormAnswers>>,
}

/// Called once, at the root: the answers of this request (server), carried into the page's
/// hydration so that the browser starts from the page it was sent.
pub fn provide_form_answers() {
    let answers = SharedValue::new(form_answers::of_this_request).into_inner();
    provide_context(KeptAnswers {
        answers: StoredValue::new(answers),
    });
}

/// What `read` finds in the answers kept for this page. The kept answers describe the page the
/// server rendered: they hold while it renders, and in the browser while that page is hydrated,
/// never for pages the browser goes on to show itself.
fn in_kept_answers<R>(read: impl FnOnce(&FormAnswers) -> Option<R>) -> Option<R> {
    let rendering_the_sent_page = cfg!(feature = "ssr")
        || Owner::current_shared_context().is_some_and(|sc| sc.during_hydration());
    if !rendering_the_sent_page {
        return None;
    }
    let kept = use_context::<KeptAnswers>()?;
    let here = use_location().pathname.try_get_untracked()?;
    kept.answers
        .try_with_value(|answers| {
            answers
                .as_ref()
                .filter(|answers| answers.path() == here)
                .and_then(read)
        })
        .flatten()
}

/// The action of a form on this page, holding the answer the server kept for it when the form
/// was posted without JavaScript.
pub fn form_action<S>() -> ServerAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
    S::Error: FromServerFnError + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    if let Some(value) = kept_answer::<S>() {
        action.value().set(Some(value));
    }
    action
}

/// The answer the server kept for the form posting to `S` on this page (without JavaScript),
/// for a form whose action is not a [`ServerAction`] (a file upload).
pub fn kept_answer<S>() -> Option<Result<S::Output, S::Error>>
where
    S: ServerFn,
    S::Output: DeserializeOwned,
    S::Error: FromServerFnError,
{
    let answer = in_kept_answers(|kept| kept.answer(S::PATH).cloned())?;
    Some(if answer.ok {
        serde_json::from_str::<S::Output>(&answer.body)
            .map_err(|e| ServerFnErrorErr::Deserialization(e.to_string()).into_app_error())
    } else {
        Err(S::Error::de(answer.body.into()))
    })
}

/// Where the answer to `S` stands among the answers kept for this page (later is newer), for a
/// view that shows whichever of several forms was answered last.
pub fn answer_position<S: ServerFn>() -> Option<usize> {
    in_kept_answers(|kept| kept.position(S::PATH))
}

/// What was typed into `field` of the form for `S` when the server refused it without
/// JavaScript (secrets are never kept), to show the form again as it was sent.
pub fn typed_before<S: ServerFn>(field: &str) -> Option<String> {
    in_kept_answers(|kept| kept.typed(S::PATH, field).map(str::to_owned))
}

/// Sends a browser without JavaScript on to `to` when the page it came back to is done (a
/// sign-in that succeeded). With JavaScript, the page's own navigation does it.
///
/// On the server it gives back what the page must render instead of itself: a link to `to`,
/// and nothing that reads the router. The redirect lets the router go while the rest of the
/// page may still be rendering, and a form or link that then looks for it panics, which turns
/// the redirect into a 500 (seen in CI twice: NOTES.md, 2026-12-03 and 2026-12-06).
pub fn go_on_without_script(to: &'static str) -> Option<AnyView> {
    #[cfg(feature = "ssr")]
    {
        leptos_axum::redirect(to);
        Some(view! { <p><a href=to>"Continue"</a></p> }.into_any())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = to;
        None
    }
}

/// The page's path and query, which a form names in its [`PAGE_FIELD`] so that, posted without
/// JavaScript, its answer comes back to this page.
pub fn this_page() -> String {
    let location = use_location();
    // A page that sends a browser without JavaScript on (`go_on_without_script`) can still be
    // rendering after the router has let its location go: then the form names no page rather
    // than failing the whole answer.
    let (path, query) = (
        location.pathname.try_get_untracked().unwrap_or_default(),
        location.search.try_get_untracked().unwrap_or_default(),
    );
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// A form that posts to its server function, naming the page it is on so that, without
/// JavaScript, the answer comes back to this page.
#[component]
pub fn PageForm<S, OutputProtocol>(action: ServerAction<S>, children: Children) -> impl IntoView
where
    S: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, OutputProtocol>>
        + Clone
        + Send
        + Sync
        + 'static,
    <<S::Client as Client<S::Error>>::Request as ClientReq<S::Error>>::FormData:
        From<leptos::web_sys::FormData>,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    <S as ServerFn>::Client: Client<<S as ServerFn>::Error>,
{
    let page = this_page();
    view! {
        <ActionForm action>
            <input type="hidden" name=PAGE_FIELD value=page />
            {children()}
        </ActionForm>
    }
}
