//! The access engine's tests: the rules' cases by name, then properties over random birth dates,
//! grants, policy histories, zones and instants (year ends, DST changes, birthdays, expiries).

use super::*;
use chrono::{Datelike, Days, Duration, NaiveTime, TimeZone, Weekday};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const CHICAGO: Tz = chrono_tz::America::Chicago;

/// `hour:minute` local time on `day` in Chicago, as an instant.
fn chicago(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    CHICAGO
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .to_utc()
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    chicago(day, 12, 0)
}

fn grant(id: i64, kind: RelationshipKind, starts_on: NaiveDate) -> Grant {
    Grant {
        id,
        kind,
        starts_on,
        ends_on: None,
        revoked_at: None,
    }
}

fn ending(grant: Grant, ends_on: NaiveDate) -> Grant {
    Grant {
        ends_on: Some(ends_on),
        ..grant
    }
}

/// What `grant` gives at `at` under the demo organization's history, in Chicago.
fn demo(grant: &Grant, date_of_birth: NaiveDate, at: DateTime<Utc>) -> GrantAccess {
    grant_access(grant, date_of_birth, &PolicyHistory::demo(), CHICAGO, at)
}

fn ask(date_of_birth: NaiveDate, grants: &[Grant], at: DateTime<Utc>) -> Access {
    AccessQuestion {
        viewer: 1,
        subject: 2,
        subject_date_of_birth: date_of_birth,
        grants,
        policies: &PolicyHistory::demo(),
        zone: CHICAGO,
        at,
    }
    .answer()
}

fn answer(id: i64, reason: Reason, changes_on: Option<NaiveDate>) -> GrantAccess {
    GrantAccess {
        grant_id: Some(id),
        scopes: reason.scopes(),
        reason,
        changes_on,
    }
}

use RelationshipKind::{AdultProxy, LegalGuardian, Parent};

#[test]
fn p6_a_parent_limited_at_10_under_the_old_rule_gets_full_access_back_only_by_reapplying() {
    let child = d(1998, 8, 20);
    let old = grant(1, Parent, d(2004, 3, 1));
    let on = |grant: &Grant, day| demo(grant, child, noon(day));
    let turns_10 = d(2008, 8, 20);
    let turns_13 = d(2011, 8, 20);
    let turns_18 = d(2016, 8, 20);

    assert_eq!(
        on(&old, d(2008, 8, 19)),
        answer(
            1,
            Reason::ParentFull {
                age: 9,
                full_until: turns_10
            },
            Some(turns_10)
        )
    );
    let limited_at_10 = Reason::ParentLimited {
        since: turns_10,
        birthday: 10,
    };
    assert_eq!(
        on(&old, turns_10),
        answer(1, limited_at_10.clone(), Some(turns_18))
    );
    assert_eq!(on(&old, d(2009, 10, 5)).reason, limited_at_10);
    // The change does not give the old grant full access back; the parent is told to reapply.
    let must_reapply = Reason::ParentLimitedUnderOldRule {
        since: turns_10,
        birthday: 10,
        rule_changed_on: d(2009, 10, 6),
        current_age_limit: 13,
    };
    assert_eq!(on(&old, d(2009, 10, 6)).reason, must_reapply);
    assert_eq!(
        on(&old, d(2010, 1, 1)),
        answer(1, must_reapply.clone(), Some(turns_18))
    );
    // From the 13th birthday reapplying would not help, so the old rule is no longer the reason.
    assert_eq!(
        on(&old, turns_13),
        answer(1, limited_at_10.clone(), Some(turns_18))
    );
    assert_eq!(
        on(&old, turns_18),
        answer(
            1,
            Reason::ParentEnded {
                on: turns_18,
                birthday: 18
            },
            None
        )
    );

    let new = grant(2, Parent, d(2010, 6, 1));
    assert_eq!(
        on(&new, d(2010, 5, 31)).reason,
        Reason::NotYetStarted {
            starts_on: d(2010, 6, 1)
        }
    );
    assert_eq!(
        on(&new, d(2010, 6, 1)),
        answer(
            2,
            Reason::ParentFull {
                age: 11,
                full_until: turns_13
            },
            Some(turns_13)
        )
    );
    assert_eq!(on(&new, d(2011, 8, 19)).scopes, Scopes::FULL);
    assert_eq!(
        on(&new, turns_13),
        answer(
            2,
            Reason::ParentLimited {
                since: turns_13,
                birthday: 13
            },
            Some(turns_18)
        )
    );
    assert_eq!(on(&new, d(2016, 8, 19)).scopes, Scopes::LIMITED);
    assert_eq!(on(&new, turns_18).scopes, Scopes::NONE);
    assert_eq!(on(&new, d(2030, 1, 1)).changes_on, None);

    // Both grants together: the reapplication is what the parent is told about until it starts.
    let both = [old, new];
    let before = ask(child, &both, noon(d(2010, 1, 1)));
    assert_eq!(before.scopes(), Scopes::LIMITED);
    assert_eq!(
        before.reason_for_missing(Scope::FullRecord),
        Some(&must_reapply)
    );
    assert_eq!(before.changes_on(), Some(d(2010, 6, 1)));
    let after = ask(child, &both, noon(d(2010, 7, 1)));
    assert_eq!(after.scopes(), Scopes::FULL);
    assert_eq!(after.why_not(Scope::FullRecord, "Lily"), None);
}

