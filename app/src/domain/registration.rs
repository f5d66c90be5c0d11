//! Registering a new patient at the enrolment desk (A2): the shape of a name and an email
//! address, and the next medical record number. Plain rules, checked on the server.

/// A given or family name as typed at the desk: trimmed, 1 to 100 characters, no control
/// characters.
pub fn parse_name(text: &str, which: &'static str) -> Result<String, RegistrationError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(RegistrationError::NameMissing(which));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(RegistrationError::NameShape(which));
    }
    Ok(name.to_owned())
}

/// An email address, lower-cased for comparison: something@domain.tld, no spaces, at most 254
/// characters. Whether it reaches anyone is only known by sending to it.
pub fn parse_email(text: &str) -> Result<String, RegistrationError> {
    let email = text.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if valid {
        Ok(email)
    } else {
        Err(RegistrationError::Email)
    }
}

/// The record number after `last` (the newest in the organization): the same letters, the
/// number one higher, as wide as before. `prefix` starts the numbering when there is none yet.
pub fn next_record_number(last: Option<&str>, prefix: &str) -> String {
    let Some(last) = last else {
        return format!("{prefix}100001");
    };
    let split = last
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map_or(last.len(), |(i, _)| i);
    let (letters, digits) = last.split_at(split);
    match digits.parse::<u64>() {
        Ok(n) => format!("{letters}{:0width$}", n + 1, width = digits.len()),
        Err(_) => format!("{last}-1"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("Enter the patient's {0}.")]
    NameMissing(&'static str),
    #[error("The {0} is too long or has characters that cannot be in a name.")]
    NameShape(&'static str),
    #[error("Enter an email address like name@example.org, or leave it empty.")]
    Email,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_must_be_there() {
        assert_eq!(
            parse_name("  Ana María ", "given name"),
            Ok("Ana María".into())
        );
        assert_eq!(
            parse_name("   ", "family name"),
            Err(RegistrationError::NameMissing("family name"))
        );
        assert!(parse_name(&"x".repeat(101), "family name").is_err());
        assert!(parse_name("Tab\tName", "given name").is_err());
        assert_eq!(
            RegistrationError::NameMissing("family name").to_string(),
            "Enter the patient's family name."
        );
    }

    #[test]
    fn emails_have_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            parse_email(" Ana@Example.ORG "),
            Ok("ana@example.org".into())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@@example.org",
            "ana@example..org",
            "ana@.example.org",
        ] {
            assert_eq!(parse_email(bad), Err(RegistrationError::Email), "{bad:?}");
        }
    }

    #[test]
    fn record_numbers_count_on_from_the_newest() {
        assert_eq!(next_record_number(Some("RB100010"), "RB"), "RB100011");
        assert_eq!(next_record_number(Some("RB000099"), "RB"), "RB000100");
        assert_eq!(next_record_number(Some("RB999999"), "RB"), "RB1000000");
        assert_eq!(next_record_number(None, "LF"), "LF100001");
        assert_eq!(next_record_number(Some("ABC"), "RB"), "ABC-1");
    }
}
