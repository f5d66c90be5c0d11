//! The portal ID (A3): the patient's sign-in name. 5 to 14 characters (organization settings),
//! letters, digits and `.` `-` `_` `@`; unique regardless of case; chosen once at activation and
//! never changed. The same rules run in the browser while typing and on the server.

use crate::domain::policy::OrganizationPolicy;
use std::fmt;

/// A portal ID that satisfies the organization's rules. Its [`key`](PortalId::key) is the
/// lower-cased form under which uniqueness is enforced.
#[derive(Clone, PartialEq, Eq)]
pub struct PortalId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalIdError {
    #[error("Choose a portal ID.")]
    Missing,
    #[error("A portal ID has at least {0} characters.")]
    TooShort(u32),
    #[error("A portal ID has at most {0} characters.")]
    TooLong(u32),
    #[error("A portal ID may use only letters, digits, and . - _ @ (not \"{0}\").")]
    Disallowed(char),
}

pub fn is_allowed_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@')
}

impl PortalId {
    pub fn parse(text: &str, policy: &OrganizationPolicy) -> Result<Self, PortalIdError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(PortalIdError::Missing);
        }
        if let Some(c) = t.chars().find(|c| !is_allowed_character(*c)) {
            return Err(PortalIdError::Disallowed(c));
        }
        let len = u32::try_from(t.chars().count()).unwrap_or(u32::MAX);
        if len < policy.portal_id_min_length {
            return Err(PortalIdError::TooShort(policy.portal_id_min_length));
        }
        if len > policy.portal_id_max_length {
            return Err(PortalIdError::TooLong(policy.portal_id_max_length));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form under which a portal ID is unique and looked up.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

// A4: the portal ID is known only to the patient; keep it out of logs by accident.
impl fmt::Debug for PortalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PortalId(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<PortalId, PortalIdError> {
        PortalId::parse(t, &OrganizationPolicy::default())
    }

    #[test]
    fn a3_portal_ids_have_5_to_14_characters() {
        assert_eq!(parse("abcd"), Err(PortalIdError::TooShort(5)));
        assert!(parse("abcde").is_ok());
        assert!(parse("abcdefghijklmn").is_ok());
        assert_eq!(parse("abcdefghijklmno"), Err(PortalIdError::TooLong(14)));
    }

    #[test]
    fn a3_every_allowed_symbol_is_accepted_and_others_are_named() {
        for ok in ["a.b.c1", "a-b-c1", "a_b_c1", "a@b.c1", "ABCde12345"] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for (bad, c) in [
            ("abc def", ' '),
            ("abc+def", '+'),
            ("abc!def", '!'),
            ("abcdéf", 'é'),
        ] {
            assert_eq!(parse(bad), Err(PortalIdError::Disallowed(c)), "{bad}");
        }
        assert_eq!(parse("   "), Err(PortalIdError::Missing));
    }

    #[test]
    fn a3_portal_ids_are_the_same_regardless_of_case() {
        assert_eq!(
            parse("Alex.Rivera").unwrap().key(),
            parse("alex.rivera").unwrap().key()
        );
    }

    #[test]
    fn a3_the_length_bounds_are_organization_settings() {
        let policy = OrganizationPolicy {
            portal_id_min_length: 8,
            ..Default::default()
        };
        assert_eq!(
            PortalId::parse("abcdefg", &policy),
            Err(PortalIdError::TooShort(8))
        );
    }

    #[test]
    fn a_portal_id_never_prints_itself() {
        assert_eq!(
            format!("{:?}", parse("alex.rivera").unwrap()),
            "PortalId(..)"
        );
    }
}