#[test]
fn p5_a_parent_loses_results_at_local_midnight_of_the_13th_birthday_across_dst_changes() {
    // DST starts in Chicago on 10 March 2024 and ends on 3 November; 1 January is a new year.
    for birthday_13 in [d(2024, 3, 10), d(2024, 11, 3), d(2024, 1, 1)] {
        let child = d(2011, birthday_13.month(), birthday_13.day());
        let parent = grant(1, Parent, child);
        let minute_before = chicago(birthday_13.pred_opt().unwrap(), 23, 59);
        let midnight = chicago(birthday_13, 0, 0);
        assert_eq!(
            minute_before.date_naive(),
            birthday_13,
            "in UTC the birthday has begun already"
        );
        assert_eq!(demo(&parent, child, minute_before).scopes, Scopes::FULL);
        assert_eq!(
            demo(&parent, child, midnight).reason,
            Reason::ParentLimited {
                since: birthday_13,
                birthday: 13
            }
        );
    }
}

#[test]
fn p5_a_child_born_on_29_february_turns_13_and_18_on_1_march() {
    let child = d(2012, 2, 29);
    let parent = grant(1, Parent, d(2012, 3, 5));
    assert_eq!(
        demo(&parent, child, chicago(d(2025, 2, 28), 23, 59)),
        answer(
            1,
            Reason::ParentFull {
                age: 12,
                full_until: d(2025, 3, 1)
            },
            Some(d(2025, 3, 1))
        )
    );
    assert_eq!(
        demo(&parent, child, chicago(d(2025, 3, 1), 0, 0)),
        answer(
            1,
            Reason::ParentLimited {
                since: d(2025, 3, 1),
                birthday: 13
            },
            Some(d(2030, 3, 1))
        )
    );
    assert_eq!(
        demo(&parent, child, chicago(d(2030, 3, 1), 0, 0)).reason,
        Reason::ParentEnded {
            on: d(2030, 3, 1),
            birthday: 18
        }
    );
}

#[test]
fn p5_a_parent_applying_for_a_child_already_13_is_limited_from_the_start() {
    let child = d(2005, 1, 1);
    let parent = grant(1, Parent, d(2020, 1, 1));
    assert_eq!(
        demo(&parent, child, noon(d(2020, 1, 1))),
        answer(
            1,
            Reason::ParentLimited {
                since: d(2020, 1, 1),
                birthday: 13
            },
            Some(d(2023, 1, 1))
        )
    );
    let too_late = grant(2, Parent, d(2024, 1, 1));
    assert_eq!(
        demo(&too_late, child, noon(d(2024, 1, 1))).reason,
        Reason::ParentEnded {
            on: d(2024, 1, 1),
            birthday: 18
        }
    );
}

