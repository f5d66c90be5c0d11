//! Headers, limits and compression that every response gets.

use crate::helpers::{Backend, TestApp, spawn_app};
use axum::body::Body;
use http::Request;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_csp_whose_nonce_is_on_the_hydration_scripts() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, headers, html) = app.get_text("/").await;
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the page's scripts use the header's nonce"
    );

    let (_, again, _) = app.get_text("/").await;
    assert_ne!(
        again["content-security-policy"], headers["content-security-policy"],
        "a fresh nonce each time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_security_headers_a_request_id_and_no_store() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/", "/healthz", "/no-such-page", "/api/site/info"] {
        let (_, h, _) = app.get_text(path).await;
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(
            h.get("x-request-id").is_some_and(|v| v.len() >= 32),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_from_the_load_balancer_is_kept_and_one_from_anyone_else_replaced() {
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |raw| {
        raw.trusted_proxies = "10.0.0.0/8".into();
    })
    .await;
    let from = |peer: &str| {
        let mut request = Request::get("/healthz")
            .header("x-request-id", "lb-1234")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                peer.parse().unwrap(),
                40_000,
            )));
        request
    };
    let response = app.send(from("10.0.0.2")).await;
    assert_eq!(response.headers()["x-request-id"], "lb-1234");
    let response = app.send(from("203.0.113.9")).await;
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(id != "lb-1234" && id.len() >= 32, "{id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = spawn_app(Backend::Sqlite).await;
    for encoding in ["br", "gzip"] {
        let response = app
            .send(
                Request::get("/")
                    .header("accept-encoding", encoding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_body_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let limit = app.settings.max_request_body_bytes;
    let response = app
        .send(
            Request::post("/api/site/info")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", (limit + 1).to_string())
                .body(Body::from(vec![b'a'; limit + 1]))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_static_file_is_revalidated_with_304_not_a_404_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let pkg = site_pkg(&app);
    std::fs::write(pkg.join("portal.js"), "export default 1;").unwrap();
    let first = app.get("/pkg/portal.js").await;
    assert_eq!(first.status(), 200);
    // A plain name may hold a new release tomorrow: kept, but asked about again.
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let modified = first.headers()["last-modified"].clone();
    let again = app
        .send(
            Request::get("/pkg/portal.js")
                .header("if-modified-since", modified)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/pkg/missing.js").await.status(), 404);
    let missing = app.get("/pkg/portal.Ab3xY9Ab3xY9Ab3xY9Ab3x.js").await;
    assert_eq!(missing.status(), 404);
    assert_ne!(
        missing.headers()["cache-control"],
        "public, max-age=31536000, immutable",
        "a missing file is not remembered as missing for a year"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_files_are_kept_for_good_and_sent_as_compressed_at_build_time() {
    let mut app = spawn_app(Backend::Sqlite).await;
    let pkg = site_pkg(&app);
    let name = "portal.Ab3_xY-9Ab3_xY-9Ab3_xY.wasm";
    std::fs::write(pkg.join(name), b"\0asm plain").unwrap();
    std::fs::write(pkg.join(format!("{name}.br")), b"brotli copy").unwrap();
    std::fs::write(pkg.join(format!("{name}.gz")), b"gzip copy").unwrap();
    // Built files are read into memory when the portal starts: start it again with them there,
    // then take them off the disk, which the answers must not need.
    app.router = server::router::router(app.state.clone(), &app.settings);
    for file in [name.to_owned(), format!("{name}.br"), format!("{name}.gz")] {
        std::fs::remove_file(pkg.join(file)).unwrap();
    }
    let fetch = |encoding: &'static str| {
        app.send(
            Request::get(format!("/pkg/{name}"))
                .header("accept-encoding", encoding)
                .body(Body::empty())
                .unwrap(),
        )
    };
    for (encoding, body) in [
        ("br, gzip", "brotli copy"),
        ("gzip", "gzip copy"),
        ("identity", "\0asm plain"),
    ] {
        let response = fetch(encoding).await;
        assert_eq!(response.status(), 200, "{encoding}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let sent = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            sent.as_deref(),
            match encoding {
                "identity" => None,
                other => Some(&other[..other.find(',').unwrap_or(other.len())]),
            }
        );
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            bytes,
            body.as_bytes(),
            "{encoding}: the file as it was built"
        );
    }
    // Asked again with its entity tag: not modified, and still kept for good.
    let first = fetch("br").await;
    let etag = first.headers()["etag"].clone();
    assert_eq!(first.headers()["vary"], "accept-encoding");
    let again = app
        .send(
            Request::get(format!("/pkg/{name}"))
                .header("accept-encoding", "br")
                .header("if-none-match", etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status(), 304);
    assert_eq!(
        again.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // A file without a copy made at build time is sent as it is, not compressed on the fly.
    std::fs::write(pkg.join("plain.css"), "body { color: black; }".repeat(100)).unwrap();
    let response = app
        .send(
            Request::get("/pkg/plain.css")
                .header("accept-encoding", "br, gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-encoding").is_none());
}

/// The site's `pkg` directory of this test's portal, created empty.
fn site_pkg(app: &TestApp) -> std::path::PathBuf {
    let pkg = std::path::PathBuf::from(app.state.leptos_options.site_root.as_ref()).join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    pkg
}
