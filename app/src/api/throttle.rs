//! Per-address throttling of the attempts that guess secrets (sign-in, activation, password
//! reset), on top of per-account lockout. Kept in memory per portal instance: behind a load
//! balancer each instance limits separately, which still bounds guessing.

use super::PortalError;
use crate::domain::policy::OrganizationPolicy;
use crate::domain::sign_in::allow_attempt;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct AttemptThrottle {
    by_address: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl AttemptThrottle {
    /// Counts an attempt from `address` (or from unknown addresses together) and refuses it
    /// when the address has used its allowance.
    pub fn check(
        &self,
        address: Option<&str>,
        now: DateTime<Utc>,
        policy: &OrganizationPolicy,
    ) -> Result<(), PortalError> {
        let mut map = self.by_address.lock().unwrap_or_else(|p| p.into_inner());
        // Forget addresses that have gone quiet, so the map cannot grow without bound.
        if map.len() > 10_000 {
            map.retain(|_, recent| {
                recent
                    .back()
                    .is_some_and(|t| now - *t < chrono::Duration::hours(1))
            });
        }
        let recent = map
            .entry(address.unwrap_or("unknown").to_owned())
            .or_default();
        if allow_attempt(recent, now, policy) {
            Ok(())
        } else {
            tracing::warn!("attempts throttled for one address");
            Err(PortalError::Invalid(format!(
                "Too many attempts from your network. Please wait {} minutes and try again.",
                policy.attempt_window_minutes
            )))
        }
    }
}

/// How every server function that checks a secret (a password, a code, an answer) begins: the
/// state, the organization's policy and the time, once this address may make one more attempt.
pub async fn attempt() -> Result<(AppState, OrganizationPolicy, DateTime<Utc>), PortalError> {
    let state = crate::state::app_state()?;
    let policy = super::site::home_policy(&state).await?;
    let now = state.clock.now();
    state
        .throttle
        .check(super::session::source_ip().as_deref(), now, &policy)?;
    Ok((state, policy, now))
}