#[test]
fn p2_an_adult_proxy_works_the_day_before_expiry_and_not_on_the_day() {
    let starts_on = d(2024, 2, 29);
    let ends_on = adult_proxy_ends_on(starts_on, &PolicyHistory::demo());
    assert_eq!(
        ends_on,
        d(2029, 3, 1),
        "five years on, 29 February → 1 March"
    );
    let proxy = ending(grant(7, AdultProxy, starts_on), ends_on);
    let adult = d(1950, 6, 1);
    assert_eq!(
        demo(&proxy, adult, chicago(d(2029, 2, 28), 23, 59)),
        answer(7, Reason::AdultProxyValid { until: ends_on }, Some(ends_on))
    );
    assert_eq!(
        demo(&proxy, adult, chicago(ends_on, 0, 0)),
        answer(7, Reason::Expired { on: ends_on }, None)
    );
    // Without a stored end, the policy's term applies.
    let unended = grant(8, AdultProxy, starts_on);
    assert_eq!(demo(&unended, adult, noon(ends_on)).scopes, Scopes::NONE);
}

#[test]
fn p2_a_renewal_runs_a_full_term_from_the_renewal_day() {
    let history = PolicyHistory::demo();
    assert_eq!(renewal_ends_on(d(2029, 2, 15), &history), d(2034, 2, 15));
    let three_years = PolicyHistory::single(OrganizationPolicy {
        adult_proxy_years: 3,
        ..OrganizationPolicy::default()
    });
    assert_eq!(renewal_ends_on(d(2028, 2, 29), &three_years), d(2031, 3, 1));
}

#[test]
fn p3_revocation_takes_effect_at_its_instant_and_wins_over_everything() {
    let adult = d(1950, 6, 1);
    // 03:30 UTC on 3 May is still 2 May in Chicago.
    let revoked_at: DateTime<Utc> = "2026-05-03T03:30:00Z".parse().unwrap();
    let proxy = Grant {
        revoked_at: Some(revoked_at),
        ..ending(grant(3, AdultProxy, d(2025, 1, 10)), d(2030, 1, 10))
    };
    assert_eq!(
        demo(&proxy, adult, revoked_at - Duration::seconds(1)).reason,
        Reason::AdultProxyValid {
            until: d(2030, 1, 10)
        }
    );
    let revoked = answer(3, Reason::Revoked { on: d(2026, 5, 2) }, None);
    assert_eq!(demo(&proxy, adult, revoked_at), revoked);
    assert_eq!(demo(&proxy, adult, noon(d(2031, 1, 1))), revoked);

    let revoked_parent = Grant {
        revoked_at: Some(revoked_at),
        ..grant(4, Parent, d(2020, 1, 1))
    };
    assert_eq!(
        demo(&revoked_parent, d(2019, 6, 1), revoked_at).scopes,
        Scopes::NONE
    );
}

#[test]
fn p7_a_guardian_of_an_adult_has_full_access_until_the_court_order_ends() {
    let adult = d(1950, 1, 1);
    let ends_on = d(2025, 1, 1);
    let guardian = ending(grant(5, LegalGuardian, d(2020, 1, 1)), ends_on);
    assert_eq!(
        demo(&guardian, adult, chicago(d(2024, 12, 31), 23, 59)),
        answer(
            5,
            Reason::Guardian {
                until: Some(ends_on)
            },
            Some(ends_on)
        )
    );
    assert_eq!(
        demo(&guardian, adult, chicago(ends_on, 0, 0)),
        answer(5, Reason::Expired { on: ends_on }, None)
    );
}

#[test]
fn p7_a_guardian_of_an_adult_without_an_end_date_keeps_full_access() {
    let guardian = grant(5, LegalGuardian, d(2020, 1, 1));
    assert_eq!(
        demo(&guardian, d(1950, 1, 1), noon(d(2060, 1, 1))),
        answer(5, Reason::Guardian { until: None }, None)
    );
}

#[test]
fn p7_a_guardian_of_a_minor_goes_through_a_parents_stages_within_the_court_order() {
    let child = d(2015, 5, 5);
    let guardian = ending(grant(6, LegalGuardian, d(2020, 1, 1)), d(2040, 1, 1));
    assert_eq!(
        demo(&guardian, child, noon(d(2028, 5, 4))).reason,
        Reason::ParentFull {
            age: 12,
            full_until: d(2028, 5, 5)
        }
    );
    assert_eq!(
        demo(&guardian, child, noon(d(2028, 5, 5))),
        answer(
            6,
            Reason::ParentLimited {
                since: d(2028, 5, 5),
                birthday: 13
            },
            Some(d(2033, 5, 5))
        )
    );
    // Adulthood ends it even though the order runs on.
    assert_eq!(
        demo(&guardian, child, noon(d(2033, 5, 5))).reason,
        Reason::ParentEnded {
            on: d(2033, 5, 5),
            birthday: 18
        }
    );

    let short_order = ending(grant(7, LegalGuardian, d(2020, 1, 1)), d(2026, 1, 1));
    assert_eq!(
        demo(&short_order, child, noon(d(2025, 12, 31))),
        answer(
            7,
            Reason::ParentFull {
                age: 10,
                full_until: d(2026, 1, 1)
            },
            Some(d(2026, 1, 1))
        )
    );
    assert_eq!(
        demo(&short_order, child, noon(d(2026, 1, 1))).reason,
        Reason::Expired { on: d(2026, 1, 1) }
    );
}

