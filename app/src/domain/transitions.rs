//! The daily transitions (issue 14, point 8): what changes in a grant's access in the next days,
//! and what has just changed, so that both sides hear of it once. Pure: a grant, the subject's
//! date of birth, the policy history, the zone and an instant.
//!
//! The changes that matter are the calendar's own: a parent's access turning limited (the 13th
//! birthday) or ending (the 18th), an adult proxy expiring, a court order ending. A revocation is
//! an act, not a date, and is not announced here.

use super::access::{Grant, PolicyHistory, Reason, grant_access};
use super::age::local_date;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How far ahead a change is announced, in days.
pub const DAYS_AHEAD: i64 = 30;
/// How long after a change it is still announced, in days (a job that missed a few days still
/// tells people once).
pub const DAYS_BEHIND: i64 = 7;

/// What happens to a grant's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// A parent's access becomes limited (P5).
    Limited,
    /// A parent's access ends (P5), or a guardian's court order ends (P7).
    Ends,
    /// An adult proxy expires (P2).
    Expires,
}

/// Whether the change is coming or has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum When {
    Coming,
    Came,
}

/// One change to announce: the grant, what, when it is or was, and which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    pub grant_id: i64,
    pub change: Change,
    pub when: When,
    /// The first day of the new state.
    pub on: NaiveDate,
}

impl Transition {
    /// The notice's stored name: one notice per grant, name and day, ever.
    pub fn key(&self) -> &'static str {
        match (self.change, self.when) {
            (Change::Limited, When::Coming) => "limited-soon",
            (Change::Limited, When::Came) => "limited",
            (Change::Ends, When::Coming) => "ends-soon",
            (Change::Ends, When::Came) => "ended",
            (Change::Expires, When::Coming) => "expires-soon",
            (Change::Expires, When::Came) => "expired",
        }
    }
}

/// Noon of `day` in `zone`: an instant on that local day whatever the clocks do at midnight.
fn on_day(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let noon = day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    zone.from_local_datetime(&noon)
        .earliest()
        .map_or_else(|| noon.and_utc(), |t| t.with_timezone(&Utc))
}

/// The change a grant goes through into the state `reason`, if it is one to announce.
fn change_into(reason: &Reason) -> Option<(Change, NaiveDate)> {
    match *reason {
        Reason::ParentLimited { since, .. } => Some((Change::Limited, since)),
        Reason::ParentEnded { on, .. } => Some((Change::Ends, on)),
        Reason::Expired { on } => Some((Change::Expires, on)),
        _ => None,
    }
}

/// What to announce about `grant` at `at`: the next change if it comes within [`DAYS_AHEAD`]
/// days, and the last one if it came within [`DAYS_BEHIND`] days (today included).
pub fn transitions(
    grant: &Grant,
    date_of_birth: NaiveDate,
    policies: &PolicyHistory,
    zone: Tz,
    at: DateTime<Utc>,
) -> Vec<Transition> {
    let today = local_date(at, zone);
    let now = grant_access(grant, date_of_birth, policies, zone, at);
    let mut found = Vec::new();
    if now.scopes.is_empty() && matches!(now.reason, Reason::Revoked { .. }) {
        return found;
    }
    if let Some((change, on)) = change_into(&now.reason)
        && on <= today
        && today - on < Duration::days(DAYS_BEHIND)
    {
        found.push(Transition {
            grant_id: grant.id,
            change: expiry_or(change, grant),
            when: When::Came,
            on,
        });
    }
    if let Some(next) = now.changes_on
        && next > today
        && next - today <= Duration::days(DAYS_AHEAD)
    {
        let then = grant_access(grant, date_of_birth, policies, zone, on_day(next, zone));
        if let Some((change, _)) = change_into(&then.reason) {
            found.push(Transition {
                grant_id: grant.id,
                change: expiry_or(change, grant),
                when: When::Coming,
                on: next,
            });
        }
    }
    found
}

