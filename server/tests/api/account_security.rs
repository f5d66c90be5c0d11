//! A patient's account security through the HTTP API: optional 2-step verification (turning it
//! on and off, the second step at sign-in, recovery codes, remembered devices), the signed-in
//! devices with sign-out of any, and the password change that ends every other session. Staff
//! recovery codes too.

use crate::helpers::{
    BACKENDS, TestApp, body_text, session_cookie, set_cookie_header, set_cookie_value, spawn_app,
};
use app::api::totp;
use app::db::audit::Outcome;
use app::db::entities::{audit_log, portal_account};
use app::domain::clock::Clock;
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const SIGN_IN: &str = "/api/account/sign-in";
const SECOND_STEP: &str = "/api/account/second-step";
const DEVICE_COOKIE: &str = "__Host-portal_device";

async fn signed_in_alex(app: &TestApp) -> String {
    let (status, headers, body) = app
        .post_form(
            SIGN_IN,
            &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "\"Done\"");
    session_cookie(&headers).unwrap()
}

/// Alex's session after the password step of a sign-in that asks for the second step.
async fn half_signed_in_alex(app: &TestApp, cookies: Option<&str>) -> String {
    let (status, headers, body) = app
        .post_form_with_cookies(
            SIGN_IN,
            &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            cookies,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "\"SecondStep\"");
    session_cookie(&headers).unwrap()
}