#[test]
fn p1_someone_without_a_grant_sees_nothing_and_is_told_a_proxy_form_is_needed() {
    let access = ask(d(2015, 5, 5), &[], noon(d(2026, 1, 1)));
    assert_eq!(access.scopes(), Scopes::NONE);
    assert_eq!(access.reason_for_missing(Scope::Scheduling), None);
    assert_eq!(
        access.why_not(Scope::Scheduling, "Lily").as_deref(),
        Some(
            "You do not have access to Lily's record. Seeing someone else's record takes a \
             proxy form, which the clinic's staff process."
        )
    );
}

#[test]
fn a_patient_sees_all_of_their_own_record_whatever_the_grants() {
    let revoked = Grant {
        revoked_at: Some(noon(d(2020, 1, 1))),
        ..grant(1, Parent, d(2015, 5, 5))
    };
    let access = AccessQuestion {
        viewer: 2,
        subject: 2,
        subject_date_of_birth: d(2015, 5, 5),
        grants: &[revoked],
        policies: &PolicyHistory::demo(),
        zone: CHICAGO,
        at: noon(d(2026, 1, 1)),
    }
    .answer();
    assert_eq!(access, Access::own());
    assert_eq!(
        access.answers,
        [GrantAccess {
            grant_id: None,
            scopes: Scopes::FULL,
            reason: Reason::Self_,
            changes_on: None
        }]
    );
    assert!(
        Scope::ALL
            .into_iter()
            .all(|s| access.why_not(s, "Lily").is_none())
    );
}

#[test]
fn why_not_names_the_reason_and_what_the_viewer_can_still_do() {
    let child = d(2011, 3, 2);
    let access = ask(child, &[grant(1, Parent, child)], noon(d(2024, 3, 2)));
    assert_eq!(access.why_not(Scope::Scheduling, "Lily"), None);
    assert_eq!(
        why_not(Scope::FullRecord, &access, "Lily").as_deref(),
        Some(
            "Since 2 March 2024 you cannot see Lily's test results and whole record: access for \
             parents and guardians is limited from a child's 13th birthday. You can still \
             schedule their appointments, view and print their immunizations and get their \
             health topic alerts."
        )
    );

    let revoked = Grant {
        revoked_at: Some("2026-05-03T03:30:00Z".parse().unwrap()),
        ..grant(2, AdultProxy, d(2025, 1, 10))
    };
    let access = ask(d(1950, 1, 1), &[revoked], noon(d(2026, 6, 1)));
    assert_eq!(
        access.why_not(Scope::Scheduling, "Walter").as_deref(),
        Some("Your access to Walter's record was withdrawn on 2 May 2026.")
    );
}

#[test]
fn an_access_answer_survives_a_round_trip_through_json() {
    let child = d(1998, 8, 20);
    let access = ask(
        child,
        &[grant(1, Parent, d(2004, 3, 1))],
        noon(d(2010, 1, 1)),
    );
    let json = serde_json::to_string(&access).unwrap();
    assert_eq!(serde_json::from_str::<Access>(&json).unwrap(), access);
}

// ---- Properties ----------------------------------------------------------------------------

fn days_after(from: NaiveDate, days: u64) -> impl Strategy<Value = NaiveDate> {
    (0..days).prop_map(move |n| from + Days::new(n))
}

fn date_of_birth() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        3 => days_after(d(1950, 1, 1), 80 * 366),
        1 => (488i32..507).prop_map(|quad| d(quad * 4, 2, 29)),
    ]
}

fn zone() -> impl Strategy<Value = Tz> {
    prop_oneof![
        Just(CHICAGO),
        Just(chrono_tz::UTC),
        Just(chrono_tz::Europe::London),
        Just(chrono_tz::Pacific::Kiritimati),
        Just(chrono_tz::Pacific::Pago_Pago),
    ]
}

