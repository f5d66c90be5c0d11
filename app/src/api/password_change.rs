//! Changing a password, whichever way: signed in, after a forgotten password (A6) or after a
//! forgotten portal ID (A7). One place, so that every way keeps the same rules (A5) and ends the
//! same sessions.

use super::PortalError;
use super::attempts::{self, off_runtime};
use super::request::audit_event as event;
use crate::db::accounts;
use crate::db::audit::{self, Actor, Outcome};
use crate::db::codes;
use crate::db::lockout::{self, Bucket};
use crate::db::passwords::{hash_password, verify_password};
use crate::db::sessions;
use crate::domain::password::normalize_answer;
use sea_orm::TransactionTrait;

fn internal(e: impl std::fmt::Display) -> PortalError {
    PortalError::internal("password_change", e)
}

/// What else a new password does besides being stored.
pub struct PasswordChange<'a> {
    /// A signed-in change keeps the session that made it; A6 and A7 end every session.
    pub keep_session: Option<&'a str>,
    /// Failures to take back (the bucket, the attempt's own failure number, how many): a
    /// successful reset proves who this is.
    pub release: Option<(Bucket, u32, u32)>,
    pub action: &'static str,
}

/// Sets a new password, ends every other session of the account and forgets its remembered
/// devices (whoever knew the old password), in one transaction, audited. For A6 and A7 it
/// also uses up the ticket `(id, answer when it is gone)`. A5: the new password may not be
/// the reset answer, whichever way the password is changed.
pub async fn replace_password(
    state: &crate::state::AppState,
    ticket: Option<(i32, fn() -> PortalError)>,
    account: &crate::db::entities::portal_account::Model,
    new_password: String,
    change: PasswordChange<'_>,
) -> Result<(), PortalError> {
    let now = state.clock.now();
    let policy = state.current_policy().await.map_err(internal)?;
    let stored_answer = account.reset_answer_hash.clone();
    let (is_answer, password_hash) = off_runtime(move || {
        (
            verify_password(&normalize_answer(&new_password), &stored_answer),
            hash_password(&new_password),
        )
    })
    .await?;
    if is_answer {
        // Saying so tells the caller the reset answer: it counts as a wrong guess, so that it
        // cannot be used to try answer after answer.
        let bucket = match change.release {
            Some((bucket, _, _)) => bucket,
            None => attempts::patient_bucket(state, Some(account.id), &account.portal_id).await?,
        };
        let admission = attempts::admit(state, bucket, &policy, now).await?;
        attempts::record_failure(
            state,
            Actor::Account(account.id),
            Some(account.person_id),
            "password.same_as_reset_answer",
            admission,
            now,
        )
        .await?;
        return Err(match admission {
            lockout::Admission::Locked { until } => attempts::locked_message(state, until),
            _ => PortalError::Invalid(
                "Your new password may not be the same as your reset answer. Choose another."
                    .into(),
            ),
        });
    }
    let txn = state.db.begin().await.map_err(internal)?;
    if let Some((ticket_id, ticket_gone)) = ticket
        && !codes::mark_code_used(&txn, ticket_id, now)
            .await
            .map_err(internal)?
    {
        return Err(ticket_gone());
    }
    accounts::set_password(&txn, account.id, password_hash)
        .await
        .map_err(internal)?;
    if let Some((bucket, admitted_as, take_back)) = change.release {
        lockout::release(&txn, bucket, admitted_as, take_back, &policy)
            .await
            .map_err(internal)?;
    }
    let ended = sessions::end_other_sessions(&txn, account.id, change.keep_session)
        .await
        .map_err(internal)?;
    // Whoever knew the old password may have signed in, and had a device remembered, too. A
    // signed-in change keeps this browser known.
    lockout::forget_browsers(&txn, account.id)
        .await
        .map_err(internal)?;
    if change.keep_session.is_some() {
        attempts::trust_this_browser(&txn, state, account.id, now).await?;
    }
    crate::db::two_step::forget_devices(&txn, account.id)
        .await
        .map_err(internal)?;
    audit::record(
        &txn,
        now,
        event(
            state,
            Actor::Account(account.id),
            change.action,
            Outcome::Success,
        )
        .subject(account.person_id)
        .detail(serde_json::json!({ "sessions_ended": ended })),
    )
    .await
    .map_err(internal)?;
    txn.commit().await.map_err(internal)?;
    Ok(())
}
