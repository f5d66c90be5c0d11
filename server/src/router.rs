//! The HTTP router: Leptos pages and server functions, health endpoints, static files, and the
//! middleware every response passes through (request id, logging, security headers, caching,
//! compression, body limit, timeout).

use crate::assets::Assets;
use crate::config::Settings;
use app::state::AppState;
use app::{App, shell};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, settings: &Settings) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let provide = move || {
        provide_context(context_state.clone());
        // Each request finds its caller once, however many guarded functions it calls.
        provide_context(app::api::guard::RequestCaller::default());
        // The page's scripts must carry the nonce the middleware put in the CSP header.
        if let Some(nonce) = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
        {
            provide_context(Nonce::from_value(nonce.0));
        }
    };
    let options = state.leptos_options.clone();
    let trusted = state.site.trusted_proxies.clone();
    let site_root = std::path::PathBuf::from(options.site_root.as_ref());

    // Built files, answered from memory (see `assets`): hashed names are cached for good; the
    // brotli and gzip copies made at build time (`--precompress`) are sent as they are, and
    // nothing here is compressed on the fly. Files not in memory are read from disk, and served
    // here rather than by Leptos's fallback, which answers a browser's "has it changed?" (304
    // Not Modified) with a 404 page.
    let pkg_dir = site_root.join(&*options.site_pkg_dir);
    let favicon = site_root.join("favicon.svg");
    let mut in_memory = Assets::load(&pkg_dir, &format!("/{}", options.site_pkg_dir));
    in_memory.add_file(&favicon, "/favicon.svg".to_owned());
    let in_memory = Arc::new(in_memory);
    let assets = Router::new()
        .nest_service(
            "/pkg",
            ServeDir::new(&pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .route_service("/favicon.svg", ServeFile::new(&favicon))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let in_memory = Arc::clone(&in_memory);
            async move {
                let path = req.uri().path();
                if let Some(answer) = in_memory.answer(req.method(), path, req.headers()) {
                    return answer;
                }
                // Only a file's one true path reaches the disk: `//`, `/./` or an escaped byte
                // would be cleaned up there and answered under a name caches keep for a year.
                if !is_canonical_path(path) {
                    return StatusCode::NOT_FOUND.into_response();
                }
                let mut answer = next.run(req).await;
                // The disk service may send a compressed copy without saying it depends on
                // Accept-Encoding; caches must not give it to browsers that refused it.
                answer
                    .headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                answer
            }
        }));

    let pages = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, shell))
        // Innermost: forms posted without JavaScript, and the pages that show their answers.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::forms::no_script_forms,
        ))
        .layer(middleware::from_fn(run_to_the_end))
        .layer(middleware::from_fn({
            let (limit, timeout) = (settings.max_request_body_bytes, settings.request_timeout);
            move |req, next| limit_bodies(limit, timeout, req, next)
        }))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(CompressionLayer::new());

    assets
        .merge(pages)
        // Router::layer wraps everything added before it, so the last layer here is the
        // outermost: the request id is set first, then logging, headers...
        .layer(middleware::from_fn(refuse_cross_site_writes))
        .layer(middleware::from_fn(security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    // The path only: query strings can carry what people typed.
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %req.method(),
                        path = %req.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn(move |req, next| {
            keep_request_id_from_proxies(trusted.clone(), req, next)
        }))
        .with_state(state)
}

/// Page renders running at once, at most: each holds its permit until it ends, even after its
/// client went away (see [`run_to_the_end`]).
pub const PAGE_RENDERS_AT_ONCE: u32 = 512;
static PAGE_RENDERS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(PAGE_RENDERS_AT_ONCE as usize);

