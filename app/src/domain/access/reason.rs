//! Why a grant gives what it gives on a day, and how to say so to the viewer in plain sentences.
//!
//! The wording has no gender input, so it names the person once and says "their" after that.
//! Dates read as [`long_date`] writes them. A date a stage "ends on" is the first day without it.

use super::scope::Scopes;
use crate::domain::dates::long_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// The viewer's own record.
    #[serde(rename = "self")]
    Self_,
    /// P5: a parent (or a guardian of a minor) of a child aged `age`, with full access until
    /// `full_until`, the first day without it (the limited stage, the end, or the court order's
    /// end, whichever comes first; `NaiveDate::MAX` if none ever comes).
    ParentFull { age: u32, full_until: NaiveDate },
    /// P5: limited since `since`, when the child had reached `birthday` years, the limited age in
    /// force that day. `since` is that birthday; or the grant's start, if the child was older
    /// then; or the day a lower limited age took effect, if the child was older then.
    ParentLimited { since: NaiveDate, birthday: u32 },
    /// P6: limited since `since` under a rule that limited access from the `birthday`-th
    /// birthday; on `rule_changed_on` the limited age rose, and today it is `current_age_limit`,
    /// above the child's age. The grant stays limited: a new grant (reapplying) gives full
    /// access again until that birthday.
    ParentLimitedUnderOldRule {
        since: NaiveDate,
        birthday: u32,
        rule_changed_on: NaiveDate,
        current_age_limit: u32,
    },
    /// P5: no access from `on`, the day the child reached `birthday` years, the adult age.
    ParentEnded { on: NaiveDate, birthday: u32 },
    /// P2: an adult proxy's full access, which expires on `until` unless renewed.
    AdultProxyValid { until: NaiveDate },
    /// The grant's term (an adult proxy's years, a court order) ran out on `on`.
    Expired { on: NaiveDate },
    /// P3: withdrawn on `on`, the organization's local day of the revocation.
    Revoked { on: NaiveDate },
    /// P7: a legal guardian of an adult by court order, with full access until the order's end
    /// (the first day without access), if it has one.
    Guardian { until: Option<NaiveDate> },
    /// The grant starts on `starts_on`, a later day.
    NotYetStarted { starts_on: NaiveDate },
}

impl Reason {
    /// What a grant with this reason allows. The engine takes its scopes from here, so a reason
    /// and its scopes never disagree.
    pub fn scopes(&self) -> Scopes {
        match self {
            Self::Self_
            | Self::ParentFull { .. }
            | Self::AdultProxyValid { .. }
            | Self::Guardian { .. } => Scopes::FULL,
            Self::ParentLimited { .. } | Self::ParentLimitedUnderOldRule { .. } => Scopes::LIMITED,
            Self::ParentEnded { .. }
            | Self::Expired { .. }
            | Self::Revoked { .. }
            | Self::NotYetStarted { .. } => Scopes::NONE,
        }
    }

    /// The whole answer in sentences for the viewer, about the record of `subject_given_name`:
    /// what they have, and why they lack the rest.
    pub fn explain(&self, subject_given_name: &str) -> String {
        let cause = self.cause(subject_given_name);
        let still = self.scopes();
        if still.is_empty() || still == Scopes::FULL {
            cause
        } else {
            format!("{cause} You can still {}.", still.actions("their"))
        }
    }

    /// The sentences saying what the grant gives or why it gives no more, without the list of
    /// what is left (which [`super::why_not`] takes from all the viewer's grants).
    pub(super) fn cause(&self, name: &str) -> String {
        let parents = "access for parents and guardians";
        match *self {
            Self::Self_ => "This is your own record.".to_owned(),
            Self::ParentFull { age, full_until } => {
                let age = if age == 0 {
                    "under a year old".to_owned()
                } else {
                    age.to_string()
                };
                let full = format!("{name} is {age}, so you have full access to their record.");
                if full_until == NaiveDate::MAX {
                    full
                } else {
                    format!("{full} Full access ends on {}.", long_date(full_until))
                }
            }
            Self::ParentLimited { since, birthday } => format!(
                "Since {} you cannot see {name}'s test results and whole record: {parents} is \
                 limited from a child's {} birthday.",
                long_date(since),
                ordinal(birthday),
            ),
            Self::ParentLimitedUnderOldRule {
                since,
                birthday,
                rule_changed_on,
                current_age_limit,
            } => format!(
                "Since {} you cannot see {name}'s test results and whole record: before {}, \
                 {parents} was limited from a child's {} birthday. It is now limited from the {}, \
                 so if you apply again with a new proxy form you will have full access until \
                 {name} turns {current_age_limit}.",
                long_date(since),
                long_date(rule_changed_on),
                ordinal(birthday),
                ordinal(current_age_limit),
            ),
            Self::ParentEnded { on, birthday } => format!(
                "Your access to {name}'s record ended on {}: {parents} ends on a child's {} \
                 birthday. As an adult, {name} can give you access with an adult proxy form.",
                long_date(on),
                ordinal(birthday),
            ),
            Self::AdultProxyValid { until } => format!(
                "You have full access to {name}'s record. It expires on {} unless it is renewed.",
                long_date(until)
            ),
            Self::Expired { on } => format!(
                "Your access to {name}'s record expired on {}. To see it again, renew it with a \
                 new proxy form.",
                long_date(on)
            ),
            Self::Revoked { on } => format!(
                "Your access to {name}'s record was withdrawn on {}.",
                long_date(on)
            ),
            Self::Guardian { until } => {
                let full = format!(
                    "As {name}'s legal guardian by court order, you have full access to their \
                     record."
                );
                match until {
                    Some(until) => format!(
                        "{full} It ends on {}, when the court order ends.",
                        long_date(until)
                    ),
                    None => full,
                }
            }
            Self::NotYetStarted { starts_on } => format!(
                "Your access to {name}'s record starts on {}.",
                long_date(starts_on)
            ),
        }
    }

