//! Policies over time (P6): every version of the organization's policy with the day it took
//! effect, so the access engine can ask what applied on any day.

use crate::domain::policy::OrganizationPolicy;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The policy in force from `effective_from` (a day in the organization's time zone) until the
/// next version takes effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub effective_from: NaiveDate,
    pub policy: OrganizationPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyHistoryError {
    #[error("a policy history needs at least one version")]
    Empty,
    #[error(
        "policy versions must take effect on strictly later days: {next} does not follow {previous}"
    )]
    NotIncreasing {
        previous: NaiveDate,
        next: NaiveDate,
    },
}

/// The versions of the policy, oldest first, on strictly increasing days. The first version also
/// answers for days before its `effective_from`: nothing older is known, and a rule has to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<PolicyVersion>", into = "Vec<PolicyVersion>")]
pub struct PolicyHistory {
    versions: Vec<PolicyVersion>,
}

/// The day P6's change took effect: parents' access became limited from the 13th birthday
/// instead of the 10th.
pub const LIMITED_AGE_RAISED_ON: NaiveDate = match NaiveDate::from_ymd_opt(2009, 10, 6) {
    Some(day) => day,
    None => panic!("a real date"),
};

impl PolicyHistory {
    pub fn new(versions: Vec<PolicyVersion>) -> Result<Self, PolicyHistoryError> {
        if versions.is_empty() {
            return Err(PolicyHistoryError::Empty);
        }
        if let Some(pair) = versions
            .windows(2)
            .find(|pair| pair[0].effective_from >= pair[1].effective_from)
        {
            return Err(PolicyHistoryError::NotIncreasing {
                previous: pair[0].effective_from,
                next: pair[1].effective_from,
            });
        }
        Ok(Self { versions })
    }

    /// One policy, in force since the beginning.
    pub fn single(policy: OrganizationPolicy) -> Self {
        Self {
            versions: vec![PolicyVersion {
                effective_from: NaiveDate::MIN,
                policy,
            }],
        }
    }

    /// The demo organization's history (P6): a parent's access was limited from the 10th
    /// birthday before 6 October 2009 and from the 13th since; every other setting, adult
    /// proxies' 5 years included, is the default throughout.
    pub fn demo() -> Self {
        Self {
            versions: vec![
                PolicyVersion {
                    effective_from: NaiveDate::MIN,
                    policy: OrganizationPolicy {
                        parent_limited_access_age: 10,
                        ..OrganizationPolicy::default()
                    },
                },
                PolicyVersion {
                    effective_from: LIMITED_AGE_RAISED_ON,
                    policy: OrganizationPolicy::default(),
                },
            ],
        }
    }

    /// The versions, oldest first; never empty.
    pub fn versions(&self) -> &[PolicyVersion] {
        &self.versions
    }

    /// The version in force on `day`.
    pub fn version_on(&self, day: NaiveDate) -> &PolicyVersion {
        let later = self.versions.partition_point(|v| v.effective_from <= day);
        &self.versions[later.saturating_sub(1)]
    }

    /// The policy in force on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> &OrganizationPolicy {
        &self.version_on(day).policy
    }

    /// Each version with the days it governs: `[from, until)`, `until` being `None` for the
    /// version in force now and later. The first version's `from` is `NaiveDate::MIN` (see the
    /// type's documentation).
    pub(super) fn periods(
        &self,
    ) -> impl Iterator<Item = (NaiveDate, Option<NaiveDate>, &OrganizationPolicy)> {
        self.versions.iter().enumerate().map(|(i, version)| {
            let from = if i == 0 {
                NaiveDate::MIN
            } else {
                version.effective_from
            };
            let until = self.versions.get(i + 1).map(|next| next.effective_from);
            (from, until, &version.policy)
        })
    }
}

impl TryFrom<Vec<PolicyVersion>> for PolicyHistory {
    type Error = PolicyHistoryError;

    fn try_from(versions: Vec<PolicyVersion>) -> Result<Self, Self::Error> {
        Self::new(versions)
    }
}

impl From<PolicyHistory> for Vec<PolicyVersion> {
    fn from(history: PolicyHistory) -> Self {
        history.versions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn version(effective_from: NaiveDate, limited_age: u32) -> PolicyVersion {
        PolicyVersion {
            effective_from,
            policy: OrganizationPolicy {
                parent_limited_access_age: limited_age,
                ..OrganizationPolicy::default()
            },
        }
    }

    #[test]
    fn p6_the_demo_history_limits_parents_at_10_before_6_october_2009_and_at_13_since() {
        let history = PolicyHistory::demo();
        let limited_age = |day| history.in_force_on(day).parent_limited_access_age;
        assert_eq!(limited_age(d(1950, 1, 1)), 10);
        assert_eq!(limited_age(d(2009, 10, 5)), 10);
        assert_eq!(limited_age(d(2009, 10, 6)), 13);
        assert_eq!(limited_age(d(2030, 1, 1)), 13);
        assert_eq!(history.in_force_on(d(2000, 1, 1)).adult_proxy_years, 5);
    }

    #[test]
    fn the_first_version_answers_for_days_before_it() {
        let history = PolicyHistory::new(vec![version(d(2000, 1, 1), 11)]).unwrap();
        assert_eq!(
            history.in_force_on(d(1990, 1, 1)).parent_limited_access_age,
            11
        );
        assert_eq!(
            PolicyHistory::single(OrganizationPolicy::default()).in_force_on(NaiveDate::MIN),
            &OrganizationPolicy::default()
        );
    }

    #[test]
    fn a_history_must_have_versions_on_strictly_increasing_days() {
        assert_eq!(PolicyHistory::new(vec![]), Err(PolicyHistoryError::Empty));
        let same_day =
            PolicyHistory::new(vec![version(d(2000, 1, 1), 10), version(d(2000, 1, 1), 13)]);
        assert_eq!(
            same_day,
            Err(PolicyHistoryError::NotIncreasing {
                previous: d(2000, 1, 1),
                next: d(2000, 1, 1)
            })
        );
        assert!(
            PolicyHistory::new(vec![version(d(2001, 1, 1), 10), version(d(2000, 1, 1), 13)])
                .is_err()
        );
    }

    #[test]
    fn a_history_survives_a_round_trip_through_json_and_is_checked_on_the_way_in() {
        let history = PolicyHistory::demo();
        let json = serde_json::to_string(&history).unwrap();
        assert_eq!(
            serde_json::from_str::<PolicyHistory>(&json).unwrap(),
            history
        );
        assert!(serde_json::from_str::<PolicyHistory>("[]").is_err());
    }

    #[test]
    fn periods_cover_every_day_once() {
        let history = PolicyHistory::new(vec![
            version(d(2000, 1, 1), 10),
            version(d(2009, 10, 6), 13),
        ])
        .unwrap();
        let periods: Vec<_> = history
            .periods()
            .map(|(from, until, p)| (from, until, p.parent_limited_access_age))
            .collect();
        assert_eq!(
            periods,
            [
                (NaiveDate::MIN, Some(d(2009, 10, 6)), 10),
                (d(2009, 10, 6), None, 13)
            ]
        );
    }
}