/// Renders a page to its end in a task of its own, even when the browser goes away or the
/// request times out first (the page is then dropped). A page render stopped half-way dropped
/// the page's reactive owner while a `Suspend` task of the same page was still rendering on
/// another thread; reactive_graph 0.2.16 can then deadlock that thread in `use_context` (it
/// holds a read lock on an owner while dropping the last reference to one of its ancestors,
/// whose clean-up wants that lock), and each time one of the runtime's worker threads stopped
/// for good. Seen by the bench: a worker hung in `leptos_meta::use_head`.
///
/// Only page renders (GET and HEAD outside `/api/`): a server function called on its own has
/// no such tasks, and a change cut short by a timeout must stay cut short (its transaction
/// rolled back), not go on after its client was told it failed. Renders that outlive their
/// request are bounded ([`PAGE_RENDERS_AT_ONCE`]: beyond it, 503) and waited for at shutdown
/// ([`page_renders_finished`]).
async fn run_to_the_end(req: Request, next: Next) -> Response {
    use tracing::Instrument as _;
    let renders_a_page = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.uri().path().starts_with("/api/");
    if !renders_a_page {
        return next.run(req).await;
    }
    let Ok(permit) = PAGE_RENDERS.try_acquire() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The portal is very busy right now. Please try again in a minute.",
        )
            .into_response();
    };
    let work = tokio::spawn(
        async move {
            let answer = next.run(req).await;
            drop(permit);
            answer
        }
        .instrument(tracing::Span::current()),
    );
    match work.await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!(error = %e, "a page's task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Waits (at most `patience`) until no page render is running: at shutdown, before the
/// database is closed, so that renders whose clients went away end as they would have.
pub async fn page_renders_finished(patience: std::time::Duration) {
    let all = PAGE_RENDERS.acquire_many(PAGE_RENDERS_AT_ONCE);
    if let Ok(Ok(permits)) = tokio::time::timeout(patience, all).await {
        // Given back at once: a test binary starts several portals in one process.
        drop(permits);
    }
}

/// The largest body of an online guardian's request: the court order (10 MB) and its fields.
const UPLOAD_BODY_BYTES: usize = app::domain::court_order::MAX_BYTES + 64 * 1024;

/// How long a court order may take to arrive: 10 MB at about 300 kbit/s.
const UPLOAD_TIME: std::time::Duration = std::time::Duration::from_secs(300);

/// Court orders read at the same time, at most: each is held in memory while it is checked and
/// sealed, so a burst of large uploads cannot exhaust the server's memory.
static UPLOADS_AT_ONCE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Every request must be answered within the configured time, and its body is limited to the
/// configured size; except the one upload, a guardian's request with its court order, which may
/// carry the order and take longer, a few at a time. That upload must be a multipart form (the
/// server function cannot read anything else).
async fn limit_bodies(
    limit: usize,
    timeout: std::time::Duration,
    req: Request,
    next: Next,
) -> Response {
    use leptos::server_fn::ServerFn;
    let upload = req.uri().path() == app::api::proxy::RequestGuardianship::PATH;
    let _permit = if upload && req.method() == Method::POST {
        match UPLOADS_AT_ONCE.try_acquire() {
            Ok(permit) => Some(permit),
            Err(_) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Many files are being sent right now. Please try again in a minute.",
                )
                    .into_response();
            }
        }
    } else {
        None
    };
    let timeout = if upload { UPLOAD_TIME } else { timeout };
    if upload
        && req.method() == Method::POST
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| multer::parse_boundary(v).is_err())
    {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the court order with the form on the Records page.",
        )
            .into_response();
    }
    let limit = if upload {
        UPLOAD_BODY_BYTES.max(limit)
    } else {
        limit
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_none_or(|length| length <= limit as u64) {
        // A body longer than it said, or one without a length, stops at the limit as it is read.
        let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
        return match tokio::time::timeout(timeout, next.run(req)).await {
            Ok(answer) => answer,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        };
    }
    let text = if upload {
        "The court order must be a PDF, JPEG or PNG of 10 MB at most, and this file is larger. \
         Go back and choose a smaller file, or bring the order to the front desk."
    } else {
        "The form was too large to send."
    };
    (StatusCode::PAYLOAD_TOO_LARGE, text).into_response()
}

/// An `X-Request-Id` is kept only from the load balancers the deployment trusts (which tie their
/// logs to ours with it); anyone else's is replaced, so audit entries cannot carry ids a client
/// made up.
async fn keep_request_id_from_proxies(
    trusted: app::domain::client_address::TrustedProxies,
    mut req: Request,
    next: Next,
) -> Response {
    let from_proxy = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|peer| trusted.trusts(peer.0.ip()));
    if !from_proxy {
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

/// Leptos server functions do no cross-site request checking of their own. A request that
/// changes something (any method but GET, HEAD, OPTIONS), and any call of a server function
/// (a GET one reads a record, and each read is written to its access log), must come from one
/// of our own pages: the browser's `Sec-Fetch-Site` says so, or, from older browsers, `Origin`
/// matches `Host`. Requests with neither header do not come from a browser, so carry no one's
/// cookies by surprise. Pages themselves may be linked from anywhere.
async fn refuse_cross_site_writes(req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let server_function = req.uri().path().starts_with("/api/");
    if (writes || server_function) && is_cross_site(req.headers()) {
        tracing::warn!("refused a cross-site request");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not accepted.",
        )
            .into_response();
    }
    next.run(req).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text(HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = text(header::ORIGIN) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        return Some(origin_host) != text(header::HOST);
    }
    false
}

/// A server function's error answers carry the status of their [`app::api::PortalError`]. Our
/// functions set it themselves, but a request that cannot even be read (a field missing, a body
/// that does not decode) fails before the function runs, and Leptos answers every such error
/// 500: here it becomes 400, the caller's error.
async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let is_server_fn_error = response
        .headers()
        .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER);
    if !is_server_fn_error || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::api::PortalError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers too. A load balancer stops sending traffic on 503.
async fn readyz(State(state): State<AppState>) -> Response {
    if app::db::is_reachable(&state.db).await {
        Json(serde_json::json!({ "status": "ready", "database": "ok" })).into_response()
    } else {
        tracing::warn!("readiness check: the database does not answer");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })),
        )
            .into_response()
    }
}

