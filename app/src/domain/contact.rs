//! A person's address and phone as they type them on the personal information page (C5): plain
//! shape checks with messages that say what to change. Empty fields clear what was there.

use serde::{Deserialize, Serialize};

/// The fields of the contact form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactForm {
    pub address_line: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub phone: String,
}

/// The same, checked: trimmed, `None` where left empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub address_line: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("The {0} can be at most {1} characters long.")]
    TooLong(&'static str, usize),
    #[error("The {0} cannot hold line breaks or control characters.")]
    Control(&'static str),
    #[error("Enter the ZIP or postal code with letters, digits, spaces and dashes only.")]
    PostalCode,
    #[error(
        "Enter the phone number with its area code, using digits and, if you like, spaces, \
         dashes, dots, brackets or a leading +: for example 608-555-0142."
    )]
    Phone,
    #[error("Enter the street address too, or leave the whole address empty.")]
    PartialAddress,
}

fn field(text: &str, name: &'static str, max: usize) -> Result<Option<String>, ContactError> {
    let t = text.trim();
    if t.chars().any(char::is_control) {
        return Err(ContactError::Control(name));
    }
    if t.chars().count() > max {
        return Err(ContactError::TooLong(name, max));
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

/// A phone number: 7 to 15 digits, with the usual separators between them.
pub fn parse_phone(text: &str) -> Result<Option<String>, ContactError> {
    let Some(phone) = field(text, "phone number", 25).map_err(|_| ContactError::Phone)? else {
        return Ok(None);
    };
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(7..=15).contains(&digits) {
        return Err(ContactError::Phone);
    }
    Ok(Some(phone))
}

impl ContactForm {
    pub fn check(&self) -> Result<Contact, ContactError> {
        let address_line = field(&self.address_line, "street address", 100)?;
        let city = field(&self.city, "city", 60)?;
        let region = field(&self.region, "state", 40)?;
        let postal_code = field(&self.postal_code, "ZIP code", 12)?;
        if postal_code.as_deref().is_some_and(|p| {
            !p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        }) {
            return Err(ContactError::PostalCode);
        }
        if address_line.is_none() && (city.is_some() || region.is_some() || postal_code.is_some()) {
            return Err(ContactError::PartialAddress);
        }
        Ok(Contact {
            address_line,
            city,
            region,
            postal_code,
            phone: parse_phone(&self.phone)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(phone: &str) -> ContactForm {
        ContactForm {
            address_line: " 12 Elm Street ".into(),
            city: "Riverbend".into(),
            region: "WI".into(),
            postal_code: "53700-1234".into(),
            phone: phone.into(),
        }
    }

    #[test]
    fn a_full_form_is_trimmed_and_kept() {
        let c = form("(608) 555-0142").check().unwrap();
        assert_eq!(c.address_line.as_deref(), Some("12 Elm Street"));
        assert_eq!(c.phone.as_deref(), Some("(608) 555-0142"));
        assert_eq!(c.postal_code.as_deref(), Some("53700-1234"));
    }

    #[test]
    fn empty_fields_clear_and_an_address_needs_its_street() {
        let c = ContactForm::default().check().unwrap();
        assert_eq!(c.phone, None);
        assert_eq!(c.address_line, None);
        let partial = ContactForm {
            city: "Riverbend".into(),
            ..Default::default()
        };
        assert_eq!(partial.check(), Err(ContactError::PartialAddress));
    }

    #[test]
    fn phone_numbers_need_7_to_15_digits_and_only_separators() {
        for good in ["555-0142", "+44 20 7946 0958", "608.555.0142"] {
            assert!(parse_phone(good).unwrap().is_some(), "{good}");
        }
        for bad in [
            "12345",
            "call me",
            "608-555-0142 x12",
            "1234567890123456",
            "60+8555014",
        ] {
            assert_eq!(parse_phone(bad), Err(ContactError::Phone), "{bad}");
        }
    }

    #[test]
    fn long_or_control_characters_are_refused_with_the_field_named() {
        let mut f = form("555-0142");
        f.city = "x".repeat(61);
        assert_eq!(f.check(), Err(ContactError::TooLong("city", 60)));
        f.city = "River\nbend".into();
        assert_eq!(f.check(), Err(ContactError::Control("city")));
        f.city = "Riverbend".into();
        f.postal_code = "53700;".into();
        assert_eq!(f.check(), Err(ContactError::PostalCode));
    }
}
