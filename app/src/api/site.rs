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
    super::guard::guarded(super::guard::Anyone, |g| async move {
        let signed_in = crate::api::account::signed_in_patient(&g.caller);
        Ok(SiteInfo {
            branding: g.state.site.branding.clone(),
            policy: g.policy,
            signed_in,
        })
    })
    .await
}

/// A1: could someone born on `date_of_birth` hold an account today, in the organization's time
/// zone and by its policy? Empty or malformed input gets a message saying what to enter.
#[server(endpoint = "site/account-eligibility", input = leptos::server_fn::codec::GetUrl)]
pub async fn check_account_eligibility(
    date_of_birth: String,
) -> Result<AccountEligibility, PortalError> {
    use crate::domain::age::{account_eligibility, local_date};

    // Public by design: it answers about a date, not about anyone on record.
    super::guard::guarded(super::guard::Anyone, |g| async move {
        let date_of_birth = crate::domain::age::parse_date_of_birth(&date_of_birth)
            .map_err(|e| PortalError::Invalid(e.to_string()))?;
        let today = local_date(g.now, g.state.site.time_zone);
        Ok(account_eligibility(
            date_of_birth,
            today,
            g.policy.adult_age,
        ))
    })
    .await
}
