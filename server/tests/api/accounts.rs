//! Activation and sign-in through the HTTP API, as a browser (or anyone) can call them.

use crate::helpers::{BACKENDS, Backend, TestApp, session_cookie, spawn_app};
use app::domain::clock::Clock;
use chrono::Duration;

const ACTIVATE: &str = "/api/account/activate";
const SIGN_IN: &str = "/api/account/sign-in";
const SIGN_OUT: &str = "/api/account/sign-out";

async fn activate(
    app: &TestApp,
    code: &str,
    dob: &str,
    portal_id: &str,
    password: &str,
) -> (http::StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            ACTIVATE,
            &[
                ("code", code),
                ("date_of_birth", dob),
                ("portal_id", portal_id),
                ("password", password),
                ("reset_question", "Name of my first pet?"),
                ("reset_answer", "Biscuit"),
            ],
            None,
        )
        .await;
    (status, body)
}

async fn sign_in(
    app: &TestApp,
    portal_id: &str,
    password: &str,
) -> (http::StatusCode, http::HeaderMap, String) {
    app.post_form(
        SIGN_IN,
        &[("portal_id", portal_id), ("password", password)],
        None,
    )
    .await
}

async fn who_am_i(app: &TestApp, token: &str) -> String {
    let response = app
        .send(
            http::Request::get("/api/account/me")
                .header("cookie", format!("__Host-portal_session={token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    crate::helpers::body_text(response.into_body()).await
}

/// Alex Rivera (born 1988-07-14) activates as `alex.rivera`.
async fn activated_alex(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await.with_demo().await;
    let code = app.activation_code_for("Alex").await;
    let (status, body) = activate(&app, &code, "1988-07-14", "Alex.Rivera", "riverbend7").await;
    assert_eq!(status, 200, "{backend:?}: {body}");
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_a_patient_activates_with_code_and_date_of_birth_then_signs_in_and_out() {
    for backend in BACKENDS {
        let app = activated_alex(backend).await;
        let (status, headers, body) = sign_in(&app, "alex.rivera", "riverbend7").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let token = session_cookie(&headers).expect("a session cookie");
        assert!(who_am_i(&app, &token).await.contains("Alex"), "{backend:?}");

        let (status, headers, _) = app.post_form(SIGN_OUT, &[], Some(&token)).await;
        assert_eq!(status, 200);
        assert_eq!(
            session_cookie(&headers).as_deref(),
            Some(""),
            "the cookie is cleared"
        );
        assert_eq!(
            who_am_i(&app, &token).await,
            "null",
            "{backend:?}: the session is gone"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_host_only_http_only_secure_and_lax() {
    let app = activated_alex(Backend::Sqlite).await;
    let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7").await;
    let cookie = crate::helpers::set_cookie_header(&headers, "__Host-portal_session").unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_always_issues_a_new_session_and_ends_the_one_the_browser_had() {
    let app = activated_alex(Backend::Sqlite).await;
    let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7").await;
    let first = session_cookie(&headers).unwrap();
    let (_, headers, _) = app
        .post_form(
            SIGN_IN,
            &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            Some(&first),
        )
        .await;
    let second = session_cookie(&headers).unwrap();
    assert_ne!(first, second);
    assert_eq!(who_am_i(&app, &first).await, "null");
    assert!(who_am_i(&app, &second).await.contains("Alex"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_portal_id_and_a_wrong_password_get_the_same_answer() {
    let app = activated_alex(Backend::Sqlite).await;
    let unknown = sign_in(&app, "nobody.here", "riverbend7").await;
    let wrong = sign_in(&app, "alex.rivera", "riverbend8").await;
    assert_eq!(unknown.0, wrong.0);
    assert_eq!(unknown.2, wrong.2);
    assert!(session_cookie(&wrong.1).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_account_and_the_patient_is_told_how_to_get_back_in() {
    for backend in BACKENDS {
        let app = activated_alex(backend).await;
        let (_, _, first) = sign_in(&app, "alex.rivera", "wrong-guess1").await;
        assert!(
            first.contains("did not match") && first.contains("1-800-555-0199"),
            "{backend:?}: {first}"
        );
        for _ in 0..4 {
            let (_, _, body) = sign_in(&app, "alex.rivera", "wrong-guess1").await;
            assert_eq!(body, first, "a lock answers like a wrong password");
        }
        let (status, headers, body) = sign_in(&app, "alex.rivera", "riverbend7").await;
        assert_eq!(
            body, first,
            "even the right password waits, and is not told it was right"
        );
        assert_eq!(status, 422);
        assert!(session_cookie(&headers).is_none());

        app.clock.advance(Duration::minutes(16));
        let (status, _, body) = sign_in(&app, "alex.rivera", "riverbend7").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_after_the_idle_timeout() {
    let app = activated_alex(Backend::Sqlite).await;
    let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7").await;
    let token = session_cookie(&headers).unwrap();
    app.clock.advance(Duration::minutes(19));
    assert!(
        who_am_i(&app, &token).await.contains("Alex"),
        "activity keeps it alive"
    );
    app.clock.advance(Duration::minutes(20));
    assert_eq!(who_am_i(&app, &token).await, "null");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_a_code_works_once_and_not_after_it_expires_or_with_another_date_of_birth() {
    let app = activated_alex(Backend::Sqlite).await;
    // Maria's code, used with the wrong date of birth, then expired.
    let code = app.activation_code_for("Maria").await;
    let (status, body) = activate(&app, &code, "1984-03-10", "maria.chen", "riverbend7").await;
    assert_eq!(status, 422);
    assert!(body.contains("do not match our records"), "{body}");
    app.clock.advance(Duration::days(91));
    let (_, body) = activate(&app, &code, "1984-03-09", "maria.chen", "riverbend7").await;
    assert!(body.contains("expired"), "{body}");

    let fresh = app.activation_code_for("Maria").await;
    let (status, body) = activate(&app, &fresh, "1984-03-09", "maria.chen", "riverbend7").await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = activate(&app, &fresh, "1984-03-09", "maria.chen2", "riverbend7").await;
    assert!(body.contains("already been used"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_a_minor_cannot_activate_even_with_a_valid_code() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let lily = app.demo_person("Lily").await;
    let dob = app::db::accounts::person_by_id(&app.state.db, lily)
        .await
        .unwrap()
        .unwrap()
        .date_of_birth;
    let code = app.activation_code_for("Lily").await;
    let (status, body) = activate(&app, &code, &dob.to_string(), "lily.chen", "riverbend7").await;
    assert_eq!(status, 422);
    assert!(body.contains("aged 18 or over"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_a4_a5_bad_choices_are_refused_with_the_rule_in_plain_words() {
    let app = activated_alex(Backend::Sqlite).await;
    let code = app.activation_code_for("Erin").await;
    for (portal_id, password, expected) in [
        ("ALEX.RIVERA", "riverbend7", "already taken"),
        ("erin", "riverbend7", "at least 5 characters"),
        ("erin brooks", "riverbend7", "only letters, digits"),
        ("erin.brooks", "short1", "at least 7 characters"),
        ("erin.brooks", "Password1", "most common"),
        (
            "erin.brooks",
            "xerin.brooks1",
            "may not contain your portal ID",
        ),
    ] {
        let (status, body) = activate(&app, &code, "1972-05-21", portal_id, password).await;
        assert_eq!(status, 422, "{portal_id}/{password}: {body}");
        assert!(body.contains(expected), "{portal_id}/{password}: {body}");
    }
    let (status, _, body) = app
        .post_form(
            ACTIVATE,
            &[
                ("code", &code),
                ("date_of_birth", "1972-05-21"),
                ("portal_id", "erin.brooks"),
                ("password", "biscuit99"),
                ("reset_question", "Pet?"),
                ("reset_answer", "Biscuit99"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("may not be the same as your password"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_post_is_refused_before_it_reaches_the_server_function() {
    let app = activated_alex(Backend::Sqlite).await;
    let form =
        crate::helpers::form_body(&[("portal_id", "alex.rivera"), ("password", "riverbend7")]);
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let response = app
            .send(
                http::Request::post(SIGN_IN)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("host", "localhost:3000")
                    .header(name, value)
                    .body(axum::body::Body::from(form.clone()))
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), 403, "{name}: {value}");
    }
    let response = app
        .send(
            http::Request::post(SIGN_IN)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("host", "localhost:3000")
                .header("origin", "http://localhost:3000")
                .body(axum::body::Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200, "same origin is fine");
    // A GET server function reads someone's record (and logs the read): not from other sites
    // either, while a page may be linked from anywhere.
    for (path, status) in [("/api/account/me", 403), ("/sign-in", 200)] {
        let response = app
            .send(
                http::Request::get(path)
                    .header("sec-fetch-site", "cross-site")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), status, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_making_too_many_attempts_is_throttled() {
    let app = activated_alex(Backend::Sqlite).await;
    app.set_policy(r#"{"attempts_per_address": 3}"#).await;
    // Alex's activation was the first attempt from this address.
    for _ in 0..2 {
        let (_, _, body) = sign_in(&app, "nobody.here", "riverbend7").await;
        assert!(body.contains("did not match"), "{body}");
    }
    let (status, _, body) = sign_in(&app, "alex.rivera", "riverbend7").await;
    assert_eq!(status, 422);
    assert!(
        body.contains("Too many attempts"),
        "even the right password waits: {body}"
    );
    app.clock.advance(Duration::minutes(10));
    let (status, _, _) = sign_in(&app, "alex.rivera", "riverbend7").await;
    assert_eq!(status, 200, "the window has passed");
}

/// Issue 13, point 3: signed-in requests do not write the session each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_written_at_most_once_a_minute_and_still_goes_idle_within_a_minute() {
    use sea_orm::EntityTrait;
    for backend in BACKENDS {
        let app = activated_alex(backend).await;
        let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7").await;
        let token = session_cookie(&headers).unwrap();
        let key = app::db::sessions::session_key(&app.state.tokens, &token);
        let last_seen = async || {
            app::db::entities::session::Entity::find_by_id(key.clone())
                .one(&app.state.db)
                .await
                .unwrap()
                .unwrap()
                .last_seen_at
        };
        let signed_in = last_seen().await;
        app.clock.advance(Duration::seconds(59));
        assert!(who_am_i(&app, &token).await.contains("Alex"));
        assert_eq!(
            last_seen().await,
            signed_in,
            "{backend:?}: not written again yet"
        );
        app.clock.advance(Duration::seconds(1));
        assert!(who_am_i(&app, &token).await.contains("Alex"));
        let written = last_seen().await;
        assert_eq!(
            written,
            app.clock.now(),
            "{backend:?}: a minute on, written"
        );

        // A request 59 s after the write is not recorded, so the session goes idle the idle
        // timeout after the write: less than a minute early.
        app.clock.advance(Duration::seconds(59));
        assert!(who_am_i(&app, &token).await.contains("Alex"));
        let idle = Duration::minutes(i64::from(
            app::domain::policy::OrganizationPolicy::default().session_idle_minutes,
        ));
        app.clock.set(written + idle);
        assert_eq!(who_am_i(&app, &token).await, "null", "{backend:?}");
    }
}
