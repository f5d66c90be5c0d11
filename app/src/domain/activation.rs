//! One-time codes (A2 activation codes, A7 access codes). A code is 12 characters of Crockford
//! base32 (60 random bits), shown as `XXXX-XXXX-XXXX` and read back forgivingly: case, dashes and
//! spaces do not matter, and the letters people confuse with digits (O, I, L) read as the digits.
//! The store keeps only a hash of a code, so the randomness is supplied by the caller.

use crate::domain::policy::OrganizationPolicy;
use chrono::{DateTime, Duration, Utc};
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH: usize = 12;

#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("Enter the code exactly as it is printed: 12 letters and digits.")]
    Shape,
}

impl OneTimeCode {
    /// A code from 60 random bits (the low 60 of `random`).
    pub fn from_random(random: u64) -> Self {
        let code = (0..LENGTH)
            .map(|i| char::from(ALPHABET[((random >> (5 * i)) & 31) as usize]))
            .collect();
        Self(code)
    }

    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let mut code = String::with_capacity(LENGTH);
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(CodeError::Shape);
            }
            code.push(c);
        }
        if code.len() == LENGTH {
            Ok(Self(code))
        } else {
            Err(CodeError::Shape)
        }
    }

    /// The canonical form, which is what gets hashed.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// How the code is printed for the patient: `XXXX-XXXX-XXXX`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[0..4], &self.0[4..8], &self.0[8..12])
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(..)")
    }
}

/// Why a code that exists cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    Usable,
    Used,
    Expired,
}

/// How long an activation code (A2) works after it is issued.
pub fn activation_code_validity(policy: &OrganizationPolicy) -> Duration {
    Duration::days(i64::from(policy.activation_code_valid_days))
}

/// How long a help-line access code (A7) works after it is issued.
pub fn access_code_validity(policy: &OrganizationPolicy) -> Duration {
    Duration::hours(i64::from(policy.access_code_valid_hours))
}

pub fn code_state(
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CodeState {
    if used_at.is_some() {
        CodeState::Used
    } else if now >= expires_at {
        CodeState::Expired
    } else {
        CodeState::Usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a2_a_code_has_60_random_bits_in_12_unambiguous_characters() {
        let code = OneTimeCode::from_random(0x0FFF_FFFF_FFFF_FFFF);
        assert_eq!(code.canonical(), "ZZZZZZZZZZZZ");
        assert_eq!(OneTimeCode::from_random(0).canonical(), "000000000000");
        assert_ne!(OneTimeCode::from_random(1), OneTimeCode::from_random(2));
        assert_eq!(code.display(), "ZZZZ-ZZZZ-ZZZZ");
    }

    #[test]
    fn a2_a_code_is_read_back_however_it_is_typed() {
        let code = OneTimeCode::from_random(0x0123_4567_89AB_CDEF);
        let typed = code.display().to_lowercase().replace('-', " ");
        assert_eq!(OneTimeCode::parse(&typed).unwrap(), code);
        assert_eq!(
            OneTimeCode::parse("oooo-iiii-llll").unwrap().canonical(),
            "000011111111"
        );
        for bad in [
            "",
            "ABCD-EFGH-JKM",
            "ABCD-EFGH-JKMNP",
            "ABCD-EFGH-JKMU",
            "ABCD_EFGH_JKMN",
        ] {
            assert_eq!(OneTimeCode::parse(bad), Err(CodeError::Shape), "{bad}");
        }
    }

    #[test]
    fn a2_a_code_works_until_it_expires_and_only_once() {
        let issued: DateTime<Utc> = "2026-01-01T12:00:00Z".parse().unwrap();
        let end = issued + activation_code_validity(&OrganizationPolicy::default());
        assert_eq!(
            end,
            "2026-04-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            code_state(end, None, end - Duration::seconds(1)),
            CodeState::Usable
        );
        assert_eq!(code_state(end, None, end), CodeState::Expired);
        assert_eq!(code_state(end, Some(issued), issued), CodeState::Used);
        assert_eq!(
            access_code_validity(&OrganizationPolicy::default()),
            Duration::hours(24)
        );
    }

    #[test]
    fn a_code_never_prints_itself() {
        assert_eq!(
            format!("{:?}", OneTimeCode::from_random(7)),
            "OneTimeCode(..)"
        );
    }
}
