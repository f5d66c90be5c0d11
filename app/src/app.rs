//! The document shell (server only) and the routed application.

use crate::pages::components::account_menu::provide_auth_version;
use crate::pages::components::form::provide_form_answers;
use crate::pages::components::layout::{SiteFooter, SiteHeader, SkipLink};
use crate::pages::components::site::provide_site_info;
use crate::pages::{
    AccountSecurityRoute, ActivateRoute, AppointmentsRoute, BookAppointmentRoute,
    ConfirmEmailRoute, ForgotPasswordRoute, ForgotPortalIdRoute, GettingAnAccountRoute,
    HealthRemindersRoute, HealthSummaryRoute, HelpRoute, HomePage, ImmunizationsRoute,
    NotFoundPage, PersonalInformationRoute, ProxyDeskRoute, RecordsRoute, ReportsDeskRoute,
    ReportsRoute, RequestActivationCodeRoute, ResultRoute, ResultTrendRoute, ResultsDeskRoute,
    ResultsRoute, SignInPage, StaffDeskRoute, StaffSignInRoute, WhoCanViewRoute, WhoViewedRoute,
};
use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, StaticSegment, path};

/// The whole HTML document. Runs only on the server, once per page request. The nonce is the
/// one the server's middleware put in this response's Content-Security-Policy header.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    let nonce = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let accent = use_context::<crate::state::AppState>()
        .map(|s| s.site.branding.accent_color.as_str().to_owned())
        .unwrap_or_else(|| "#1a5f7a".to_owned());
    let assets = asset_names(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The accent colour is validated as #rrggbb at start-up, so it is safe here.
                <style nonce=nonce.clone()>{format!(":root{{--brand:{accent}}}")}</style>
                // Hashed names (hash.txt beside the binary): cached by browsers for good.
                <link id="leptos" rel="stylesheet" href=assets.css.as_str() />
                <link rel="modulepreload" href=assets.js.as_str() crossorigin="anonymous" />
                <link
                    rel="preload"
                    href=assets.wasm.as_str()
                    r#as="fetch"
                    r#type="application/wasm"
                    crossorigin="anonymous"
                />
                {assets
                    .split
                    .as_ref()
                    .map(|split| {
                        view! {
                            <link rel="modulepreload" href=split.as_str() crossorigin="anonymous" />
                        }
                    })}
                <script type="module" nonce=nonce>
                    {assets.hydrate.as_str()}
                </script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Where the stylesheet, the JS and the WASM every page loads are, and the script that starts
/// hydration. Worked out once: the names come from hash.txt beside the binary, written by the
/// build. Only these are named in the page: a lazily loaded page's own WASM chunks are fetched
/// by the split loader when it hydrates, rather than each (up to a hundred or more) preloaded
/// by every page that uses them, which took longer to write into each page than the page
/// itself and held back the stylesheet on slow connections.
#[cfg(feature = "ssr")]
struct AssetNames {
    css: String,
    js: String,
    wasm: String,
    /// The split loader, which fetches a lazy page's chunks (imported by the JS; named here so
    /// the browser need not wait for the JS to find it).
    split: Option<String>,
    hydrate: String,
}

#[cfg(feature = "ssr")]
fn asset_names(options: &LeptosOptions) -> &'static AssetNames {
    static NAMES: std::sync::OnceLock<AssetNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let hashes = options
            .hash_files
            .then(|| {
                let beside = std::env::current_exe()
                    .ok()?
                    .parent()?
                    .join(&*options.hash_file);
                std::fs::read_to_string(beside).ok()
            })
            .flatten();
        if options.hash_files && hashes.is_none() {
            tracing::error!(
                "hash-files is on but hash.txt is not beside the binary: plain names used"
            );
        }
        names_from(options, hashes.as_deref())
    })
}

