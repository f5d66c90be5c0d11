//! Immunizations, health reminders, the health summary as a FHIR document (P8), and reports of
//! incorrect information (C4) through the real router: what each viewer sees, what the
//! document holds (only what the viewer may see: released results only), and a report's way
//! from the patient to the staff's answer and back.

use crate::access::signed_in;
use crate::appointments::{get_json, post};
use crate::helpers::{BACKENDS, Backend, spawn_app};
use crate::staff::staff_session;
use app::db::entities::immunization;
use app::domain::clock::Clock;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p5_a_parent_of_a_14_year_old_reads_immunizations_and_reminders_but_not_the_summary() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let maria = app.demo_person("Maria").await;
    let lily = app.demo_person("Lily").await;
    let token = signed_in(&app, maria).await;
    let (status, list) = get_json(
        &app,
        &format!("/api/record/immunizations?subject={lily}"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let vaccines: Vec<&str> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["vaccine"].as_str().unwrap())
        .collect();
    assert!(
        vaccines.contains(&"Tdap") && vaccines.contains(&"MMR"),
        "{vaccines:?}"
    );
    let (status, reminders) = get_json(
        &app,
        &format!("/api/record/health-reminders?subject={lily}"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(reminders["rows"].as_array().unwrap().len() >= 2);
    for area in [
        "health-summary",
        "health-summary/fhir",
        "reports",
        "results",
    ] {
        let (status, _) =
            get_json(&app, &format!("/api/record/{area}?subject={lily}"), &token).await;
        assert_eq!(status, 404, "{area}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p8_the_summary_document_holds_only_what_the_viewer_may_see() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let token = signed_in(&app, alex).await;
    let (status, bundle) = get_json(&app, "/api/record/health-summary/fhir", &token).await;
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "document");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries[0]["resource"]["resourceType"], "Composition");
    let count = |kind: &str| {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .count()
    };
    assert_eq!(count("Patient"), 1);
    assert_eq!(count("AllergyIntolerance"), 2);
    assert_eq!(count("MedicationStatement"), 2);
    assert_eq!(count("Condition"), 2);
    assert_eq!(count("Immunization"), 3);
    assert!(count("Observation") > 0);
    let text = bundle.to_string();
    // Not released: yesterday's panel (glucose 121) and the X-ray waiting for the provider.
    assert!(
        !text.contains("Two views of the chest"),
        "the X-ray is not released"
    );
    assert!(
        !text.contains("\"value\":121"),
        "yesterday's panel is not released"
    );
    assert!(text.contains("Rivera") && text.contains("RB100001"));
    // Each download is a document of its own.
    let (_, again) = get_json(&app, "/api/record/health-summary/fhir", &token).await;
    assert_ne!(again["identifier"], bundle["identifier"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c4_reports_sent_together_cannot_pass_the_daily_limit_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let alex = app.demo_person("Alex").await;
        let token = signed_in(&app, alex).await;
        let mine = immunization::Entity::find()
            .filter(immunization::Column::PersonId.eq(alex))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let sending = (0..26).map(|i| {
            let note = format!("Wrong date, note {i}");
            let (app, token, mine) = (&app, &token, &mine);
            async move {
                post(
                    app,
                    "/api/record/reports/new",
                    &[("kind", "immunization"), ("item", mine), ("note", &note)],
                    token,
                )
                .await
            }
        });
        let answers = futures::future::join_all(sending).await;
        let sent = answers.iter().filter(|(status, _)| *status == 200).count();
        let refused: Vec<_> = answers
            .iter()
            .filter(|(status, _)| *status != 200)
            .collect();
        assert_eq!(sent, 20, "{backend:?}: twenty a day");
        assert!(
            refused
                .iter()
                .all(|(status, body)| *status == 422 && body.contains("many reports today")),
            "{backend:?}: {refused:?}"
        );
        let (_, list) = get_json(&app, "/api/record/reports", &token).await;
        assert_eq!(list["rows"].as_array().unwrap().len(), 20, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c4_a_report_goes_to_the_clinic_and_its_answer_comes_back_on_both_databases() {
    for backend in BACKENDS {
        report_and_answer(backend).await;
    }
}

async fn report_and_answer(backend: Backend) {
    let app = spawn_app(backend).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let walter = app.demo_person("Walter").await;
    let token = signed_in(&app, alex).await;
    let mine = immunization::Entity::find()
        .filter(immunization::Column::PersonId.eq(alex))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let walters = immunization::Entity::find()
        .filter(immunization::Column::PersonId.eq(walter))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    // The page names the item the report is about.
    let (status, page) = get_json(
        &app,
        &format!("/api/record/reports?kind=immunization&item={}", mine.id),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page["about"]
            .as_str()
            .unwrap()
            .starts_with("Immunization: ")
    );
    // Someone else's item answers like one that does not exist; an empty note is refused.
    let (status, _) = post(
        &app,
        "/api/record/reports/new",
        &[
            ("kind", "immunization"),
            ("item", &walters.id.to_string()),
            ("note", "Wrong"),
        ],
        &token,
    )
    .await;
    assert_eq!(status, 404, "{backend:?}");
    let (status, body) = post(
        &app,
        "/api/record/reports/new",
        &[
            ("kind", "immunization"),
            ("item", &mine.id.to_string()),
            ("note", "  "),
        ],
        &token,
    )
    .await;
    assert_eq!((status, body.contains("Say what is wrong")), (422, true));
    // A NUL (which PostgreSQL's text refuses) is refused with a message, not a failure.
    let (status, _) = post(
        &app,
        "/api/record/reports/new",
        &[
            ("kind", "immunization"),
            ("item", &mine.id.to_string()),
            ("note", "bad\u{0}note"),
        ],
        &token,
    )
    .await;
    assert_eq!(status, 422, "{backend:?}");
    let (status, body) = post(
        &app,
        "/api/record/reports/new",
        &[
            ("kind", "immunization"),
            ("item", &mine.id.to_string()),
            ("note", "I had this vaccine a month later."),
        ],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = get_json(&app, "/api/record/reports", &token).await;
    let row = &page["rows"][0];
    assert_eq!(row["status"], "Waiting for the clinic");
    assert_eq!(row["answer"], serde_json::Value::Null);

    // A clinician sees it and answers it once (the front desk does not); the patient is emailed
    // and reads the answer.
    let front = staff_session(&app, "desk").await;
    let (status, _) = get_json(&app, "/api/reports-desk/queue", &front).await;
    assert_eq!(status, 403);
    let desk = staff_session(&app, "clinician").await;
    let (status, queue) = get_json(&app, "/api/reports-desk/queue", &desk).await;
    assert_eq!(status, 200, "{queue}");
    let report = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record_number"] == "RB100001")
        .expect("the report waits for staff");
    let report_id = report["id"].clone();
    let id = report_id.to_string();
    let (status, _) = post(
        &app,
        "/api/reports-desk/answer",
        &[("id", &id), ("answer", " ")],
        &desk,
    )
    .await;
    assert_eq!(status, 422);
    let answer = "Thank you: the date is corrected.";
    let (status, body) = post(
        &app,
        "/api/reports-desk/answer",
        &[("id", &id), ("answer", answer)],
        &desk,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post(
        &app,
        "/api/reports-desk/answer",
        &[("id", &id), ("answer", answer)],
        &desk,
    )
    .await;
    assert_eq!(status, 422, "answered once");
    let (_, page) = get_json(&app, "/api/record/reports", &token).await;
    let row = &page["rows"][0];
    assert!(row["status"].as_str().unwrap().starts_with("Answered on"));
    assert_eq!(row["answer"], answer);
    let (_, queue) = get_json(&app, "/api/reports-desk/queue", &desk).await;
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != report_id)
    );
    let mails = app::db::outbox::claim_due(&app.state.db, &app.state.vault, app.clock.now(), 50)
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "{backend:?}");
    assert_eq!(mails[0].mail.to, "alex.rivera@example.org");
    assert!(!mails[0].mail.body.contains("vaccine") && !mails[0].mail.body.contains("corrected"));
}

/// C6: a patient who turns off appointment emails gets none for a booking, and still gets the
/// others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c6_a_patient_chooses_which_emails_they_get() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let token = signed_in(&app, alex).await;
    let (status, body) = post(
        &app,
        "/api/record/personal-information/emails",
        &[("results", "true"), ("reports", "true")],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, details) = get_json(&app, "/api/record/personal-information", &token).await;
    assert_eq!(details["email_choices"]["appointments"], false);
    assert_eq!(details["email_choices"]["results"], true);
    let (_, options) = get_json(&app, "/api/record/appointments/options", &token).await;
    let flu = options["visit_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Flu shot")
        .unwrap()["id"]
        .to_string();
    let (_, options) = get_json(
        &app,
        &format!("/api/record/appointments/options?visit_type={flu}"),
        &token,
    )
    .await;
    let slot = options["days"][0]["times"][0]["slot"].to_string();
    let (status, _) = post(
        &app,
        "/api/record/appointments/book",
        &[("slot", &slot)],
        &token,
    )
    .await;
    assert_eq!(status, 200);
    let queued = || async {
        app::db::outbox::claim_due(&app.state.db, &app.state.vault, app.clock.now(), 50)
            .await
            .unwrap()
            .len()
    };
    assert_eq!(queued().await, 0, "no appointment email");
    let clinician = staff_session(&app, "clinician").await;
    let (_, queue) = get_json(&app, "/api/results-desk/pending", &clinician).await;
    let xray = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record_number"] == "RB100001" && r["test"] == "Chest X-ray")
        .unwrap()["id"]
        .to_string();
    let (status, _) = post(
        &app,
        "/api/results-desk/release",
        &[("id", &xray)],
        &clinician,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        app::api::results::notify_released(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(queued().await, 1, "the result email still goes");
}