    /// How well this reason answers "why can't I see this?", lower first: what the viewer can
    /// act on, then what is in force now, then what is over. Reasons giving full access never
    /// explain a missing scope.
    pub(super) fn rank_as_missing(&self) -> u8 {
        match self {
            Self::ParentLimitedUnderOldRule { .. } => 0,
            Self::ParentLimited { .. } => 1,
            Self::NotYetStarted { .. } => 2,
            Self::ParentEnded { .. } => 3,
            Self::Expired { .. } => 4,
            Self::Revoked { .. } => 5,
            Self::Self_
            | Self::ParentFull { .. }
            | Self::AdultProxyValid { .. }
            | Self::Guardian { .. } => u8::MAX,
        }
    }
}

/// 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn birthdays_read_as_ordinals() {
        let words: Vec<_> = [1, 2, 3, 4, 10, 11, 12, 13, 18, 21, 22, 23, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "18th", "21st", "22nd",
                "23rd", "101st", "111th"
            ]
        );
    }

    #[test]
    fn own_record() {
        assert_eq!(Reason::Self_.explain("Lily"), "This is your own record.");
    }

    #[test]
    fn p5_a_parent_of_a_young_child_is_told_when_full_access_ends() {
        let reason = Reason::ParentFull {
            age: 12,
            full_until: d(2024, 3, 2),
        };
        assert_eq!(
            reason.explain("Lily"),
            "Lily is 12, so you have full access to their record. Full access ends on 2 March 2024."
        );
        let baby = Reason::ParentFull {
            age: 0,
            full_until: d(2037, 3, 2),
        };
        assert!(
            baby.explain("Sam")
                .starts_with("Sam is under a year old, so")
        );
    }

    #[test]
    fn p5_a_parent_of_a_teenager_is_told_what_they_lost_on_which_birthday_and_what_is_left() {
        let reason = Reason::ParentLimited {
            since: d(2024, 3, 2),
            birthday: 13,
        };
        assert_eq!(
            reason.explain("Lily"),
            "Since 2 March 2024 you cannot see Lily's test results and whole record: access for \
             parents and guardians is limited from a child's 13th birthday. You can still \
             schedule their appointments, view and print their immunizations and get their \
             health topic alerts."
        );
    }

    #[test]
    fn p6_a_parent_limited_under_the_old_rule_is_told_to_apply_again() {
        let reason = Reason::ParentLimitedUnderOldRule {
            since: d(2008, 8, 20),
            birthday: 10,
            rule_changed_on: d(2009, 10, 6),
            current_age_limit: 13,
        };
        assert_eq!(
            reason.explain("Lily"),
            "Since 20 August 2008 you cannot see Lily's test results and whole record: before \
             6 October 2009, access for parents and guardians was limited from a child's 10th \
             birthday. It is now limited from the 13th, so if you apply again with a new proxy \
             form you will have full access until Lily turns 13. You can still schedule their \
             appointments, view and print their immunizations and get their health topic alerts."
        );
    }

    #[test]
    fn p5_a_parent_of_an_adult_is_told_access_ended_and_how_to_get_it_back() {
        let reason = Reason::ParentEnded {
            on: d(2016, 8, 20),
            birthday: 18,
        };
        assert_eq!(
            reason.explain("Lily"),
            "Your access to Lily's record ended on 20 August 2016: access for parents and \
             guardians ends on a child's 18th birthday. As an adult, Lily can give you access \
             with an adult proxy form."
        );
    }

    #[test]
    fn p2_an_adult_proxy_is_told_when_it_expires_and_that_it_expired() {
        assert_eq!(
            Reason::AdultProxyValid {
                until: d(2029, 3, 1)
            }
            .explain("Walter"),
            "You have full access to Walter's record. It expires on 1 March 2029 unless it is \
             renewed."
        );
        assert_eq!(
            Reason::Expired { on: d(2029, 3, 1) }.explain("Walter"),
            "Your access to Walter's record expired on 1 March 2029. To see it again, renew it \
             with a new proxy form."
        );
    }

    #[test]
    fn p3_revoked_access_says_when() {
        assert_eq!(
            Reason::Revoked { on: d(2026, 5, 2) }.explain("Walter"),
            "Your access to Walter's record was withdrawn on 2 May 2026."
        );
    }

    #[test]
    fn p7_a_guardian_is_told_whether_the_court_order_ends() {
        assert_eq!(
            Reason::Guardian { until: None }.explain("Ada"),
            "As Ada's legal guardian by court order, you have full access to their record."
        );
        assert_eq!(
            Reason::Guardian {
                until: Some(d(2030, 1, 1))
            }
            .explain("Ada"),
            "As Ada's legal guardian by court order, you have full access to their record. It \
             ends on 1 January 2030, when the court order ends."
        );
    }

    #[test]
    fn a_grant_approved_for_a_later_day_says_when_it_starts() {
        assert_eq!(
            Reason::NotYetStarted {
                starts_on: d(2026, 6, 1)
            }
            .explain("Ada"),
            "Your access to Ada's record starts on 1 June 2026."
        );
    }

    #[test]
    fn a_reason_is_stored_with_its_name_and_dates() {
        let reason = Reason::ParentLimited {
            since: d(2024, 3, 2),
            birthday: 13,
        };
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(
            json,
            r#"{"reason":"parent-limited","since":"2024-03-02","birthday":13}"#
        );
        assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), reason);
        assert_eq!(
            serde_json::to_string(&Reason::Self_).unwrap(),
            r#"{"reason":"self"}"#
        );
    }
}