/// A guardian's order ending reads as an end, not an expiry (the engine calls both `Expired`).
fn expiry_or(change: Change, grant: &Grant) -> Change {
    use super::relationship::RelationshipKind;
    match (change, grant.kind) {
        (Change::Expires, RelationshipKind::LegalGuardian | RelationshipKind::Parent) => {
            Change::Ends
        }
        (change, _) => change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::relationship::RelationshipKind;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// 10:00 on `day` in Chicago.
    fn at(day: &str) -> DateTime<Utc> {
        on_day(d(day), chrono_tz::America::Chicago) - Duration::hours(2)
    }

    fn grant(kind: RelationshipKind, starts: &str, ends: Option<&str>) -> Grant {
        Grant {
            id: 7,
            kind,
            starts_on: d(starts),
            ends_on: ends.map(d),
            revoked_at: None,
        }
    }

    fn found(g: &Grant, born: &str, day: &str) -> Vec<(Change, When, NaiveDate)> {
        transitions(
            g,
            d(born),
            &PolicyHistory::demo(),
            chrono_tz::America::Chicago,
            at(day),
        )
        .into_iter()
        .map(|t| (t.change, t.when, t.on))
        .collect()
    }

    #[test]
    fn a_13th_birthday_is_announced_from_30_days_before_and_for_7_days_after() {
        let g = grant(RelationshipKind::Parent, "2013-07-15", None);
        let born = "2013-07-15";
        let birthday = d("2026-07-15");
        assert_eq!(found(&g, born, "2026-06-14"), vec![]);
        assert_eq!(
            found(&g, born, "2026-06-15"),
            vec![(Change::Limited, When::Coming, birthday)]
        );
        assert_eq!(
            found(&g, born, "2026-07-14"),
            vec![(Change::Limited, When::Coming, birthday)]
        );
        assert_eq!(
            found(&g, born, "2026-07-15"),
            vec![(Change::Limited, When::Came, birthday)]
        );
        assert_eq!(
            found(&g, born, "2026-07-21"),
            vec![(Change::Limited, When::Came, birthday)]
        );
        assert_eq!(found(&g, born, "2026-07-22"), vec![]);
    }

    #[test]
    fn an_18th_birthday_and_a_proxy_expiry_are_announced_to_both_sides() {
        let parent = grant(RelationshipKind::Parent, "2008-03-01", None);
        // Born 29 February 2008: 18 on 1 March 2026.
        assert_eq!(
            found(&parent, "2008-02-29", "2026-02-10"),
            vec![(Change::Ends, When::Coming, d("2026-03-01"))]
        );
        let proxy = grant(
            RelationshipKind::AdultProxy,
            "2021-07-01",
            Some("2026-07-01"),
        );
        assert_eq!(
            found(&proxy, "1941-11-02", "2026-06-15"),
            vec![(Change::Expires, When::Coming, d("2026-07-01"))]
        );
        assert_eq!(
            found(&proxy, "1941-11-02", "2026-07-01"),
            vec![(Change::Expires, When::Came, d("2026-07-01"))]
        );
        let guardian = grant(
            RelationshipKind::LegalGuardian,
            "2025-01-01",
            Some("2026-07-01"),
        );
        assert_eq!(
            found(&guardian, "1960-01-01", "2026-06-20"),
            vec![(Change::Ends, When::Coming, d("2026-07-01"))]
        );
    }

    #[test]
    fn a_revoked_grant_or_one_far_from_any_change_announces_nothing() {
        let mut proxy = grant(
            RelationshipKind::AdultProxy,
            "2021-07-01",
            Some("2026-07-01"),
        );
        proxy.revoked_at = Some(at("2026-06-01"));
        assert_eq!(found(&proxy, "1941-11-02", "2026-06-15"), vec![]);
        let young = grant(RelationshipKind::Parent, "2020-01-01", None);
        assert_eq!(found(&young, "2020-01-01", "2026-06-15"), vec![]);
    }

    #[test]
    fn every_transition_has_its_own_key() {
        let mut keys = std::collections::HashSet::new();
        for change in [Change::Limited, Change::Ends, Change::Expires] {
            for when in [When::Coming, When::Came] {
                let t = Transition {
                    grant_id: 1,
                    change,
                    when,
                    on: d("2026-01-01"),
                };
                assert!(keys.insert(t.key()));
            }
        }
    }
}