fn policy(limited_age: u32, adult_age: u32) -> OrganizationPolicy {
    OrganizationPolicy {
        parent_limited_access_age: limited_age,
        adult_age,
        ..OrganizationPolicy::default()
    }
}

/// 1 to 3 versions, the first in force since the beginning or from a day near the child's birth;
/// later ones take effect during the child's youth, so rules change while grants run.
#[derive(Debug, Clone)]
struct HistorySpec {
    first_days_after_birth: Option<i64>,
    versions: Vec<(u32, u32, u64)>,
}

fn history_spec() -> impl Strategy<Value = HistorySpec> {
    (
        proptest::option::of(-8_000i64..4_000),
        proptest::collection::vec((8u32..=15, 16u32..=21, 1u64..6_000), 1..=3),
    )
        .prop_map(|(first_days_after_birth, versions)| HistorySpec {
            first_days_after_birth,
            versions,
        })
}

fn build_history(spec: &HistorySpec, date_of_birth: NaiveDate) -> PolicyHistory {
    let first = spec
        .first_days_after_birth
        .map(|n| date_of_birth + Duration::days(n));
    let mut effective_from = first.unwrap_or(NaiveDate::MIN);
    let mut versions = Vec::new();
    for (i, &(limited_age, adult_age, gap)) in spec.versions.iter().enumerate() {
        if i > 0 {
            effective_from = effective_from.max(date_of_birth) + Days::new(gap);
        }
        versions.push(PolicyVersion {
            effective_from,
            policy: policy(limited_age, adult_age),
        });
    }
    PolicyHistory::new(versions).unwrap()
}

#[derive(Debug, Clone)]
struct GrantSpec {
    kind: RelationshipKind,
    starts_days_after_birth: i64,
    ends_days_after_start: Option<u64>,
    revoked_secs_after_start: Option<i64>,
}

fn grant_spec() -> impl Strategy<Value = GrantSpec> {
    (
        proptest::sample::select(RelationshipKind::ALL.to_vec()),
        -2_000i64..9_500,
        proptest::option::of(0u64..8_000),
        proptest::option::weighted(0.3, -30 * 86_400i64..20 * 366 * 86_400),
    )
        .prop_map(|(kind, starts, ends, revoked)| GrantSpec {
            kind,
            starts_days_after_birth: starts,
            ends_days_after_start: ends,
            revoked_secs_after_start: revoked,
        })
}

/// Local midnight of `day` in `zone`, or the naive instant if the zone skipped that midnight
/// (Kiritimati skipped the whole of 31 December 1994).
fn midnight(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc(), |t| t.to_utc())
}

fn build(spec: &GrantSpec, id: i64, date_of_birth: NaiveDate, zone: Tz) -> Grant {
    let starts_on = date_of_birth + Duration::days(spec.starts_days_after_birth);
    Grant {
        id,
        kind: spec.kind,
        starts_on,
        ends_on: spec.ends_days_after_start.map(|n| starts_on + Days::new(n)),
        revoked_at: spec
            .revoked_secs_after_start
            .map(|s| midnight(zone, starts_on) + Duration::seconds(s)),
    }
}

/// Where an instant is drawn: anywhere from a year before the first grant's start to 25 years
/// after, or minutes around a moment where answers change.
#[derive(Debug, Clone)]
enum Anchor {
    Anywhere(i64),
    NewYear(i32, i64),
    DstChange(i32, bool, i64),
    Birthday(u32, i64),
    GrantStart(i64),
    GrantEnd(i64),
    Revocation(i64),
}

fn anchor() -> impl Strategy<Value = Anchor> {
    let minutes = || -1_500i64..1_500;
    prop_oneof![
        (-366 * 86_400i64..25 * 366 * 86_400).prop_map(Anchor::Anywhere),
        (-1i32..25, minutes()).prop_map(|(y, m)| Anchor::NewYear(y, m)),
        (-1i32..25, any::<bool>(), minutes()).prop_map(|(y, s, m)| Anchor::DstChange(y, s, m)),
        (0u32..25, minutes()).prop_map(|(y, m)| Anchor::Birthday(y, m)),
        minutes().prop_map(Anchor::GrantStart),
        minutes().prop_map(Anchor::GrantEnd),
        (-3_600i64..3_600).prop_map(Anchor::Revocation),
    ]
}

