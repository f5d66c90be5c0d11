//! A legal guardian's online request with the court order (issue 14, P7), on both databases:
//! the order is a PDF, JPEG or PNG of 10 MB at most by its bytes; it is sealed at rest; only the
//! staff reviewing the request download it, by a key nobody can guess, and only while the
//! request waits; staff approve and the grant ends with the order. The same form works without
//! JavaScript.

use crate::access::{person, signed_in};
use crate::helpers::{BACKENDS, TestApp, body_text, spawn_app};
use crate::staff::staff_session;
use axum::body::Body;
use http::Request;

const BOUNDARY: &str = "portal-test-7d1f0c";
const UPLOAD: &str = "/api/proxy/guardian-request";

/// A multipart form as a browser sends it, with the file `court_order` if given.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"court_order\"; \
                 filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(
    app: &TestApp,
    token: &str,
    accept: &str,
    body: Vec<u8>,
) -> (u16, http::HeaderMap, String) {
    let response = app
        .send(
            Request::post(UPLOAD)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .header("content-length", body.len())
                .header("accept", accept)
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("__Host-portal_session={token}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let (parts, body) = response.into_parts();
    (parts.status.as_u16(), parts.headers, body_text(body).await)
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, http::HeaderMap, Vec<u8>) {
    let response = app
        .send(
            Request::get(path)
                .header("cookie", format!("__Host-portal_session={token}"))
                .header("accept", "text/html,*/*")
                .header("referer", "http://localhost/staff/proxy-desk")
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status.as_u16(), parts.headers, bytes.to_vec())
}

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n% a court order\n".to_vec();
    bytes.resize(size, b'.');
    bytes
}

async fn mrn_of(app: &TestApp, person_id: i32) -> String {
    app::db::store::patient_of_person(&app.state.db, app.state.site.organization_id, person_id)
        .await
        .unwrap()
        .unwrap()
        .medical_record_number
}

/// The desk's queue entry for requests by `requester_name`.
async fn queued(app: &TestApp, desk: &str, requester_name: &str) -> Option<serde_json::Value> {
    let (status, headers, body) = get(app, "/api/proxy-desk/queue", desk).await;
    assert_eq!(
        status,
        200,
        "{headers:?} {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&body)
        .unwrap()
        .into_iter()
        .find(|r| r["requester_name"] == requester_name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p7_a_guardian_sends_the_order_and_only_the_reviewing_desk_opens_it() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        let ward = person(&app, "Ward", "1960-05-05").await;
        let ward_mrn = mrn_of(&app, ward).await;
        let gina = person(&app, "Gina", "1975-05-05").await;
        let token = signed_in(&app, gina).await;
        let fields = |ends: &'static str| {
            let mrn = ward_mrn.clone();
            move || {
                vec![
                    ("medical_record_number".to_owned(), mrn.clone()),
                    ("date_of_birth".to_owned(), "1960-05-05".to_owned()),
                    ("order_ends_on".to_owned(), ends.to_owned()),
                ]
            }
        };
        let form = |ends: &'static str, file: Option<(&str, &[u8])>| {
            let owned = fields(ends)();
            let borrowed = owned
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>();
            multipart(&borrowed, file)
        };
        let json = "application/json";

        // Refused, and nothing stored: no file, a program named .pdf, an HTML page, too large,
        // an order already ended, an unknown record.
        let refusals: Vec<(Vec<u8>, &str)> = vec![
            (form("", None), "Choose the file"),
            (
                form("", Some(("order.pdf", b"MZ\x90\x00program"))),
                "not one of them",
            ),
            (
                form("", Some(("order.png", b"<html><script>"))),
                "not one of them",
            ),
            (
                form("", Some(("big.pdf", &pdf(10 * 1024 * 1024 + 1)))),
                "This file is larger",
            ),
            (
                form("2026-06-01", Some(("order.pdf", &pdf(2000)))),
                "has ended",
            ),
        ];
        for (body, expected) in refusals {
            let (status, _, answer) = upload(&app, &token, json, body).await;
            assert_eq!(status, 422, "{backend:?}: {answer}");
            assert!(answer.contains(expected), "{expected}: {answer}");
        }
        let unknown = multipart(
            &[
                ("medical_record_number", "RB999999"),
                ("date_of_birth", "1960-05-05"),
            ],
            Some(("order.pdf", &pdf(2000))),
        );
        let (status, _, answer) = upload(&app, &token, json, unknown).await;
        assert_eq!(status, 422);
        assert!(answer.contains("could not find"), "{answer}");
        // Larger than the upload's whole limit: refused before it is read.
        let (status, _, answer) = upload(&app, &token, json, pdf(11 * 1024 * 1024)).await;
        assert_eq!(status, 413, "{answer}");
        // Not a multipart form at all.
        let (status, _, _) = app
            .post_form(
                UPLOAD,
                &[("medical_record_number", &ward_mrn)],
                Some(&token),
            )
            .await;
        assert_eq!(status.as_u16(), 415);
        // Nobody signed in: refused, whatever the file.
        let (status, _, _) = upload(
            &app,
            "no-session",
            json,
            form("", Some(("o.pdf", &pdf(100)))),
        )
        .await;
        assert_eq!(status, 401);
        let desk = staff_session(&app, "desk").await;
        assert!(queued(&app, &desk, "Gina Test").await.is_none());

        // A 3 MB PDF (named .txt: the name does not matter) is accepted.
        let order = pdf(3 * 1024 * 1024);
        let (status, _, answer) = upload(
            &app,
            &token,
            json,
            form("2027-01-01", Some(("scan.txt", &order))),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {answer}");
        assert!(answer.contains("court order were sent"), "{answer}");
        // A second one while the first waits: refused.
        let (status, _, answer) = upload(
            &app,
            &token,
            json,
            form("2027-01-01", Some(("scan.pdf", &order))),
        )
        .await;
        assert_eq!(status, 422);
        assert!(answer.contains("already a request"), "{answer}");

        // Sealed at rest: the stored bytes are not the file.
        use sea_orm::EntityTrait;
        let stored = app::db::entities::court_order::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap();
        let gina_order = stored
            .iter()
            .find(|o| o.size_bytes == order.len() as i64)
            .unwrap();
        assert!(!gina_order.sealed.windows(5).any(|w| w == b"%PDF-"));
        assert_eq!(gina_order.media_type, "application/pdf");

        // The desk sees the request, the order's end and a link with a random key.
        let request = queued(&app, &desk, "Gina Test").await.expect("queued");
        assert_eq!(request["guardian"], true);
        assert_eq!(request["order_ends_on"], "2027-01-01");
        let key = request["court_order"]["key"].as_str().unwrap().to_owned();
        assert!(key.len() >= 40, "{key}");
        assert_eq!(request["court_order"]["description"], "PDF, 3.0 MB");
        let link = format!("/api/proxy-desk/court-order?order={key}");

        // The reviewing desk downloads it as it was sent (followed like a link, with a referer).
        let (status, headers, bytes) = get(&app, &link, &desk).await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(bytes, order);
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(app.audit_entries("proxy.court_order_opened").await.len(), 1);
        // The look is in the ward's "who viewed my record".
        let ward_token = signed_in(&app, ward).await;
        let (_, _, viewed) = get(&app, "/api/record/who-viewed", &ward_token).await;
        let viewed = String::from_utf8(viewed).unwrap();
        assert!(viewed.contains("Proxy desk"), "{viewed}");

        // Nobody else: not the requester, not the ward, not a clinician, not a guessed key, not
        // from another site.
        let clinician = staff_session(&app, "clinician").await;
        for (who, token) in [
            ("gina", &token),
            ("ward", &ward_token),
            ("clinician", &clinician),
        ] {
            let (status, _, bytes) = get(&app, &link, token).await;
            assert_ne!(status, 200, "{who}");
            assert!(!bytes.starts_with(b"%PDF"), "{who}");
        }
        // The real key with its last character changed (to one it is not).
        let last = if key.ends_with('A') { 'B' } else { 'A' };
        let guessed = format!(
            "/api/proxy-desk/court-order?order={}{last}",
            &key[..key.len() - 1]
        );
        assert_eq!(get(&app, &guessed, &desk).await.0, 404);
        let cross_site = app
            .send(
                Request::get(&link)
                    .header("cookie", format!("__Host-portal_session={desk}"))
                    .header("sec-fetch-site", "cross-site")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(cross_site.status().as_u16(), 403);

        // Approving needs the order's end date as staff read it on the order: the requester's
        // own claim (2027-01-01) is not taken on trust. Staff enter 2026-12-01.
        let id = request["id"].as_i64().unwrap().to_string();
        let approve = |ends: Option<&'static str>| {
            let (app, desk, id) = (&app, desk.clone(), id.clone());
            async move {
                let mut fields = vec![
                    ("request", id.as_str()),
                    ("decision", "approve"),
                    ("identity_verified", "on"),
                    ("note", ""),
                ];
                if let Some(ends) = ends {
                    fields.push(("order_ends_on", ends));
                }
                let (status, _, body) = app
                    .post_form("/api/proxy-desk/decide", &fields, Some(&desk))
                    .await;
                (status.as_u16(), body)
            }
        };
        let (status, body) = approve(None).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("end date"), "{body}");
        assert_eq!(approve(Some("2026-06-15")).await.0, 422, "an ended order");
        let (status, body) = approve(Some("2026-12-01")).await;
        assert_eq!(status, 200, "{body}");
        let (_, _, viewers) = get(&app, "/api/record/who-can-view", &ward_token).await;
        let viewers = String::from_utf8(viewers).unwrap();
        assert!(viewers.contains("Gina Test"), "{viewers}");
        assert!(viewers.contains("\"2026-11-30\""), "{viewers}");
        assert_eq!(get(&app, &link, &desk).await.0, 404);
    }
}

