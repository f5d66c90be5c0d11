//! A failed attempt at a secret (password, reset answer, authenticator code): counted, locked
//! when the policy says so, and audited, in one transaction, for patients and staff alike.

use super::PortalError;
use super::session::audit_event;
use crate::db::audit::{self, Actor, Outcome};
use crate::db::{accounts, staff_auth};
use crate::domain::policy::OrganizationPolicy;
use crate::domain::sign_in::locked_until_after_failure;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

/// Whose attempt failed, and (for patients) whose record the audit entry is about.
#[derive(Debug, Clone, Copy)]
pub enum Attempter {
    Account { account_id: i32, person_id: i32 },
    Staff(i32),
}

/// Counts the failure and returns until when the attempter is now locked out, if they are.
pub async fn count_failure(
    state: &AppState,
    who: Attempter,
    action: &'static str,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, PortalError> {
    let internal = |e| PortalError::internal("count_failure", e);
    let txn = state.db.begin().await.map_err(internal)?;
    let (failures, actor, subject) = match who {
        Attempter::Account {
            account_id,
            person_id,
        } => (
            accounts::record_failed_sign_in(&txn, account_id)
                .await
                .map_err(internal)?,
            Actor::Account(account_id),
            Some(person_id),
        ),
        Attempter::Staff(staff_id) => (
            staff_auth::record_failed_sign_in(&txn, staff_id)
                .await
                .map_err(internal)?,
            Actor::Staff(staff_id),
            None,
        ),
    };
    let lock = locked_until_after_failure(failures, now, policy);
    if let Some(until) = lock {
        match who {
            Attempter::Account { account_id, .. } => {
                accounts::lock_account(&txn, account_id, until)
                    .await
                    .map_err(internal)?
            }
            Attempter::Staff(staff_id) => staff_auth::lock(&txn, staff_id, until)
                .await
                .map_err(internal)?,
        }
    }
    let mut event = audit_event(state, actor, action, Outcome::Failure)
        .detail(serde_json::json!({ "failures": failures, "locked_until": lock }));
    if let Some(person_id) = subject {
        event = event.subject(person_id);
    }
    audit::record(&txn, now, event).await.map_err(internal)?;
    txn.commit().await.map_err(internal)?;
    Ok(lock)
}
