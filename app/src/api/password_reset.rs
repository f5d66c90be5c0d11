//! Forgotten password (A6): portal ID, Social Security number and date of birth, then the reset
//! question, then a new password. Identity details that do not match get one answer whatever
//! was wrong; wrong answers count towards the account's lockout like wrong passwords.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The second step: the patient's own question, and a ticket (valid for 15 minutes) proving the
/// first step succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetChallenge {
    pub ticket: String,
    pub question: String,
}

#[server(endpoint = "account/forgot-password/start")]
pub async fn start_password_reset(
    portal_id: String,
    ssn: String,
    date_of_birth: String,
) -> Result<ResetChallenge, PortalError> {
    // Public: portal ID, SSN and date of birth together are the proof.
    super::answer(server::start(portal_id, ssn, date_of_birth).await)
}

#[server(endpoint = "account/forgot-password/finish")]
pub async fn finish_password_reset(
    ticket: String,
    answer: String,
    new_password: String,
) -> Result<(), PortalError> {
    // Public: the ticket from the first step and the reset answer are the proof.
    super::answer(server::finish(ticket, answer, new_password).await)
}

#[cfg(feature = "ssr")]
pub(crate) use server::replace_password;

#[cfg(feature = "ssr")]
mod server {
    use super::{PortalError, ResetChallenge};
    use crate::api::account::{locked_message, off_runtime};
    use crate::api::attempts::{Attempter, count_failure};
    use crate::api::session;
    use crate::api::site::home_policy;
    use crate::db::accounts;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose};
    use crate::db::passwords::{hash_password, verify_password};
    use crate::db::sessions;
    use crate::domain::activation::{CodeState, code_state};
    use crate::domain::age::parse_date_of_birth;
    use crate::domain::password::{ResetAnswerError, check_password, normalize_answer};
    use crate::domain::ssn::Ssn;
    use crate::state::app_state;
    use sea_orm::TransactionTrait;

    const TICKET_MINUTES: i64 = 15;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("password_reset", e)
    }

    use crate::api::session::audit_event as event;

    fn start_again() -> PortalError {
        PortalError::Invalid("This password reset has expired. Please start again.".into())
    }

    pub async fn start(
        portal_id: String,
        ssn: String,
        date_of_birth: String,
    ) -> Result<ResetChallenge, PortalError> {
        let state = app_state()?;
        let db = &state.db;
        let policy = home_policy(&state).await?;
        state
            .throttle
            .check(session::source_ip().as_deref(), state.clock.now(), &policy)?;
        let ssn = Ssn::parse(&ssn).map_err(|e| PortalError::Invalid(e.to_string()))?;
        let date_of_birth =
            parse_date_of_birth(&date_of_birth).map_err(|e| PortalError::Invalid(e.to_string()))?;
        let now = state.clock.now();
        let not_found = || {
            PortalError::Invalid(format!(
                "We could not find an account with those details. Check them and try again, or call {}.",
                state.site.branding.help_line.display()
            ))
        };
        let key = portal_id.trim().to_ascii_lowercase();
        let account = accounts::account_by_portal_id(db, &key)
            .await
            .map_err(internal)?
            .filter(|a| a.organization_id == state.site.organization_id && a.status == "active");
        let person = match &account {
            Some(a) => accounts::person_by_id(db, a.person_id)
                .await
                .map_err(internal)?,
            None => None,
        };
        let matches = person.as_ref().is_some_and(|p| {
            p.date_of_birth == date_of_birth
                && p.ssn_lookup.as_deref() == Some(state.vault.lookup(&ssn).as_str())
        });
        let (Some(account), Some(person), true) = (account, person, matches) else {
            audit::record(
                db,
                now,
                event(
                    &state,
                    Actor::Anonymous,
                    "password_reset.start",
                    Outcome::Failure,
                ),
            )
            .await
            .map_err(internal)?;
            return Err(not_found());
        };
        if let Some(until) = account.locked_until.filter(|u| *u > now) {
            return Err(locked_message(&state, until));
        }
        let ticket = codes::issue_ticket(
            db,
            &state.tokens,
            state.site.organization_id,
            person.id,
            CodePurpose::PasswordReset,
            TICKET_MINUTES,
            now,
        )
        .await
        .map_err(internal)?;
        audit::record(
            db,
            now,
            event(
                &state,
                Actor::Account(account.id),
                "password_reset.start",
                Outcome::Success,
            )
            .subject(person.id),
        )
        .await
        .map_err(internal)?;
        Ok(ResetChallenge {
            ticket,
            question: account.reset_question,
        })
    }

    pub async fn finish(
        ticket: String,
        answer: String,
        new_password: String,
    ) -> Result<(), PortalError> {
        let (state, policy, now) = crate::api::throttle::attempt().await?;
        let db = &state.db;
        let row = codes::find_ticket(db, &state.tokens, CodePurpose::PasswordReset, ticket.trim())
            .await
            .map_err(internal)?
            .filter(|row| row.organization_id == state.site.organization_id)
            .ok_or_else(start_again)?;
        if code_state(row.expires_at, row.used_at, now) != CodeState::Usable {
            return Err(start_again());
        }
        let account = accounts::account_of_person(db, row.person_id, state.site.organization_id)
            .await
            .map_err(internal)?
            .ok_or_else(start_again)?;
        if let Some(until) = account.locked_until.filter(|u| *u > now) {
            return Err(locked_message(&state, until));
        }
        check_password(&new_password, Some(&account.portal_id), &policy)
            .map_err(|e| PortalError::Invalid(e.to_string()))?;
        let answer = normalize_answer(&answer);
        if answer == normalize_answer(&new_password) {
            return Err(PortalError::Invalid(
                ResetAnswerError::SameAsPassword.to_string(),
            ));
        }
        let stored = account.reset_answer_hash.clone();
        let right = off_runtime(move || verify_password(&answer, &stored)).await?;
        if !right {
            let lock = count_failure(
                &state,
                Attempter::Account {
                    account_id: account.id,
                    person_id: account.person_id,
                },
                "password_reset.answer",
                &policy,
                now,
            )
            .await?;
            return Err(lock.map_or_else(
                || {
                    PortalError::Invalid(
                        "That is not the answer to your reset question. Try again.".into(),
                    )
                },
                |until| locked_message(&state, until),
            ));
        }
        replace_password(
            &state,
            Some((row.id, start_again)),
            &account,
            new_password,
            None,
            "password_reset.completed",
        )
        .await
    }

    /// Sets a new password (clearing any lockout), ends every other session of the account and
    /// forgets its remembered devices (whoever knew the old password), in one transaction, audited as `action`. For A6 and A7 it
    /// also uses up the ticket `(id, answer when it is gone)` and ends every session; a signed-in
    /// change keeps the session that made it.
    pub(crate) async fn replace_password(
        state: &crate::state::AppState,
        ticket: Option<(i32, fn() -> PortalError)>,
        account: &crate::db::entities::portal_account::Model,
        new_password: String,
        keep_session: Option<&str>,
        action: &'static str,
    ) -> Result<(), PortalError> {
        let now = state.clock.now();
        let password_hash = off_runtime(move || hash_password(&new_password)).await?;
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
        let ended = sessions::end_other_sessions(&txn, account.id, keep_session)
            .await
            .map_err(internal)?;
        // Whoever knew the old password may have had a device remembered too.
        crate::db::two_step::forget_devices(&txn, account.id)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            event(state, Actor::Account(account.id), action, Outcome::Success)
                .subject(account.person_id)
                .detail(serde_json::json!({ "sessions_ended": ended })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(())
    }
}
