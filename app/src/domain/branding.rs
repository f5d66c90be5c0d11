//! What the deploying organization configures about how the portal presents itself: its names,
//! accent colour and 24/7 help line (A8). Parsed once at start-up; a bad value is refused with a
//! message naming what is wrong.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A CSS colour in `#rrggbb` form. Only this form is accepted, so it can be written into a
/// stylesheet without escaping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HexColor(String);

impl HexColor {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let ok =
            t.len() == 7 && t.starts_with('#') && t[1..].chars().all(|c| c.is_ascii_hexdigit());
        if ok {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(format!("\"{text}\" is not a colour of the form #1a5f7a"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone number as people read it ("1-800-555-0199") that can also be dialled (`tel:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let digits = t.chars().filter(char::is_ascii_digit).count();
        let allowed = t
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (i == 0 && c == '+'));
        if allowed && (7..=15).contains(&digits) {
            Ok(Self(t.to_owned()))
        } else {
            Err(format!(
                "\"{text}\" is not a phone number (7 to 15 digits, spaces, dashes, brackets)"
            ))
        }
    }

    pub fn display(&self) -> &str {
        &self.0
    }

    /// The `tel:` link target: digits only, with a leading `+` kept.
    pub fn tel_uri(&self) -> String {
        let plus = if self.0.starts_with('+') { "+" } else { "" };
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        format!("tel:{plus}{digits}")
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every page shows about the organization, shared by server and browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub portal_name: String,
    pub organization_name: String,
    pub accent_color: HexColor,
    pub help_line: PhoneNumber,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_must_be_six_hex_digits_after_a_hash() {
        assert_eq!(HexColor::parse("#1A5F7A").unwrap().as_str(), "#1a5f7a");
        for bad in ["1a5f7a", "#1a5f7", "#1a5f7g", "red", "#1a5f7a;}", ""] {
            assert!(HexColor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a8_the_help_line_is_shown_as_written_and_dialled_as_digits() {
        let p = PhoneNumber::parse("1-800-555-0199").unwrap();
        assert_eq!(p.display(), "1-800-555-0199");
        assert_eq!(p.tel_uri(), "tel:18005550199");
        assert_eq!(
            PhoneNumber::parse("+1 (608) 555-0100").unwrap().tel_uri(),
            "tel:+16085550100"
        );
        for bad in ["call us", "12", "555-0100 ext. 4", "1+800"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
