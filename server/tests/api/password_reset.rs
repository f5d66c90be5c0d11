//! A6: forgotten password, through the HTTP API.

use crate::helpers::{BACKENDS, Backend, TestApp, session_cookie, spawn_app};
use chrono::Duration;

const START: &str = "/api/account/forgot-password/start";
const FINISH: &str = "/api/account/forgot-password/finish";

/// Alex (SSN 123-45-6781, born 1988-07-14) with an account `alex.rivera` / `riverbend7`,
/// reset answer "Biscuit".
async fn alex_with_account(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await.with_demo().await;
    app.activate_alex().await;
    app
}

async fn start(app: &TestApp, portal_id: &str, ssn: &str, dob: &str) -> (http::StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            START,
            &[
                ("portal_id", portal_id),
                ("ssn", ssn),
                ("date_of_birth", dob),
            ],
            None,
        )
        .await;
    (status, body)
}

fn ticket_of(body: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    json["ticket"].as_str().unwrap().to_owned()
}

async fn finish(
    app: &TestApp,
    ticket: &str,
    answer: &str,
    password: &str,
) -> (http::StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            FINISH,
            &[
                ("ticket", ticket),
                ("answer", answer),
                ("new_password", password),
            ],
            None,
        )
        .await;
    (status, body)
}

async fn signs_in(app: &TestApp, password: &str) -> Option<String> {
    let (_, headers, _) = app
        .post_form(
            "/api/account/sign-in",
            &[("portal_id", "alex.rivera"), ("password", password)],
            None,
        )
        .await;
    session_cookie(&headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_portal_id_ssn_and_birth_date_then_the_reset_answer_set_a_new_password() {
    for backend in BACKENDS {
        let app = alex_with_account(backend).await;
        let old_session = signs_in(&app, "riverbend7").await.unwrap();
        let (status, body) = start(&app, "Alex.Rivera", "123-45-6781", "1988-07-14").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(body.contains("Name of my first pet?"));
        let (status, body) = finish(&app, &ticket_of(&body), " biscuit ", "new-river-42").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(
            signs_in(&app, "riverbend7").await.is_none(),
            "the old password no longer works"
        );
        assert!(signs_in(&app, "new-river-42").await.is_some());
        let me = app
            .send(
                http::Request::get("/api/account/me")
                    .header("cookie", format!("__Host-portal_session={old_session}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            crate::helpers::body_text(me.into_body()).await,
            "null",
            "other sessions ended"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_details_that_do_not_match_get_one_answer_whatever_was_wrong() {
    let app = alex_with_account(Backend::Sqlite).await;
    let wrong_ssn = start(&app, "alex.rivera", "123-45-6782", "1988-07-14").await;
    let wrong_dob = start(&app, "alex.rivera", "123-45-6781", "1988-07-15").await;
    let unknown = start(&app, "nobody.here", "123-45-6781", "1988-07-14").await;
    assert_eq!(wrong_ssn, wrong_dob);
    assert_eq!(wrong_ssn, unknown);
    assert!(
        wrong_ssn.1.contains("could not find an account"),
        "{}",
        wrong_ssn.1
    );
    let (status, body) = start(&app, "alex.rivera", "000-12-3456", "1988-07-14").await;
    assert_eq!(status, 422);
    assert!(
        body.contains("not a valid Social Security number"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_a6_the_new_password_follows_the_rules_and_may_not_be_the_answer() {
    let app = alex_with_account(Backend::Sqlite).await;
    let (_, body) = start(&app, "alex.rivera", "123456781", "1988-07-14").await;
    let ticket = ticket_of(&body);
    let (_, body) = finish(&app, &ticket, "Biscuit", "short1").await;
    assert!(body.contains("at least 7 characters"), "{body}");
    let (_, body) = finish(&app, &ticket, "Biscuit7", "biscuit7").await;
    assert!(
        body.contains("may not be the same as your password"),
        "{body}"
    );
    let (_, body) = finish(&app, &ticket, "Biscuit", "alex.rivera99").await;
    assert!(body.contains("may not contain your portal ID"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_wrong_answers_lock_the_account_and_a_ticket_works_once_and_briefly() {
    let app = alex_with_account(Backend::Sqlite).await;
    let (_, body) = start(&app, "alex.rivera", "123-45-6781", "1988-07-14").await;
    let ticket = ticket_of(&body);
    for _ in 0..4 {
        let (_, body) = finish(&app, &ticket, "Rex", "new-river-42").await;
        assert!(body.contains("not the answer"), "{body}");
    }
    let (_, body) = finish(&app, &ticket, "Rex", "new-river-42").await;
    assert!(body.contains("locked"), "{body}");
    let (_, body) = finish(&app, &ticket, "Biscuit", "new-river-42").await;
    assert!(
        body.contains("locked"),
        "the right answer waits too: {body}"
    );

    app.clock.advance(Duration::minutes(16));
    let (_, body) = finish(&app, &ticket, "Biscuit", "new-river-42").await;
    assert!(body.contains("expired"), "tickets last 15 minutes: {body}");
    let (_, body) = start(&app, "alex.rivera", "123-45-6781", "1988-07-14").await;
    let ticket = ticket_of(&body);
    let (status, _) = finish(&app, &ticket, "Biscuit", "new-river-42").await;
    assert_eq!(status, 200);
    let (_, body) = finish(&app, &ticket, "Biscuit", "newer-river-43").await;
    assert!(body.contains("expired"), "a ticket works once: {body}");
}
