//! Test results (issue 15, C3, C6, C8) through the real router on both databases: the release
//! instant to the minute in the organization's zone (across a daylight-saving change), results
//! only a provider releases and the clinicians' queue, a patient who waits for their clinician,
//! one component's history, and emails that say only that something is new.

use crate::access::{person, signed_in};
use crate::appointments::{get_json, post};
use crate::helpers::{BACKENDS, Backend, TestApp, spawn_app};
use crate::staff::staff_session;
use app::db::entities::{access_entry, test_type};
use app::db::results::{NewComponent, NewResult, record_result};
use app::domain::clock::Clock;
use app::domain::results::{ReleaseRule, automatic_release_at};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn glucose(value: f64) -> NewComponent {
    NewComponent {
        code: "glucose".into(),
        name: "Glucose".into(),
        value_number: Some(value),
        value_text: None,
        unit: Some("mg/dL".into()),
        range_low: Some(70.0),
        range_high: Some(99.0),
        range_text: None,
        flag: (value > 99.0).then(|| "high".to_owned()),
    }
}

/// Records a result of `person` under the type's rule with the policy's 4 days: its id and
/// automatic release.
async fn result_for(
    app: &TestApp,
    person_id: i32,
    rule: ReleaseRule,
    resulted_at: DateTime<Utc>,
    value: f64,
) -> (i32, Option<DateTime<Utc>>) {
    let org = app.state.site.organization_id;
    let name = match rule {
        ReleaseRule::Automatic => "Automatic test",
        ReleaseRule::ByProvider => "Provider test",
    };
    let test = match test_type::Entity::find()
        .filter(test_type::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
    {
        Some(t) => t,
        None => app::db::results::create_test_type(&app.state.db, org, name, rule)
            .await
            .unwrap(),
    };
    let release = automatic_release_at(rule, resulted_at, 4, app.state.site.time_zone);
    let made = record_result(
        &app.state.db,
        NewResult {
            organization_id: org,
            person_id,
            test_type_id: test.id,
            ordered_by: "Dr. Test".into(),
            collected_at: resulted_at - Duration::hours(4),
            resulted_at,
            automatic_release_at: release,
            notified_at: None,
            components: vec![glucose(value)],
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    (made.id, release)
}

/// The ids of the results the list shows.
/// The address of `person`'s glucose history, through their first glucose value.
async fn glucose_history(app: &TestApp, person_id: i32) -> String {
    use app::db::entities::result_component;
    let first = result_component::Entity::find()
        .filter(result_component::Column::PersonId.eq(person_id))
        .filter(result_component::Column::Code.eq("glucose"))
        .order_by_asc(result_component::Column::Id)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("a glucose value");
    format!("/api/record/results/trend?component={}", first.id)
}

async fn listed(app: &TestApp, token: &str) -> Vec<i64> {
    let (status, list) = get_json(app, "/api/record/results", token).await;
    assert_eq!(status, 200, "{list}");
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_a_result_is_hidden_a_minute_before_its_release_instant_and_shown_at_it_on_both_databases()
 {
    for backend in BACKENDS {
        release_boundary(backend).await;
    }
}

async fn release_boundary(backend: Backend) {
    let app = spawn_app(backend).await;
    let patient = person(&app, "Patient", "1970-01-01").await;
    // Friday 6 March 2026, 10:00 in Chicago (CST); the clocks go forward on the Sunday.
    let resulted = instant("2026-03-06T16:00:00Z");
    app.clock.set(resulted);
    let (id, release) = result_for(&app, patient, ReleaseRule::Automatic, resulted, 104.0).await;
    // Tuesday 10 March, 10:00 CDT: four local days, 95 hours.
    let release = release.unwrap();
    assert_eq!(release, instant("2026-03-10T15:00:00Z"));

    app.clock.set(release - Duration::minutes(1));
    let token = signed_in(&app, patient).await;
    assert!(listed(&app, &token).await.is_empty(), "{backend:?}");
    let (status, _) = get_json(&app, &format!("/api/record/results/result?id={id}"), &token).await;
    assert_eq!(status, 404, "not yet released answers like nothing there");
    let (status, _) = get_json(&app, &glucose_history(&app, patient).await, &token).await;
    assert_eq!(status, 404);

    app.clock.set(release);
    let token = signed_in(&app, patient).await;
    assert_eq!(listed(&app, &token).await, [i64::from(id)], "{backend:?}");
    let (status, shown) =
        get_json(&app, &format!("/api/record/results/result?id={id}"), &token).await;
    assert_eq!(status, 200, "{shown}");
    let component = &shown["components"][0];
    assert_eq!(component["value"], "104 mg/dL");
    assert_eq!(component["range"], "70 to 99 mg/dL");
    assert_eq!(component["flag"], "High");
    // Someone else's result answers like one that does not exist.
    let other = person(&app, "Other", "1971-01-01").await;
    let other_token = signed_in(&app, other).await;
    let (status, _) = get_json(
        &app,
        &format!("/api/record/results/result?id={id}"),
        &other_token,
    )
    .await;
    assert_eq!(status, 404);
    let history = glucose_history(&app, patient).await;
    let (status, _) = get_json(&app, &history, &token).await;
    assert_eq!(status, 200, "{backend:?}");
    let (status, _) = get_json(&app, &history, &other_token).await;
    assert_eq!(status, 404, "someone else's history answers like none");
}

async fn results_version(app: &TestApp, person_id: i32) -> i64 {
    app::db::entities::patient::Entity::find()
        .filter(app::db::entities::patient::Column::PersonId.eq(person_id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .results_version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_a_result_not_yet_shown_changes_nothing_a_patient_can_notice_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let patient = person(&app, "Patient", "1970-01-01").await;
        let now = app.clock.now();
        result_for(
            &app,
            patient,
            ReleaseRule::Automatic,
            now - Duration::days(30),
            90.0,
        )
        .await;
        let before = results_version(&app, patient).await;
        let token = signed_in(&app, patient).await;
        let history = glucose_history(&app, patient).await;
        let (_, trend) = get_json(&app, &history, &token).await;
        assert_eq!(trend["count"], 1, "{backend:?} {trend}");
        // Recorded now: one released automatically in four days, one only by a provider. The
        // kept history is not even worked out again (its speed would tell).
        let (_, release) = result_for(&app, patient, ReleaseRule::Automatic, now, 150.0).await;
        result_for(&app, patient, ReleaseRule::ByProvider, now, 160.0).await;
        assert_eq!(results_version(&app, patient).await, before, "{backend:?}");
        let (_, trend) = get_json(&app, &history, &token).await;
        assert_eq!(trend["count"], 1, "{backend:?}");
        // At its release instant, with nothing written, the history holds it.
        app.clock.set(release.unwrap());
        let token = signed_in(&app, patient).await;
        let (_, trend) = get_json(&app, &history, &token).await;
        assert_eq!(trend["count"], 2, "{backend:?} {trend}");
        // A result shown as soon as it is recorded moves the version, and is in the history.
        result_for(
            &app,
            patient,
            ReleaseRule::Automatic,
            release.unwrap() - Duration::days(10),
            95.0,
        )
        .await;
        assert_ne!(results_version(&app, patient).await, before, "{backend:?}");
        let (_, trend) = get_json(&app, &history, &token).await;
        assert_eq!(trend["count"], 3, "{backend:?} {trend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_provider_results_wait_for_a_clinician_who_releases_them_on_both_databases() {
    for backend in BACKENDS {
        provider_release(backend).await;
    }
}

async fn provider_release(backend: Backend) {
    let app = spawn_app(backend).await.with_demo().await;
    let patient = person(&app, "Patient", "1970-01-01").await;
    {
        use sea_orm::{ActiveModelTrait, Set};
        let mut row: app::db::entities::person::ActiveModel =
            app::db::entities::person::Entity::find_by_id(patient)
                .one(&app.state.db)
                .await
                .unwrap()
                .unwrap()
                .into();
        row.email = Set(Some("patient@example.org".into()));
        row.update(&app.state.db).await.unwrap();
    }
    let now = app.clock.now();
    // Released long ago: the history is reached through it.
    let (earlier, _) = result_for(
        &app,
        patient,
        ReleaseRule::Automatic,
        now - Duration::days(60),
        95.0,
    )
    .await;
    let (id, release) = result_for(
        &app,
        patient,
        ReleaseRule::ByProvider,
        now - Duration::days(30),
        88.0,
    )
    .await;
    assert_eq!(release, None);
    let token = signed_in(&app, patient).await;
    assert_eq!(
        listed(&app, &token).await,
        [i64::from(earlier)],
        "a month on, still waiting"
    );
    let (_, trend) = get_json(&app, &glucose_history(&app, patient).await, &token).await;
    assert_eq!(trend["count"], 1, "{backend:?} {trend}");

    // The front desk and administrators do not release results; a clinician does, once.
    for role in ["desk", "admin"] {
        let staff = staff_session(&app, role).await;
        let (status, _) = get_json(&app, "/api/results-desk/pending", &staff).await;
        assert_eq!(status, 403, "{role}");
    }
    let clinician = staff_session(&app, "clinician").await;
    let (status, queue) = get_json(&app, "/api/results-desk/pending", &clinician).await;
    assert_eq!(status, 200, "{queue}");
    let row = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .expect("the result waits in the queue");
    assert_eq!(row["release"], "Shown to the patient only when released");
    let id_text = id.to_string();
    let (status, body) = post(
        &app,
        "/api/results-desk/release",
        &[("id", &id_text)],
        &clinician,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        &app,
        "/api/results-desk/release",
        &[("id", &id_text)],
        &clinician,
    )
    .await;
    assert_eq!(
        (status, body.contains("already been released")),
        (422, true)
    );
    assert_eq!(
        listed(&app, &token).await,
        [i64::from(id), i64::from(earlier)]
    );
    // The history read before the release holds the released value now.
    let (_, trend) = get_json(&app, &glucose_history(&app, patient).await, &token).await;
    assert_eq!(trend["count"], 2, "{backend:?} {trend}");
    assert_eq!(trend["rows"][0]["value"], "88 mg/dL");
    let (_, queue) = get_json(&app, "/api/results-desk/pending", &clinician).await;
    assert!(!queue.as_array().unwrap().iter().any(|r| r["id"] == id));

    // The patient reads who released it in their access log.
    let logged = access_entry::Entity::find()
        .filter(access_entry::Column::SubjectPersonId.eq(patient))
        .filter(access_entry::Column::Area.eq("results-desk"))
        .all(&app.state.db)
        .await
        .unwrap();
    // Listed in the queue (viewed, twice) and released (changed).
    assert_eq!(logged.iter().filter(|e| e.action == "changed").count(), 1);
    assert!(logged.iter().any(|e| e.action == "viewed"));
    assert!(logged.iter().all(|e| e.acting_as == "staff:clinician"));

    // C6: one email, once, whichever worker round gets there.
    assert_eq!(
        app::api::results::notify_released(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app::api::results::notify_released(&app.state)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_a_patient_who_waits_for_their_clinician_sees_only_released_results() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let patient = person(&app, "Patient", "1970-01-01").await;
    let now = app.clock.now();
    let (automatic, _) = result_for(
        &app,
        patient,
        ReleaseRule::Automatic,
        now - Duration::days(10),
        90.0,
    )
    .await;
    let token = signed_in(&app, patient).await;
    assert_eq!(listed(&app, &token).await, [i64::from(automatic)]);
    let (status, body) = post(
        &app,
        "/api/record/results/wait",
        &[("wait", "true")],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(listed(&app, &token).await.is_empty());
    let (_, list) = get_json(&app, "/api/record/results", &token).await;
    assert_eq!(list["waits_for_clinician"], true);
    // For a patient who waits, a result past its automatic release waits in the queue too.
    let clinician = staff_session(&app, "clinician").await;
    let (_, queue) = get_json(&app, "/api/results-desk/pending", &clinician).await;
    let row = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == automatic)
        .expect("in the queue");
    assert!(
        row["release"]
            .as_str()
            .unwrap()
            .contains("they wait for their clinician")
    );
    let (status, body) = post(
        &app,
        "/api/results-desk/release",
        &[("id", &automatic.to_string())],
        &clinician,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(listed(&app, &token).await, [i64::from(automatic)]);
    let (status, _) = post(
        &app,
        "/api/record/results/wait",
        &[("wait", "false")],
        &token,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_history_of_a_component_holds_every_released_value_oldest_first() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let token = signed_in(&app, alex).await;
    let (status, trend) = get_json(&app, &glucose_history(&app, alex).await, &token).await;
    assert_eq!(status, 200, "{trend}");
    let rows = trend["rows"].as_array().unwrap();
    // Ten draws released; yesterday's waits for its automatic release.
    assert_eq!(rows.len(), 10, "{trend}");
    assert_eq!(trend["range"], "70 to 99 mg/dL");
    let chart = &trend["chart"];
    assert_eq!(chart["dots"].as_array().unwrap().len(), 10);
    assert!(chart["band"].is_array());
    // The X-ray waits for the provider, yesterday's panel for its release: neither is listed.
    let (_, list) = get_json(&app, "/api/record/results", &token).await;
    let tests: Vec<&str> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["test"].as_str().unwrap())
        .collect();
    assert!(!tests.contains(&"Chest X-ray"));
    // Ten panels, ten A1c, five lipid panels: one full page.
    assert_eq!(tests.len(), 25);
    assert_eq!(list["more"], false);
    // Four days after it was in (it came at 14:00 yesterday), the panel is there.
    app.clock.advance(Duration::days(3) + Duration::hours(4));
    let token = signed_in(&app, alex).await;
    let (_, trend) = get_json(&app, &glucose_history(&app, alex).await, &token).await;
    assert_eq!(trend["rows"].as_array().unwrap().len(), 11);
    assert_eq!(
        trend["count"], 11,
        "the release instant passed: the chart holds it too"
    );
    assert_eq!(trend["chart"]["dots"].as_array().unwrap().len(), 11);
    let (_, list) = get_json(&app, "/api/record/results", &token).await;
    assert_eq!(list["more"], true, "the 26th result is on the second page");
    let (_, second) = get_json(&app, "/api/record/results?page=1", &token).await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 1);
    // A result recorded since the last read is in the next one.
    let now = app.clock.now();
    result_for(
        &app,
        alex,
        ReleaseRule::Automatic,
        now - Duration::days(5),
        300.0,
    )
    .await;
    let (_, trend) = get_json(&app, &glucose_history(&app, alex).await, &token).await;
    assert_eq!(trend["count"], 12, "{trend}");
    assert!(
        trend["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["value"] == "300 mg/dL"),
        "{trend}"
    );
    assert_eq!(trend["chart"]["dots"].as_array().unwrap().len(), 12);
    // A second page of the table: the values after the newest 50.
    for day in 0..45 {
        result_for(
            &app,
            alex,
            ReleaseRule::Automatic,
            now - Duration::days(400 + day),
            100.0,
        )
        .await;
    }
    let history = glucose_history(&app, alex).await;
    let (_, first) = get_json(&app, &history, &token).await;
    assert_eq!(
        (first["count"].as_u64(), first["more"].as_bool()),
        (Some(57), Some(true))
    );
    let (_, second) = get_json(&app, &format!("{history}&page=1"), &token).await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 7, "{second}");
    assert_eq!(second["more"], false);
    assert!(second["chart"]["line"].as_str().unwrap().contains(','));
}

/// C6: a test reads every email the record's news queues (booked and cancelled appointments,
/// released results) and fails on any health word from the demo data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c6_no_email_holds_a_health_word_from_the_demo() {
    use app::db::entities::{provider, result_component, visit_type};
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let token = signed_in(&app, alex).await;
    // An appointment booked and cancelled.
    let physical = visit_type::Entity::find()
        .filter(visit_type::Column::Name.eq("Annual physical"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let (_, options) = get_json(
        &app,
        &format!(
            "/api/record/appointments/options?visit_type={}",
            physical.id
        ),
        &token,
    )
    .await;
    let slot = options["days"].as_array().unwrap().last().unwrap()["times"][0]["slot"]
        .as_i64()
        .unwrap()
        .to_string();
    let (status, booked) = post(
        &app,
        "/api/record/appointments/book",
        &[("slot", &slot)],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{booked}");
    let booked: Value = serde_json::from_str(&booked).unwrap();
    let (status, _) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &booked["id"].to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 200);
    // The X-ray released, and the panel's automatic release three days on.
    let clinician = staff_session(&app, "clinician").await;
    let (_, queue) = get_json(&app, "/api/results-desk/pending", &clinician).await;
    for row in queue.as_array().unwrap() {
        let (status, _) = post(
            &app,
            "/api/results-desk/release",
            &[("id", &row["id"].to_string())],
            &clinician,
        )
        .await;
        assert_eq!(status, 200);
    }
    assert!(
        app::api::results::notify_released(&app.state)
            .await
            .unwrap()
            >= 1
    );

    let mut forbidden: Vec<String> = Vec::new();
    let db = &app.state.db;
    forbidden.extend(
        visit_type::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name),
    );
    forbidden.extend(
        test_type::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name),
    );
    forbidden.extend(
        provider::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name),
    );
    forbidden.extend(
        result_component::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .flat_map(|c| [c.name, c.code].into_iter().chain(c.value_text)),
    );
    forbidden.extend(
        [
            "Alex",
            "Rivera",
            "Walter",
            "mg/dL",
            "Glucose",
            "result",
            "appointment",
        ]
        .map(String::from),
    );
    forbidden.sort();
    forbidden.dedup();
    let mails = app::db::outbox::claim_due(db, &app.state.vault, app.clock.now(), 500)
        .await
        .unwrap();
    assert!(
        mails.len() >= 3,
        "booked, cancelled, released: {}",
        mails.len()
    );
    for mail in mails {
        let text = format!("{}\n{}", mail.mail.subject, mail.mail.body);
        for word in &forbidden {
            assert!(
                !text.to_lowercase().contains(&word.to_lowercase()),
                "{word:?} in {text}"
            );
        }
        assert!(text.contains("junk mail"));
    }
}