fn resolve(anchor: &Anchor, zone: Tz, date_of_birth: NaiveDate, grant: &Grant) -> DateTime<Utc> {
    let around = |day: NaiveDate, minutes: i64| midnight(zone, day) + Duration::minutes(minutes);
    match *anchor {
        Anchor::Anywhere(secs) => midnight(zone, grant.starts_on) + Duration::seconds(secs),
        Anchor::NewYear(years, m) => around(d(grant.starts_on.year() + years, 1, 1), m),
        // The US changes: second Sunday of March and first of November (since 2007).
        Anchor::DstChange(years, spring, m) => {
            let (month, nth) = if spring { (3, 2) } else { (11, 1) };
            let year = grant.starts_on.year() + years;
            let sunday = NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, nth);
            around(sunday.unwrap(), m)
        }
        Anchor::Birthday(years, m) => around(birthday(date_of_birth, years).unwrap(), m),
        Anchor::GrantStart(m) => around(grant.starts_on, m),
        Anchor::GrantEnd(m) => around(grant.ends_on.unwrap_or(grant.starts_on), m),
        Anchor::Revocation(secs) => {
            grant
                .revoked_at
                .unwrap_or_else(|| midnight(zone, grant.starts_on))
                + Duration::seconds(secs)
        }
    }
}

#[derive(Debug, Clone)]
struct Case {
    date_of_birth: NaiveDate,
    zone: Tz,
    history: PolicyHistory,
    grants: Vec<Grant>,
    at: DateTime<Utc>,
}

impl Case {
    fn grant(&self) -> &Grant {
        &self.grants[0]
    }

    fn day(&self) -> NaiveDate {
        local_date(self.at, self.zone)
    }

    fn answer_for(&self, grant: &Grant, at: DateTime<Utc>) -> GrantAccess {
        grant_access(grant, self.date_of_birth, &self.history, self.zone, at)
    }

    fn first(&self) -> GrantAccess {
        self.answer_for(self.grant(), self.at)
    }

    fn access(&self) -> Access {
        AccessQuestion {
            viewer: 1,
            subject: 2,
            subject_date_of_birth: self.date_of_birth,
            grants: &self.grants,
            policies: &self.history,
            zone: self.zone,
            at: self.at,
        }
        .answer()
    }
}

/// Everything drawn at random.
fn random_case() -> impl Strategy<Value = Case> {
    (
        date_of_birth(),
        zone(),
        history_spec(),
        proptest::collection::vec(grant_spec(), 1..=3),
        anchor(),
    )
        .prop_map(|(date_of_birth, zone, history, specs, anchor)| {
            let history = build_history(&history, date_of_birth);
            let grants: Vec<Grant> = (1..)
                .zip(&specs)
                .map(|(id, spec)| build(spec, id, date_of_birth, zone))
                .collect();
            let at = resolve(&anchor, zone, date_of_birth, &grants[0]);
            Case {
                date_of_birth,
                zone,
                history,
                grants,
                at,
            }
        })
}

