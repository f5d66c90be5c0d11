//! The mail outbox. Email is queued in the caller's transaction (so a message exists exactly
//! when what it reports was committed) and delivered later by a worker; several portal instances
//! can run workers at once, because each message is claimed with a conditional update first.

use super::entities::mail_message;
use super::vault::SsnVault;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// After this many failed deliveries a message is left for an administrator to look at.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long a worker may take over a claimed message before another may claim it again.
pub const CLAIM_LEASE: Duration = Duration::minutes(5);

/// An email to send, in plain text.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `mail` (its body sealed) and returns its id.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    organization_id: i32,
    mail: OutgoingMail,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    let row = mail_message::ActiveModel {
        organization_id: Set(organization_id),
        to_address: Set(mail.to),
        subject: Set(mail.subject),
        body_sealed: Set(Some(vault.seal_secret(mail.body.as_bytes()))),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// A message claimed for delivery, with its body opened.
pub struct Claimed {
    pub id: i32,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub mail: OutgoingMail,
}

/// Claims up to `limit` messages that are due, for this worker only.
pub async fn claim_due<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Claimed>, DbErr> {
    let due = mail_message::Entity::find()
        .filter(mail_message::Column::SentAt.is_null())
        .filter(mail_message::Column::NextAttemptAt.lte(now))
        .filter(mail_message::Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_asc(mail_message::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for message in due {
        let won = mail_message::Entity::update_many()
            .col_expr(
                mail_message::Column::NextAttemptAt,
                Expr::value(now + CLAIM_LEASE),
            )
            .col_expr(
                mail_message::Column::Attempts,
                Expr::col(mail_message::Column::Attempts).add(1),
            )
            .filter(mail_message::Column::Id.eq(message.id))
            .filter(mail_message::Column::SentAt.is_null())
            .filter(mail_message::Column::Attempts.eq(message.attempts))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        let body = message
            .body_sealed
            .as_deref()
            .and_then(|sealed| vault.open_secret(sealed).ok())
            .and_then(|plain| String::from_utf8(plain).ok());
        match (won, body) {
            (true, Some(body)) => claimed.push(Claimed {
                id: message.id,
                attempts: message.attempts + 1,
                created_at: message.created_at,
                mail: OutgoingMail {
                    to: message.to_address,
                    subject: message.subject,
                    body,
                },
            }),
            (true, None) => {
                // Sealed with another key (secrets replaced): it can never be sent.
                mark_failed(
                    db,
                    message.id,
                    "the message cannot be opened",
                    now,
                    MAX_ATTEMPTS,
                )
                .await?;
            }
            (false, _) => {}
        }
    }
    Ok(claimed)
}

/// The message was handed to the transport: its body is erased.
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    mail_message::Entity::update_many()
        .col_expr(mail_message::Column::SentAt, Expr::value(now))
        .col_expr(
            mail_message::Column::BodySealed,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(
            mail_message::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(mail_message::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Delivery failed on attempt `attempts`: try again after [`retry_delay`].
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    id: i32,
    error: &str,
    now: DateTime<Utc>,
    attempts: i32,
) -> Result<(), DbErr> {
    let mut query = mail_message::Entity::update_many()
        .col_expr(
            mail_message::Column::LastError,
            Expr::value(error.chars().take(300).collect::<String>()),
        )
        .col_expr(
            mail_message::Column::NextAttemptAt,
            Expr::value(now + retry_delay(attempts)),
        );
    if attempts >= MAX_ATTEMPTS {
        // Given up: the body (which may hold a code) is erased, the record of the attempt kept.
        query = query
            .col_expr(mail_message::Column::Attempts, Expr::value(MAX_ATTEMPTS))
            .col_expr(
                mail_message::Column::BodySealed,
                Expr::value(Option::<Vec<u8>>::None),
            );
    }
    query
        .filter(mail_message::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The wait before the next attempt after `attempts` failures: 1, 2, 4 ... minutes, at most an
/// hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes(std::cmp::Ord::min(i64::from(2u32.pow(exponent)), 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| retry_delay(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
