//! The document shell (server only) and the routed application.

use crate::pages::components::account_menu::provide_auth_version;
use crate::pages::components::layout::{SiteFooter, SiteHeader, SkipLink};
use crate::pages::components::site::provide_site_info;
use crate::pages::{
    AccountSecurityPage, ActivatePage, ForgotPasswordPage, ForgotPortalIdPage,
    GettingAnAccountPage, HelpPage, HomePage, NotFoundPage, RequestActivationCodePage, SignInPage,
    StaffDeskPage, StaffSignInPage,
};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, StaticSegment, path};

/// The whole HTML document. Runs only on the server, once per page request. The nonce is the
/// one the server's middleware put in this response's Content-Security-Policy header.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    let nonce = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let accent = crate::state::app_state()
        .map(|s| s.site.branding.accent_color.as_str().to_owned())
        .unwrap_or_else(|_| "#1a5f7a".to_owned());
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The accent colour is validated as #rrggbb at start-up, so it is safe here.
                <style nonce=nonce>{format!(":root{{--brand:{accent}}}")}</style>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth_version();
    provide_site_info();

    view! {
        <Stylesheet id="leptos" href="/pkg/portal.css" />
        <Router>
            <SkipLink />
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    // Async: the whole page is rendered before it is sent, so it reads complete
                    // without JavaScript.
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("getting-an-account")
                        view=GettingAnAccountPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("help") view=HelpPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("activate") view=ActivatePage ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("request-activation-code")
                        view=RequestActivationCodePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("forgot-portal-id")
                        view=ForgotPortalIdPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/security")
                        view=AccountSecurityPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/staff/sign-in") view=StaffSignInPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/desk") view=StaffDeskPage ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("forgot-password")
                        view=ForgotPasswordPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
