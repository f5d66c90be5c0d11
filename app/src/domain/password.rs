//! Password rules (A4) and the reset answer rule (A5). The same checks run in the browser while
//! the patient types and on the server, which decides.

use crate::domain::policy::OrganizationPolicy;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("A password has at least {0} characters.")]
    TooShort(u32),
    #[error("A password needs at least one letter.")]
    NoLetter,
    #[error("A password needs at least one digit.")]
    NoDigit,
    #[error("That password is one of the most common ones. Choose one that is harder to guess.")]
    Common,
    #[error("A password may not contain your portal ID.")]
    ContainsPortalId,
}

/// Passwords people choose most often that would otherwise pass A4 (a letter and a digit, 7 or
/// more characters). Compared without regard to case.
const COMMON_PASSWORDS: &[&str] = &[
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword1",
    "abc1234",
    "abcd1234",
    "abc12345",
    "qwerty1",
    "qwerty12",
    "qwerty123",
    "1qaz2wsx",
    "letmein1",
    "welcome1",
    "welcome123",
    "iloveyou1",
    "monkey123",
    "dragon123",
    "trustno1",
    "sunshine1",
    "football1",
    "baseball1",
    "princess1",
    "charlie1",
    "michael1",
    "superman1",
    "123456a",
    "1234567a",
    "a1234567",
    "a123456",
    "aa123456",
    "abc123456",
    "q1w2e3r4",
    "q1w2e3r4t5",
    "zaq12wsx",
    "password2",
    "changeme1",
    "admin123",
    "test1234",
    "hello123",
    "master123",
    "shadow123",
    "summer2024",
    "summer2025",
    "summer2026",
    "winter2025",
    "winter2026",
    "spring2026",
    "autumn2026",
];

/// A4 with the organization's minimum length, plus two refusals of our own: the most common
/// passwords, and passwords that contain the portal ID.
pub fn check_password(
    password: &str,
    portal_id: Option<&str>,
    policy: &OrganizationPolicy,
) -> Result<(), PasswordError> {
    let length = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
    if length < policy.password_min_length {
        return Err(PasswordError::TooShort(policy.password_min_length));
    }
    if !password.chars().any(char::is_alphabetic) {
        return Err(PasswordError::NoLetter);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(PasswordError::NoDigit);
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(PasswordError::Common);
    }
    if let Some(id) = portal_id.map(str::trim).filter(|id| !id.is_empty())
        && lower.contains(&id.to_lowercase())
    {
        return Err(PasswordError::ContainsPortalId);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetAnswerError {
    #[error("Choose a password reset question.")]
    NoQuestion,
    #[error("The reset question has at most 200 characters.")]
    QuestionTooLong,
    #[error("Give an answer to your reset question.")]
    NoAnswer,
    #[error("Your reset answer may not be the same as your password.")]
    SameAsPassword,
}

/// How answers are compared: case, surrounding and repeated spaces do not matter ("Fluffy" and
/// " fluffy " are the same answer).
pub fn normalize_answer(answer: &str) -> String {
    answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A5: a question and an answer, and the answer may not be the password.
pub fn check_reset_answer(
    question: &str,
    answer: &str,
    password: &str,
) -> Result<(), ResetAnswerError> {
    let question = question.trim();
    if question.is_empty() {
        return Err(ResetAnswerError::NoQuestion);
    }
    if question.chars().count() > 200 {
        return Err(ResetAnswerError::QuestionTooLong);
    }
    let answer = normalize_answer(answer);
    if answer.is_empty() {
        return Err(ResetAnswerError::NoAnswer);
    }
    if answer == normalize_answer(password) {
        return Err(ResetAnswerError::SameAsPassword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(p: &str) -> Result<(), PasswordError> {
        check_password(p, Some("alex.rivera"), &OrganizationPolicy::default())
    }

    #[test]
    fn a4_a_password_has_at_least_7_characters_a_letter_and_a_digit() {
        assert_eq!(check("river1"), Err(PasswordError::TooShort(7)));
        assert_eq!(check("riverb1"), Ok(()));
        assert_eq!(check("riverbend"), Err(PasswordError::NoDigit));
        assert_eq!(check("1234567"), Err(PasswordError::NoLetter));
    }

    #[test]
    fn a4_symbols_are_allowed() {
        assert_eq!(check("r!v#r b3nd"), Ok(()));
    }

    #[test]
    fn common_passwords_and_ones_containing_the_portal_id_are_refused() {
        assert_eq!(check("Password1"), Err(PasswordError::Common));
        assert_eq!(
            check("my-Alex.Rivera-9"),
            Err(PasswordError::ContainsPortalId)
        );
        assert_eq!(
            check_password("alex.rivera9", None, &OrganizationPolicy::default()),
            Ok(())
        );
    }

    #[test]
    fn a4_the_minimum_length_is_an_organization_setting() {
        let policy = OrganizationPolicy {
            password_min_length: 10,
            ..Default::default()
        };
        assert_eq!(
            check_password("riverb1x", None, &policy),
            Err(PasswordError::TooShort(10))
        );
    }

    #[test]
    fn a5_the_reset_answer_may_not_be_the_password_whatever_the_case_or_spacing() {
        assert_eq!(
            check_reset_answer("First pet?", "Fluffy", "riverb1"),
            Ok(())
        );
        assert_eq!(
            check_reset_answer("First pet?", " RIVERB1 ", "riverb1"),
            Err(ResetAnswerError::SameAsPassword)
        );
        assert_eq!(
            check_reset_answer(" ", "Fluffy", "riverb1"),
            Err(ResetAnswerError::NoQuestion)
        );
        assert_eq!(
            check_reset_answer("Pet?", "  ", "riverb1"),
            Err(ResetAnswerError::NoAnswer)
        );
    }

    #[test]
    fn every_common_password_would_otherwise_pass_a4() {
        for p in COMMON_PASSWORDS {
            assert!(p.len() >= 7, "{p}");
            assert!(
                p.chars().any(char::is_alphabetic) && p.chars().any(|c| c.is_ascii_digit()),
                "{p}"
            );
        }
    }
}
