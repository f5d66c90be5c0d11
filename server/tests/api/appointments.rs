//! Appointments (issue 15, C1, C2, C6, P4, P5) through the real router on both databases:
//! booking what may be booked online and refusing the rest with the clinic's number, two
//! people taking one time at once, cancelling only where and until the appointment allows it,
//! a parent of a teenager booking for them, and the emails that say only that something is new.

use crate::access::{person, signed_in};
use crate::helpers::{BACKENDS, Backend, TestApp, spawn_app};
use app::db::entities::{appointment, mail_message, slot, visit_type};
use app::domain::clock::Clock;
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

/// GETs a server function as a signed-in caller: status and JSON answer.
pub async fn get_json(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let request = http::Request::get(path)
        .header("accept", "application/json")
        .header("cookie", format!("__Host-portal_session={token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.send(request).await;
    let status = response.status().as_u16();
    let text = crate::helpers::body_text(response.into_body()).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// POSTs a form to a server function as a signed-in caller: status and body.
pub async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    token: &str,
) -> (u16, String) {
    let (status, _, body) = app.post_form(path, fields, Some(token)).await;
    (status.as_u16(), body)
}

async fn visit_type_named(app: &TestApp, name: &str) -> visit_type::Model {
    visit_type::Entity::find()
        .filter(visit_type::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// The open times the booking page offers for `type_name`, soonest first.
async fn offered_times(
    app: &TestApp,
    token: &str,
    subject: Option<i32>,
    type_name: &str,
) -> Vec<i64> {
    let t = visit_type_named(app, type_name).await;
    let for_ = subject.map(|s| format!("&subject={s}")).unwrap_or_default();
    let (status, options) = get_json(
        app,
        &format!("/api/record/appointments/options?visit_type={}{for_}", t.id),
        token,
    )
    .await;
    assert_eq!(status, 200, "{options}");
    options["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["times"].as_array().unwrap().iter())
        .map(|t| t["slot"].as_i64().unwrap())
        .collect()
}

async fn booked_in(app: &TestApp, slot_id: i64) -> Vec<appointment::Model> {
    appointment::Entity::find()
        .filter(appointment::Column::SlotId.eq(slot_id as i32))
        .filter(appointment::Column::Status.eq("booked"))
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn mail_count(app: &TestApp) -> u64 {
    mail_message::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_and_cancelling_follow_c1_and_c2_on_both_databases() {
    for backend in BACKENDS {
        booking_and_cancelling(backend).await;
    }
}

async fn booking_and_cancelling(backend: Backend) {
    let app = spawn_app(backend).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let token = signed_in(&app, alex).await;

    // The demo's two upcoming visits: one to cancel online, one only the clinic cancels (C2).
    let (status, list) = get_json(&app, "/api/record/appointments", &token).await;
    assert_eq!(status, 200, "{list}");
    let upcoming = list["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), 2, "{list}");
    assert!(upcoming[0]["cancel"]["Online"].is_object(), "{list}");
    let by_clinic = &upcoming[1];
    let call = by_clinic["cancel"]["CallTheClinic"].as_str().unwrap();
    assert!(call.contains("cannot be cancelled online") && call.contains("608-555-0100"));
    assert_eq!(list["past"].as_array().unwrap().len(), 2);

    // What the booking page offers: every visit type, the ones booked by the clinic with why.
    let (_, options) = get_json(&app, "/api/record/appointments/options", &token).await;
    let types = options["visit_types"].as_array().unwrap();
    let not_online: Vec<&str> = types
        .iter()
        .filter(|t| t["not_online"].is_string())
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(not_online, ["Care team visit", "Procedure consultation"]);
    assert!(options["days"].as_array().unwrap().is_empty());

    let physicals = offered_times(&app, &token, None, "Annual physical").await;
    assert!(physicals.len() > 20, "four weeks of times");
    // Three a day from tomorrow: the third day's first is past neither its 48-hour notice.
    let chosen = physicals[6];
    let first = chosen.to_string();

    // C1: a visit for two people at once, or with two caregivers, is refused with the number.
    for question in ["several_people", "several_caregivers"] {
        let (status, body) = post(
            &app,
            "/api/record/appointments/book",
            &[("slot", &first), (question, "true")],
            &token,
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("608-555-0100"), "{body}");
    }
    // A time of a visit type the clinic books itself is refused by the server too.
    let consult = visit_type_named(&app, "Procedure consultation").await;
    let provider = app::db::entities::provider::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let clinic_only = app::db::scheduling::create_time(
        &app.state.db,
        &provider,
        &consult,
        app.clock.now() + Duration::days(3),
    )
    .await
    .unwrap();
    let (status, body) = post(
        &app,
        "/api/record/appointments/book",
        &[("slot", &clinic_only.id.to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("cannot be booked online") && body.contains("608-555-0100"));
    assert!(booked_in(&app, i64::from(clinic_only.id)).await.is_empty());
    // No time chosen, and a time that does not exist.
    let (status, body) = post(&app, "/api/record/appointments/book", &[], &token).await;
    assert_eq!(
        (status, body.contains("Choose a time")),
        (422, true),
        "{body}"
    );
    let (status, _) = post(
        &app,
        "/api/record/appointments/book",
        &[("slot", "999999")],
        &token,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(mail_count(&app).await, 0, "nothing booked, nothing sent");

    // Booking: the time is taken, the appointment listed, an email queued (C6).
    let (status, body) = post(
        &app,
        "/api/record/appointments/book",
        &[("slot", &first)],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Annual physical"), "{body}");
    assert_eq!(booked_in(&app, chosen).await.len(), 1);
    let taken = slot::Entity::find_by_id(chosen as i32)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(taken.taken);
    assert!(
        !offered_times(&app, &token, None, "Annual physical")
            .await
            .contains(&chosen)
    );
    assert_eq!(mail_count(&app).await, 1);
    let (_, list) = get_json(&app, "/api/record/appointments", &token).await;
    assert_eq!(list["upcoming"].as_array().unwrap().len(), 3);
    // A second one of the same kind waits until the first is cancelled.
    let (status, body) = post(
        &app,
        "/api/record/appointments/book",
        &[("slot", &physicals[7].to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("already have this kind of visit"), "{body}");

    // Someone else's appointment answers like one that does not exist.
    let walter = app.demo_person("Walter").await;
    let walters = appointment::Entity::find()
        .filter(appointment::Column::PersonId.eq(walter))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let (status, _) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &walters.id.to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 404);

    // C2: the one the clinic cancels is refused by the server, and stays booked.
    let clinic_id = by_clinic["id"].as_i64().unwrap().to_string();
    let (status, body) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &clinic_id)],
        &token,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("cannot be cancelled online"), "{body}");

    // Cancelling the new one frees the time and sends an email.
    let mine = booked_in(&app, chosen).await.remove(0);
    let (status, body) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &mine.id.to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(booked_in(&app, chosen).await.is_empty());
    assert!(
        offered_times(&app, &token, None, "Annual physical")
            .await
            .contains(&chosen)
    );
    assert_eq!(mail_count(&app).await, 2);
    let (status, body) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &mine.id.to_string())],
        &token,
    )
    .await;
    assert_eq!((status, body.contains("already cancelled")), (422, true));

    // The deadline of the demo's office visit (24 hours before it): to the second.
    let office_id = upcoming[0]["id"].as_i64().unwrap();
    let office = appointment::Entity::find_by_id(office_id as i32)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let deadline = office.cancel_until.unwrap();
    assert_eq!(deadline, office.starts_at - Duration::hours(24));
    app.clock.set(deadline + Duration::seconds(1));
    // Days later: a new session.
    let token = signed_in(&app, alex).await;
    let (_, list) = get_json(&app, "/api/record/appointments", &token).await;
    let shown = &list["upcoming"].as_array().unwrap()[0];
    assert!(
        shown["cancel"]["CallTheClinic"]
            .as_str()
            .unwrap()
            .contains("could be cancelled online until")
    );
    let (status, body) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &office_id.to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("too late to cancel online"), "{body}");
    app.clock.set(deadline);
    let token = signed_in(&app, alex).await;
    let (status, body) = post(
        &app,
        "/api/record/appointments/cancel",
        &[("appointment", &office_id.to_string())],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The access log names each change and each look.
    let entries = app::db::entities::access_entry::Entity::find()
        .filter(app::db::entities::access_entry::Column::SubjectPersonId.eq(alex))
        .filter(app::db::entities::access_entry::Column::Area.eq("appointments"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(entries.iter().filter(|e| e.action == "changed").count() >= 3);
    assert!(entries.iter().any(|e| e.action == "viewed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c1_no_one_books_two_appointments_at_the_same_time_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let alex = app.demo_person("Alex").await;
        let token = signed_in(&app, alex).await;
        let physicals = offered_times(&app, &token, None, "Annual physical").await;
        let chosen = physicals[6];
        let (status, body) = post(
            &app,
            "/api/record/appointments/book",
            &[("slot", &chosen.to_string())],
            &token,
        )
        .await;
        assert_eq!(status, 200, "{backend:?} {body}");
        // Another kind of visit bookable online, with another provider, half-way through it.
        let (_, options) = get_json(&app, "/api/record/appointments/options", &token).await;
        let other_kind = options["visit_types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["not_online"].is_null() && t["name"] != "Annual physical")
            .expect("a second kind bookable online")["name"]
            .as_str()
            .unwrap()
            .to_owned();
        let other_kind = visit_type_named(&app, &other_kind).await;
        let booked = slot::Entity::find_by_id(chosen as i32)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let provider = app::db::entities::provider::Entity::find()
            .filter(app::db::entities::provider::Column::Id.ne(booked.provider_id))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let half_way = booked.starts_at + (booked.ends_at - booked.starts_at) / 2;
        let clash =
            app::db::scheduling::create_time(&app.state.db, &provider, &other_kind, half_way)
                .await
                .unwrap();
        let (status, body) = post(
            &app,
            "/api/record/appointments/book",
            &[("slot", &clash.id.to_string())],
            &token,
        )
        .await;
        assert_eq!(
            (
                status,
                body.contains("You already have an appointment at that time")
            ),
            (422, true),
            "{backend:?} {body}"
        );
        assert!(booked_in(&app, i64::from(clash.id)).await.is_empty());
        // Right after it ends is free.
        let after =
            app::db::scheduling::create_time(&app.state.db, &provider, &other_kind, booked.ends_at)
                .await
                .unwrap();
        let (status, body) = post(
            &app,
            "/api/record/appointments/book",
            &[("slot", &after.id.to_string())],
            &token,
        )
        .await;
        assert_eq!(status, 200, "{backend:?} {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_booking_one_time_at_once_exactly_one_wins_on_both_databases() {
    for backend in BACKENDS {
        one_time_two_bookings(backend).await;
    }
}

async fn one_time_two_bookings(backend: Backend) {
    let app = spawn_app(backend).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
    let one = signed_in(&app, person(&app, "One", "1970-01-01").await).await;
    let two = signed_in(&app, person(&app, "Two", "1971-01-01").await).await;
    let times = offered_times(&app, &one, None, "Flu shot").await;
    for slot in times.iter().take(6) {
        let slot = slot.to_string();
        let fields = [("slot", slot.as_str())];
        let (a, b) = tokio::join!(
            post(&app, "/api/record/appointments/book", &fields, &one),
            post(&app, "/api/record/appointments/book", &fields, &two),
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{backend:?}: {a:?} {b:?}");
        let loser = if a.0 == 422 { &a.1 } else { &b.1 };
        assert!(
            loser.contains("Someone else has just booked that time"),
            "{loser}"
        );
        assert_eq!(booked_in(&app, slot.parse().unwrap()).await.len(), 1);
        // Each cancels what they won, so that the next round finds both free to book.
        let won = booked_in(&app, slot.parse().unwrap()).await.remove(0);
        let winner = if a.0 == 200 { &one } else { &two };
        let (status, body) = post(
            &app,
            "/api/record/appointments/cancel",
            &[("appointment", &won.id.to_string())],
            winner,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p5_a_parent_books_for_a_teenager_but_reads_nothing_else_of_the_record() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let maria = app.demo_person("Maria").await;
    let lily = app.demo_person("Lily").await;
    let token = signed_in(&app, maria).await;
    let (status, list) = get_json(
        &app,
        &format!("/api/record/appointments?subject={lily}"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["upcoming"].as_array().unwrap().len(), 1);
    let menu: Vec<&str> = list["heading"]["menu"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(menu, ["Appointments", "Immunizations", "Health reminders"]);
    let times = offered_times(&app, &token, Some(lily), "Office visit").await;
    let (status, body) = post(
        &app,
        "/api/record/appointments/book",
        &[
            ("subject", &lily.to_string()),
            ("slot", &times[0].to_string()),
        ],
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let booked = booked_in(&app, times[0]).await;
    assert_eq!(booked[0].person_id, lily);
    // Lily has no email address: nothing to send. Her record's other areas stay closed.
    assert_eq!(mail_count(&app).await, 0);
    let (status, _) = get_json(
        &app,
        &format!("/api/record/personal-information?subject={lily}"),
        &token,
    )
    .await;
    assert_eq!(status, 404);
}

/// C6: every email the appointments send says only that something is new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c6_appointment_emails_hold_no_health_information() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let alex = app.demo_person("Alex").await;
    let token = signed_in(&app, alex).await;
    for kind in ["Office visit", "Annual physical", "Flu shot"] {
        let times = offered_times(&app, &token, None, kind).await;
        let (status, body) = post(
            &app,
            "/api/record/appointments/book",
            &[("slot", &times[0].to_string())],
            &token,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let claimed = app::db::outbox::claim_due(&app.state.db, &app.state.vault, app.clock.now(), 50)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    let mut forbidden: Vec<String> = visit_type::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    forbidden.extend(
        app::db::entities::provider::Entity::find()
            .order_by_asc(app::db::entities::provider::Column::Id)
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name),
    );
    forbidden.extend(["Alex", "Rivera", "appointment", "visit", "AM", "PM"].map(String::from));
    for mail in claimed {
        assert_eq!(mail.mail.to, "alex.rivera@example.org");
        let text = format!("{}\n{}", mail.mail.subject, mail.mail.body);
        for word in &forbidden {
            assert!(!text.contains(word.as_str()), "{word:?} in {text}");
        }
        assert!(text.contains("junk mail"));
    }
}
