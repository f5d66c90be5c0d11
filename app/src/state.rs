//! The server's shared state, one accessor for server functions. Built by the `server` crate at
//! start-up (and by the test harness with a fixed clock and a fresh database).

use crate::api::PortalError;
use crate::api::throttle::AttemptThrottle;
use crate::db::tokens::TokenHasher;
use crate::db::vault::SsnVault;
use crate::domain::branding::Branding;
use crate::domain::clock::Clock;
use crate::domain::policy::OrganizationPolicy;
use axum::extract::FromRef;
use chrono_tz::Tz;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What the deployment serves: its organization and how the portal presents it.
#[derive(Debug, Clone)]
pub struct Site {
    pub organization_id: i32,
    pub time_zone: Tz,
    pub branding: Branding,
    /// The proxies whose X-Forwarded-For entries name the client.
    pub trusted_proxies: crate::domain::client_address::TrustedProxies,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub site: Arc<Site>,
    pub clock: Arc<dyn Clock>,
    pub vault: Arc<SsnVault>,
    pub tokens: Arc<TokenHasher>,
    pub throttle: Arc<AttemptThrottle>,
    /// The organization's policy as last read, for a few seconds (see [`PolicyCache`]).
    pub policy: Arc<PolicyCache>,
}

/// The organization's policy, read from the database at most once every few seconds per portal
/// instance: every page and most server functions need it, and it changes rarely. A change made
/// through the portal calls [`PolicyCache::forget`]; other instances see it within
/// [`PolicyCache::FRESH_FOR`].
#[derive(Debug, Default)]
pub struct PolicyCache {
    latest: std::sync::Mutex<Option<(std::time::Instant, OrganizationPolicy)>>,
}

impl PolicyCache {
    pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

    pub fn get(&self) -> Option<OrganizationPolicy> {
        let latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        latest
            .as_ref()
            .filter(|(read_at, _)| read_at.elapsed() < Self::FRESH_FOR)
            .map(|(_, policy)| policy.clone())
    }

    pub fn put(&self, policy: OrganizationPolicy) {
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((std::time::Instant::now(), policy));
    }

    /// The policy changed: read it again next time.
    pub fn forget(&self) {
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The state, from inside a server function or a server-side render.
pub fn app_state() -> Result<AppState, PortalError> {
    use_context::<AppState>()
        .ok_or_else(|| PortalError::internal("app_state", "AppState missing from context"))
}
