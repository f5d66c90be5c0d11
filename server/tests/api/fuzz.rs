//! Hostile input to every server function: random and malicious values, fields left out, bodies
//! that are not forms. Whatever comes in, the answer is never a server error, never a panic, and
//! never shows internal text.

use crate::helpers::{Backend, body_text, form_body, spawn_app};
use axum::body::Body;
use http::{Method, Request};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Every field name the server functions take, so that a random subset of them leaves some out
/// and gives others.
const FIELDS: &[&str] = &[
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
    "remember_device",
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
    "page",
    "mine",
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
    "order_ends_on",
    "court_order",
    "visit_type",
    "slot",
    "several_people",
    "several_caregivers",
    "appointment",
    "id",
    "code",
    "wait",
    "item",
    "results",
    "appointments",
    "reports",
];

const HOSTILE: &[&str] = &[
    "",
    " ",
    "'; DROP TABLE people; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "\u{0}",
    "%00",
    "../../../../etc/passwd",
    "\u{202e}gnp.exe",
    "🙂🙂🙂",
    "1988-02-30",
    "0000-00-00",
    "9999-12-31",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "[]",
    "{}",
    "RB100001",
    "alex.rivera",
    "123-45-6781",
    "ABCD-EFGH-JKMN",
    "visit",
    "paper",
    "000000",
    "AAAA-BBBB-CCCC-DDDD",
    "1",
    "2",
    "7",
    "2147483647",
    "-2147483648",
];

fn random_value(rng: &mut StdRng) -> String {
    match rng.gen_range(0..6) {
        0 | 1 => HOSTILE[rng.gen_range(0..HOSTILE.len())].to_owned(),
        2 => (0..rng.gen_range(0..40))
            .map(|_| rng.gen_range(0x20u8..0x7f) as char)
            .collect(),
        3 => (0..rng.gen_range(0..20))
            .filter_map(|_| char::from_u32(rng.gen_range(0..0x2_0000)))
            .collect(),
        4 => "x".repeat(rng.gen_range(200..20_000)),
        _ => rng.gen_range(-1_000_000i64..1_000_000).to_string(),
    }
}

fn random_form(rng: &mut StdRng) -> String {
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in FIELDS {
        if rng.gen_bool(0.6) {
            fields.push((name.to_string(), random_value(rng)));
        }
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form_body(&borrowed)
}

/// A body that is not a well-formed form at all.
fn garbage(rng: &mut StdRng) -> (Vec<u8>, &'static str) {
    let content_type = [
        "application/x-www-form-urlencoded",
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
    ][rng.gen_range(0..4)];
    let body = match rng.gen_range(0..4) {
        0 => (0..rng.gen_range(0..300))
            .map(|_| rng.r#gen::<u8>())
            .collect(),
        1 => b"{\"portal_id\": [1, 2, {\"a\": null}]}".to_vec(),
        2 => b"a=1&a=2&a[]=3&a[b]=4&=&&==".to_vec(),
        _ => b"%%%%%zz=%ZZ".to_vec(),
    };
    (body, content_type)
}

fn internal_text(body: &str) -> Option<&'static str> {
    let lower = body.to_lowercase();
    [
        "panick",
        "sqlx",
        "dberr",
        "sqlite",
        "postgres",
        "syntax",
        "backtrace",
        ".rs:",
        "serde",
        "missing field",
        "invalid type",
        "thread",
    ]
    .into_iter()
    .find(|word| lower.contains(word))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_to_any_server_function_causes_a_server_error_or_shows_internal_text() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 1000000}"#).await;
    let mut functions: Vec<(&str, Method)> = leptos::server_fn::axum::server_fn_paths().collect();
    functions.sort_by_key(|(path, _)| *path);
    assert!(functions.len() >= 30, "{functions:?}");
    let mut rng = StdRng::seed_from_u64(0x5eed_2026);
    let mut sent = 0;
    for (path, method) in &functions {
        for round in 0..110 {
            let request = if *method == Method::GET {
                let query = random_form(&mut rng);
                // Past what a URI may hold, the request cannot even be made.
                let Ok(request) = Request::get(format!("{path}?{query}")).body(Body::empty())
                else {
                    continue;
                };
                request
            } else {
                let (body, content_type) = if round % 10 == 9 {
                    garbage(&mut rng)
                } else {
                    (
                        random_form(&mut rng).into_bytes(),
                        "application/x-www-form-urlencoded",
                    )
                };
                Request::post(*path)
                    .header("content-type", content_type)
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::from(body))
                    .unwrap()
            };
            let response = app.send(request).await;
            let status = response.status();
            let body = body_text(response.into_body()).await;
            assert!(
                !status.is_server_error(),
                "{path} answered {status}: {body}"
            );
            if let Some(word) = internal_text(&body) {
                panic!("{path} showed internal text ({word}): {body}");
            }
            sent += 1;
        }
    }
    assert!(sent >= 3_000, "{sent}");
}
