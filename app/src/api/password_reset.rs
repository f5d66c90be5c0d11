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
    super::guard::guarded(super::guard::Attempt, |g| {
        server::start(g, portal_id, ssn, date_of_birth)
    })
    .await
}

#[server(endpoint = "account/forgot-password/finish")]
pub async fn finish_password_reset(
    ticket: String,
    answer: String,
    new_password: String,
) -> Result<(), PortalError> {
    // Public: the ticket from the first step and the reset answer are the proof.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::finish(g, ticket, answer, new_password)
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use super::{PortalError, ResetChallenge};
    use crate::api::attempts::{self, locked_message, off_runtime, patient_bucket};
    use crate::api::guard::Guarded;
    use crate::api::password_change::{PasswordChange, replace_password};
    use crate::api::request::audit_event as event;
    use crate::db::accounts;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose};
    use crate::db::lockout::{self, Admission};
    use crate::db::passwords::verify_password;
    use crate::domain::activation::{CodeState, code_state};
    use crate::domain::age::parse_date_of_birth;
    use crate::domain::password::{ResetAnswerError, check_password, normalize_answer};
    use crate::domain::ssn::Ssn;
    use sea_orm::TransactionTrait;

    const TICKET_MINUTES: i64 = 15;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("password_reset", e)
    }

    fn start_again() -> PortalError {
        PortalError::Invalid("This password reset has expired. Please start again.".into())
    }

    pub async fn start(
        g: Guarded<()>,
        portal_id: String,
        ssn: String,
        date_of_birth: String,
    ) -> Result<ResetChallenge, PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let db = &state.db;
        let ssn = Ssn::parse(&ssn).map_err(|e| PortalError::Invalid(e.to_string()))?;
        let date_of_birth =
            parse_date_of_birth(&date_of_birth).map_err(|e| PortalError::Invalid(e.to_string()))?;
        let not_found = || {
            PortalError::Invalid(format!(
                "We could not find an account with those details. Check them and try again. After several tries this pauses for a while; call {} (24 hours a day) to get back in sooner.",
                state.site.branding.help_line.display()
            ))
        };
        let key = portal_id.trim().to_ascii_lowercase();
        let account = accounts::account_by_portal_id(db, &key)
            .await
            .map_err(internal)?
            .filter(|a| a.organization_id == state.site.organization_id && a.status == "active");
        // Wrong details count against the account like wrong passwords, and a locked account
        // answers like wrong details.
        let bucket = patient_bucket(&state, account.as_ref().map(|a| a.id), &key).await?;
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        // The same work whether or not the ID is known (no password check here to hide a
        // difference): the person is looked up (no one has id 0) and the SSN's lookup key made.
        let person = accounts::person_by_id(db, account.as_ref().map_or(0, |a| a.person_id))
            .await
            .map_err(internal)?;
        let ssn_lookup = state.vault.lookup(&ssn);
        let matches = person.as_ref().is_some_and(|p| {
            p.date_of_birth == date_of_birth && p.ssn_lookup.as_deref() == Some(ssn_lookup.as_str())
        });
        let (Some(account), Some(person), true, Admission::Admitted { failures, .. }) =
            (account.clone(), person, matches, admission)
        else {
            attempts::record_failure(
                &state,
                account
                    .as_ref()
                    .map_or(Actor::Anonymous, |a| Actor::Account(a.id)),
                account.as_ref().map(|a| a.person_id),
                "password_reset.start",
                admission,
                now,
            )
            .await?;
            return Err(not_found());
        };
        let txn = db.begin().await.map_err(internal)?;
        // Identity details are not a sign-in: this takes back only its own count.
        lockout::release(&txn, bucket, failures, 1, &policy)
            .await
            .map_err(internal)?;
        let ticket = codes::issue_ticket(
            &txn,
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
            &txn,
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
        txn.commit().await.map_err(internal)?;
        Ok(ResetChallenge {
            ticket,
            question: account.reset_question,
        })
    }

    pub async fn finish(
        g: Guarded<()>,
        ticket: String,
        answer: String,
        new_password: String,
    ) -> Result<(), PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
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
        check_password(&new_password, Some(&account.portal_id), &policy)
            .map_err(|e| PortalError::Invalid(e.to_string()))?;
        let answer = normalize_answer(&answer);
        if answer == normalize_answer(&new_password) {
            return Err(PortalError::Invalid(
                ResetAnswerError::SameAsPassword.to_string(),
            ));
        }
        let bucket = patient_bucket(&state, Some(account.id), &account.portal_id).await?;
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let Admission::Admitted {
            failures,
            locks_until,
        } = admission
        else {
            attempts::record_failure(
                &state,
                Actor::Account(account.id),
                Some(account.person_id),
                "password_reset.answer",
                admission,
                now,
            )
            .await?;
            return Err(match admission {
                Admission::Locked { until } => locked_message(&state, until),
                _ => start_again(),
            });
        };
        let stored = account.reset_answer_hash.clone();
        let right = off_runtime(move || verify_password(&answer, &stored)).await?;
        if !right {
            attempts::record_failure(
                &state,
                Actor::Account(account.id),
                Some(account.person_id),
                "password_reset.answer",
                admission,
                now,
            )
            .await?;
            return Err(locks_until.map_or_else(
                || {
                    PortalError::Invalid(
                        "That is not the answer to your reset question. Try again.".into(),
                    )
                },
                |until| locked_message(&state, until),
            ));
        }
        // The reset details prove who this is, but not the second step: with 2-step
        // verification on, earlier failures (wrong codes among them) stay counted.
        let release = if account.totp_confirmed_at.is_some() {
            1
        } else {
            failures
        };
        replace_password(
            &state,
            Some((row.id, start_again)),
            &account,
            new_password,
            PasswordChange {
                keep_session: None,
                release: Some((bucket, failures, release)),
                action: "password_reset.completed",
            },
        )
        .await
    }
}