/// A parent's grant from before the limited age rose (P6), asked about around the rise and
/// after it: the shape of the worked example with random ages, days, zones and times. Drawn at
/// random, such cases are too rare to test the old rule.
fn raised_rule_case() -> impl Strategy<Value = Case> {
    (
        (date_of_birth(), zone(), 8u32..=14, 1u32..=4, 16u32..=21),
        (0i64..1_000, 0i64..1_000, -400i64..2_500, 0i64..86_400),
    )
        .prop_map(
            |(
                (date_of_birth, zone, old_age, rise, adult_age),
                (change_at, start_at, days, secs),
            )| {
                let new_age = (old_age + rise).min(15);
                let old_birthday = birthday(date_of_birth, old_age).unwrap();
                let new_birthday = birthday(date_of_birth, new_age).unwrap();
                let change = old_birthday
                    + Duration::days((new_birthday - old_birthday).num_days() * change_at / 1_000);
                let starts_on = date_of_birth
                    + Duration::days((change - date_of_birth).num_days() * start_at / 1_000);
                let history = PolicyHistory::new(vec![
                    PolicyVersion {
                        effective_from: NaiveDate::MIN,
                        policy: policy(old_age, adult_age),
                    },
                    PolicyVersion {
                        effective_from: change,
                        policy: policy(new_age, adult_age),
                    },
                ])
                .unwrap();
                Case {
                    date_of_birth,
                    zone,
                    history,
                    grants: vec![grant(1, Parent, starts_on)],
                    at: midnight(zone, change + Duration::days(days)) + Duration::seconds(secs),
                }
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![3 => random_case(), 1 => raised_rule_case()]
}

/// A case whose first grant is a parent's, with no end date and no revocation: P5 and P6 alone.
fn parent_case() -> impl Strategy<Value = Case> {
    let random = random_case().prop_map(|mut case| {
        case.grants[0] = Grant {
            kind: Parent,
            ends_on: None,
            revoked_at: None,
            ..case.grants[0].clone()
        };
        case
    });
    prop_oneof![random, raised_rule_case()]
}

/// The reason with the one date that foresees future policy versions blanked out.
fn without_forecast(reason: &Reason) -> Reason {
    match *reason {
        Reason::ParentFull { age, .. } => Reason::ParentFull {
            age,
            full_until: NaiveDate::MIN,
        },
        ref other => other.clone(),
    }
}

/// 0 full, 1 limited, 2 nothing.
fn stage(scopes: Scopes) -> u8 {
    if scopes == Scopes::FULL {
        0
    } else if scopes == Scopes::LIMITED {
        1
    } else {
        2
    }
}

/// The first day on or after `from` with `age >= threshold(policy in force that day)`, one day
/// at a time: the slow, obvious version of `first_day_reaching`.
fn walk_days(
    date_of_birth: NaiveDate,
    from: NaiveDate,
    history: &PolicyHistory,
    threshold: impl Fn(&OrganizationPolicy) -> u32,
) -> Option<NaiveDate> {
    from.iter_days()
        .take(40 * 366)
        .find(|day| age_on(date_of_birth, *day) >= threshold(history.in_force_on(*day)))
}

proptest! {
    #[test]
    fn revoked_or_expired_grants_give_nothing(case in case()) {
        for grant in &case.grants {
            let revoked = grant.revoked_at.is_some_and(|r| case.at >= r);
            let expired = grant.ends_on.is_some_and(|e| case.day() >= e);
            if revoked || expired {
                prop_assert_eq!(case.answer_for(grant, case.at).scopes, Scopes::NONE);
            }
        }
    }

    #[test]
    fn without_a_grant_there_is_nothing_and_a_reason_for_everything(case in case()) {
        let access = Case { grants: vec![], ..case }.access();
        prop_assert_eq!(access.scopes(), Scopes::NONE);
        for scope in Scope::ALL {
            prop_assert!(access.why_not(scope, "Lily").is_some());
        }
    }

    #[test]
    fn scopes_come_from_the_reason_and_limited_is_less_than_full(case in case()) {
        for grant in &case.grants {
            let answer = case.answer_for(grant, case.at);
            prop_assert_eq!(answer.scopes, answer.reason.scopes());
            prop_assert!(answer.scopes.is_subset_of(Scopes::FULL));
            if matches!(
                answer.reason,
                Reason::ParentLimited { .. } | Reason::ParentLimitedUnderOldRule { .. }
            ) {
                prop_assert_eq!(answer.scopes, Scopes::LIMITED);
                prop_assert!(answer.scopes.is_subset_of(Scopes::FULL));
                prop_assert_ne!(answer.scopes, Scopes::FULL);
            }
        }
        prop_assert!(case.access().scopes().is_subset_of(Scopes::FULL));
    }

    #[test]
    fn less_than_full_access_always_has_a_reason_to_show(case in case()) {
        let access = case.access();
        for answer in &access.answers {
            if answer.scopes != Scopes::FULL {
                prop_assert!(!matches!(
                    answer.reason,
                    Reason::Self_
                        | Reason::ParentFull { .. }
                        | Reason::Guardian { .. }
                        | Reason::AdultProxyValid { .. }
                ), "{:?}", answer);
            }
        }
        for scope in Scope::ALL {
            let missing = !access.allows(scope);
            prop_assert_eq!(access.why_not(scope, "Lily").is_some(), missing);
            prop_assert_eq!(access.reason_for_missing(scope).is_some(), missing);
            if let Some(reason) = access.reason_for_missing(scope) {
                prop_assert!(!reason.scopes().contains(scope));
            }
        }
    }

    #[test]
    fn a_revocation_dated_after_the_instant_changes_nothing_at_the_instant(
        case in case(), later in 1i64..2_000_000_000,
    ) {
        let standing = Grant { revoked_at: None, ..case.grant().clone() };
        let revoked = Grant {
            revoked_at: Some(case.at + Duration::seconds(later)),
            ..standing.clone()
        };
        // Not even `changes_on`: a revocation is an event, not foreseen.
        prop_assert_eq!(case.answer_for(&revoked, case.at), case.answer_for(&standing, case.at));
    }

    #[test]
    fn a_policy_version_taking_effect_after_the_day_changes_nothing_on_the_day(
        case in case(), gap in 1u64..10_000, limited_age in 8u32..=15, adult_age in 16u32..=21,
    ) {
        // After the first version too, which also answers for the days before it.
        let first = case.history.versions()[0].effective_from;
        let effective_from = first.max(case.day()) + Days::new(gap);
        let mut versions = case.history.versions().to_vec();
        prop_assume!(versions.iter().all(|v| v.effective_from != effective_from));
        versions.push(PolicyVersion { effective_from, policy: policy(limited_age, adult_age) });
        versions.sort_by_key(|v| v.effective_from);
        let changed = Case { history: PolicyHistory::new(versions).unwrap(), ..case.clone() };
        for grant in &case.grants {
            let before = case.answer_for(grant, case.at);
            let after = changed.answer_for(grant, case.at);
            prop_assert_eq!(before.scopes, after.scopes);
            // `changes_on` (and `ParentFull::full_until`, the same day) may move: they foresee
            // the policy, and the policy now says something new about the future.
            prop_assert_eq!(without_forecast(&before.reason), without_forecast(&after.reason));
        }
    }

    #[test]
    fn a_parents_grant_never_goes_back_to_a_richer_stage(
        case in parent_case(), later in 0i64..25 * 366 * 86_400,
    ) {
        let grant = case.grant();
        let at = case.at.max(midnight(case.zone, grant.starts_on));
        let case = Case { at, ..case.clone() };
        // Only fails where the zone skipped the start day's midnight.
        prop_assume!(case.day() >= grant.starts_on);
        let now = case.first();
        let then = case.answer_for(grant, case.at + Duration::seconds(later));
        prop_assert!(stage(now.scopes) <= stage(then.scopes), "{:?} then {:?}", now, then);
        if let Some(changes_on) = now.changes_on {
            prop_assert!(changes_on > case.day());
            let at = midnight(case.zone, changes_on);
            // Unless the zone skipped that day's midnight (Kiritimati, 31 December 1994).
            if local_date(at, case.zone) == changes_on {
                let next = case.answer_for(grant, at);
                prop_assert!(stage(next.scopes) > stage(now.scopes), "{:?} then {:?}", now, next);
            }
        }
    }

    #[test]
    fn the_limited_and_adult_days_are_those_a_day_by_day_walk_finds(case in parent_case()) {
        let from = case.grant().starts_on;
        let limited = |p: &OrganizationPolicy| p.parent_limited_access_age;
        let adult = |p: &OrganizationPolicy| p.adult_age;
        prop_assert_eq!(
            first_day_reaching(case.date_of_birth, from, &case.history, limited),
            walk_days(case.date_of_birth, from, &case.history, limited)
        );
        prop_assert_eq!(
            first_day_reaching(case.date_of_birth, from, &case.history, adult),
            walk_days(case.date_of_birth, from, &case.history, adult)
        );
    }

    #[test]
    fn the_old_rule_is_given_as_the_reason_exactly_when_reapplying_would_give_full_access(
        case in parent_case(),
    ) {
        let now = case.first();
        let reapplied = Grant { id: 99, starts_on: case.day(), ..case.grant().clone() };
        let anew = case.answer_for(&reapplied, case.at);
        match now.reason {
            Reason::ParentLimitedUnderOldRule { since, rule_changed_on, .. } => {
                prop_assert_eq!(anew.scopes, Scopes::FULL);
                prop_assert!(since < rule_changed_on && rule_changed_on <= case.day());
            }
            Reason::ParentLimited { .. } => prop_assert_eq!(anew.scopes, Scopes::LIMITED),
            _ => {}
        }
    }
}
