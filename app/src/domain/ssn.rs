//! Social Security numbers (A6, A7, A8). Held only as a parsed [`Ssn`] whose `Debug` and
//! `Display` never show more than the last four digits, so one cannot end up in a log by
//! accident. Encryption at rest happens in the store; this type only knows the number's shape.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Ssn([u8; 9]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsnError {
    #[error("Enter the 9 digits of the Social Security number, like 123-45-6789.")]
    Shape,
    #[error("That is not a valid Social Security number. Check the digits and try again.")]
    NeverIssued,
}

impl Ssn {
    /// Accepts `123-45-6789`, `123 45 6789` or `123456789`. Refuses numbers the Social Security
    /// Administration never issues (area 000, 666 or 9xx, group 00, serial 0000).
    pub fn parse(text: &str) -> Result<Self, SsnError> {
        let t = text.trim();
        if !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            return Err(SsnError::Shape);
        }
        let digits: Vec<u8> = t
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let digits: [u8; 9] = digits.try_into().map_err(|_| SsnError::Shape)?;
        let area = u32::from(digits[0]) * 100 + u32::from(digits[1]) * 10 + u32::from(digits[2]);
        let group = &digits[3..5];
        let serial = &digits[5..9];
        if area == 0 || area == 666 || area >= 900 || group == [0, 0] || serial == [0, 0, 0, 0] {
            return Err(SsnError::NeverIssued);
        }
        Ok(Self(digits))
    }

    /// The nine digits, for encryption and the keyed lookup hash only.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    pub fn last_four(&self) -> String {
        self.digits()[5..].to_owned()
    }
}

impl fmt::Debug for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssn(***-**-{})", self.last_four())
    }
}

impl fmt::Display for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "***-**-{}", self.last_four())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ssn_is_read_with_or_without_separators() {
        for form in ["123-45-6789", "123 45 6789", "123456789", " 123-45-6789 "] {
            assert_eq!(Ssn::parse(form).unwrap().digits(), "123456789");
        }
    }

    #[test]
    fn numbers_that_are_never_issued_are_refused() {
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-34-5678",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert_eq!(Ssn::parse(bad), Err(SsnError::NeverIssued), "{bad}");
        }
        for bad in ["12-345-678", "1234567890", "123-45-678a", ""] {
            assert_eq!(Ssn::parse(bad), Err(SsnError::Shape), "{bad}");
        }
    }

    #[test]
    fn a8_an_ssn_never_prints_more_than_its_last_four_digits() {
        let ssn = Ssn::parse("123-45-6789").unwrap();
        assert_eq!(format!("{ssn}"), "***-**-6789");
        assert_eq!(format!("{ssn:?}"), "Ssn(***-**-6789)");
        assert!(!format!("{ssn:?}{ssn}").contains("12345"));
    }
}
