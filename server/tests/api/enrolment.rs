//! Online enrolment (A2's second route) through the HTTP API, and delivery of the email it sends
//! through the outbox.

use crate::helpers::{BACKENDS, Backend, TestApp, spawn_app};
use app::db::entities::mail_message;
use app::domain::age::local_date;
use app::domain::clock::Clock;
use chrono::Months;
use sea_orm::EntityTrait;
use server::config::MailTransport;

const REQUEST: &str = "/api/enrolment/request-code";

async fn request(app: &TestApp, fields: [(&str, &str); 4]) -> (http::StatusCode, String) {
    let (status, _, body) = app.post_form(REQUEST, &fields, None).await;
    (status, body)
}

fn alex(email: &'static str) -> [(&'static str, &'static str); 4] {
    [
        ("given_name", "alex"),
        ("family_name", "RIVERA"),
        ("date_of_birth", "1988-07-14"),
        ("email", email),
    ]
}

async fn outbox(app: &TestApp) -> Vec<mail_message::Model> {
    mail_message::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Delivers the outbox into the test's mail directory and returns the files written.
async fn deliver(app: &TestApp) -> Vec<String> {
    let mailer = server::mail::Mailer::new(&app.settings).unwrap();
    server::mail::deliver_due(&app.state, &mailer)
        .await
        .unwrap();
    let MailTransport::File(dir) = &app.settings.mail_transport else {
        panic!("tests write mail to files")
    };
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    files.sort();
    files
}

/// The activation code in an email (the indented line of 14 characters).
fn code_in(mail: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|l| l.len() == 14 && l.chars().nth(4) == Some('-') && l.chars().nth(9) == Some('-'))
        .unwrap_or_else(|| panic!("no code in {mail}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_a_patient_with_an_email_on_file_gets_a_code_by_email_and_activates_with_it() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let (status, body) = request(&app, alex(" Alex.Rivera@Example.org")).await;
        assert_eq!(status, 200, "{backend:?}: {body}");

        let queued = outbox(&app).await;
        assert_eq!(queued.len(), 1, "{backend:?}");
        assert_eq!(queued[0].to_address, "alex.rivera@example.org");
        let sealed = queued[0].body_sealed.as_deref().unwrap();
        assert!(
            !String::from_utf8_lossy(sealed).contains("activation code"),
            "the waiting body is sealed"
        );

        let files = deliver(&app).await;
        assert_eq!(files.len(), 1, "{backend:?}");
        let mail = &files[0];
        assert!(mail.contains("To: alex.rivera@example.org"), "{mail}");
        assert!(
            mail.contains("Subject: Your activation code for Riverbend MyHealth"),
            "{mail}"
        );
        let sent = outbox(&app).await;
        assert!(
            sent[0].sent_at.is_some() && sent[0].body_sealed.is_none(),
            "{backend:?}"
        );
        assert!(deliver(&app).await.len() == 1, "sent once only");

        let code = code_in(mail);
        let (status, _, body) = app
            .post_form(
                "/api/account/activate",
                &[
                    ("code", &code),
                    ("date_of_birth", "1988-07-14"),
                    ("portal_id", "alex.rivera"),
                    ("password", "riverbend7"),
                    ("reset_question", "Name of my first pet?"),
                    ("reset_answer", "Biscuit"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");

        // Asking again once enrolled sends a reminder, not a code.
        let (status, _) = request(&app, alex("alex.rivera@example.org")).await;
        assert_eq!(status, 200);
        let files = deliver(&app).await;
        assert_eq!(files.len(), 2);
        assert!(
            files
                .iter()
                .any(|f| f.contains("You already have an account")),
            "{files:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_details_that_do_not_match_get_the_same_answer_and_no_email() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let matching = request(&app, alex("alex.rivera@example.org")).await;
        for fields in [
            alex("someone.else@example.org"),
            [
                ("given_name", "Alexis"),
                ("family_name", "Rivera"),
                ("date_of_birth", "1988-07-14"),
                ("email", "alex.rivera@example.org"),
            ],
            [
                ("given_name", "Alex"),
                ("family_name", "Rivera"),
                ("date_of_birth", "1988-07-15"),
                ("email", "alex.rivera@example.org"),
            ],
            // Walter Hughes has no email on file.
            [
                ("given_name", "Nobody"),
                ("family_name", "Here"),
                ("date_of_birth", "1970-01-01"),
                ("email", "nobody@example.org"),
            ],
        ] {
            assert_eq!(
                request(&app, fields).await,
                matching,
                "{backend:?}: {fields:?}"
            );
        }
        assert_eq!(
            outbox(&app).await.len(),
            1,
            "{backend:?}: only the match gets mail"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_a_minor_is_told_plainly_and_nothing_is_sent() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let today = local_date(app.clock.now(), app.state.site.time_zone);
    // Lily Chen, 15, has an email-less record; any minor gets the same explanation.
    let born = today.checked_sub_months(Months::new(15 * 12 + 2)).unwrap();
    let born = born.format("%Y-%m-%d").to_string();
    let (status, body) = request(
        &app,
        [
            ("given_name", "Lily"),
            ("family_name", "Chen"),
            ("date_of_birth", &born),
            ("email", "lily@example.org"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("aged 18 or over"), "{body}");
    assert!(body.contains("emancipated"), "{body}");
    assert!(outbox(&app).await.is_empty());

    let (status, body) = request(
        &app,
        [
            ("given_name", "Alex"),
            ("family_name", "Rivera"),
            ("date_of_birth", "1988-07-14"),
            ("email", "not an email"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("email address"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_is_kept_and_retried_later() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    request(&app, alex("alex.rivera@example.org")).await;
    // A relay that is not there: delivery fails, the message waits with its body still sealed.
    let mut settings = app.settings.clone();
    settings.mail_transport = MailTransport::Smtp("smtp://127.0.0.1:9".into());
    let mailer = server::mail::Mailer::new(&settings).unwrap();
    assert_eq!(
        server::mail::deliver_due(&app.state, &mailer)
            .await
            .unwrap(),
        0
    );
    let waiting = outbox(&app).await;
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0].sent_at.is_none() && waiting[0].body_sealed.is_some());
    assert!(waiting[0].last_error.is_some());
    assert!(waiting[0].next_attempt_at > app.clock.now());

    // Not due yet: the file transport has nothing to send until the back-off has passed.
    assert!(deliver(&app).await.is_empty());
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(deliver(&app).await.len(), 1);
}