/// The Records page as the browser that posted sees it after the 303 (with the kept answers).
async fn records_page_after(app: &TestApp, token: &str, posted: &http::HeaderMap) -> String {
    let answers = crate::helpers::set_cookie_value(posted, "__Host-portal_answers").unwrap();
    let page = app
        .send(
            Request::get("/records")
                .header("accept", "text/html")
                .header(
                    "cookie",
                    format!("__Host-portal_session={token}; __Host-portal_answers={answers}"),
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    body_text(page.into_body()).await.replace("<!>", "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p7_the_order_form_works_without_javascript() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
    let ward = person(&app, "Ward", "2015-05-05").await;
    let ward_mrn = mrn_of(&app, ward).await;
    let gina = person(&app, "Gina", "1975-05-05").await;
    let token = signed_in(&app, gina).await;
    let html = "text/html,application/xhtml+xml";
    let post = |file: &'static [u8]| {
        multipart(
            &[
                ("__page", "/records"),
                ("medical_record_number", &ward_mrn),
                ("date_of_birth", "2015-05-05"),
                ("order_ends_on", ""),
            ],
            Some(("order.png", file)),
        )
    };
    // Without a session, the file is not even read: sign in first.
    let response = app
        .send(
            Request::post(UPLOAD)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .header("accept", html)
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(post(b"%PDF-1.4")))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/sign-in");
    // A file that is not an image: the page comes back with the problem and the typed fields.
    let (status, headers, _) = upload(&app, &token, html, post(b"GIF89a....")).await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/records");
    let page = records_page_after(&app, &token, &headers).await;
    assert!(page.contains("not one of them"), "{page}");
    assert!(
        page.contains(&format!("value=\"{ward_mrn}\"")),
        "typed again"
    );

    // A PNG: sent, and the page says so.
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    let (status, headers, _) = upload(&app, &token, html, post(PNG)).await;
    assert_eq!(status, 303);
    let page = records_page_after(&app, &token, &headers).await;
    assert!(page.contains("court order were sent"), "{page}");
    assert!(
        page.contains("legal guardian"),
        "listed under your requests: {page}"
    );
}