/// A path as the built files are named: no empty, `.` or `..` part and no escaped byte.
fn is_canonical_path(path: &str) -> bool {
    !path.contains('%')
        && path
            .split('/')
            .skip(1)
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// How long a browser may keep a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caching {
    /// A built file whose name carries a hash of its content: kept for a year, never asked
    /// about again (a new release has new names).
    ForGood,
    /// A built file with a plain name: kept, but revalidated so a new release is seen at once.
    Revalidate,
    /// Pages and server function answers: they may hold health information.
    Never,
}

fn caching_for(path: &str) -> Caching {
    if let Some(file) = path.strip_prefix("/pkg/") {
        let name = file.rsplit('/').next().unwrap_or(file);
        if !file.starts_with("snippets/") && is_hashed_name(name) {
            Caching::ForGood
        } else {
            Caching::Revalidate
        }
    } else if path == "/favicon.svg" || path == "/favicon.ico" {
        Caching::Revalidate
    } else {
        Caching::Never
    }
}

/// Whether a file name carries a content hash as cargo-leptos writes it (`hash-files`): a part
/// of 22 base64url characters (MD5, unpadded), as in `portal.Xy3….wasm` or a split chunk named
/// by its hash. The placeholder of 22 underscores in an unhashed build is not a hash.
fn is_hashed_name(name: &str) -> bool {
    let Some((stem, _extension)) = name.split_once('.') else {
        return false;
    };
    let is_hash = |part: &str| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && part.bytes().any(|b| b != b'_')
    };
    is_hash(stem) || name.split('.').skip(1).any(is_hash)
}

/// This request's Content-Security-Policy nonce: 128 random bits, base64url.
#[derive(Clone)]
struct CspNonce(std::sync::Arc<str>);

impl CspNonce {
    fn generate() -> Self {
        use base64::Engine as _;
        use rand::RngCore as _;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(bytes)
                .into(),
        )
    }
}

/// The policy for HTML pages: scripts only from us or carrying this response's nonce, WASM
/// compilation allowed, no framing, no plugins, forms only to us.
pub fn page_content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Headers every response carries. HTML pages get a Content-Security-Policy with a fresh nonce
/// (which the renderer puts on the page's scripts); everything else one that allows nothing.
/// Nothing dynamic is cached: pages and server function answers may hold health information.
async fn security_headers(mut req: Request, next: Next) -> Response {
    let caching = caching_for(req.uri().path());
    let nonce = CspNonce::generate();
    req.extensions_mut().insert(nonce.clone());
    let mut response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let csp = if is_html {
        HeaderValue::from_str(&page_content_security_policy(&nonce.0))
            .unwrap_or(HeaderValue::from_static("default-src 'none'"))
    } else {
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        ));
    let cache = match caching {
        // A 304 refreshes the stored headers too, so it says the same.
        Caching::ForGood
            if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED =>
        {
            "public, max-age=31536000, immutable"
        }
        Caching::ForGood | Caching::Revalidate => "no-cache",
        Caching::Never => "no-store",
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::{Caching, caching_for, is_canonical_path, is_hashed_name};

    #[test]
    fn only_the_true_path_of_a_built_file_reaches_the_disk() {
        assert!(is_canonical_path("/pkg/portal.css"));
        assert!(is_canonical_path("/pkg/snippets/a-1/inline0.js"));
        assert!(!is_canonical_path("/pkg//portal.css"));
        assert!(!is_canonical_path("/pkg/./portal.css"));
        assert!(!is_canonical_path("/pkg/../secrets"));
        assert!(!is_canonical_path("/pkg/portal.cs%73"));
        assert!(!is_canonical_path("/pkg/"));
    }

    #[test]
    fn hashed_built_files_are_kept_for_good_and_the_rest_revalidated_or_never_kept() {
        let hash = "Ab3_xY-9Ab3_xY-9Ab3_xY";
        assert!(is_hashed_name(&format!("portal.{hash}.wasm")));
        assert!(is_hashed_name(&format!("{hash}.wasm")));
        assert!(is_hashed_name(&format!("__wasm_split.{hash}.js")));
        assert!(!is_hashed_name("__wasm_split.______________________.js"));
        assert!(!is_hashed_name("portal.wasm"));
        assert!(!is_hashed_name("portal.Ab3.wasm"));
        assert!(!is_hashed_name(hash));
        assert_eq!(
            caching_for(&format!("/pkg/portal.{hash}.css")),
            Caching::ForGood
        );
        assert_eq!(caching_for("/pkg/portal.css"), Caching::Revalidate);
        assert_eq!(
            caching_for(&format!("/pkg/snippets/{hash}/inline0.js")),
            Caching::Revalidate
        );
        assert_eq!(caching_for("/favicon.svg"), Caching::Revalidate);
        assert_eq!(caching_for("/account/security"), Caching::Never);
        assert_eq!(caching_for(&format!("/{hash}.js")), Caching::Never);
    }
}
