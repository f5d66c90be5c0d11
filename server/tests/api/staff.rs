//! Staff sign-in with required 2-step verification, and the enrolment desk, through the HTTP API.

use crate::helpers::{BACKENDS, Backend, TestApp, session_cookie, spawn_app};
use app::api::totp;
use app::db::demo::DEMO_STAFF_PASSWORD;
use app::domain::clock::Clock;
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The current authenticator code of a staff member, read as their phone would compute it.
pub async fn current_code(app: &TestApp, username: &str) -> String {
    let member = app::db::entities::staff::Entity::find()
        .filter(app::db::entities::staff::Column::Username.eq(username))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let secret = app
        .state
        .vault
        .open_secret(&member.totp_secret_sealed.unwrap())
        .unwrap();
    totp::code_at(&secret, app.clock.now())
}

/// Signs a demo staff member in with password and authenticator code; returns the session token.
pub async fn staff_session(app: &TestApp, username: &str) -> String {
    let (status, headers, body) = app
        .post_form(
            "/api/staff/sign-in",
            &[("username", username), ("password", DEMO_STAFF_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body, "\"EnterSetUpCode\"",
        "first sign-in asks for the set-up code"
    );
    let token = session_cookie(&headers).unwrap();
    let (status, _, body) = app
        .post_form(
            "/api/staff/set-up",
            &[("setup_code", app::db::demo::DEMO_STAFF_SET_UP_CODE)],
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("otpauth://totp/"), "the key to add: {body}");
    let code = current_code(app, username).await;
    let (status, _, body) = app
        .post_form("/api/staff/verify-code", &[("code", &code)], Some(&token))
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn find(app: &TestApp, token: &str, mrn: &str) -> (http::StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            "/api/desk/find-patient",
            &[("medical_record_number", mrn)],
            Some(token),
        )
        .await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_reach_the_desk_only_after_the_second_step() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let (_, headers, _) = app
            .post_form(
                "/api/staff/sign-in",
                &[("username", "desk"), ("password", DEMO_STAFF_PASSWORD)],
                None,
            )
            .await;
        let half = session_cookie(&headers).unwrap();
        assert_eq!(
            find(&app, &half, "RB100001").await.0,
            401,
            "{backend:?}: password alone is not enough"
        );

        let token = staff_session(&app, "desk").await;
        let (status, body) = find(&app, &token, "RB100001").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(
            body.contains("Alex Rivera") && body.contains("6781"),
            "{body}"
        );
        assert!(
            !body.contains("123-45-6781") && !body.contains("123456781"),
            "never the full SSN: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticator_code_works_once() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    staff_session(&app, "desk").await;
    // The next sign-in asks for a code; the one just used is refused, the next step's accepted.
    let (_, headers, body) = app
        .post_form(
            "/api/staff/sign-in",
            &[("username", "desk"), ("password", DEMO_STAFF_PASSWORD)],
            None,
        )
        .await;
    assert!(body.contains("EnterCode"), "{body}");
    let token = session_cookie(&headers).unwrap();
    let used = current_code(&app, "desk").await;
    let (status, _, body) = app
        .post_form("/api/staff/verify-code", &[("code", &used)], Some(&token))
        .await;
    assert_eq!(status, 422, "{body}");
    app.clock.advance(Duration::seconds(30));
    let next = current_code(&app, "desk").await;
    let (status, _, body) = app
        .post_form("/api/staff/verify-code", &[("code", &next)], Some(&token))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_is_for_front_desk_and_administrators_only() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let clinician = staff_session(&app, "clinician").await;
    assert_eq!(find(&app, &clinician, "RB100001").await.0, 403);
    let admin = staff_session(&app, "admin").await;
    assert_eq!(find(&app, &admin, "RB100001").await.0, 200);
    assert_eq!(find(&app, "no-such-session", "RB100001").await.0, 401);
    assert_eq!(find(&app, &admin, "RB999999").await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_the_desk_issues_a_code_that_activates_the_account() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let token = staff_session(&app, "desk").await;
        let (status, _, body) = app
            .post_form(
                "/api/desk/issue-activation-code",
                &[("medical_record_number", "RB100001"), ("route", "visit")],
                Some(&token),
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let issued: serde_json::Value = serde_json::from_str(&body).unwrap();
        let code = issued["code"].as_str().unwrap();
        assert_eq!(issued["expires_on"], "2026-09-13", "90 days after 15 June");
        let (status, _, body) = app
            .post_form(
                "/api/account/activate",
                &[
                    ("code", code),
                    ("date_of_birth", "1988-07-14"),
                    ("portal_id", "alex.rivera"),
                    ("password", "riverbend7"),
                    ("reset_question", "Pet?"),
                    ("reset_answer", "Biscuit"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let (_, body) = find(&app, &token, "RB100001").await;
        assert!(body.contains("\"has_account\":true"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_the_desk_cannot_issue_a_code_for_a_minor() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let token = staff_session(&app, "desk").await;
    let (status, _, body) = app
        .post_form(
            "/api/desk/issue-activation-code",
            &[("medical_record_number", "RB100004"), ("route", "visit")],
            Some(&token),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Lily Chen is under 18"), "{body}");
}

async fn desk_code(
    app: &TestApp,
    token: &str,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> (http::StatusCode, String) {
    let (status, _, body) = app.post_form(endpoint, fields, Some(token)).await;
    (status, body)
}

fn code_of(body: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    json["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a7_a_help_line_access_code_shows_the_portal_id_then_a_new_password_is_chosen() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let desk = staff_session(&app, "desk").await;
        let (status, body) = desk_code(
            &app,
            &desk,
            "/api/desk/issue-access-code",
            &[("medical_record_number", "RB100001")],
        )
        .await;
        assert_eq!(status, 422, "no account yet");
        assert!(body.contains("no portal account yet"), "{body}");

        let (_, body) = desk_code(
            &app,
            &desk,
            "/api/desk/issue-activation-code",
            &[("medical_record_number", "RB100001"), ("route", "visit")],
        )
        .await;
        let (status, _, body) = app
            .post_form(
                "/api/account/activate",
                &[
                    ("code", &code_of(&body)),
                    ("date_of_birth", "1988-07-14"),
                    ("portal_id", "Alex.Rivera"),
                    ("password", "riverbend7"),
                    ("reset_question", "Pet?"),
                    ("reset_answer", "Biscuit"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");

        let (status, body) = desk_code(
            &app,
            &desk,
            "/api/desk/issue-access-code",
            &[("medical_record_number", "RB100001")],
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let access = code_of(&body);
        let recover = |ssn: &'static str| {
            let access = access.clone();
            let app = &app;
            async move {
                app.post_form(
                    "/api/account/forgot-portal-id/recover",
                    &[
                        ("access_code", &access),
                        ("ssn", ssn),
                        ("date_of_birth", "1988-07-14"),
                    ],
                    None,
                )
                .await
            }
        };
        let (status, _, body) = recover("123-45-6782").await;
        assert_eq!(status, 422);
        assert!(body.contains("do not match our records"), "{body}");
        let (status, _, body) = recover("123-45-6781").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            json["portal_id"], "Alex.Rivera",
            "the original portal ID, as chosen"
        );
        let ticket = json["ticket"].as_str().unwrap().to_owned();

        let (status, _, body) = app
            .post_form(
                "/api/account/forgot-portal-id/new-password",
                &[("ticket", &ticket), ("new_password", "river-new-8")],
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, _, _) = app
            .post_form(
                "/api/account/sign-in",
                &[("portal_id", "alex.rivera"), ("password", "river-new-8")],
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (_, _, body) = recover("123-45-6781").await;
        assert!(body.contains("already been used"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a7_an_access_code_expires_after_a_day() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let desk = staff_session(&app, "desk").await;
    app.activate_alex().await;
    let (_, body) = desk_code(
        &app,
        &desk,
        "/api/desk/issue-access-code",
        &[("medical_record_number", "RB100001")],
    )
    .await;
    let access = code_of(&body);
    app.clock.advance(Duration::hours(24));
    let (_, _, body) = app
        .post_form(
            "/api/account/forgot-portal-id/recover",
            &[
                ("access_code", &access),
                ("ssn", "123456781"),
                ("date_of_birth", "1988-07-14"),
            ],
            None,
        )
        .await;
    assert!(body.contains("expired"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_sees_a_locked_account_and_unlocks_it() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    app.activate_alex().await;
    for _ in 0..5 {
        app.post_form(
            "/api/account/sign-in",
            &[("portal_id", "alex.rivera"), ("password", "guess-123")],
            None,
        )
        .await;
    }
    let desk = staff_session(&app, "desk").await;
    let (_, body) = find(&app, &desk, "RB100001").await;
    assert!(body.contains("\"account_locked\":true"), "{body}");
    let (status, body) = desk_code(
        &app,
        &desk,
        "/api/desk/unlock-account",
        &[("medical_record_number", "RB100001")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"account_locked\":false"), "{body}");
    let (status, _, body) = app
        .post_form(
            "/api/account/sign-in",
            &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            None,
        )
        .await;
    assert_eq!(status, 200, "signs in at once: {body}");
    let clinician = staff_session(&app, "clinician").await;
    let (status, _) = desk_code(
        &app,
        &clinician,
        "/api/desk/unlock-account",
        &[("medical_record_number", "RB100001")],
    )
    .await;
    assert_eq!(status, 403);
}

async fn search(app: &TestApp, token: &str, family: &str, dob: &str) -> (http::StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            "/api/desk/search-patients",
            &[("family_name", family), ("date_of_birth", dob)],
            Some(token),
        )
        .await;
    (status, body)
}

pub async fn register(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
) -> (http::StatusCode, String) {
    let fields: Vec<(String, &str)> = fields
        .iter()
        .map(|(k, v)| (format!("patient[{k}]"), *v))
        .collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (status, _, body) = app
        .post_form("/api/desk/register-patient", &fields, Some(token))
        .await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_the_desk_finds_a_patient_by_family_name_and_date_of_birth() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let token = staff_session(&app, "desk").await;
        let (status, body) = search(&app, &token, "  rivera ", "1988-07-14").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let found: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(found.as_array().unwrap().len(), 1, "{body}");
        assert_eq!(found[0]["medical_record_number"], "RB100001");
        assert!(!body.contains("123-45"), "never the full SSN: {body}");

        let (status, body) = search(&app, &token, "Rivera", "1988-07-15").await;
        assert_eq!((status, body.as_str()), (http::StatusCode::OK, "[]"));
        let (status, body) = search(&app, &token, "", "1988-07-14").await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("family name"), "{body}");

        let clinician = staff_session(&app, "clinician").await;
        assert_eq!(
            search(&app, &clinician, "Rivera", "1988-07-14").await.0,
            403
        );
        assert_eq!(
            search(&app, "no-session", "Rivera", "1988-07-14").await.0,
            401
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_the_desk_registers_a_new_patient_once_and_can_enrol_them() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let token = staff_session(&app, "desk").await;
        let fields = [
            ("given_name", "Noor"),
            ("family_name", "Saleh"),
            ("date_of_birth", "1990-04-02"),
            ("email", "Noor.Saleh@Example.org"),
            ("phone", "555-0199"),
            ("ssn", "234-56-7890"),
        ];
        let (status, body) = register(&app, &token, &fields).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let patient: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(patient["medical_record_number"], "RB100014", "{body}");
        assert_eq!(patient["ssn_last_four"], "7890");
        assert_eq!(patient["has_account"], false);

        // The same person again is refused, by name and birth or by SSN.
        let (status, body) = register(&app, &token, &fields).await;
        assert_eq!(status, 422);
        assert!(
            body.contains("already registered as record RB100014"),
            "{body}"
        );
        let (status, body) = register(
            &app,
            &token,
            &[
                ("given_name", "Other"),
                ("family_name", "Person"),
                ("date_of_birth", "1970-01-01"),
                ("ssn", "234 56 7890"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(body.contains("on record RB100014"), "{body}");

        // Bad input says what is wrong and registers nothing.
        for (field, value, words) in [
            ("given_name", " ", "given name"),
            ("date_of_birth", "2999-01-01", "future"),
            ("email", "noor@", "email address"),
            ("phone", "call me", "phone number"),
            ("ssn", "000-12-3456", "not a valid Social Security number"),
        ] {
            let mut bad = vec![
                ("given_name", "Rami"),
                ("family_name", "Saleh"),
                ("date_of_birth", "1991-05-03"),
            ];
            bad.retain(|(k, _)| *k != field);
            bad.push((field, value));
            let (status, body) = register(&app, &token, &bad).await;
            assert_eq!(status, 422, "{field}: {body}");
            assert!(body.contains(words), "{field}: {body}");
        }
        let (_, body) = search(&app, &token, "Saleh", "1991-05-03").await;
        assert_eq!(body, "[]", "{backend:?}: nothing half-registered");

        // Registered, the patient can be issued a code straight away.
        let (status, _, body) = app
            .post_form(
                "/api/desk/issue-activation-code",
                &[("medical_record_number", "RB100014"), ("route", "visit")],
                Some(&token),
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");

        let admin = staff_session(&app, "admin").await;
        let (status, _) = register(
            &app,
            &admin,
            &[
                ("given_name", "Rami"),
                ("family_name", "Saleh"),
                ("date_of_birth", "1991-05-03"),
            ],
        )
        .await;
        assert_eq!(status, 200, "administrators register too");
        let clinician = staff_session(&app, "clinician").await;
        assert_eq!(register(&app, &clinician, &fields).await.0, 403);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_authenticator_codes_lock_staff_out_even_across_fresh_password_sign_ins() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        staff_session(&app, "desk").await;
        let password_step = || async {
            let (_, headers, body) = app
                .post_form(
                    "/api/staff/sign-in",
                    &[("username", "desk"), ("password", DEMO_STAFF_PASSWORD)],
                    None,
                )
                .await;
            assert!(body.contains("EnterCode"), "{body}");
            session_cookie(&headers).unwrap()
        };
        let token = password_step().await;
        for _ in 0..4 {
            let (status, _, _) = app
                .post_form(
                    "/api/staff/verify-code",
                    &[("code", "000000")],
                    Some(&token),
                )
                .await;
            assert_eq!(status, 422);
        }
        let other = password_step().await;
        let (_, _, body) = app
            .post_form(
                "/api/staff/verify-code",
                &[("code", "000000")],
                Some(&other),
            )
            .await;
        assert!(
            body.contains("locked"),
            "{backend:?}: the count went on: {body}"
        );
        // The earlier half-signed-in session cannot keep guessing, even with the right code.
        app.clock.advance(Duration::seconds(30));
        let code = current_code(&app, "desk").await;
        let (_, _, body) = app
            .post_form("/api/staff/verify-code", &[("code", &code)], Some(&token))
            .await;
        assert!(body.contains("locked"), "{backend:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sign_in_needs_the_set_up_code_before_an_authenticator_can_be_added() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let password_step = async || {
            let (status, headers, body) = app
                .post_form(
                    "/api/staff/sign-in",
                    &[("username", "desk"), ("password", DEMO_STAFF_PASSWORD)],
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            session_cookie(&headers).unwrap()
        };
        let token = password_step().await;
        // Someone with the password but not the code cannot add their own phone.
        let (status, _, body) = app
            .post_form(
                "/api/staff/set-up",
                &[("setup_code", "AAAA-BBBB-CCCC")],
                Some(&token),
            )
            .await;
        assert_eq!(status, 422, "{backend:?}: {body}");
        assert!(body.contains("set-up code is not right"), "{body}");
        let (status, _, _) = app
            .post_form(
                "/api/staff/verify-code",
                &[("code", "000000")],
                Some(&token),
            )
            .await;
        assert_eq!(
            status, 401,
            "{backend:?}: no key was made, so there is no code to guess"
        );
        assert!(
            find(&app, &token, "RB100001").await.0 == 401,
            "not signed in"
        );

        // The right code gives the key; the code is used up once the app is set up.
        let (status, _, body) = app
            .post_form(
                "/api/staff/set-up",
                &[("setup_code", app::db::demo::DEMO_STAFF_SET_UP_CODE)],
                Some(&token),
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let code = current_code(&app, "desk").await;
        let (status, _, body) = app
            .post_form("/api/staff/verify-code", &[("code", &code)], Some(&token))
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let member = app::db::entities::staff::Entity::find()
            .filter(app::db::entities::staff::Column::Username.eq("desk"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert!(member.setup_code_hash.is_none(), "{backend:?}: used up");

        // An expired code does not work (a staff member not yet set up, a day later).
        app.clock.advance(Duration::hours(25));
        let (status, headers, _) = app
            .post_form(
                "/api/staff/sign-in",
                &[("username", "clinician"), ("password", DEMO_STAFF_PASSWORD)],
                None,
            )
            .await;
        assert_eq!(status, 200);
        let token = session_cookie(&headers).unwrap();
        let (status, _, body) = app
            .post_form(
                "/api/staff/set-up",
                &[("setup_code", app::db::demo::DEMO_STAFF_SET_UP_CODE)],
                Some(&token),
            )
            .await;
        assert_eq!(status, 422, "{backend:?}: {body}");
        assert!(body.contains("expired"), "{body}");
    }
}
