//! Accounts hardening: guessing limits counted against what is guessed, a lockout that is one
//! conditional update and cannot be used to lock the owner out, answers and timings that do not
//! tell whether a portal ID exists, race-free writes, A5 whichever way a password changes, and
//! malformed requests answered as the caller's error.

use crate::helpers::{
    BACKENDS, Backend, TestApp, body_text, form_body, session_cookie, set_cookie_value, spawn_app,
};
use crate::staff::{register, staff_session};
use app::db::codes::{CodePurpose, CodeRoute, NewCode, issue_code};
use app::db::lockout::{self, Admission, Bucket};
use app::domain::clock::Clock;
use app::domain::policy::OrganizationPolicy;
use axum::body::Body;
use chrono::Duration;
use http::{HeaderMap, Request, StatusCode};
use sea_orm::EntityTrait;
use std::time::Instant;
use tower::ServiceExt;

const SIGN_IN: &str = "/api/account/sign-in";
const ACTIVATE: &str = "/api/account/activate";
const BROWSER_COOKIE: &str = "__Host-portal_browser";

/// A same-origin form post, as our pages send it.
fn form_request(uri: &str, fields: &[(&str, &str)], cookies: Option<&str>) -> Request<Body> {
    let mut request = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookies) = cookies {
        request = request.header("cookie", cookies);
    }
    request.body(Body::from(form_body(fields))).unwrap()
}

