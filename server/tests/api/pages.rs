//! Server-rendered pages read complete without JavaScript, and carry the organization's branding.

use crate::helpers::{Backend, spawn_app};
use chrono::DateTime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_is_rendered_complete_with_the_organizations_branding() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, _, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Welcome to Riverbend MyHealth"), "{html}");
    assert!(html.contains("Skip to main content"));
    assert!(html.contains(r#"aria-label="Main""#));
    assert!(
        html.contains(r#"href="tel:18005550199""#),
        "the 24/7 help line (A8) is on every page"
    );
    assert!(html.contains("--brand:#1a5f7a"));
    assert!(
        html.contains("<title>Home · Riverbend MyHealth</title>"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_and_an_unknown_address_answers_404() {
    let app = spawn_app(Backend::Sqlite).await;
    for (path, heading) in [
        ("/getting-an-account", "Getting an account"),
        ("/help", "Help"),
    ] {
        let (status, _, html) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            html.contains(&format!("<h1>{heading}</h1>")),
            "{path}: {html}"
        );
    }
    let (status, _, html) = app.get_text("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_show_the_organizations_policy_numbers() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, _, html) = app.get_text("/getting-an-account").await;
    assert!(
        html.contains("Anyone aged <!-->18<!--> or over")
            || html.contains("Anyone aged 18 or over"),
        "{html}"
    );
    let (_, _, help) = app.get_text("/help").await;
    assert!(
        help.contains("Most lab results appear 4 days after they are ready"),
        "C3 default"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_the_eligibility_check_turns_at_midnight_in_the_organizations_time_zone() {
    let app = spawn_app(Backend::Sqlite).await;
    // Born 25 Nov 2008: 18 at 00:00 on 25 Nov 2026 in Chicago, which is 06:00 UTC.
    app.clock.set(
        DateTime::parse_from_rfc3339("2026-11-25T05:59:59Z")
            .unwrap()
            .to_utc(),
    );
    let (_, _, html) = app.get_text("/getting-an-account?dob=2008-11-25").await;
    assert!(html.contains("You are under 18"), "{html}");
    assert!(html.contains("You can enrol from 25 November 2026"));

    app.clock.set(
        DateTime::parse_from_rfc3339("2026-11-25T06:00:00Z")
            .unwrap()
            .to_utc(),
    );
    let (_, _, html) = app.get_text("/getting-an-account?dob=2008-11-25").await;
    assert!(html.contains("you can have an account"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_the_eligibility_check_explains_bad_input_in_plain_words() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, _, html) = app.get_text("/getting-an-account?dob=").await;
    assert!(html.contains("Enter your date of birth."), "{html}");
    assert_eq!(status, 422);
    let (_, _, html) = app.get_text("/getting-an-account?dob=31-12-1990").await;
    assert!(html.contains("for example 1980-05-01"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eligibility_server_function_answers_json_to_a_direct_call() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, _, body) = app
        .get_text("/api/site/account-eligibility?date_of_birth=2012-01-01")
        .await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["TooYoung"]["adult_age"], 18, "{body}");
    let (status, _, body) = app
        .get_text("/api/site/account-eligibility?date_of_birth=nonsense")
        .await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{status}"
    );
    assert!(body.contains("for example 1980-05-01"), "{body}");
}
