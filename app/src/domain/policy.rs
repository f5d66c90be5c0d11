//! The organization's policy: every number the rules name is a setting whose default is the
//! rules' value (`docs/rules.md`). The demo organization ships with these defaults; a
//! deployment in another state changes the setting, not the code. Stored as JSON on the
//! organization, so a setting added later reads its default from rows written before it existed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationPolicy {
    /// A1: the age from which a person may hold an account.
    pub adult_age: u32,
    /// A2: days an activation code stays valid.
    pub activation_code_valid_days: u32,
    /// A7: hours a help-line access code (forgotten portal ID) stays valid.
    pub access_code_valid_hours: u32,
    /// A3: portal ID length bounds.
    pub portal_id_min_length: u32,
    pub portal_id_max_length: u32,
    /// A4: minimum password length.
    pub password_min_length: u32,
    /// P2: years an adult-to-adult proxy grant lasts before it must be renewed.
    pub adult_proxy_years: u32,
    /// P5: the birthday from which a parent's access is limited.
    pub parent_limited_access_age: u32,
    /// C3: days after which a lab result is released automatically (0 = at once).
    pub lab_result_release_days: u32,
    /// C7: minutes within which a clinician answers an e-visit, and what it costs.
    pub evisit_response_minutes: u32,
    pub evisit_price_cents: u32,
    /// Sign-in: failures allowed before the first lockout, and how long that lockout lasts (it
    /// doubles with every further failure, up to a day).
    pub sign_in_failures_before_lockout: u32,
    pub lockout_minutes: u32,
    /// Sessions end after this many idle minutes, and at the latest this many hours after sign-in.
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    /// Sign-in, activation and reset attempts one network address may make in the window.
    pub attempts_per_address: u32,
    pub attempt_window_minutes: u32,
    /// 2-step verification: days a device the patient chose to remember skips the second step.
    pub remember_device_days: u32,
    /// Wrong dates of birth or SSNs tried with one activation or access code before the code is
    /// spent and a new one must be asked for.
    pub code_attempts_before_spent: u32,
    /// Activation codes one patient can have sent by email (online enrolment) in 24 hours.
    pub online_codes_per_day: u32,
}

impl Default for OrganizationPolicy {
    fn default() -> Self {
        Self {
            adult_age: 18,
            activation_code_valid_days: 90,
            access_code_valid_hours: 24,
            portal_id_min_length: 5,
            portal_id_max_length: 14,
            password_min_length: 7,
            adult_proxy_years: 5,
            parent_limited_access_age: 13,
            lab_result_release_days: 4,
            evisit_response_minutes: 60,
            evisit_price_cents: 3500,
            sign_in_failures_before_lockout: 5,
            lockout_minutes: 15,
            session_idle_minutes: 20,
            session_absolute_hours: 12,
            attempts_per_address: 50,
            attempt_window_minutes: 10,
            remember_device_days: 30,
            code_attempts_before_spent: 5,
            online_codes_per_day: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the organization policy is not valid JSON: {0}")]
    Malformed(String),
    #[error("the organization policy is inconsistent: {0}")]
    Inconsistent(&'static str),
}

impl OrganizationPolicy {
    /// Reads a stored policy; missing settings take their defaults, unknown ones are refused so a
    /// misspelt setting is noticed instead of silently ignored.
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let policy: Self =
            serde_json::from_str(text).map_err(|e| PolicyError::Malformed(e.to_string()))?;
        policy.validated()
    }

    pub fn validated(self) -> Result<Self, PolicyError> {
        if self.adult_age == 0 {
            return Err(PolicyError::Inconsistent(
                "the adult age must be at least 1",
            ));
        }
        if self.parent_limited_access_age > self.adult_age {
            return Err(PolicyError::Inconsistent(
                "limited parent access cannot begin after adulthood",
            ));
        }
        if self.portal_id_min_length == 0 || self.portal_id_min_length > self.portal_id_max_length {
            return Err(PolicyError::Inconsistent(
                "portal ID length bounds are reversed or zero",
            ));
        }
        if self.password_min_length == 0
            || self.activation_code_valid_days == 0
            || self.adult_proxy_years == 0
        {
            return Err(PolicyError::Inconsistent(
                "password length, code validity and proxy term must be at least 1",
            ));
        }
        if self.sign_in_failures_before_lockout == 0
            || self.lockout_minutes == 0
            || self.session_idle_minutes == 0
            || self.session_absolute_hours == 0
            || self.attempts_per_address == 0
            || self.attempt_window_minutes == 0
            || self.access_code_valid_hours == 0
            || self.remember_device_days == 0
            || self.code_attempts_before_spent == 0
            || self.online_codes_per_day == 0
        {
            return Err(PolicyError::Inconsistent(
                "lockout and session settings must be at least 1",
            ));
        }
        Ok(self)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_rules_values() {
        let p = OrganizationPolicy::default();
        assert_eq!(p.adult_age, 18, "A1");
        assert_eq!(
            (p.portal_id_min_length, p.portal_id_max_length),
            (5, 14),
            "A3"
        );
        assert_eq!(p.password_min_length, 7, "A4");
        assert_eq!(p.adult_proxy_years, 5, "P2");
        assert_eq!(p.parent_limited_access_age, 13, "P5");
        assert_eq!(p.lab_result_release_days, 4, "C3");
        assert_eq!(
            (p.evisit_response_minutes, p.evisit_price_cents),
            (60, 3500),
            "C7"
        );
    }

    #[test]
    fn a_stored_policy_missing_a_setting_reads_its_default() {
        let p = OrganizationPolicy::from_json(r#"{"adult_age": 19}"#).unwrap();
        assert_eq!(p.adult_age, 19);
        assert_eq!(p.password_min_length, 7);
    }

    #[test]
    fn a_misspelt_or_inconsistent_setting_is_refused() {
        assert!(matches!(
            OrganizationPolicy::from_json(r#"{"adult_ag": 19}"#),
            Err(PolicyError::Malformed(_))
        ));
        assert!(matches!(
            OrganizationPolicy::from_json(r#"{"parent_limited_access_age": 20}"#),
            Err(PolicyError::Inconsistent(_))
        ));
    }

    #[test]
    fn a_policy_survives_a_round_trip_through_json() {
        let p = OrganizationPolicy {
            lab_result_release_days: 0,
            ..Default::default()
        };
        assert_eq!(OrganizationPolicy::from_json(&p.to_json()).unwrap(), p);
    }
}
