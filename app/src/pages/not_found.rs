//! The page for an address that leads nowhere. Answers with HTTP 404.

use super::components::site::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle page="Page not found" />
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. It may have moved, or the address may be mistyped."</p>
        <p>
            <A href="/">"Go to the home page"</A>
        </p>
    }
}
