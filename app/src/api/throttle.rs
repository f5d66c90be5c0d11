//! Per-address throttling of the attempts that guess secrets (sign-in, activation, password
//! reset), on top of the counts kept against each account and each code in the database. Kept in
//! memory per portal instance, for a bounded number of addresses (the least recently seen are
//! forgotten first), with constant work per request. Behind a load balancer each instance limits
//! separately, so an address can make up to the allowance times the number of instances; the
//! database's counts per account and per code are shared by all instances and hold regardless.

use super::PortalError;
use crate::domain::client_address::limit_key;
use crate::domain::policy::OrganizationPolicy;
use crate::domain::sign_in::allow_attempt;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// Addresses remembered at once: about 6 MB at most.
const REMEMBERED_ADDRESSES: usize = 100_000;

#[derive(Debug)]
pub struct AttemptThrottle {
    next_free: Mutex<lru::LruCache<IpAddr, DateTime<Utc>>>,
}

impl Default for AttemptThrottle {
    fn default() -> Self {
        Self {
            next_free: Mutex::new(lru::LruCache::new(
                NonZeroUsize::new(REMEMBERED_ADDRESSES).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }
}

impl AttemptThrottle {
    /// Counts an attempt from `address` (IPv6 per /64; unknown addresses together) and refuses
    /// it when the address has used its allowance.
    pub fn check(
        &self,
        address: Option<IpAddr>,
        now: DateTime<Utc>,
        policy: &OrganizationPolicy,
    ) -> Result<(), PortalError> {
        let key = address.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), limit_key);
        let mut map = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
        match allow_attempt(map.get(&key).copied(), now, policy) {
            Some(next_free) => {
                map.put(key, next_free);
                Ok(())
            }
            None => {
                tracing::warn!("attempts throttled for one address");
                Err(PortalError::Invalid(format!(
                    "Too many attempts from your network. Please wait {} minutes and try again.",
                    policy.attempt_window_minutes
                )))
            }
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
        .check(super::session::client_ip(), now, &policy)?;
    Ok((state, policy, now))
}
