//! Public information about the portal: branding for every page, and the "can I have an
//! account?" check (A1). Neither needs a signed-in caller nor reveals anything about a person.

use super::PortalError;
use crate::domain::age::AccountEligibility;
use crate::domain::branding::Branding;
use crate::domain::policy::OrganizationPolicy;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every page may show about the organization: its branding, help line and the settings
/// the public pages explain (ages, ID and password rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub branding: Branding,
    pub policy: OrganizationPolicy,
    /// Who is signed in on this browser, for the page header (one request for both).
    pub signed_in: Option<crate::api::account::SignedInPatient>,
}

#[server(endpoint = "site/info", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_site_info() -> Result<SiteInfo, PortalError> {
    // Public by design: it is what the sign-in page shows anyone.
    // Who is signed in is only ever the caller's own session.
    super::answer(
        async {
            let state = super::app_state()?;
            let policy = home_policy(&state).await?;
            let signed_in = crate::api::account::signed_in_patient().await?;
            Ok(SiteInfo {
                branding: state.site.branding.clone(),
                policy,
                signed_in,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub(crate) async fn home_policy(
    state: &crate::state::AppState,
) -> Result<OrganizationPolicy, PortalError> {
    use crate::db::store;
    if let Some(policy) = state.policy.get() {
        return Ok(policy);
    }
    let org = store::organization_by_id(&state.db, state.site.organization_id)
        .await
        .map_err(|e| PortalError::internal("home_policy", e))?
        .ok_or_else(|| PortalError::internal("home_policy", "home organization missing"))?;
    let policy = store::policy_of(&org).map_err(|e| PortalError::internal("home_policy", e))?;
    state.policy.put(policy.clone());
    Ok(policy)
}

/// A1: could someone born on `date_of_birth` hold an account today, in the organization's time
/// zone and by its policy? Empty or malformed input gets a message saying what to enter.
#[server(endpoint = "site/account-eligibility", input = leptos::server_fn::codec::GetUrl)]
pub async fn check_account_eligibility(
    date_of_birth: String,
) -> Result<AccountEligibility, PortalError> {
    use crate::domain::age::{account_eligibility, local_date};

    // Public by design: it answers about a date, not about anyone on record.
    super::answer(
        async {
            let state = super::app_state()?;
            let date_of_birth = crate::domain::age::parse_date_of_birth(&date_of_birth)
                .map_err(|e| PortalError::Invalid(e.to_string()))?;
            let policy = home_policy(&state).await?;
            let today = local_date(state.clock.now(), state.site.time_zone);
            Ok(account_eligibility(date_of_birth, today, policy.adult_age))
        }
        .await,
    )
}
