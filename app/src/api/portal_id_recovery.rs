//! Forgotten portal ID (A7): the help line gives an access code; with it, the SSN and the date
//! of birth, the patient sees their original portal ID and then chooses a new password.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveredPortalId {
    pub portal_id: String,
    /// Valid for 15 minutes, to choose the new password.
    pub ticket: String,
}

#[server(endpoint = "account/forgot-portal-id/recover")]
pub async fn recover_portal_id(
    access_code: String,
    ssn: String,
    date_of_birth: String,
) -> Result<RecoveredPortalId, PortalError> {
    // Public: the access code, SSN and date of birth together are the proof.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::recover(g, access_code, ssn, date_of_birth)
    })
    .await
}

#[server(endpoint = "account/forgot-portal-id/new-password")]
pub async fn choose_new_password(ticket: String, new_password: String) -> Result<(), PortalError> {
    // Public: the ticket from the first step is the proof.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::choose_new_password(g, ticket, new_password)
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use super::{PortalError, RecoveredPortalId};
    use crate::api::code_tries::{CodeKind, try_code};
    use crate::api::guard::Guarded;
    use crate::api::password_change::{PasswordChange, replace_password};
    use crate::db::accounts;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose};
    use crate::domain::activation::{CodeState, OneTimeCode, code_state};
    use crate::domain::age::parse_date_of_birth;
    use crate::domain::password::check_password;
    use crate::domain::ssn::Ssn;
    use sea_orm::TransactionTrait;

    const TICKET_MINUTES: i64 = 15;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("portal_id_recovery", e)
    }

    fn invalid(e: impl std::fmt::Display) -> PortalError {
        PortalError::Invalid(e.to_string())
    }

    use crate::api::request::audit_event as event;

    pub async fn recover(
        g: Guarded<()>,
        access_code: String,
        ssn: String,
        date_of_birth: String,
    ) -> Result<RecoveredPortalId, PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let db = &state.db;
        let code = OneTimeCode::parse(&access_code).map_err(invalid)?;
        let ssn = Ssn::parse(&ssn).map_err(invalid)?;
        let date_of_birth = parse_date_of_birth(&date_of_birth).map_err(invalid)?;
        let help = state.site.branding.help_line.display().to_owned();
        let mismatch = || {
            PortalError::Invalid(format!(
                "Those details do not match our records. Check them and try again, or call {help}."
            ))
        };
        let row = codes::find_code(db, &state.tokens, CodePurpose::PortalIdRecovery, &code)
            .await
            .map_err(internal)?
            .filter(|row| row.organization_id == state.site.organization_id)
            .ok_or_else(mismatch)?;
        let kind = CodeKind {
            noun: "access code",
            ask_again: format!("Call {help} for a new one."),
            action: "portal_id.recover",
        };
        let ssn_lookup = state.vault.lookup(&ssn);
        let person = try_code(
            &state,
            &policy,
            now,
            &row,
            &kind,
            |person| {
                person.date_of_birth == date_of_birth
                    && person.ssn_lookup.as_deref() == Some(ssn_lookup.as_str())
            },
            mismatch,
        )
        .await?;
        let account = accounts::account_of_person(db, person.id, state.site.organization_id)
            .await
            .map_err(internal)?
            .ok_or_else(mismatch)?;
        let txn = db.begin().await.map_err(internal)?;
        if !codes::mark_code_used(&txn, row.id, now)
            .await
            .map_err(internal)?
        {
            return Err(mismatch());
        }
        let ticket = codes::issue_ticket(
            &txn,
            &state.tokens,
            state.site.organization_id,
            person.id,
            CodePurpose::NewPassword,
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
                "portal_id.recovered",
                Outcome::Success,
            )
            .subject(person.id)
            .detail(serde_json::json!({ "code_id": row.id })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(RecoveredPortalId {
            portal_id: account.portal_id,
            ticket,
        })
    }

    pub async fn choose_new_password(
        g: Guarded<()>,
        ticket: String,
        new_password: String,
    ) -> Result<(), PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let db = &state.db;
        let start_again = || {
            PortalError::Invalid(
                "This page has expired. Call the help line for a new access code.".into(),
            )
        };
        let row = codes::find_ticket(db, &state.tokens, CodePurpose::NewPassword, ticket.trim())
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
        check_password(&new_password, Some(&account.portal_id), &policy).map_err(invalid)?;
        replace_password(
            &state,
            Some((row.id, start_again)),
            &account,
            new_password,
            PasswordChange {
                keep_session: None,
                // The help line checked who this is: strangers' failures no longer matter.
                release: Some((
                    crate::db::lockout::Bucket::Account(account.id),
                    u32::MAX,
                    u32::MAX,
                )),
                action: "password.changed_after_recovery",
            },
        )
        .await
    }
}
