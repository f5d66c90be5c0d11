//! Ages and birthdays (rule A1, and the age stages of P5 later on).
//!
//! Ages are counted in whole years on a calendar day. The calendar day is the organization's
//! local day ([`local_date`]), so someone turns 18 at midnight where the organization is, not at
//! midnight UTC. Someone born on 29 February turns a year older on 1 March in non-leap years.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// The calendar day it is at `instant` in the organization's time zone.
pub fn local_date(instant: DateTime<Utc>, zone: Tz) -> NaiveDate {
    instant.with_timezone(&zone).date_naive()
}

/// Completed years of life on `on`. Zero before the date of birth.
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < date_of_birth {
        return 0;
    }
    let years = on.year() - date_of_birth.year();
    // Comparing (month, day) pairs gives the 29 February rule for free: in a non-leap year,
    // 28 Feb < 29 Feb (not yet older) and 1 Mar > 29 Feb (older).
    let had_birthday = (on.month(), on.day()) >= (date_of_birth.month(), date_of_birth.day());
    let completed = if had_birthday { years } else { years - 1 };
    u32::try_from(completed).unwrap_or(0)
}

/// The day on which someone born on `date_of_birth` turns `years` old.
pub fn birthday(date_of_birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = date_of_birth
        .year()
        .checked_add(i32::try_from(years).ok()?)?;
    NaiveDate::from_ymd_opt(year, date_of_birth.month(), date_of_birth.day())
        // Only 29 February can be missing in the target year: the birthday is then 1 March.
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// Whether someone may hold a portal account (A1), and if not, why not, in words a person reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AccountEligibility {
    /// Old enough to hold an account.
    Eligible,
    /// Under the organization's adult age; `adult_on` is the day they may enrol.
    TooYoung { adult_age: u32, adult_on: NaiveDate },
    /// The date of birth is after today.
    BornInFuture,
}

/// Rule A1: only people aged `adult_age` (18 by default) or over may have an account. Emancipated
/// minors are no exception, so there is deliberately no parameter for emancipation.
pub fn account_eligibility(
    date_of_birth: NaiveDate,
    today: NaiveDate,
    adult_age: u32,
) -> AccountEligibility {
    if date_of_birth > today {
        return AccountEligibility::BornInFuture;
    }
    if age_on(date_of_birth, today) >= adult_age {
        AccountEligibility::Eligible
    } else {
        AccountEligibility::TooYoung {
            adult_age,
            adult_on: birthday(date_of_birth, adult_age).unwrap_or(NaiveDate::MAX),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateOfBirthError {
    #[error("Enter your date of birth.")]
    Missing,
    #[error("Enter your date of birth as a date, for example 1980-05-01.")]
    NotADate,
}

/// Reads a date of birth as an `<input type="date">` sends it (`YYYY-MM-DD`). Dates before 1880
/// are typing mistakes, not patients.
pub fn parse_date_of_birth(text: &str) -> Result<NaiveDate, DateOfBirthError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DateOfBirthError::Missing);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.year() >= 1880)
        .ok_or(DateOfBirthError::NotADate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_person_is_a_year_older_on_their_birthday_not_the_day_before() {
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 14)), 17);
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 15)), 18);
    }

    #[test]
    fn a1_someone_born_on_29_february_turns_18_on_1_march_in_a_non_leap_year() {
        let dob = d(2008, 2, 29);
        assert_eq!(age_on(dob, d(2026, 2, 28)), 17);
        assert_eq!(age_on(dob, d(2026, 3, 1)), 18);
        assert_eq!(birthday(dob, 18), Some(d(2026, 3, 1)));
    }

    #[test]
    fn a1_someone_born_on_29_february_has_their_birthday_on_29_february_in_a_leap_year() {
        let dob = d(2004, 2, 29);
        assert_eq!(birthday(dob, 4), Some(d(2008, 2, 29)));
        assert_eq!(age_on(dob, d(2008, 2, 28)), 3);
        assert_eq!(age_on(dob, d(2008, 2, 29)), 4);
    }

    #[test]
    fn age_before_birth_is_zero() {
        assert_eq!(age_on(d(2020, 1, 2), d(2020, 1, 1)), 0);
    }

    #[test]
    fn a1_the_18th_birthday_starts_at_midnight_in_the_organizations_time_zone() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let dob = d(2008, 11, 25);
        // 23:59 on the 24th in Chicago is already 05:59 on the 25th in UTC.
        let before = zone
            .with_ymd_and_hms(2026, 11, 24, 23, 59, 59)
            .unwrap()
            .to_utc();
        let midnight = zone
            .with_ymd_and_hms(2026, 11, 25, 0, 0, 0)
            .unwrap()
            .to_utc();
        assert_eq!(
            before.date_naive(),
            d(2026, 11, 25),
            "UTC has already moved on"
        );
        assert_eq!(age_on(dob, local_date(before, zone)), 17);
        assert_eq!(age_on(dob, local_date(midnight, zone)), 18);
    }

    #[test]
    fn a1_adults_are_eligible_and_minors_are_told_when_they_can_enrol() {
        let dob = d(2008, 2, 29);
        assert_eq!(
            account_eligibility(dob, d(2026, 2, 28), 18),
            AccountEligibility::TooYoung {
                adult_age: 18,
                adult_on: d(2026, 3, 1)
            }
        );
        assert_eq!(
            account_eligibility(dob, d(2026, 3, 1), 18),
            AccountEligibility::Eligible
        );
        assert_eq!(
            account_eligibility(d(2030, 1, 1), d(2026, 3, 1), 18),
            AccountEligibility::BornInFuture
        );
    }

    #[test]
    fn a_date_of_birth_is_read_in_the_form_a_date_field_sends() {
        assert_eq!(parse_date_of_birth(" 1980-05-01 "), Ok(d(1980, 5, 1)));
        assert_eq!(parse_date_of_birth(""), Err(DateOfBirthError::Missing));
        for bad in ["05/01/1980", "1980-02-30", "1066-10-14", "yesterday"] {
            assert_eq!(
                parse_date_of_birth(bad),
                Err(DateOfBirthError::NotADate),
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn age_never_decreases_and_grows_by_at_most_one_a_day(
            dob_days in 0i64..40_000, offset in 0i64..40_000
        ) {
            let dob = d(1920, 1, 1) + chrono::Days::new(dob_days as u64);
            let day = dob + chrono::Days::new(offset as u64);
            let next = day.succ_opt().unwrap();
            let (a, b) = (age_on(dob, day), age_on(dob, next));
            proptest::prop_assert!(b == a || b == a + 1);
            // and the step happens exactly on a birthday
            proptest::prop_assert_eq!(b == a + 1, birthday(dob, b) == Some(next));
        }
    }
}
