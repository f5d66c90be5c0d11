//! Attempts at a secret (a password, a reset answer, an authenticator code), for patients and
//! staff alike: which bucket counts them (see [`crate::db::lockout`]), admission before the
//! secret is checked, and the audit entry of a failure.

use super::PortalError;
use super::session::audit_event;
use crate::db::audit::{self, Actor, Outcome};
use crate::db::lockout::{self, Admission, Bucket};
use crate::domain::policy::OrganizationPolicy;
use crate::state::AppState;
use chrono::{DateTime, Utc};

fn internal(e: impl std::fmt::Display) -> PortalError {
    PortalError::internal("attempts", e)
}

/// The cookie that marks a browser on which an account has signed in before. Failures from it
/// are counted apart from strangers' (OWASP, "slow down online guessing attacks with device
/// cookies").
pub const BROWSER_COOKIE: &str = "__Host-portal_browser";

/// Days a browser stays known after its last sign-in.
pub const BROWSER_COOKIE_DAYS: i64 = 365;

/// The bucket for attempts on patient account `account_id` (0 for an unknown portal ID) from
/// this request's browser: its own when it has signed in to the account before, otherwise the
/// account's bucket for unknown browsers. The same queries run whether or not the account exists.
pub async fn patient_bucket(state: &AppState, account_id: i32) -> Result<Bucket, PortalError> {
    let known = match super::session::cookie(BROWSER_COOKIE) {
        Some(token) => lockout::trusted_browser(&state.db, &state.tokens, account_id, &token)
            .await
            .map_err(internal)?,
        None => None,
    };
    Ok(known.unwrap_or(if account_id == 0 {
        Bucket::NOBODY
    } else {
        Bucket::Account(account_id)
    }))
}

/// Admits one attempt on `bucket` before its secret is checked.
pub async fn admit(
    state: &AppState,
    bucket: Bucket,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<Admission, PortalError> {
    lockout::admit(&state.db, bucket, now, policy)
        .await
        .map_err(internal)
}

/// Marks this browser as one the patient signed in on (in the transaction of the sign-in) and
/// sets its cookie.
pub async fn trust_this_browser<C: sea_orm::ConnectionTrait>(
    txn: &C,
    state: &AppState,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<(), PortalError> {
    let token = lockout::trust_browser(
        txn,
        &state.tokens,
        account_id,
        super::session::cookie(BROWSER_COOKIE),
        now,
    )
    .await
    .map_err(internal)?;
    super::session::set_host_cookie(BROWSER_COOKIE, &token, BROWSER_COOKIE_DAYS * 86_400);
    Ok(())
}

/// Why an attempt failed, for the audit entry (never for the answer).
#[derive(Debug, Clone, Copy)]
pub enum FailureReason {
    UnknownId,
    WrongSecret,
    Locked,
}

impl FailureReason {
    pub fn of(admission: Admission) -> Self {
        match admission {
            Admission::Admitted { .. } => Self::WrongSecret,
            Admission::Locked { .. } => Self::Locked,
            Admission::Missing => Self::UnknownId,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownId => "unknown_id",
            Self::WrongSecret => "wrong_secret",
            Self::Locked => "locked",
        }
    }
}

/// Audits a failed attempt. `subject` is the person whose account it was, when known.
pub async fn record_failure(
    state: &AppState,
    actor: Actor,
    subject: Option<i32>,
    action: &'static str,
    admission: Admission,
    now: DateTime<Utc>,
) -> Result<(), PortalError> {
    let reason = FailureReason::of(admission);
    let mut detail = serde_json::json!({ "reason": reason.as_str() });
    if let Admission::Admitted {
        failures,
        locks_until,
    } = admission
    {
        detail["failures"] = failures.into();
        detail["locked_until"] = serde_json::json!(locks_until);
    }
    let mut event = audit_event(state, actor, action, Outcome::Failure).detail(detail);
    if let Some(person_id) = subject {
        event = event.subject(person_id);
    }
    audit::record(&state.db, now, event)
        .await
        .map(|_| ())
        .map_err(internal)
}
