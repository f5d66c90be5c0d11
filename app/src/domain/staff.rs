//! Staff roles and the staff sign-in name. Patients are not staff: a patient's rights come from
//! their account and relationships, a staff member's from their role at one organization.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffRole {
    /// Enrols patients, issues codes, processes proxy forms.
    FrontDesk,
    /// Releases results and answers e-visits.
    Clinician,
    /// Everything front desk can do, plus staff and organization settings.
    Administrator,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [Self::FrontDesk, Self::Clinician, Self::Administrator];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FrontDesk => "front-desk",
            Self::Clinician => "clinician",
            Self::Administrator => "administrator",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "\"{text}\" is not a staff role; use front-desk, clinician or administrator"
                )
            })
    }
}

/// A staff member's sign-in name: 3 to 64 characters, lower-case letters, digits, `.`, `-`, `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUsername(String);

impl StaffUsername {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_lowercase();
        if !(3..=64).contains(&t.len()) {
            return Err("A staff username has 3 to 64 characters.".into());
        }
        if !t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
        {
            return Err("A staff username may use only letters, digits, '.', '-' and '_'.".into());
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Staff accounts reach many records, so their passwords must be longer than patients' (A4):
/// at least 12 characters, with a letter and a digit.
pub fn check_staff_password(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("A staff password needs at least 12 characters.".into());
    }
    if !password.chars().any(char::is_alphabetic) || !password.chars().any(|c| c.is_ascii_digit()) {
        return Err("A staff password needs at least one letter and one digit.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_stored_form() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.as_str()), Ok(role));
        }
        assert!(StaffRole::parse("patient").is_err());
    }

    #[test]
    fn staff_usernames_are_lower_cased_and_limited_to_safe_characters() {
        assert_eq!(
            StaffUsername::parse(" Desk.One ").unwrap().as_str(),
            "desk.one"
        );
        for bad in ["ab", "has space", "semi;colon", &"x".repeat(65)] {
            assert!(StaffUsername::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn staff_passwords_need_twelve_characters_a_letter_and_a_digit() {
        assert!(check_staff_password("short1").is_err());
        assert!(check_staff_password("alllettersonly").is_err());
        assert!(check_staff_password("123456789012").is_err());
        assert!(check_staff_password("riverbend desk 2026").is_ok());
    }
}