/// The asset names for `hashes` (hash.txt's lines, "css: HASH"), or the plain names.
#[cfg(feature = "ssr")]
fn names_from(options: &LeptosOptions, hashes: Option<&str>) -> AssetNames {
    let hash = |kind: &str| {
        hashes.and_then(|all| {
            all.lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(file, _)| file.trim() == kind)
                .map(|(_, hash)| hash.trim().to_owned())
        })
    };
    let output = &options.output_name;
    let name = |kind: &str, extension: &str| match hash(kind) {
        Some(hash) => format!("{output}.{hash}.{extension}"),
        None => format!("{output}.{extension}"),
    };
    let pkg = format!("/{}", options.site_pkg_dir);
    let (js, wasm) = (
        format!("{pkg}/{}", name("js", "js")),
        format!("{pkg}/{}", name("wasm", "wasm")),
    );
    AssetNames {
        css: format!("{pkg}/{}", name("css", "css")),
        // Quoted as JavaScript strings ({:?}); the names are the build's own (hash.txt).
        hydrate: format!(
            "import({js:?}).then(m => m.default({{module_or_path: {wasm:?}}}).then(() => m.hydrate()));"
        ),
        split: hash("split").map(|hash| format!("{pkg}/__wasm_split.{hash}.js")),
        js,
        wasm,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn options() -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("portal")
            .site_pkg_dir("pkg")
            .build()
    }

    #[test]
    fn pages_name_the_hashed_files_the_build_wrote() {
        // hash.txt as cargo-leptos writes it (issue 13: hashed names are cached for good).
        let hashes = "js: J1\nwasm: W2\ncss: C3\nmanifest: M4\nsplit: S5\n";
        let names = names_from(&options(), Some(hashes));
        assert_eq!(names.css, "/pkg/portal.C3.css");
        assert_eq!(names.js, "/pkg/portal.J1.js");
        assert_eq!(names.wasm, "/pkg/portal.W2.wasm");
        assert_eq!(names.split.as_deref(), Some("/pkg/__wasm_split.S5.js"));
        assert_eq!(
            names.hydrate,
            "import(\"/pkg/portal.J1.js\").then(m => m.default({module_or_path: \"/pkg/portal.W2.wasm\"}).then(() => m.hydrate()));"
        );
    }

    #[test]
    fn without_hash_txt_pages_name_the_plain_files() {
        let names = names_from(&options(), None);
        assert_eq!(names.css, "/pkg/portal.css");
        assert_eq!(names.js, "/pkg/portal.js");
        assert_eq!(names.wasm, "/pkg/portal.wasm");
        assert_eq!(names.split, None);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth_version();
    provide_site_info();
    provide_form_answers();

    view! {
        <Router>
            <SkipLink />
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    // Async: the whole page is rendered before it is sent, so it reads complete
                    // without JavaScript. Every page but the home and sign-in pages is a lazy
                    // route: its code is a WASM chunk of its own (see `pages::lazy_pages!`).
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("getting-an-account")
                        view={Lazy::<GettingAnAccountRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("help")
                        view={Lazy::<HelpRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("activate")
                        view={Lazy::<ActivateRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("request-activation-code")
                        view={Lazy::<RequestActivationCodeRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("forgot-password")
                        view={Lazy::<ForgotPasswordRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("forgot-portal-id")
                        view={Lazy::<ForgotPortalIdRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/security")
                        view={Lazy::<AccountSecurityRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/sign-in")
                        view={Lazy::<StaffSignInRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/desk")
                        view={Lazy::<StaffDeskRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/records")
                        view={Lazy::<RecordsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/personal-information")
                        view={Lazy::<PersonalInformationRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/who-can-view")
                        view={Lazy::<WhoCanViewRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/who-viewed")
                        view={Lazy::<WhoViewedRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/appointments")
                        view={Lazy::<AppointmentsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/appointments/book")
                        view={Lazy::<BookAppointmentRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/results")
                        view={Lazy::<ResultsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/results/view")
                        view={Lazy::<ResultRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/results/trend")
                        view={Lazy::<ResultTrendRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/results")
                        view={Lazy::<ResultsDeskRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/immunizations")
                        view={Lazy::<ImmunizationsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/health-reminders")
                        view={Lazy::<HealthRemindersRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/health-summary")
                        view={Lazy::<HealthSummaryRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/record/reports")
                        view={Lazy::<ReportsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/reports")
                        view={Lazy::<ReportsDeskRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/confirm-email")
                        view={Lazy::<ConfirmEmailRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/proxy-desk")
                        view={Lazy::<ProxyDeskRoute>::new()}
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