async fn get_json(app: &TestApp, uri: &str, token: &str) -> (http::StatusCode, String) {
    let response = app
        .send(
            http::Request::get(uri)
                .header("cookie", format!("__Host-portal_session={token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let status = response.status();
    (status, body_text(response.into_body()).await)
}

async fn who_am_i(app: &TestApp, token: &str) -> String {
    get_json(app, "/api/account/me", token).await.1
}

async fn alex(app: &TestApp) -> portal_account::Model {
    portal_account::Entity::find()
        .filter(portal_account::Column::PortalIdKey.eq("alex.rivera"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// The code Alex's authenticator app shows now.
pub async fn app_code(app: &TestApp) -> String {
    let sealed = alex(app).await.totp_secret_sealed.unwrap();
    let secret = app.state.vault.open_secret(&sealed).unwrap();
    totp::code_at(&secret, app.clock.now())
}

/// Alex, activated and signed in, turns 2-step verification on. Returns the session and the
/// recovery codes. The clock is then moved on a step, so the app shows a fresh code.
async fn alex_with_two_step(app: &TestApp) -> (String, Vec<String>) {
    app.activate_alex().await;
    let token = signed_in_alex(app).await;
    let codes = turn_on_two_step(app, &token).await;
    (token, codes)
}

/// Turns 2-step verification on from the signed-in session `token`; returns the recovery codes.
async fn turn_on_two_step(app: &TestApp, token: &str) -> Vec<String> {
    let token = token.to_owned();
    let (status, _, body) = app
        .post_form("/api/account/two-step/begin", &[], Some(&token))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("otpauth://totp/"), "{body}");
    let setup: serde_json::Value = serde_json::from_str(&body).unwrap();
    let svg = setup["qr_svg"].as_str().unwrap();
    assert!(
        svg.starts_with("<svg") && svg.ends_with("</svg>") && !svg.contains("<script"),
        "a QR code drawn on the server: {svg}"
    );
    let key = setup["secret"].as_str().unwrap();
    assert!(
        key.split(' ').all(|group| (1..=4).contains(&group.len())) && key.contains(' '),
        "the key in groups of four: {key}"
    );
    let code = app_code(app).await;
    let (status, _, body) = app
        .post_form(
            "/api/account/two-step/confirm",
            &[("code", &code), ("password", "riverbend7")],
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.clock.advance(Duration::seconds(30));
    serde_json::from_str(&body).unwrap()
}

/// Turns 2-step verification off from the signed-in session `token` with `password`.
async fn turn_off_two_step(
    app: &TestApp,
    token: &str,
    password: &str,
) -> (http::StatusCode, String) {
    let (status, _, body) = app
        .post_form(
            "/api/account/two-step/turn-off",
            &[("password", password)],
            Some(token),
        )
        .await;
    (status, body)
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    audit_log::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_step_on_the_password_alone_does_not_sign_in() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let (token, codes) = alex_with_two_step(&app).await;
        assert_eq!(codes.len(), 10, "{backend:?}");
        assert!(codes.iter().all(|c| c.len() == 14), "{codes:?}");
        assert!(
            who_am_i(&app, &token).await.contains("Alex"),
            "still signed in"
        );

        let half = half_signed_in_alex(&app, None).await;
        assert_eq!(who_am_i(&app, &half).await, "null", "{backend:?}");
        assert_eq!(
            get_json(&app, "/api/account/security", &half).await.0,
            401,
            "{backend:?}: nothing but the second step"
        );

        let (status, _, body) = app
            .post_form(SECOND_STEP, &[("code", "000000")], Some(&half))
            .await;
        assert_eq!(status, 422, "{backend:?}: {body}");
        assert!(body.contains("not right"), "{body}");
        let (status, _, body) = app
            .post_form(SECOND_STEP, &[("code", "12")], Some(&half))
            .await;
        assert_eq!(status, 422);
        assert!(body.contains("6-digit code"), "{body}");

        let code = app_code(&app).await;
        let (status, _, body) = app
            .post_form(SECOND_STEP, &[("code", &code)], Some(&half))
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(who_am_i(&app, &half).await.contains("Alex"), "{backend:?}");

        // Each code works once: the same code in another sign-in is refused.
        let other = half_signed_in_alex(&app, None).await;
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &code)], Some(&other))
            .await;
        assert_eq!(status, 422, "{backend:?}: a used code");

        let actions = audit_actions(&app).await;
        for expected in [
            ("two_step.turned_on", Outcome::Success),
            ("sign_in.two_step", Outcome::Success),
            ("sign_in.two_step", Outcome::Failure),
        ] {
            assert!(
                actions.contains(&(expected.0.to_owned(), expected.1.as_str().to_owned())),
                "{backend:?}: {expected:?} in {actions:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_waiting_for_its_second_step_ends_after_ten_minutes() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        alex_with_two_step(&app).await;
        let half = half_signed_in_alex(&app, None).await;
        app.clock
            .advance(Duration::minutes(10) + Duration::seconds(1));
        let code = app_code(&app).await;
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &code)], Some(&half))
            .await;
        assert_eq!(status, 401, "{backend:?}: sign in again");

        // Once the second step is passed, the session lasts the full lifetime.
        let half = half_signed_in_alex(&app, None).await;
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &code)], Some(&half))
            .await;
        assert_eq!(status, 200);
        app.clock.advance(Duration::minutes(15));
        assert!(who_am_i(&app, &half).await.contains("Alex"), "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_two_step_on_signs_out_other_devices() {
    let app = spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .with_demo()
        .await;
    app.activate_alex().await;
    let other = signed_in_alex(&app).await;
    let token = signed_in_alex(&app).await;
    turn_on_two_step(&app, &token).await;
    assert_eq!(who_am_i(&app, &other).await, "null");
    assert!(who_am_i(&app, &token).await.contains("Alex"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_code_works_once_in_place_of_the_app() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let (_, codes) = alex_with_two_step(&app).await;
        let half = half_signed_in_alex(&app, None).await;
        let typed = codes[3].to_lowercase().replace('-', " ");
        let (status, _, body) = app
            .post_form(SECOND_STEP, &[("code", &typed)], Some(&half))
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(body.contains("\"recovery_codes_left\":9"), "{body}");

        let again = half_signed_in_alex(&app, None).await;
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &codes[3])], Some(&again))
            .await;
        assert_eq!(status, 422, "{backend:?}: a used recovery code");

        // New codes need the password, and replace the old ones.
        let (status, _, body) = app
            .post_form(
                "/api/account/two-step/recovery-codes",
                &[("password", "not-my-password1")],
                Some(&half),
            )
            .await;
        assert_eq!(status, 422);
        assert!(body.contains("not your current password"), "{body}");
        let (status, _, body) = app
            .post_form(
                "/api/account/two-step/recovery-codes",
                &[("password", "riverbend7")],
                Some(&half),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let fresh: Vec<String> = serde_json::from_str(&body).unwrap();
        assert!(fresh.iter().all(|c| !codes.contains(c)));
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &codes[4])], Some(&again))
            .await;
        assert_eq!(status, 422, "{backend:?}: old codes no longer work");
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &fresh[0])], Some(&again))
            .await;
        assert_eq!(status, 200, "{backend:?}: new ones do");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_device_skips_the_second_step_for_thirty_days_then_asks_again() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        alex_with_two_step(&app).await;
        let half = half_signed_in_alex(&app, None).await;
        let code = app_code(&app).await;
        let (status, headers, body) = app
            .post_form(
                SECOND_STEP,
                &[("code", &code), ("remember_device", "on")],
                Some(&half),
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let header = set_cookie_header(&headers, DEVICE_COOKIE).unwrap();
        for attribute in [
            "Max-Age=2592000",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Path=/",
        ] {
            assert!(header.contains(attribute), "{header}");
        }
        let device = set_cookie_value(&headers, DEVICE_COOKIE).unwrap();
        let cookies = format!("{DEVICE_COOKIE}={device}");

        app.clock.advance(Duration::days(30) - Duration::seconds(1));
        let (_, headers, body) = app
            .post_form_with_cookies(
                SIGN_IN,
                &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
                Some(&cookies),
            )
            .await;
        assert_eq!(body, "\"Done\"", "{backend:?}: remembered");
        let token = session_cookie(&headers).unwrap();
        let (_, overview) = get_json(&app, "/api/account/security", &token).await;
        let overview: serde_json::Value = serde_json::from_str(&overview).unwrap();
        assert_eq!(
            overview["remembered"].as_array().unwrap().len(),
            1,
            "{overview}"
        );

        app.clock.advance(Duration::seconds(1));
        half_signed_in_alex(&app, Some(&cookies)).await;

        // Another browser's device cookie does nothing; neither does Alex's after "forget".
        app.clock.advance(Duration::days(-1));
        let (status, _, _) = app
            .post_form("/api/account/devices/forget", &[], Some(&token))
            .await;
        assert_eq!(status, 200);
        half_signed_in_alex(&app, Some(&cookies)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_second_step_codes_lock_the_account_like_wrong_passwords() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        alex_with_two_step(&app).await;
        let half = half_signed_in_alex(&app, None).await;
        for _ in 0..4 {
            let (status, _, _) = app
                .post_form(SECOND_STEP, &[("code", "000000")], Some(&half))
                .await;
            assert_eq!(status, 422);
        }
        // Signing in again with the password does not reset the count.
        let half = half_signed_in_alex(&app, None).await;
        let (_, headers, body) = app
            .post_form(SECOND_STEP, &[("code", "000000")], Some(&half))
            .await;
        assert!(body.contains("locked"), "{backend:?}: {body}");
        assert_eq!(session_cookie(&headers).as_deref(), Some(""));
        let code = app_code(&app).await;
        let (status, _, _) = app
            .post_form(SECOND_STEP, &[("code", &code)], Some(&half))
            .await;
        assert_eq!(
            status, 401,
            "{backend:?}: the session ended with the lockout"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_two_step_off_needs_the_password() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let (token, _) = alex_with_two_step(&app).await;
        let (status, body) = turn_off_two_step(&app, &token, "riverbend8").await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = turn_off_two_step(&app, &token, "riverbend7").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let account = alex(&app).await;
        assert!(account.totp_secret_sealed.is_none() && account.totp_confirmed_at.is_none());
        signed_in_alex(&app).await;
        assert!(
            audit_actions(&app)
                .await
                .contains(&("two_step.turned_off".into(), "success".into()))
        );
    }
}

/// A device remembered while 2-step verification is off (a second step racing the turning-off
/// can leave one) shows nowhere, and turning it on again starts with no remembered device: the
/// security page reads remembered devices and recovery codes only while it is on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_two_step_on_again_starts_with_no_remembered_device() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let (token, _) = alex_with_two_step(&app).await;
        let (status, body) = turn_off_two_step(&app, &token, "riverbend7").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let token = signed_in_alex(&app).await;
        let now = app.clock.now();
        let left_behind = app::db::two_step::remember_device(
            &app.state.db,
            &app.state.tokens,
            alex(&app).await.id,
            None,
            now,
            now + Duration::days(30),
        )
        .await
        .unwrap();
        let (_, overview) = get_json(&app, "/api/account/security", &token).await;
        let overview: serde_json::Value = serde_json::from_str(&overview).unwrap();
        assert_eq!(overview["two_step_on"], false, "{backend:?}: {overview}");
        assert_eq!(
            overview["remembered"].as_array().unwrap().len(),
            0,
            "{overview}"
        );
        assert_eq!(overview["recovery_codes_left"], 0, "{overview}");

        let codes = turn_on_two_step(&app, &token).await;
        let (_, overview) = get_json(&app, "/api/account/security", &token).await;
        let overview: serde_json::Value = serde_json::from_str(&overview).unwrap();
        assert_eq!(overview["two_step_on"], true, "{backend:?}: {overview}");
        assert_eq!(
            overview["remembered"].as_array().unwrap().len(),
            0,
            "{overview}"
        );
        assert_eq!(overview["recovery_codes_left"], codes.len(), "{overview}");
        let cookies = format!("{DEVICE_COOKIE}={left_behind}");
        half_signed_in_alex(&app, Some(&cookies)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_step_cannot_be_turned_on_without_a_signed_in_patient_or_a_right_code() {
    let app = spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .with_demo()
        .await;
    app.activate_alex().await;
    let (status, _, _) = app
        .post_form("/api/account/two-step/begin", &[], None)
        .await;
    assert_eq!(status, 401);
    let token = signed_in_alex(&app).await;
    let (status, _, body) = app
        .post_form(
            "/api/account/two-step/confirm",
            &[("code", "123456"), ("password", "riverbend7")],
            Some(&token),
        )
        .await;
    assert_eq!(status, 422, "confirm before begin: {body}");
    app.post_form("/api/account/two-step/begin", &[], Some(&token))
        .await;
    let (status, _, _) = app
        .post_form(
            "/api/account/two-step/confirm",
            &[("code", "000000"), ("password", "riverbend7")],
            Some(&token),
        )
        .await;
    assert_eq!(status, 422);
    // The right code with the wrong password: a stolen session cannot turn it on.
    let code = app_code(&app).await;
    let (status, _, body) = app
        .post_form(
            "/api/account/two-step/confirm",
            &[("code", &code), ("password", "riverbend8")],
            Some(&token),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("not your current password"), "{body}");
    assert!(alex(&app).await.totp_confirmed_at.is_none(), "still off");
    signed_in_alex(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signed_in_device_is_listed_and_any_can_be_signed_out() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.activate_alex().await;
        let phone = signed_in_alex(&app).await;
        let laptop = signed_in_alex(&app).await;
        let tablet = signed_in_alex(&app).await;
        let (status, body) = get_json(&app, "/api/account/security", &laptop).await;
        assert_eq!(status, 200, "{body}");
        let overview: serde_json::Value = serde_json::from_str(&body).unwrap();
        let devices = overview["devices"].as_array().unwrap();
        assert_eq!(devices.len(), 3, "{backend:?}: {body}");
        assert_eq!(
            devices.iter().filter(|d| d["this_device"] == true).count(),
            1
        );
        let phone_id = devices
            .iter()
            .find(|d| d["this_device"] == false)
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .unwrap();

        let (status, _, body) = app
            .post_form(
                "/api/account/devices/sign-out",
                &[("device", &phone_id)],
                Some(&laptop),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let alive = [who_am_i(&app, &phone).await, who_am_i(&app, &tablet).await];
        assert_eq!(
            alive.iter().filter(|a| a.as_str() == "null").count(),
            1,
            "{backend:?}: exactly the chosen device was signed out"
        );

        // A session that is not one of the caller's answers like one that does not exist.
        let (status, _, body) = app
            .post_form(
                "/api/account/devices/sign-out",
                &[("device", "0".repeat(64).as_str())],
                Some(&laptop),
            )
            .await;
        assert_eq!(status, 422, "{body}");

        let (status, _, body) = app
            .post_form("/api/account/devices/sign-out-others", &[], Some(&laptop))
            .await;
        assert_eq!((status, body.as_str()), (http::StatusCode::OK, "1"));
        assert!(who_am_i(&app, &laptop).await.contains("Alex"));
        assert_eq!(who_am_i(&app, &phone).await, "null");
        assert_eq!(who_am_i(&app, &tablet).await, "null");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_checks_it_and_ends_every_other_session() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.activate_alex().await;
        let other = signed_in_alex(&app).await;
        let token = signed_in_alex(&app).await;
        let change = |current: &'static str, new: &'static str, again: &'static str| {
            let app = &app;
            let token = token.clone();
            async move {
                let (status, _, body) = app
                    .post_form(
                        "/api/account/password",
                        &[
                            ("current_password", current),
                            ("new_password", new),
                            ("confirm_password", again),
                        ],
                        Some(&token),
                    )
                    .await;
                (status, body)
            }
        };
        let (status, body) = change("riverbend8", "meadow42walk", "meadow42walk").await;
        assert_eq!(status, 422);
        assert!(body.contains("not your current password"), "{body}");
        let (status, body) = change("riverbend7", "meadow42walk", "meadow42wal").await;
        assert_eq!(status, 422);
        assert!(body.contains("not the same"), "{body}");
        let (status, body) = change("riverbend7", "alex.rivera1", "alex.rivera1").await;
        assert_eq!(status, 422, "A4 and the portal-ID rule: {body}");
        let (status, body) = change("riverbend7", "short1", "short1").await;
        assert_eq!(status, 422, "A4: {body}");
        assert!(
            who_am_i(&app, &other).await.contains("Alex"),
            "nothing changed yet"
        );

        let (status, body) = change("riverbend7", "meadow42walk", "meadow42walk").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(
            who_am_i(&app, &token).await.contains("Alex"),
            "this one stays"
        );
        assert_eq!(who_am_i(&app, &other).await, "null", "{backend:?}");
        let (status, _, _) = app
            .post_form(
                SIGN_IN,
                &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
                None,
            )
            .await;
        assert_eq!(status, 422, "the old password no longer works");
        let (status, _, _) = app
            .post_form(
                SIGN_IN,
                &[("portal_id", "alex.rivera"), ("password", "meadow42walk")],
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            audit_actions(&app)
                .await
                .contains(&("password.changed".into(), "success".into()))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_get_recovery_codes_when_they_set_up_the_app_and_one_works_once() {
    use app::db::demo::DEMO_STAFF_PASSWORD;
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let sign_in = || async {
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
        let token = sign_in().await;
        let (status, _, body) = app
            .post_form(
                "/api/staff/set-up",
                &[("setup_code", app::db::demo::DEMO_STAFF_SET_UP_CODE)],
                Some(&token),
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let code = crate::staff::current_code(&app, "desk").await;
        let (status, _, body) = app
            .post_form("/api/staff/verify-code", &[("code", &code)], Some(&token))
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let codes: Vec<String> = serde_json::from_str(&body).unwrap();
        assert_eq!(codes.len(), 10);

        let token = sign_in().await;
        let (status, _, body) = app
            .post_form(
                "/api/staff/verify-code",
                &[("code", &codes[0])],
                Some(&token),
            )
            .await;
        assert_eq!((status, body.as_str()), (http::StatusCode::OK, "null"));
        let (status, _) = {
            let (s, _, b) = app
                .post_form(
                    "/api/desk/find-patient",
                    &[("medical_record_number", "RB100001")],
                    Some(&token),
                )
                .await;
            (s, b)
        };
        assert_eq!(status, 200, "{backend:?}: at the desk");

        let token = sign_in().await;
        let (status, _, _) = app
            .post_form(
                "/api/staff/verify-code",
                &[("code", &codes[0])],
                Some(&token),
            )
            .await;
        assert_eq!(status, 422, "{backend:?}: used once already");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_turns_two_step_off_for_a_patient_who_lost_phone_and_codes() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        alex_with_two_step(&app).await;
        let desk = crate::staff::staff_session(&app, "desk").await;
        let (_, _, body) = app
            .post_form(
                "/api/desk/find-patient",
                &[("medical_record_number", "RB100001")],
                Some(&desk),
            )
            .await;
        assert!(body.contains("\"two_step_on\":true"), "{backend:?}: {body}");
        let clinician = crate::staff::staff_session(&app, "clinician").await;
        let (status, _, _) = app
            .post_form(
                "/api/desk/reset-two-step",
                &[("medical_record_number", "RB100001")],
                Some(&clinician),
            )
            .await;
        assert_eq!(status, 403, "front desk and administrators only");

        let (status, _, body) = app
            .post_form(
                "/api/desk/reset-two-step",
                &[("medical_record_number", "RB100001")],
                Some(&desk),
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(body.contains("\"two_step_on\":false"), "{body}");
        signed_in_alex(&app).await;
        assert!(
            audit_actions(&app)
                .await
                .contains(&("two_step.reset_by_desk".into(), "success".into()))
        );
        let (status, _, _) = app
            .post_form(
                "/api/desk/reset-two-step",
                &[("medical_record_number", "RB100001")],
                Some(&desk),
            )
            .await;
        assert_eq!(status, 422, "already off");
    }
}
