//! Delivering the mail outbox ([`app::db::outbox`]): a background task on every portal instance
//! claims due messages and hands them to the configured transport, either `.eml` files in a
//! directory (development and demos) or an SMTP relay. A failed delivery is retried with back-off;
//! logs name the message by id only, never its address or content.

use crate::config::{MailTransport, Settings, SmtpTls};
use app::db::outbox::{self, Claimed};
use app::state::AppState;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How often an idle worker looks for due messages.
const POLL: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("cannot create the mail directory {dir}: {cause}")]
    Directory { dir: String, cause: std::io::Error },
    #[error("setting `mail_transport`: {0}")]
    Smtp(String),
    #[error("setting `mail_from`: {0}")]
    From(String),
}

enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// The configured transport and sender.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &Settings) -> Result<Self, MailError> {
        let transport = match &settings.mail_transport {
            MailTransport::File(dir) => {
                std::fs::create_dir_all(dir).map_err(|cause| MailError::Directory {
                    dir: dir.display().to_string(),
                    cause,
                })?;
                Transport::File(AsyncFileTransport::new(dir))
            }
            MailTransport::Smtp { url, tls } => {
                if *tls == SmtpTls::None {
                    tracing::warn!(
                        "mail goes to the SMTP relay in plain text (mail_transport asks for tls=none): use it only for a relay on this machine"
                    );
                }
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                        .map_err(|e| MailError::Smtp(e.to_string()))?
                        .build(),
                )
            }
        };
        let from = format!(
            "{} <{}>",
            settings.branding.portal_name.replace(['<', '>', '"'], ""),
            settings.mail_from
        )
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::From(e.to_string()))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, claimed: &Claimed) -> Result<(), String> {
        let to: Mailbox = claimed
            .mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| format!("bad address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(claimed.mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(claimed.mail.body.clone())
            .map_err(|e| e.to_string())?;
        match &self.transport {
            Transport::File(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Delivers the messages due now; returns how many were sent.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> Result<usize, sea_orm::DbErr> {
    let now = state.clock.now();
    let claimed = outbox::claim_due(&state.db, &state.vault, now, 20).await?;
    let mut sent = 0;
    for message in claimed {
        match mailer.send(&message).await {
            Ok(()) => {
                outbox::mark_sent(&state.db, message.id, state.clock.now()).await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(
                    mail_id = message.id,
                    attempt = message.attempts,
                    "mail delivery failed; it will be retried"
                );
                outbox::mark_failed(
                    &state.db,
                    message.id,
                    &error,
                    state.clock.now(),
                    message.attempts,
                )
                .await?;
            }
        }
    }
    Ok(sent)
}

/// Runs the delivery loop for as long as the server runs. Each round first runs the daily access
/// transitions once a day, handles the queued online enrolment requests, whose answers are
/// emails, announces results that have become visible, and removes expired form answers.
pub fn spawn_worker(state: AppState, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // The last local day this instance found the daily transitions done (by it or another).
        let mut transitions_done_on = None;
        loop {
            let today = app::domain::age::local_date(state.clock.now(), state.site.time_zone);
            if transitions_done_on != Some(today) {
                match app::api::transitions::run_daily(&state).await {
                    Ok(report) => {
                        transitions_done_on = Some(today);
                        if let Some(report) = report {
                            tracing::info!(
                                announced = report.announced,
                                emails = report.emails,
                                "daily access transitions announced"
                            );
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "daily access transitions failed"),
                }
            }
            if let Err(e) = app::api::enrolment::process_queued(&state).await {
                tracing::warn!(error = %e, "queued enrolment requests could not be handled");
            }
            match app::api::results::notify_released(&state).await {
                Ok(told) if told > 0 => tracing::info!(told, "released results announced"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "released results could not be announced"),
            }
            if let Err(e) =
                app::db::form_answers::remove_expired(&state.db, state.clock.now()).await
            {
                tracing::warn!(error = %e, "expired form answers could not be removed");
            }
            match deliver_due(&state, &mailer).await {
                Ok(sent) if sent > 0 => tracing::info!(sent, "mail delivered"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the mail outbox could not be read"),
            }
            tokio::time::sleep(POLL).await;
        }
    })
}