/// Sends all `requests` at once, each on a task of its own; answers in the same order.
async fn send_together(
    app: &TestApp,
    requests: Vec<Request<Body>>,
) -> Vec<(StatusCode, HeaderMap, String)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let router = app.router.clone();
            tokio::spawn(async move {
                let (parts, body) = router.oneshot(request).await.unwrap().into_parts();
                (parts.status, parts.headers, body_text(body).await)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

/// The demo with Alex activated (`alex.rivera` / `riverbend7`), and a per-address limit high
/// enough for a test that makes many attempts from one address.
async fn with_alex(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
    app.activate_alex().await;
    app
}

async fn alex_account_id(app: &TestApp) -> i32 {
    let person = app.demo_person("Alex").await;
    app::db::accounts::account_of_person(&app.state.db, person, app.state.site.organization_id)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn sign_in(
    app: &TestApp,
    portal_id: &str,
    password: &str,
    browser: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let cookies = browser.map(|token| format!("{BROWSER_COOKIE}={token}"));
    app.post_form_with_cookies(
        SIGN_IN,
        &[("portal_id", portal_id), ("password", password)],
        cookies.as_deref(),
    )
    .await
}

fn reasons(entries: &[app::db::entities::audit_log::Model], reason: &str) -> usize {
    entries
        .iter()
        .filter(|e| e.outcome == "failure" && e.detail.contains(&format!("\"{reason}\"")))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_guesses_at_once_check_at_most_five_passwords_and_the_right_one_then_waits() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        let requests = (0..20)
            .map(|i| {
                form_request(
                    SIGN_IN,
                    &[
                        ("portal_id", "alex.rivera"),
                        ("password", &format!("wrong-guess{i}")),
                    ],
                    None,
                )
            })
            .collect();
        let answers = send_together(&app, requests).await;
        for (status, headers, body) in &answers {
            assert_eq!(*status, 422, "{backend:?}: {body}");
            assert_eq!(body, &answers[0].2, "one answer for all");
            assert!(session_cookie(headers).is_none());
        }
        let entries = app.audit_entries("sign_in").await;
        assert_eq!(
            reasons(&entries, "wrong_secret"),
            5,
            "{backend:?}: only five were checked against the password"
        );
        assert_eq!(
            reasons(&entries, "locked"),
            15,
            "{backend:?}: the rest were refused unchecked"
        );

        let (status, headers, body) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
        assert_eq!(
            status, 422,
            "{backend:?}: the lock holds for the right password"
        );
        assert_eq!(body, answers[0].2, "and does not say it was right");
        assert!(session_cookie(&headers).is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_takes_back_only_failures_counted_up_to_its_own() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        let bucket = Bucket::Account(alex_account_id(&app).await);
        let policy = OrganizationPolicy::default();
        let now = app.clock.now();
        let db = &app.state.db;
        let first = lockout::admit(db, bucket, now, &policy).await.unwrap();
        assert!(matches!(first, Admission::Admitted { failures: 1, .. }));
        // Two more attempts are counted while the first is still checking its password.
        for expected in [2, 3] {
            let later = lockout::admit(db, bucket, now, &policy).await.unwrap();
            assert!(
                matches!(later, Admission::Admitted { failures, .. } if failures == expected),
                "{backend:?}: {later:?}"
            );
        }
        // The first proves right: it takes back itself and what came before it, no more.
        lockout::release(db, bucket, 1, 1, &policy).await.unwrap();
        let account = app::db::entities::portal_account::Entity::find_by_id(bucket_id(bucket))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.failed_sign_ins, 2, "{backend:?}");
    }
}

fn bucket_id(bucket: Bucket) -> i32 {
    match bucket {
        Bucket::Account(id) | Bucket::Browser(id) | Bucket::Staff(id) | Bucket::Decoy(id) => id,
    }
}

/// The count and lock of decoy row `id`.
async fn decoy_row(app: &TestApp, id: i32) -> (i32, Option<chrono::DateTime<chrono::Utc>>) {
    use sea_orm::{
        ConnectionTrait,
        sea_query::{Alias, Expr, ExprTrait, Query},
    };
    let row = app
        .state
        .db
        .query_one(
            Query::select()
                .columns([Alias::new("failed_sign_ins"), Alias::new("locked_until")])
                .from(Alias::new("sign_in_decoys"))
                .and_where(Expr::col(Alias::new("id")).eq(id)),
        )
        .await
        .unwrap()
        .expect("every decoy row exists");
    (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_made_up_name_is_counted_and_locked_on_a_decoy_that_admits_no_one() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let policy = OrganizationPolicy::default();
        let now = app.clock.now();
        let db = &app.state.db;
        let tokens = &app.state.tokens;
        let bucket = Bucket::unknown(tokens, "nobody.here");
        assert_eq!(
            bucket,
            Bucket::unknown(tokens, "nobody.here"),
            "one name, one row"
        );
        let slots: std::collections::HashSet<i32> = (0..2000)
            .map(|n| bucket_id(Bucket::unknown(tokens, &format!("made.up{n}"))))
            .collect();
        assert_eq!(
            slots.len(),
            lockout::DECOYS as usize,
            "made-up names spread over every decoy: {slots:?}"
        );
        // Every decoy has its row.
        for slot in slots {
            decoy_row(&app, slot).await;
        }
        let allowed = i32::try_from(policy.sign_in_failures_before_lockout).unwrap();
        for _ in 0..allowed + 2 {
            let admission = lockout::admit(db, bucket, now, &policy).await.unwrap();
            assert_eq!(admission, Admission::Missing, "{backend:?}");
        }
        // Counted as an account would be, up to the limit, then locked and left alone.
        let (failures, locked_until) = decoy_row(&app, bucket_id(bucket)).await;
        assert_eq!(failures, allowed, "{backend:?}");
        assert!(locked_until.is_some_and(|until| until > now), "{backend:?}");
        // Once the lock is over, one more is counted and the lock grows, as for an account.
        let later = locked_until.unwrap() + Duration::seconds(1);
        lockout::admit(db, bucket, later, &policy).await.unwrap();
        let (failures, relocked) = decoy_row(&app, bucket_id(bucket)).await;
        assert_eq!(failures, allowed + 1, "{backend:?}");
        assert!(relocked.is_some_and(|until| until - later > locked_until.unwrap() - now));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_failing_a_hundred_times_does_not_stop_the_owner_on_their_own_browser() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        // Alex has signed in on this browser before: it keeps a cookie saying so.
        let (status, headers, body) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let browser = set_cookie_value(&headers, BROWSER_COOKIE).expect("a browser cookie");
        let cookie = crate::helpers::set_cookie_header(&headers, BROWSER_COOKIE).unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("Secure"),
            "{cookie}"
        );

        for i in 0..100 {
            let (status, _, _) =
                sign_in(&app, "alex.rivera", &format!("attacker-guess{i}"), None).await;
            assert_eq!(status, 422);
        }
        let (status, headers, body) =
            sign_in(&app, "alex.rivera", "riverbend7", Some(&browser)).await;
        assert_eq!(
            status, 200,
            "{backend:?}: the owner gets in at once: {body}"
        );
        assert!(session_cookie(&headers).is_some());

        let (status, _, _) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
        assert_eq!(status, 422, "{backend:?}: unknown browsers still wait");
        // A cookie made up by the attacker counts as an unknown browser.
        let (status, _, _) =
            sign_in(&app, "alex.rivera", "riverbend7", Some("made-up-token")).await;
        assert_eq!(status, 422, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_browser_has_its_own_limit() {
    let app = with_alex(Backend::Sqlite).await;
    let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
    let browser = set_cookie_value(&headers, BROWSER_COOKIE).unwrap();
    for _ in 0..5 {
        sign_in(&app, "alex.rivera", "wrong-guess1", Some(&browser)).await;
    }
    let (status, _, _) = sign_in(&app, "alex.rivera", "riverbend7", Some(&browser)).await;
    assert_eq!(status, 422, "guesses from a known browser are limited too");
    let (status, _, body) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
    assert_eq!(status, 200, "and count apart from other browsers': {body}");
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_id_wrong_password_and_locked_account_answer_alike_and_take_as_long() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        let bucket = Bucket::Account(alex_account_id(&app).await);
        // Warm up: the first hash and the first queries pay for set-up.
        sign_in(&app, "nobody.here", "riverbend7", None).await;

        // The three kinds take turns, so that whatever else the machine does affects each alike.
        let lock = async || {
            use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
            app::db::entities::portal_account::Entity::update_many()
                .col_expr(
                    app::db::entities::portal_account::Column::FailedSignIns,
                    Expr::value(5),
                )
                .col_expr(
                    app::db::entities::portal_account::Column::LockedUntil,
                    Expr::value(app.clock.now() + Duration::minutes(15)),
                )
                .filter(app::db::entities::portal_account::Column::Id.eq(bucket_id(bucket)))
                .exec(&app.state.db)
                .await
                .unwrap();
        };
        let mut answers = Vec::new();
        let (mut unknown, mut wrong, mut locked) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..30 {
            // A new made-up ID each time: most land on a decoy still open (counted as a real
            // account's would be), some on one that just reached its limit or is locked.
            let started = Instant::now();
            let answer = sign_in(&app, &format!("nobody.here{round}"), "riverbend7", None).await;
            unknown.push(started.elapsed().as_secs_f64());
            answers.push(answer);

            let started = Instant::now();
            let answer = sign_in(&app, "alex.rivera", "wrong-guess1", None).await;
            wrong.push(started.elapsed().as_secs_f64());
            answers.push(answer);

            lock().await;
            let started = Instant::now();
            let answer = sign_in(&app, "alex.rivera", "riverbend7", None).await;
            locked.push(started.elapsed().as_secs_f64());
            answers.push(answer);
            lockout::clear(&app.state.db, bucket).await.unwrap();
        }
        for (status, headers, body) in &answers {
            assert_eq!(
                (*status, body.as_str()),
                (answers[0].0, answers[0].2.as_str()),
                "{backend:?}"
            );
            assert!(session_cookie(headers).is_none());
        }
        let medians = [median(unknown), median(wrong), median(locked)];
        eprintln!("{backend:?}: medians (unknown, wrong, locked) {medians:?}");
        let (low, high) = (
            medians.iter().copied().fold(f64::MAX, f64::min),
            medians.iter().copied().fold(0.0, f64::max),
        );
        assert!(
            high <= low * 1.2,
            "{backend:?}: medians (unknown, wrong, locked) {medians:?} differ by more than 20 %"
        );
    }
}

async fn activate(app: &TestApp, code: &str, dob: &str, portal_id: &str) -> (StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            ACTIVATE,
            &[
                ("code", code),
                ("date_of_birth", dob),
                ("portal_id", portal_id),
                ("password", "riverbend7"),
                ("reset_question", "Name of my first pet?"),
                ("reset_answer", "Biscuit"),
            ],
            None,
        )
        .await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_five_wrong_dates_of_birth_spend_an_activation_code() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        // Maria Chen was born on 1984-03-09.
        let code = app.activation_code_for("Maria").await;
        for day in 10..14 {
            let (status, body) =
                activate(&app, &code, &format!("1984-03-{day}"), "maria.chen").await;
            assert_eq!(status, 422);
            assert!(body.contains("do not match our records"), "{body}");
        }
        let (_, body) = activate(&app, &code, "1984-03-14", "maria.chen").await;
        assert!(
            body.contains("can no longer be used after too many tries")
                && body.contains("Ask your clinic for a new one"),
            "{backend:?}: {body}"
        );
        let (status, body) = activate(&app, &code, "1984-03-09", "maria.chen").await;
        assert_eq!(status, 422);
        assert!(
            body.contains("can no longer be used"),
            "{backend:?}: the right date is too late: {body}"
        );

        let fresh = app.activation_code_for("Maria").await;
        let (status, body) = activate(&app, &fresh, "1984-03-09", "maria.chen").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_tries_sent_together_cannot_get_past_the_limit() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        let code = app.activation_code_for("Maria").await;
        // Thirty dates at once, the right one last.
        let requests = (1..=30)
            .map(|i| {
                let dob = if i == 30 {
                    "1984-03-09".to_owned()
                } else {
                    format!("1984-01-{i:02}")
                };
                let fields = [
                    ("code", code.as_str()),
                    ("date_of_birth", dob.as_str()),
                    ("portal_id", "maria.chen"),
                    ("password", "riverbend7"),
                    ("reset_question", "Name of my first pet?"),
                    ("reset_answer", "Biscuit"),
                ];
                form_request(ACTIVATE, &fields, None)
            })
            .collect();
        let answers = send_together(&app, requests).await;
        // At most five wrong dates are ever compared. The right one, if it is among the first
        // five let in, gives its try back, so one more wrong date may be compared after it:
        // the code is used by then, and nothing more is learnt (seen when the requests arrive
        // in another order on a busy machine).
        let wrong = app.audit_entries("account.activation").await.len();
        let right = answers.iter().filter(|(s, _, _)| *s == 200).count();
        assert!(
            wrong <= 5 && right <= 1,
            "{backend:?}: {wrong} wrong and {right} right tries were compared with the record"
        );
    }
}

/// Issues a help-line access code (A7) for a demo person, as the desk does.
pub async fn access_code_for(app: &TestApp, given_name: &str) -> String {
    let person_id = app.demo_person(given_name).await;
    let (code, _) = issue_code(
        &app.state.db,
        &app.state.tokens,
        NewCode {
            organization_id: app.state.site.organization_id,
            person_id,
            purpose: CodePurpose::PortalIdRecovery,
            route: CodeRoute::HelpLine,
            issued_by_staff_id: None,
            valid_for: Duration::hours(24),
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    code.display()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a7_five_wrong_details_spend_an_access_code() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        let code = access_code_for(&app, "Alex").await;
        let recover = async |ssn: &str, dob: &str| {
            app.post_form(
                "/api/account/forgot-portal-id/recover",
                &[("access_code", &code), ("ssn", ssn), ("date_of_birth", dob)],
                None,
            )
            .await
        };
        for _ in 0..2 {
            let (status, _, body) = recover("123-45-6789", "1988-07-14").await;
            assert_eq!(status, 422);
            assert!(body.contains("do not match"), "{body}");
        }
        for _ in 0..2 {
            let (_, _, body) = recover("123-45-6781", "1988-07-15").await;
            assert!(body.contains("do not match"), "{body}");
        }
        let (_, _, body) = recover("123-45-6781", "1988-07-16").await;
        assert!(
            body.contains("can no longer be used after too many tries")
                && body.contains("1-800-555-0199"),
            "{backend:?}: {body}"
        );
        let (status, _, body) = recover("123-45-6781", "1988-07-14").await;
        assert_eq!(status, 422, "{backend:?}: {body}");

        let fresh = access_code_for(&app, "Alex").await;
        let (status, _, body) = app
            .post_form(
                "/api/account/forgot-portal-id/recover",
                &[
                    ("access_code", &fresh),
                    ("ssn", "123-45-6781"),
                    ("date_of_birth", "1988-07-14"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_wrong_identity_details_count_against_the_account() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        let start = async |ssn: &str| {
            app.post_form(
                "/api/account/forgot-password/start",
                &[
                    ("portal_id", "alex.rivera"),
                    ("ssn", ssn),
                    ("date_of_birth", "1988-07-14"),
                ],
                None,
            )
            .await
        };
        let (_, _, wrong) = start("123-45-6789").await;
        assert!(wrong.contains("could not find an account"), "{wrong}");
        for _ in 0..4 {
            start("123-45-6789").await;
        }
        let (status, _, body) = start("123-45-6781").await;
        assert_eq!(
            (status.as_u16(), body.as_str()),
            (422, wrong.as_str()),
            "{backend:?}: locked, and answered like wrong details"
        );
        let (status, _, _) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
        assert_eq!(status, 422, "{backend:?}: the same count as sign-in");

        app.clock.advance(Duration::minutes(16));
        let (status, _, body) = start("123-45-6781").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_code_replaces_the_older_unused_ones() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let older = app.activation_code_for("Maria").await;
        let newer = app.activation_code_for("Maria").await;
        let (status, body) = activate(&app, &older, "1984-03-09", "maria.chen").await;
        assert_eq!(status, 422);
        assert!(
            body.contains("A newer activation code replaced this one"),
            "{backend:?}: {body}"
        );
        let (status, body) = activate(&app, &newer, "1984-03-09", "maria.chen").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_registering_the_same_person_at_once_get_one_record_and_one_refusal() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let desks = [
            staff_session(&app, "desk").await,
            staff_session(&app, "admin").await,
        ];
        let register_request = |token: &str, given: &str, ssn: &str| {
            let fields = [
                ("patient[given_name]", given),
                ("patient[family_name]", "Saleh"),
                ("patient[date_of_birth]", "1990-04-02"),
                ("patient[email]", ""),
                ("patient[phone]", ""),
                ("patient[ssn]", ssn),
            ];
            form_request(
                "/api/desk/register-patient",
                &fields,
                Some(&format!("__Host-portal_session={token}")),
            )
        };
        let answers = send_together(
            &app,
            vec![
                register_request(&desks[0], "Noor", ""),
                register_request(&desks[1], "Noor", ""),
            ],
        )
        .await;
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.0.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{backend:?}: {answers:?}");
        let refused = answers.iter().find(|a| a.0 == 422).unwrap();
        assert!(refused.2.contains("already registered"), "{}", refused.2);

        // The same SSN under two names at once: one record.
        let answers = send_together(
            &app,
            vec![
                register_request(&desks[0], "Rami", "234-56-7890"),
                register_request(&desks[1], "Sami", "234-56-7890"),
            ],
        )
        .await;
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.0.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{backend:?}: {answers:?}");

        // Two different people at once get two different record numbers.
        let answers = send_together(
            &app,
            vec![
                register_request(&desks[0], "Lina", ""),
                register_request(&desks[1], "Omar", ""),
            ],
        )
        .await;
        let numbers: Vec<String> = answers
            .iter()
            .map(|(status, _, body)| {
                assert_eq!(*status, 200, "{backend:?}: {body}");
                serde_json::from_str::<serde_json::Value>(body).unwrap()["medical_record_number"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_ne!(numbers[0], numbers[1], "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_record_number_follows_the_highest_not_the_newest() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let token = staff_session(&app, "desk").await;
    // The first patient's number was changed to one higher than the newest patient's (an
    // imported chart, say).
    use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
    let alex = app.demo_person("Alex").await;
    let alex_row = app::db::entities::patient::Entity::find()
        .filter(app::db::entities::patient::Column::PersonId.eq(alex))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: app::db::entities::patient::ActiveModel = alex_row.into();
    row.medical_record_number = Set("RB100050".into());
    row.update(&app.state.db).await.unwrap();

    let (status, body) = register(
        &app,
        &token,
        &[
            ("given_name", "Noor"),
            ("family_name", "Saleh"),
            ("date_of_birth", "1990-04-02"),
            ("email", ""),
            ("phone", ""),
            ("ssn", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("RB100051"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_activations_for_one_person_at_once_make_one_account() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let first = app.activation_code_for("Maria").await;
        let second = app.activation_code_for("Maria").await;
        // Codes issued before a new code replaced older ones: both still valid.
        use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
        app::db::entities::one_time_code::Entity::update_many()
            .col_expr(
                app::db::entities::one_time_code::Column::WithdrawnAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(
                app::db::entities::one_time_code::Column::PersonId
                    .eq(app.demo_person("Maria").await),
            )
            .exec(&app.state.db)
            .await
            .unwrap();
        let request = |code: &str, portal_id: &str| {
            form_request(
                ACTIVATE,
                &[
                    ("code", code),
                    ("date_of_birth", "1984-03-09"),
                    ("portal_id", portal_id),
                    ("password", "riverbend7"),
                    ("reset_question", "Name of my first pet?"),
                    ("reset_answer", "Biscuit"),
                ],
                None,
            )
        };
        let answers = send_together(
            &app,
            vec![request(&first, "maria.one"), request(&second, "maria.two")],
        )
        .await;
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.0.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{backend:?}: {answers:?}");
        let refused = answers.iter().find(|a| a.0 == 422).unwrap();
        assert!(
            refused.2.contains("already have an account"),
            "{backend:?}: {}",
            refused.2
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_no_new_password_may_be_the_reset_answer() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        // Alex's reset answer is one that would make a valid password.
        let code = app.activation_code_for("Alex").await;
        let (status, _, body) = app
            .post_form(
                ACTIVATE,
                &[
                    ("code", &code),
                    ("date_of_birth", "1988-07-14"),
                    ("portal_id", "alex.rivera"),
                    ("password", "riverbend7"),
                    ("reset_question", "Street I grew up on?"),
                    ("reset_answer", "Elm Street 42"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
        let session = session_cookie(&headers).unwrap();

        // Signed in, changing the password.
        let (status, _, body) = app
            .post_form(
                "/api/account/password",
                &[
                    ("current_password", "riverbend7"),
                    ("new_password", "elm street 42"),
                    ("confirm_password", "elm street 42"),
                ],
                Some(&session),
            )
            .await;
        assert_eq!(status, 422, "{backend:?}: {body}");
        assert!(body.contains("reset answer"), "{body}");

        // After a forgotten portal ID (A7).
        let code = access_code_for(&app, "Alex").await;
        let (status, _, body) = app
            .post_form(
                "/api/account/forgot-portal-id/recover",
                &[
                    ("access_code", &code),
                    ("ssn", "123-45-6781"),
                    ("date_of_birth", "1988-07-14"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let ticket = serde_json::from_str::<serde_json::Value>(&body).unwrap()["ticket"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, _, body) = app
            .post_form(
                "/api/account/forgot-portal-id/new-password",
                &[("ticket", &ticket), ("new_password", "Elm Street 42")],
                None,
            )
            .await;
        assert_eq!(status, 422, "{backend:?}: {body}");
        assert!(body.contains("reset answer"), "{body}");
        let (status, _, body) = app
            .post_form(
                "/api/account/forgot-portal-id/new-password",
                &[("ticket", &ticket), ("new_password", "maple-road-9")],
                None,
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: the ticket is still good: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_missing_a_field_or_unreadable_is_the_callers_error() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let (status, _, missing) = app
        .post_form(SIGN_IN, &[("portal_id", "alex.rivera")], None)
        .await;
    assert_eq!(status, 400, "{missing}");
    assert!(missing.contains("not filled in as expected"), "{missing}");
    let request = Request::post(SIGN_IN)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(vec![0xff, 0xfe, b'=', b'&', 0x00]))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), 400);
    let unreadable = body_text(response.into_body()).await;
    assert_eq!(unreadable, missing, "the same plain answer");
}

/// A sign-in attempt as it reaches the portal from `peer`, with an `X-Forwarded-For` header.
fn sign_in_from(peer: &str, forwarded_for: Option<&str>, request_id: &str) -> Request<Body> {
    let mut request = form_request(
        SIGN_IN,
        &[("portal_id", "nobody.here"), ("password", "riverbend7")],
        None,
    );
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            peer.parse().unwrap(),
            40_000,
        )));
    if let Some(header) = forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", header.parse().unwrap());
    }
    request
        .headers_mut()
        .insert("x-request-id", request_id.parse().unwrap());
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_name_its_own_address_or_request_id_but_a_trusted_proxy_can() {
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |raw| {
        raw.trusted_proxies = "10.0.0.0/8, 192.168.1.5".into();
    })
    .await
    .with_demo()
    .await;
    // Not from our proxy: X-Forwarded-For and X-Request-Id are whatever the client wrote.
    app.send(sign_in_from(
        "203.0.113.9",
        Some("198.51.100.1"),
        "made-up-1",
    ))
    .await;
    let entries = app.audit_entries("sign_in").await;
    let last = entries.last().unwrap();
    assert_eq!(last.source_ip.as_deref(), Some("203.0.113.9"));
    let id = last.request_id.as_deref().unwrap();
    assert!(id != "made-up-1" && id.len() >= 32, "{id}");

    // Through our two proxies: the rightmost address they did not add is the client.
    app.send(sign_in_from(
        "10.0.0.2",
        Some("6.6.6.6, 198.51.100.1, 192.168.1.5"),
        "lb-request-2",
    ))
    .await;
    let entries = app.audit_entries("sign_in").await;
    let last = entries.last().unwrap();
    assert_eq!(last.source_ip.as_deref(), Some("198.51.100.1"));
    assert_eq!(last.request_id.as_deref(), Some("lb-request-2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ipv6_network_shares_one_allowance() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 2}"#).await;
    for (i, peer) in ["2001:db8:1:2::1", "2001:db8:1:2::ffff"].iter().enumerate() {
        let response = app.send(sign_in_from(peer, None, &format!("v6-{i}"))).await;
        let body = body_text(response.into_body()).await;
        assert!(!body.contains("Too many attempts"), "{body}");
    }
    let response = app
        .send(sign_in_from("2001:db8:1:2:abcd::9", None, "v6-3"))
        .await;
    let body = body_text(response.into_body()).await;
    assert!(body.contains("Too many attempts"), "the same /64: {body}");
    let response = app
        .send(sign_in_from("2001:db8:1:3::1", None, "v6-4"))
        .await;
    let body = body_text(response.into_body()).await;
    assert!(
        !body.contains("Too many attempts"),
        "another network: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_gets_a_new_token_at_every_sign_in_and_keeps_one_per_account() {
    for backend in BACKENDS {
        let app = with_alex(backend).await;
        let (_, headers, _) = sign_in(&app, "alex.rivera", "riverbend7", None).await;
        let first = set_cookie_value(&headers, BROWSER_COOKIE).unwrap();
        let (status, headers, _) = sign_in(&app, "alex.rivera", "riverbend7", Some(&first)).await;
        assert_eq!(status, 200);
        let second = set_cookie_value(&headers, BROWSER_COOKIE).unwrap();
        assert_ne!(first, second, "{backend:?}: rotated");
        // A token made up by someone else (planted on a shared computer) is kept beside the
        // portal's own, never trusted for the account.
        let (status, headers, _) =
            sign_in(&app, "alex.rivera", "riverbend7", Some("planted")).await;
        assert_eq!(status, 200);
        let issued = set_cookie_value(&headers, BROWSER_COOKIE).unwrap();
        let tokens: Vec<&str> = issued.split('.').collect();
        assert_eq!(tokens.len(), 2, "{issued}");
        assert_ne!(
            tokens[0], "planted",
            "{backend:?}: a token of the portal's own"
        );

        // Strangers lock the account for unknown browsers.
        for i in 0..5 {
            sign_in(&app, "alex.rivera", &format!("guess-{i}"), None).await;
        }
        // The replaced token (copied earlier, say) is an unknown browser now; the new one is not.
        let (status, _, _) = sign_in(&app, "alex.rivera", "riverbend7", Some(&first)).await;
        assert_eq!(status, 422, "{backend:?}: the old token no longer counts");
        let (status, _, body) = sign_in(&app, "alex.rivera", "riverbend7", Some(&second)).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let (status, _, _) = sign_in(&app, "alex.rivera", "riverbend7", Some("planted")).await;
        assert_eq!(
            status, 422,
            "{backend:?}: the planted token counts for nothing"
        );
    }
}

/// Point 2: a new code replaces the older unused ones, even when two are issued at the same
/// moment for one person (two desks, or a desk and the online route): the second waits for the
/// first and withdraws it. PostgreSQL only: SQLite lets one transaction write at a time anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_codes_issued_at_once_for_one_person_leave_one_live() {
    use app::db::entities::one_time_code;
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, TransactionTrait};
    let app = spawn_app(Backend::Postgres).await.with_demo().await;
    let person_id = app.demo_person("Alex").await;
    let organization_id = app.state.site.organization_id;
    let new = move || NewCode {
        organization_id,
        person_id,
        purpose: CodePurpose::Activation,
        route: CodeRoute::Visit,
        issued_by_staff_id: None,
        valid_for: Duration::days(90),
    };
    let now = app.clock.now();
    let first = app.state.db.begin().await.unwrap();
    issue_code(&first, &app.state.tokens, new(), now)
        .await
        .unwrap();
    let second = {
        let (db, tokens, code) = (app.state.db.clone(), app.state.tokens.clone(), new());
        tokio::spawn(async move {
            let txn = db.begin().await.unwrap();
            issue_code(&txn, &tokens, code, now).await.unwrap();
            txn.commit().await.unwrap();
        })
    };
    // The second is under way while the first has not committed.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    second.await.unwrap();
    let live = one_time_code::Entity::find()
        .filter(one_time_code::Column::PersonId.eq(person_id))
        .filter(one_time_code::Column::Purpose.eq(CodePurpose::Activation.as_str()))
        .filter(one_time_code::Column::UsedAt.is_null())
        .filter(one_time_code::Column::WithdrawnAt.is_null())
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(live, 1);
}
