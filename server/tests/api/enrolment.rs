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

/// Asks for a code online, then lets the background worker handle the queued request.
async fn request(app: &TestApp, fields: [(&str, &str); 4]) -> (http::StatusCode, String) {
    let (status, _, body) = app.post_form(REQUEST, &fields, None).await;
    app::api::enrolment::process_queued(&app.state)
        .await
        .unwrap();
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

        assert!(
            mail.contains("http://localhost:3000/activate"),
            "a link to where the code goes: {mail}"
        );
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
    settings.mail_transport = MailTransport::Smtp {
        url: "smtp://127.0.0.1:9".into(),
        tls: server::config::SmtpTls::None,
    };
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_a_patient_gets_at_most_three_emails_a_day_and_each_new_code_replaces_the_last() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        for _ in 0..5 {
            let (status, _) = request(&app, alex("alex.rivera@example.org")).await;
            assert_eq!(status, 200, "{backend:?}");
        }
        assert_eq!(outbox(&app).await.len(), 3, "{backend:?}: three a day");
        let files = deliver(&app).await;
        let codes: Vec<String> = files.iter().map(|f| code_in(f)).collect();
        assert_eq!(codes.len(), 3);
        let activate = async |code: &str| {
            app.post_form(
                "/api/account/activate",
                &[
                    ("code", code),
                    ("date_of_birth", "1988-07-14"),
                    ("portal_id", "alex.rivera"),
                    ("password", "riverbend7"),
                    ("reset_question", "Name of my first pet?"),
                    ("reset_answer", "Biscuit"),
                ],
                None,
            )
            .await
        };
        let mut results = Vec::new();
        for code in &codes {
            let (status, _, body) = activate(code).await;
            results.push((status.as_u16(), body));
        }
        assert_eq!(
            results.iter().filter(|(s, _)| *s == 200).count(),
            1,
            "{backend:?}: only the newest code works: {results:?}"
        );
        assert!(
            results
                .iter()
                .any(|(_, body)| body.contains("A newer activation code replaced this one")),
            "{results:?}"
        );

        app.clock.advance(chrono::Duration::hours(25));
        request(&app, alex("alex.rivera@example.org")).await;
        assert_eq!(outbox(&app).await.len(), 4, "{backend:?}: a new day");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_the_answer_takes_as_long_whether_or_not_the_details_match() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        let time = async |email: &'static str| {
            let started = std::time::Instant::now();
            let (status, _, body) = app.post_form(REQUEST, &alex(email), None).await;
            (started.elapsed().as_secs_f64(), status, body)
        };
        time("alex.rivera@example.org").await;
        let (mut matching, mut other) = (Vec::new(), Vec::new());
        let mut answers = Vec::new();
        for i in 0..20 {
            // Taking turns, first one then the other, so that neither always goes first.
            for matches in if i % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            } {
                let email = if matches {
                    "alex.rivera@example.org"
                } else {
                    "someone.else@example.org"
                };
                let (t, status, body) = time(email).await;
                if matches { &mut matching } else { &mut other }.push(t);
                answers.push((status, body));
            }
        }
        assert!(answers.iter().all(|a| *a == answers[0]), "{backend:?}");
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            (v[9] + v[10]) / 2.0
        };
        let (a, b) = (median(matching), median(other));
        // Within 20 %, or half a millisecond for answers this quick (a few milliseconds, where
        // the machine's own jitter is of that size).
        assert!(
            a.max(b) <= (a.min(b) * 1.2).max(a.min(b) + 0.0005),
            "{backend:?}: medians {a} and {b} differ by more than 20 %"
        );
    }
}

/// A real SMTP server (Python's aiosmtpd, which the test set-up installs) on a free port of this
/// machine, keeping what it receives in a Maildir; stopped when dropped.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: std::path::PathBuf,
}

impl SmtpServer {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir =
            std::env::temp_dir().join(format!("portal-smtp-{}-{port}", std::process::id()));
        let child = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (the test set-up installs it)");
        let server = Self {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The messages received so far, as raw text.
    fn received(&self) -> Vec<String> {
        std::fs::read_dir(self.maildir.join("new"))
            .map(|entries| {
                entries
                    .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_reaches_a_real_smtp_server_and_smtp_insists_on_starttls() {
    let smtp = SmtpServer::start();
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    request(&app, alex("alex.rivera@example.org")).await;
    let mailer_for = |transport: &str| {
        let mut settings = app.settings.clone();
        settings.mail_transport = server::config::Settings::check(server::config::RawSettings {
            mail_transport: transport.to_owned(),
            ..server::config::RawSettings::default()
        })
        .unwrap()
        .mail_transport;
        server::mail::Mailer::new(&settings).unwrap()
    };

    // smtp:// means STARTTLS, and this relay cannot do it: nothing goes out in plain text.
    let starttls = mailer_for(&format!("smtp://127.0.0.1:{}", smtp.port));
    assert_eq!(
        server::mail::deliver_due(&app.state, &starttls)
            .await
            .unwrap(),
        0
    );
    assert!(smtp.received().is_empty());
    assert_eq!(outbox(&app).await[0].attempts, 1, "kept to try again");

    // Plain text only when asked for by name.
    app.clock.advance(chrono::Duration::minutes(1));
    let plain = mailer_for(&format!("smtp://127.0.0.1:{}?tls=none", smtp.port));
    assert_eq!(
        server::mail::deliver_due(&app.state, &plain).await.unwrap(),
        1
    );
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    let header = |name: &str| {
        mail.lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {mail}"))
            .to_owned()
    };
    assert!(
        header("From").contains("myhealth@riverbend.example"),
        "{mail}"
    );
    assert_eq!(header("To"), "To: alex.rivera@example.org");
    let subject = header("Subject");
    assert_eq!(
        subject,
        "Subject: Your activation code for Riverbend MyHealth"
    );
    let code = code_in(mail);
    assert!(!subject.contains(&code), "no code in the subject");
}
