//! 2-step verification (issue 3): what a person may type at the second step of sign-in, and how
//! long a remembered device skips it. The codes themselves are in [`super::totp`] (authenticator
//! apps) and [`super::activation::OneTimeCode`] (the shape recovery codes share with one-time
//! codes: 60 random bits, read back forgivingly).

use super::activation::OneTimeCode;
use super::policy::OrganizationPolicy;
use chrono::{DateTime, Duration, Utc};

/// Recovery codes made at a time; making new ones replaces every old one.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// What was typed at the second step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondStepCode {
    /// Six digits from an authenticator app (checked against the secret by [`super::totp`]).
    Authenticator(String),
    /// One of the printed recovery codes.
    Recovery(OneTimeCode),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecondStepError {
    #[error(
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes (12 letters and digits)."
    )]
    Shape,
}

impl SecondStepCode {
    pub fn parse(text: &str) -> Result<Self, SecondStepError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 6 && compact.chars().all(|c| c.is_ascii_digit()) {
            return Ok(Self::Authenticator(compact));
        }
        OneTimeCode::parse(&compact)
            .map(Self::Recovery)
            .map_err(|_| SecondStepError::Shape)
    }
}

/// When "remember this device", chosen at `now`, stops skipping the second step.
pub fn remembered_until(now: DateTime<Utc>, policy: &OrganizationPolicy) -> DateTime<Utc> {
    now + Duration::days(i64::from(policy.remember_device_days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn six_digits_are_an_authenticator_code_with_spaces_ignored() {
        assert_eq!(
            SecondStepCode::parse(" 123 456 "),
            Ok(SecondStepCode::Authenticator("123456".into()))
        );
    }

    #[test]
    fn a_recovery_code_is_read_like_a_printed_code() {
        let code = OneTimeCode::from_random(0x0123_4567_89ab_cdef & ((1 << 60) - 1));
        let typed = code.display().to_lowercase();
        assert_eq!(
            SecondStepCode::parse(&typed),
            Ok(SecondStepCode::Recovery(code))
        );
    }

    #[test]
    fn anything_else_is_refused_with_a_plain_message() {
        for typed in ["", "12345", "1234567", "abc", "12345a", "XXXX-XXXX-XXX"] {
            assert_eq!(
                SecondStepCode::parse(typed),
                Err(SecondStepError::Shape),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn a_device_is_remembered_for_the_policy_days_to_the_second() {
        let policy = OrganizationPolicy::default();
        assert_eq!(policy.remember_device_days, 30);
        let now = Utc.with_ymd_and_hms(2026, 2, 27, 23, 59, 59).unwrap();
        assert_eq!(
            remembered_until(now, &policy),
            Utc.with_ymd_and_hms(2026, 3, 29, 23, 59, 59).unwrap()
        );
    }
}
