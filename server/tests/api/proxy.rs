//! Proxy requests and the proxy desk (issue 14, P1, P2, P7) on both databases: each requester
//! files their own request; an adult's request waits for the other adult's consent; staff verify
//! identity and approve or deny with a reason; only approved grants give access; denying one
//! parent leaves the other as they were; paper forms, a guardian's with the order's end.

use crate::access::{person, signed_in};
use crate::helpers::{BACKENDS, TestApp, spawn_app};
use crate::staff::staff_session;

async fn mrn_of(app: &TestApp, person_id: i32) -> String {
    app::db::store::patient_of_person(&app.state.db, app.state.site.organization_id, person_id)
        .await
        .unwrap()
        .unwrap()
        .medical_record_number
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)], token: &str) -> (u16, String) {
    let (status, _, body) = app.post_form(path, fields, Some(token)).await;
    (status.as_u16(), body)
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let response = app
        .send(
            http::Request::get(path)
                .header("cookie", format!("__Host-portal_session={token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let status = response.status().as_u16();
    (
        status,
        crate::helpers::body_text(response.into_body()).await,
    )
}

/// The desk's queue, without the demo's own pending request (Omar Haddad's guardianship).
async fn queue(app: &TestApp, desk: &str) -> Vec<serde_json::Value> {
    let (status, body) = get(app, "/api/proxy-desk/queue", desk).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Vec<serde_json::Value>>(&body)
        .unwrap()
        .into_iter()
        .filter(|r| r["requester_name"] != "Omar Haddad")
        .collect()
}

async fn can_open(app: &TestApp, token: &str, subject: i32) -> bool {
    let path = format!("/api/record/personal-information?subject={subject}");
    get(app, &path, token).await.0 == 200
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_go_through_consent_and_the_desk_and_only_approved_ones_give_access() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        let desk = staff_session(&app, "desk").await;
        // Now: 2026-06-15. A 5-year-old and two parents, each with an account.
        let child = person(&app, "Child", "2021-03-01").await;
        let child_mrn = mrn_of(&app, child).await;
        let (a, b) = (
            person(&app, "Ann", "1985-01-01").await,
            person(&app, "Bob", "1984-01-01").await,
        );
        let (a_token, b_token) = (signed_in(&app, a).await, signed_in(&app, b).await);
        let ask = |token: String, kind: &'static str, mrn: String, dob: &'static str| {
            let app = &app;
            async move {
                post(
                    app,
                    "/api/proxy/request",
                    &[
                        ("kind", kind),
                        ("medical_record_number", &mrn),
                        ("date_of_birth", dob),
                    ],
                    &token,
                )
                .await
            }
        };

        // A wrong date of birth and a wrong number read the same.
        let (status, wrong_dob) =
            ask(a_token.clone(), "parent", child_mrn.clone(), "2021-03-02").await;
        assert_eq!(status, 422);
        let (_, wrong_mrn) = ask(a_token.clone(), "parent", "RB999999".into(), "2021-03-01").await;
        assert_eq!(wrong_dob, wrong_mrn);
        // A child is not an adult proxy's.
        let (status, body) = ask(
            a_token.clone(),
            "adult-proxy",
            child_mrn.clone(),
            "2021-03-01",
        )
        .await;
        assert_eq!(status, 422, "{body}");

        // Each parent files their own request; a second one of the same is refused.
        let (status, body) = ask(a_token.clone(), "parent", child_mrn.clone(), "2021-03-01").await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let (status, _) = ask(b_token.clone(), "parent", child_mrn.clone(), "2021-03-01").await;
        assert_eq!(status, 200);
        let (status, body) = ask(a_token.clone(), "parent", child_mrn.clone(), "2021-03-01").await;
        assert_eq!(status, 422);
        assert!(body.contains("already a request"), "{body}");
        assert!(
            !can_open(&app, &a_token, child).await,
            "a request gives nothing"
        );

        let waiting = queue(&app, &desk).await;
        assert_eq!(waiting.len(), 2, "{waiting:?}");
        assert_eq!(waiting[0]["requester_name"], "Ann Test");
        assert_eq!(waiting[0]["subject_record_number"], child_mrn.as_str());
        let (a_request, b_request) = (
            waiting[0]["id"].as_i64().unwrap().to_string(),
            waiting[1]["id"].as_i64().unwrap().to_string(),
        );
        let decide = |request: String, fields: Vec<(&'static str, &'static str)>| {
            let app = &app;
            let desk = desk.clone();
            async move {
                let mut all = vec![("request", request.as_str())];
                all.extend(fields);
                post(app, "/api/proxy-desk/decide", &all, &desk).await
            }
        };
        // Approving needs the identity checked; denying needs a reason.
        let (status, _) = decide(
            a_request.clone(),
            vec![("decision", "approve"), ("note", "")],
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) =
            decide(b_request.clone(), vec![("decision", "deny"), ("note", " ")]).await;
        assert_eq!(status, 422);
        let (status, body) = decide(
            a_request.clone(),
            vec![
                ("decision", "approve"),
                ("identity_verified", "on"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = decide(
            b_request.clone(),
            vec![
                ("decision", "deny"),
                ("note", "Please bring the birth certificate."),
            ],
        )
        .await;
        assert_eq!(status, 200);
        // Decided once: a second decision finds nothing waiting.
        let (status, _) = decide(
            b_request.clone(),
            vec![
                ("decision", "approve"),
                ("identity_verified", "on"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 422);

        assert!(
            can_open(&app, &a_token, child).await,
            "{backend:?}: approved"
        );
        assert!(!can_open(&app, &b_token, child).await, "denied");
        let (_, mine) = get(&app, "/api/proxy/requests", &b_token).await;
        assert!(
            mine.contains("Not approved") && mine.contains("birth certificate"),
            "{mine}"
        );
        assert!(queue(&app, &desk).await.is_empty());

        // Adult to adult: the other adult agrees first, then the desk.
        let (c, d) = (
            person(&app, "Cara", "1970-01-01").await,
            person(&app, "Dan", "1940-01-01").await,
        );
        let (c_token, d_token) = (signed_in(&app, c).await, signed_in(&app, d).await);
        let d_mrn = mrn_of(&app, d).await;
        let (status, body) = ask(c_token.clone(), "adult-proxy", d_mrn.clone(), "1940-01-01").await;
        assert_eq!(status, 200, "{body}");
        assert!(queue(&app, &desk).await.is_empty(), "waits for Dan first");
        let (_, to_answer) = get(&app, "/api/proxy/requests", &d_token).await;
        let to_answer: serde_json::Value = serde_json::from_str(&to_answer).unwrap();
        let request = to_answer["to_answer"][0]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        assert_eq!(to_answer["to_answer"][0]["requester_name"], "Cara Test");
        // Only Dan answers for his record.
        let (status, _) = post(
            &app,
            "/api/proxy/answer",
            &[("request", &request), ("agree", "yes")],
            &c_token,
        )
        .await;
        assert_eq!(status, 404);
        let (status, _) = post(
            &app,
            "/api/proxy/answer",
            &[("request", &request), ("agree", "yes")],
            &d_token,
        )
        .await;
        assert_eq!(status, 200);
        let waiting = queue(&app, &desk).await;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0]["consented"], true);
        let (status, _) = decide(
            request.clone(),
            vec![
                ("decision", "approve"),
                ("identity_verified", "on"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 200);
        assert!(can_open(&app, &c_token, d).await);
        // While it runs, asking again is refused: Dan renews it.
        let (status, body) = ask(c_token.clone(), "adult-proxy", d_mrn.clone(), "1940-01-01").await;
        assert_eq!(status, 422);
        assert!(body.contains("access to this record already"), "{body}");
        // Five years from the day of approval (P2), on both sides.
        let (_, viewers) = get(&app, "/api/record/who-can-view", &d_token).await;
        assert!(
            viewers.contains("Cara Test") && viewers.contains("\"2031-06-14\""),
            "{viewers}"
        );

        // The desk's looks and decisions are in the subjects' logs.
        assert_eq!(app.audit_entries("proxy.approved").await.len(), 2);
        assert_eq!(app.audit_entries("proxy.denied").await.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_enter_paper_forms_a_guardians_with_the_orders_end_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let desk = staff_session(&app, "desk").await;
        let ward = person(&app, "Ward", "1960-05-05").await;
        let guardian = person(&app, "Gina", "1975-05-05").await;
        let token = signed_in(&app, guardian).await;
        let (ward_mrn, guardian_mrn) = (mrn_of(&app, ward).await, mrn_of(&app, guardian).await);
        let enter = |ends: &'static str, verified: bool| {
            let (app, desk) = (&app, desk.clone());
            let (ward_mrn, guardian_mrn) = (ward_mrn.clone(), guardian_mrn.clone());
            async move {
                let mut fields = vec![
                    ("form[kind]", "legal-guardian"),
                    ("form[requester_record_number]", guardian_mrn.as_str()),
                    ("form[requester_date_of_birth]", "1975-05-05"),
                    ("form[subject_record_number]", ward_mrn.as_str()),
                    ("form[subject_date_of_birth]", "1960-05-05"),
                    ("form[order_ends_on]", ends),
                ];
                if verified {
                    fields.push(("identity_verified", "on"));
                }
                post(app, "/api/proxy-desk/paper-form", &fields, &desk).await
            }
        };
        assert_eq!(enter("2027-01-01", false).await.0, 422, "identity first");
        assert_eq!(
            enter("2026-01-01", true).await.0,
            422,
            "an order already ended"
        );
        let (status, body) = enter("2027-01-01", true).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert!(
            body.contains("Gina Test has legal guardian access to Ward Test"),
            "{body}"
        );
        assert!(can_open(&app, &token, ward).await);
        // The order's end is the grant's.
        let ward_token = signed_in(&app, ward).await;
        let (_, viewers) = get(&app, "/api/record/who-can-view", &ward_token).await;
        assert!(viewers.contains("\"2026-12-31\""), "{viewers}");
        // A patient cannot use the desk.
        let (status, _) = post(
            &app,
            "/api/proxy-desk/paper-form",
            &[("form[kind]", "parent")],
            &token,
        )
        .await;
        assert!(status == 400 || status == 401 || status == 403, "{status}");
        // Online, a guardian is sent to the desk with the order.
        let (status, body) = post(
            &app,
            "/api/proxy/request",
            &[
                ("kind", "legal-guardian"),
                ("medical_record_number", &ward_mrn),
                ("date_of_birth", "1960-05-05"),
            ],
            &token,
        )
        .await;
        assert_eq!(status, 422);
        assert!(body.contains("court order"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_numbers_and_dates_of_birth_cannot_be_guessed_for_long() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
    let child = person(&app, "Child", "2021-03-01").await;
    let mrn = mrn_of(&app, child).await;
    let guesser = person(&app, "Guess", "1980-01-01").await;
    let token = signed_in(&app, guesser).await;
    for day in 1..=5 {
        let dob = format!("2021-02-{day:02}");
        let (status, body) = post(
            &app,
            "/api/proxy/request",
            &[
                ("kind", "parent"),
                ("medical_record_number", &mrn),
                ("date_of_birth", &dob),
            ],
            &token,
        )
        .await;
        assert_eq!(status, 422);
        assert!(body.contains("could not find"), "{body}");
    }
    // The sixth try is refused before anything is looked up, even the right one.
    let (status, body) = post(
        &app,
        "/api/proxy/request",
        &[
            ("kind", "parent"),
            ("medical_record_number", &mrn),
            ("date_of_birth", "2021-03-01"),
        ],
        &token,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("try again tomorrow"), "{body}");
    // A day later it works, and the answer does not name the child.
    app.clock.advance(chrono::Duration::hours(25));
    let token = signed_in(&app, guesser).await;
    let (status, body) = post(
        &app,
        "/api/proxy/request",
        &[
            ("kind", "parent"),
            ("medical_record_number", &mrn),
            ("date_of_birth", "2021-03-01"),
        ],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, mine) = get(&app, "/api/proxy/requests", &token).await;
    assert!(!mine.contains("Child"), "{mine}");
    assert!(mine.contains("The patient born 1 March 2021"), "{mine}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adult_takes_back_their_agreement_before_the_desk_decides_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let desk = staff_session(&app, "desk").await;
        let (asker, owner) = (
            person(&app, "Eve", "1970-01-01").await,
            person(&app, "Fay", "1950-01-01").await,
        );
        let (asker_token, owner_token) =
            (signed_in(&app, asker).await, signed_in(&app, owner).await);
        let mrn = mrn_of(&app, owner).await;
        let ask = async || {
            post(
                &app,
                "/api/proxy/request",
                &[
                    ("kind", "adult-proxy"),
                    ("medical_record_number", &mrn),
                    ("date_of_birth", "1950-01-01"),
                ],
                &asker_token,
            )
            .await
        };
        assert_eq!(ask().await.0, 200);
        let (_, overview) = get(&app, "/api/proxy/requests", &owner_token).await;
        let overview: serde_json::Value = serde_json::from_str(&overview).unwrap();
        let request = overview["to_answer"][0]["id"].as_i64().unwrap().to_string();
        let answer = |agree: &'static str| {
            let (app, token, request) = (&app, owner_token.clone(), request.clone());
            async move {
                post(
                    app,
                    "/api/proxy/answer",
                    &[("request", &request), ("agree", agree)],
                    &token,
                )
                .await
                .0
            }
        };
        assert_eq!(answer("yes").await, 200);
        assert_eq!(queue(&app, &desk).await.len(), 1);
        let (_, overview) = get(&app, "/api/proxy/requests", &owner_token).await;
        assert!(overview.contains("\"agreed\":true"), "{overview}");
        // Taken back: off the queue, and the asker waits 30 days to ask again.
        assert_eq!(answer("no").await, 200);
        assert!(queue(&app, &desk).await.is_empty(), "{backend:?}");
        assert_eq!(answer("no").await, 404, "nothing left to answer");
        let (status, body) = ask().await;
        assert_eq!(status, 422);
        assert!(
            body.contains("You can ask again from 15 July 2026"),
            "{body}"
        );
        // A court-ordered guardianship waiting at the desk is not the ward's to refuse.
        let pat = app.demo_person("Pat").await;
        let pat_token = signed_in(&app, pat).await;
        let (_, overview) = get(&app, "/api/proxy/requests", &pat_token).await;
        assert!(overview.contains("\"to_answer\":[]"), "{overview}");
        let omar_request = queue_all(&app, &desk).await;
        let guardian = omar_request
            .iter()
            .find(|r| r["requester_name"] == "Omar Haddad")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let (status, _) = post(
            &app,
            "/api/proxy/answer",
            &[("request", &guardian), ("agree", "no")],
            &pat_token,
        )
        .await;
        assert_eq!(status, 404);
    }
}

async fn queue_all(app: &TestApp, desk: &str) -> Vec<serde_json::Value> {
    let (status, body) = get(app, "/api/proxy-desk/queue", desk).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}
