//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), the codes of
//! authenticator apps, computed by the `totp-rs` crate. A code is accepted for the current step or
//! one step either side (clock drift), and never for a step already used: each code works once
//! (the crate leaves that to its caller: [`verify`] answers with the step, which is stored).

use chrono::{DateTime, Utc};
use totp_rs::{Algorithm, Builder, Totp};

/// Seconds per code.
const STEP: u64 = 30;

/// Codes of one step either side of the current one are accepted too.
const DRIFT_STEPS: u64 = 1;

fn authenticator(secret: &[u8], names: Option<(&str, &str)>) -> Builder {
    // Skew 0: the crate checks the one step it is given; [`verify`] walks the steps itself so
    // that it can leave out those already used.
    let builder = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP)
        .with_skew(0)
        .with_secret(secret.to_vec());
    match names {
        Some((issuer, account)) => builder.with_issuer(Some(issuer)).with_account_name(account),
        None => builder,
    }
}

/// For checking codes only: our keys are 160 random bits, which the RFC checks would accept; a
/// key that was somehow shorter still checks rather than locking its owner out.
fn checker(secret: &[u8]) -> Totp {
    authenticator(secret, None).build_noncompliant()
}

fn seconds(instant: DateTime<Utc>) -> u64 {
    u64::try_from(instant.timestamp()).unwrap_or(0)
}

/// The code an app shows at `instant` (for tests and the demo).
pub fn code_at(secret: &[u8], instant: DateTime<Utc>) -> String {
    checker(secret).generate(seconds(instant)).to_string()
}

/// The step whose code `typed` is, if it is acceptable now and newer than `last_used_step`.
/// The crate compares in constant time and accepts six ASCII digits only.
pub fn verify(
    secret: &[u8],
    typed: &str,
    now: DateTime<Utc>,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = checker(secret);
    let current = seconds(now) / STEP;
    (current.saturating_sub(DRIFT_STEPS)..=current + DRIFT_STEPS)
        .filter_map(|step| i64::try_from(step).ok().map(|signed| (step, signed)))
        .filter(|(_, signed)| last_used_step.is_none_or(|used| *signed > used))
        .find(|(step, _)| totp.check(&typed, step * STEP) == Some(*step))
        .map(|(_, signed)| signed)
}

/// The key as people type it into an app: RFC 4648 base32 in groups of four, `ABCD EFGH …`.
pub fn key_for_typing(secret: &[u8]) -> String {
    let key = totp_rs::Secret::from(secret.to_vec()).to_base32();
    key.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` address an authenticator app reads (from a QR code or a link), or `None` when
/// the names cannot go in one (a `:` in them).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> Option<String> {
    authenticator(secret, Some((issuer, account)))
        .build()
        .ok()?
        .to_url()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B (SHA1), last 6 of the 8 digits.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_SECRET, at(time)), code, "{time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_once() {
        let now = at(1_111_111_109);
        let step = 1_111_111_109 / 30;
        let code = code_at(RFC_SECRET, now);
        assert_eq!(verify(RFC_SECRET, &code, now, None), Some(step));
        assert_eq!(
            verify(RFC_SECRET, &code, now + chrono::Duration::seconds(30), None),
            Some(step)
        );
        assert_eq!(
            verify(RFC_SECRET, &code, now - chrono::Duration::seconds(30), None),
            Some(step),
            "a phone a little ahead"
        );
        assert_eq!(
            verify(RFC_SECRET, &code, now + chrono::Duration::seconds(61), None),
            None,
            "too late"
        );
        assert_eq!(
            verify(RFC_SECRET, &code, now, Some(step)),
            None,
            "already used"
        );
        let next = code_at(RFC_SECRET, now + chrono::Duration::seconds(30));
        assert_eq!(
            verify(RFC_SECRET, &next, now, Some(step)),
            Some(step + 1),
            "the next step's code after this one was used"
        );
        for typed in ["12345", "1234567", "+12345", "abcdef", ""] {
            assert_eq!(verify(RFC_SECRET, typed, now, None), None, "{typed}");
        }
        assert_eq!(
            verify(
                RFC_SECRET,
                &format!("{} {}", &code[..3], &code[3..]),
                now,
                None
            ),
            Some(step)
        );
    }

    #[test]
    fn the_key_is_shown_in_base32_groups_of_four_and_as_an_otpauth_address() {
        assert_eq!(key_for_typing(b"foobarfoobar"), "MZXW 6YTB OJTG 633C MFZA");
        let uri = otpauth_uri("Riverbend MyHealth", "desk", RFC_SECRET).unwrap();
        assert!(
            uri.starts_with(
                "otpauth://totp/Riverbend%20MyHealth:desk?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            ),
            "{uri}"
        );
        assert!(uri.contains("issuer=Riverbend%20MyHealth"), "{uri}");
        assert_eq!(otpauth_uri("Riverbend", "a:b", RFC_SECRET), None);
    }
}
