//! The one guard: every registered server function is called anonymously, as a signed-in
//! patient and as each staff role, and refuses everyone it is not for. A server function that
//! nobody added to the table below fails this test.

use crate::helpers::{Backend, TestApp, body_text, form_body, spawn_app};
use crate::staff::staff_session;
use axum::body::Body;
use http::{Method, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Patient,
    FrontDesk,
    Clinician,
    Administrator,
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Patient,
    Caller::FrontDesk,
    Caller::Clinician,
    Caller::Administrator,
];

/// Who each server function is for.
fn allowed(path: &str) -> Option<&'static [Caller]> {
    use Caller::*;
    const EVERYONE: &[Caller] = &CALLERS;
    const PATIENT: &[Caller] = &[Patient];
    const STAFF: &[Caller] = &[FrontDesk, Clinician, Administrator];
    const DESK: &[Caller] = &[FrontDesk, Administrator];
    const CLINICAL: &[Caller] = &[Clinician];
    Some(match path {
        // Public: nothing about anyone, or the caller's own session, or a secret is the proof.
        "site/info"
        | "site/account-eligibility"
        | "account/me"
        | "account/sign-out"
        | "account/activate"
        | "account/sign-in"
        | "enrolment/request-code"
        | "account/forgot-password/start"
        | "account/forgot-password/finish"
        | "account/forgot-portal-id/recover"
        | "account/forgot-portal-id/new-password"
        | "staff/sign-in"
        | "staff/me"
        | "account/confirm-email" => EVERYONE,
        "account/second-step"
        | "account/security"
        | "account/two-step/begin"
        | "account/two-step/confirm"
        | "account/two-step/recovery-codes"
        | "account/two-step/turn-off"
        | "account/devices/sign-out"
        | "account/devices/sign-out-others"
        | "account/devices/forget"
        | "account/password"
        | "record/choices"
        | "record/personal-information"
        | "record/personal-information/contact"
        | "record/personal-information/email"
        | "record/personal-information/emails"
        | "record/who-can-view"
        | "record/who-can-view/revoke"
        | "record/who-can-view/renew"
        | "record/who-viewed"
        | "record/appointments"
        | "record/appointments/options"
        | "record/appointments/book"
        | "record/appointments/cancel"
        | "record/results"
        | "record/results/result"
        | "record/results/trend"
        | "record/results/wait"
        | "record/immunizations"
        | "record/health-reminders"
        | "record/health-summary"
        | "record/health-summary/fhir"
        | "record/reports"
        | "record/reports/new"
        | "proxy/requests"
        | "proxy/request"
        | "proxy/answer"
        | "proxy/guardian-request" => PATIENT,
        "staff/verify-code" | "staff/set-up" => STAFF,
        "desk/find-patient"
        | "desk/issue-activation-code"
        | "desk/search-patients"
        | "desk/register-patient"
        | "desk/unlock-account"
        | "desk/reset-two-step"
        | "desk/issue-access-code"
        | "proxy-desk/queue"
        | "proxy-desk/decide"
        | "proxy-desk/paper-form"
        | "proxy-desk/court-order" => DESK,
        "results-desk/pending" | "results-desk/release" => CLINICAL,
        "reports-desk/queue" | "reports-desk/answer" => CLINICAL,
        _ => return None,
    })
}

/// Every field any server function takes, filled in, so that the call gets past decoding and
/// reaches the guard.
fn all_fields() -> String {
    let names = [
        "code",
        "date_of_birth",
        "portal_id",
        "password",
        "reset_question",
        "reset_answer",
        "given_name",
        "family_name",
        "email",
        "ssn",
        "ticket",
        "answer",
        "new_password",
        "access_code",
        "setup_code",
        "current_password",
        "confirm_password",
        "device",
        "username",
        "medical_record_number",
        "route",
        "patient[given_name]",
        "patient[family_name]",
        "patient[date_of_birth]",
        "patient[email]",
        "patient[phone]",
        "patient[ssn]",
        "token",
        "grant",
        "subject",
        "contact[address_line]",
        "contact[city]",
        "contact[region]",
        "contact[postal_code]",
        "contact[phone]",
        "kind",
        "request",
        "agree",
        "decision",
        "identity_verified",
        "note",
        "form[kind]",
        "form[requester_record_number]",
        "form[requester_date_of_birth]",
        "form[subject_date_of_birth]",
        "form[subject_record_number]",
        "form[order_ends_on]",
        "order",
    ];
    // Numbers where the function takes one, so that decoding passes for them too.
    let fields: Vec<(&str, &str)> = names
        .iter()
        .map(|n| {
            (
                *n,
                if ["grant", "subject", "request"].contains(n) {
                    "1"
                } else {
                    "x"
                },
            )
        })
        .collect();
    form_body(&fields)
}

async fn call(app: &TestApp, path: &str, method: &Method, session: Option<&str>) -> u16 {
    let mut request = if *method == Method::GET {
        Request::get(format!("{path}?{}", all_fields()))
    } else if path == "/api/proxy/guardian-request" {
        // The one multipart form (a file upload).
        Request::post(path)
            .header("content-type", "multipart/form-data; boundary=guard-test")
            .header("sec-fetch-site", "same-origin")
    } else {
        Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
    };
    if let Some(token) = session {
        request = request.header("cookie", format!("__Host-portal_session={token}"));
    }
    let body = if *method == Method::GET {
        Body::empty()
    } else if path == "/api/proxy/guardian-request" {
        Body::from(
            "--guard-test\r\nContent-Disposition: form-data; name=\"court_order\"; \
             filename=\"o.pdf\"\r\n\r\n%PDF-1.7\r\n--guard-test--\r\n",
        )
    } else {
        Body::from(all_fields())
    };
    let response = app.send(request.body(body).unwrap()).await;
    let status = response.status().as_u16();
    body_text(response.into_body()).await;
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_refuses_everyone_it_is_not_for() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
    app.activate_alex().await;
    let (_, headers, _) = app
        .post_form(
            "/api/account/sign-in",
            &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            None,
        )
        .await;
    let patient = crate::helpers::session_cookie(&headers).unwrap();
    let desk = staff_session(&app, "desk").await;
    let clinician = staff_session(&app, "clinician").await;
    let admin = staff_session(&app, "admin").await;

    let mut functions: Vec<(&str, Method)> = leptos::server_fn::axum::server_fn_paths().collect();
    functions.sort_by_key(|(path, _)| *path);
    let mut unlisted = Vec::new();
    let mut wrong = Vec::new();
    for (path, method) in &functions {
        let name = path.trim_start_matches("/api/");
        let Some(allowed) = allowed(name) else {
            unlisted.push(name.to_owned());
            continue;
        };
        for caller in CALLERS {
            // Signing out would end the session the rest of the test uses.
            if name == "account/sign-out" && caller != Caller::Anonymous {
                continue;
            }
            let session = match caller {
                Caller::Anonymous => None,
                Caller::Patient => Some(patient.as_str()),
                Caller::FrontDesk => Some(desk.as_str()),
                Caller::Clinician => Some(clinician.as_str()),
                Caller::Administrator => Some(admin.as_str()),
            };
            let status = call(&app, path, method, session).await;
            let refused = status == 401 || status == 403;
            if refused == allowed.contains(&caller) {
                wrong.push(format!("{name} as {caller:?}: {status}"));
            }
        }
    }
    assert!(
        unlisted.is_empty(),
        "server functions missing from the guard test's table: {unlisted:?}"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}
