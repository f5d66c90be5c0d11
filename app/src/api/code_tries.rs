//! A typed one-time code (A2 activation, A7 access code) comes with details that prove who is
//! using it: a date of birth, and for A7 an SSN. Every try counts against the code until the
//! details prove right, so after the policy's number of wrong tries the code is spent, however
//! many tries arrive at once and whatever state the code is in. Only right details learn that a
//! code was used, replaced or has expired.

use super::PortalError;
use super::request::audit_event;
use crate::db::accounts;
use crate::db::audit::{self, Actor, Outcome};
use crate::db::codes;
use crate::db::entities::{one_time_code, person};
use crate::domain::activation::{CodeState, code_state};
use crate::domain::policy::OrganizationPolicy;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

fn internal(e: impl std::fmt::Display) -> PortalError {
    PortalError::internal("code_tries", e)
}

/// How the answers name the code and where a new one comes from.
pub struct CodeKind {
    /// "activation code", "access code"
    pub noun: &'static str,
    /// "Ask your clinic for a new one."
    pub ask_again: String,
    /// The audit action of a failed try.
    pub action: &'static str,
}

/// Tries `row` with details checked by `details_match`; returns the person the code was issued
/// to once the details are right and the code can be used. `mismatch` is the answer to wrong
/// details (the same whether the code exists or not).
pub async fn try_code(
    state: &AppState,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
    row: &one_time_code::Model,
    kind: &CodeKind,
    details_match: impl FnOnce(&person::Model) -> bool,
    mismatch: impl Fn() -> PortalError,
) -> Result<person::Model, PortalError> {
    let db = &state.db;
    let allowed = policy.code_attempts_before_spent;
    let spent = || {
        PortalError::Invalid(format!(
            "This {} can no longer be used after too many tries. {}",
            kind.noun, kind.ask_again
        ))
    };
    let admitted = codes::admit_guess(db, row.id, allowed)
        .await
        .map_err(internal)?;
    let person = accounts::person_by_id(db, row.person_id)
        .await
        .map_err(internal)?
        .ok_or_else(&mismatch)?;
    let matches = details_match(&person);
    let now_row = one_time_code::Entity::find_by_id(row.id)
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(&mismatch)?;
    let tries_used = u32::try_from(now_row.failed_attempts).unwrap_or(u32::MAX);
    if !admitted {
        // Its tries are used up: nothing is compared, and the answer is the same either way.
        return Err(spent());
    }
    if !matches {
        audit::record(
            db,
            now,
            audit_event(state, Actor::Anonymous, kind.action, Outcome::Failure)
                .subject(person.id)
                .detail(serde_json::json!({
                    "code_id": row.id,
                    "reason": "details",
                    "tries": tries_used,
                })),
        )
        .await
        .map_err(internal)?;
        return Err(if tries_used >= allowed {
            spent()
        } else {
            mismatch()
        });
    }
    codes::take_back_guess(db, row.id).await.map_err(internal)?;
    // The details were right: now the code's own state may be told.
    if now_row.used_at.is_some() {
        return Err(PortalError::Invalid(format!(
            "This {} has already been used. If that was not you, call {}.",
            kind.noun,
            state.site.branding.help_line.display()
        )));
    }
    if now_row.withdrawn_at.is_some() {
        return Err(PortalError::Invalid(format!(
            "A newer {} replaced this one. Use the newest one you were given. {}",
            kind.noun, kind.ask_again
        )));
    }
    if code_state(now_row.expires_at, now_row.used_at, now) == CodeState::Expired {
        return Err(PortalError::Invalid(format!(
            "This {} has expired. {}",
            kind.noun, kind.ask_again
        )));
    }
    Ok(person)
}
