//! The daily transitions job (issue 14, point 8) on both databases: coming and recent changes of
//! access are emailed to both sides once, with no names or health data; the day is claimed by
//! one instance; the CLI's `run_at` may run at any instant and repeat safely.

use crate::access::person;
use crate::helpers::{BACKENDS, TestApp, spawn_app};
use app::api::transitions::{Report, run_at, run_daily};
use app::db::entities::mail_message;
use app::db::store::{self, NewRelationship};
use app::domain::clock::Clock;
use app::domain::relationship::RelationshipKind;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

async fn queued(app: &TestApp) -> Vec<app::db::outbox::Claimed> {
    let claimed = app::db::outbox::claim_due(
        &app.state.db,
        &app.state.vault,
        app.clock.now() + Duration::days(400),
        500,
    )
    .await
    .unwrap();
    // Back in the queue for the next look: only the bodies were wanted.
    for c in &claimed {
        mail_message::ActiveModel {
            id: sea_orm::Unchanged(c.id),
            next_attempt_at: Set(app.clock.now() - Duration::days(1)),
            ..Default::default()
        }
        .update(&app.state.db)
        .await
        .unwrap();
    }
    claimed
}

async fn set_email(app: &TestApp, person_id: i32, email: &str) {
    app::db::entities::person::ActiveModel {
        id: sea_orm::Unchanged(person_id),
        email: Set(Some(email.to_owned())),
        ..Default::default()
    }
    .update(&app.state.db)
    .await
    .unwrap();
}

async fn relate(
    app: &TestApp,
    viewer: i32,
    subject: i32,
    kind: RelationshipKind,
    starts: &str,
    ends: Option<&str>,
) {
    store::create_relationship(
        &app.state.db,
        NewRelationship {
            organization_id: app.state.site.organization_id,
            person_id: viewer,
            subject_person_id: subject,
            kind,
            starts_on: starts.parse().unwrap(),
            ends_on: ends.map(|e| e.parse().unwrap()),
        },
        app.clock.now(),
    )
    .await
    .unwrap();
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coming_and_recent_changes_are_announced_to_both_sides_once_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        // Now: 2026-06-15 10:00 in Chicago.
        let parent = person(&app, "Parent", "1980-01-01").await;
        set_email(&app, parent, "parent@example.org").await;
        let child = person(&app, "Child", "2013-07-10").await;
        relate(
            &app,
            parent,
            child,
            RelationshipKind::Parent,
            "2013-07-10",
            None,
        )
        .await;
        let proxy = person(&app, "Proxy", "1972-05-21").await;
        set_email(&app, proxy, "proxy@example.org").await;
        let elder = person(&app, "Elder", "1941-11-02").await;
        set_email(&app, elder, "elder@example.org").await;
        relate(
            &app,
            proxy,
            elder,
            RelationshipKind::AdultProxy,
            "2021-07-01",
            Some("2026-07-01"),
        )
        .await;
        let far = person(&app, "Far", "2020-01-01").await;
        relate(
            &app,
            parent,
            far,
            RelationshipKind::Parent,
            "2020-01-01",
            None,
        )
        .await;

        let report = run_at(&app.state, app.clock.now()).await.unwrap();
        // The 13th birthday (to the parent; the child has no email and is not an adult) and the
        // expiry (to the proxy and to the elder).
        assert_eq!(
            report,
            Report {
                announced: 2,
                emails: 3
            },
            "{backend:?}"
        );
        let mails = queued(&app).await;
        let to: Vec<&str> = mails.iter().map(|m| m.mail.to.as_str()).collect();
        assert_eq!(
            to,
            [
                "parent@example.org",
                "proxy@example.org",
                "elder@example.org"
            ]
        );
        assert!(
            mails[0].mail.body.contains("On 10 July 2026"),
            "{}",
            mails[0].mail.body
        );
        assert!(mails[1].mail.body.contains("expires on 1 July 2026"));
        assert!(mails[2].mail.body.contains("/record/who-can-view"));
        for m in &mails {
            for word in ["Parent", "Child", "Proxy", "Elder", "Test"] {
                assert!(!m.mail.body.contains(word), "no names: {}", m.mail.body);
            }
            assert!(m.mail.body.contains("junk mail"));
        }

        // Again the same day, and the next: nothing new.
        assert_eq!(
            run_at(&app.state, app.clock.now()).await.unwrap(),
            Report::default()
        );
        app.clock.advance(Duration::days(1));
        assert_eq!(
            run_at(&app.state, app.clock.now()).await.unwrap(),
            Report::default()
        );

        // On the day of expiry, then of the birthday: each announced as done, once.
        let report = run_at(&app.state, at("2026-07-01T15:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            report,
            Report {
                announced: 1,
                emails: 2
            },
            "{backend:?}"
        );
        let report = run_at(&app.state, at("2026-07-10T15:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            report,
            Report {
                announced: 1,
                emails: 1
            },
            "{backend:?}"
        );
        assert_eq!(
            run_at(&app.state, at("2026-07-11T15:00:00Z"))
                .await
                .unwrap(),
            Report::default()
        );
        let audit = app.audit_entries("relationship.transition_announced").await;
        assert_eq!(audit.len(), 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_run_is_claimed_once_a_day_across_instances_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        // The demo: Erin's proxy for Walter expires in 20 days (Walter has no email).
        let (a, b) = tokio::join!(run_daily(&app.state), run_daily(&app.state));
        let ran: Vec<Report> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(
            ran.len(),
            1,
            "{backend:?}: one of two instances runs the day"
        );
        assert_eq!(
            ran[0],
            Report {
                announced: 1,
                emails: 1
            },
            "{backend:?}"
        );
        assert_eq!(run_daily(&app.state).await.unwrap(), None);
        app.clock.advance(Duration::days(1));
        assert_eq!(
            run_daily(&app.state).await.unwrap(),
            Some(Report::default()),
            "{backend:?}: the next day runs, with nothing new to say"
        );
        let claims = app::db::entities::job_claim::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(claims.len(), 2);
    }
}
