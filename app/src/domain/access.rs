//! The access engine: who may see what of whose record at an instant, and why (P1-P7). A pure
//! function of its arguments: the grants between one viewer and one subject, the subject's date
//! of birth, the organization's policy history, its time zone and the instant. The server
//! enforces its answer and the WASM words it; neither asks anything else.
//!
//! Days are the organization's local days ([`local_date`]): a stage begins at local midnight, and
//! birthdays follow [`birthday`] (29 February → 1 March in other years).
//!
//! A parent's grant (P5, P6) is judged from its own start: it turns limited on the first day on
//! or after its start on which the child's age reaches the limited age in force *that day*, and
//! ends on the first such day for the adult age. A later change of policy never moves a grant
//! back to full access; a new grant (reapplying) is judged by the policy in force from its start.
//!
//! A legal guardian (P7) is judged by the subject's age on the grant's first day: a guardian of a
//! minor goes through a parent's stages, cut short by the court order's end if it comes first,
//! and access ends at adulthood even if the order runs on (a guardian of an adult is appointed by
//! a new order, which is a new grant); a guardian of an adult has full access until the order's
//! end, if it has one.
//!
//! Revocation (P3) is an event, not a schedule: it wins over everything from its instant on, and
//! `changes_on` does not foresee a revocation dated after the instant asked about.

mod history;
mod reason;
mod scope;

pub use history::{LIMITED_AGE_RAISED_ON, PolicyHistory, PolicyHistoryError, PolicyVersion};
pub use reason::Reason;
pub use scope::{Scope, Scopes};

use crate::domain::age::{age_on, birthday, local_date};
use crate::domain::policy::OrganizationPolicy;
use crate::domain::relationship::RelationshipKind;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// One approved proxy form (P1): a row of the relationships table, from one viewer to one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: i64,
    pub kind: RelationshipKind,
    /// The day staff approved it; access begins at that local midnight.
    pub starts_on: NaiveDate,
    /// The first day without access: an adult proxy's expiry ([`adult_proxy_ends_on`]), the end
    /// of a guardian's court order. `None`: no end date (an adult proxy without one is given the
    /// policy's term from its start, so it cannot outlive P2 by mistake).
    pub ends_on: Option<NaiveDate>,
    /// When it was revoked (P3); no access from that instant on.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Everything the engine needs to answer what `viewer` may do with `subject`'s record `at` an
/// instant. `grants` are the grants from this viewer to this subject, and nothing else.
#[derive(Debug, Clone, Copy)]
pub struct AccessQuestion<'a> {
    pub viewer: i64,
    pub subject: i64,
    pub subject_date_of_birth: NaiveDate,
    pub grants: &'a [Grant],
    pub policies: &'a PolicyHistory,
    pub zone: Tz,
    pub at: DateTime<Utc>,
}

impl AccessQuestion<'_> {
    /// Own record: full access. Anyone else: one answer per grant (none for a stranger).
    pub fn answer(&self) -> Access {
        if self.viewer == self.subject {
            return Access::own();
        }
        Access {
            answers: self
                .grants
                .iter()
                .map(|grant| {
                    grant_access(
                        grant,
                        self.subject_date_of_birth,
                        self.policies,
                        self.zone,
                        self.at,
                    )
                })
                .collect(),
        }
    }
}

/// What one grant gives at the instant asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantAccess {
    /// The grant answered for; `None` for the viewer's own record.
    pub grant_id: Option<i64>,
    /// Always `reason.scopes()`.
    pub scopes: Scopes,
    pub reason: Reason,
    /// The next local day on which this answer changes by the calendar alone, as far as the
    /// policy history known now tells; `None` if it never does. A policy version added later
    /// may move it (and `ParentFull::full_until` with it), never the answer for days before it.
    pub changes_on: Option<NaiveDate>,
}

impl GrantAccess {
    fn new(grant_id: Option<i64>, reason: Reason, changes_on: Option<NaiveDate>) -> Self {
        Self {
            grant_id,
            scopes: reason.scopes(),
            reason,
            changes_on,
        }
    }
}

/// The engine's answer about one viewer and one subject: one entry for the own record, otherwise
/// one per grant (none for someone with no grant).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Access {
    pub answers: Vec<GrantAccess>,
}

impl Access {
    /// The answer for a patient's own record.
    pub fn own() -> Self {
        Self {
            answers: vec![GrantAccess::new(None, Reason::Self_, None)],
        }
    }

    /// Everything the viewer may do, through any of their grants.
    pub fn scopes(&self) -> Scopes {
        self.answers
            .iter()
            .fold(Scopes::NONE, |all, answer| all | answer.scopes)
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes().contains(scope)
    }

    /// The first day on which any of the answers changes.
    pub fn changes_on(&self) -> Option<NaiveDate> {
        self.answers.iter().filter_map(|a| a.changes_on).min()
    }

    /// The reason to show for a scope the viewer lacks: of all their grants' reasons, the one
    /// they can act on first (reapply under P6), then the one in force (limited, starting
    /// later), then the most recent end. The newest grant wins a tie. `None` if the viewer has
    /// the scope or has no grant at all.
    pub fn reason_for_missing(&self, scope: Scope) -> Option<&Reason> {
        if self.allows(scope) {
            return None;
        }
        self.answers
            .iter()
            .min_by_key(|a| (a.reason.rank_as_missing(), std::cmp::Reverse(a.grant_id)))
            .map(|a| &a.reason)
    }

    /// See [`why_not`].
    pub fn why_not(&self, scope: Scope, subject_given_name: &str) -> Option<String> {
        why_not(scope, self, subject_given_name)
    }
}

/// "Why can't I see this?": for a scope the viewer lacks, the reason in sentences and what they
/// can still do with the record. `None` if they have the scope.
pub fn why_not(scope: Scope, access: &Access, subject_given_name: &str) -> Option<String> {
    if access.allows(scope) {
        return None;
    }
    let name = subject_given_name;
    let cause = match access.reason_for_missing(scope) {
        Some(reason) => reason.cause(name),
        None => format!(
            "You do not have access to {name}'s record. Seeing someone else's record takes a \
             proxy form, which the clinic's staff process."
        ),
    };
    let still = access.scopes();
    Some(if still.is_empty() {
        cause
    } else {
        format!("{cause} You can still {}.", still.actions("their"))
    })
}

/// The day an adult proxy grant approved on `starts_on` expires (the first day without access):
/// the policy's term (P2, `adult_proxy_years`) later, by calendar years, 29 February → 1 March.
pub fn adult_proxy_ends_on(starts_on: NaiveDate, policies: &PolicyHistory) -> NaiveDate {
    let years = policies.in_force_on(starts_on).adult_proxy_years;
    birthday(starts_on, years).unwrap_or(NaiveDate::MAX)
}

/// The new expiry of an adult proxy grant renewed on `renewed_on`: a full term from the renewal
/// day, under the policy in force that day.
pub fn renewal_ends_on(renewed_on: NaiveDate, policies: &PolicyHistory) -> NaiveDate {
    adult_proxy_ends_on(renewed_on, policies)
}

/// What `grant` gives at the instant `at`, for a subject born on `date_of_birth`.
pub fn grant_access(
    grant: &Grant,
    date_of_birth: NaiveDate,
    policies: &PolicyHistory,
    zone: Tz,
    at: DateTime<Utc>,
) -> GrantAccess {
    let id = Some(grant.id);
    if let Some(revoked_at) = grant.revoked_at
        && at >= revoked_at
    {
        let on = local_date(revoked_at, zone);
        return GrantAccess::new(id, Reason::Revoked { on }, None);
    }
    let day = local_date(at, zone);
    if day < grant.starts_on {
        let starts_on = grant.starts_on;
        return GrantAccess::new(id, Reason::NotYetStarted { starts_on }, Some(starts_on));
    }
    let (reason, changes_on) = match grant.kind {
        RelationshipKind::AdultProxy => {
            let ends_on = grant
                .ends_on
                .unwrap_or_else(|| adult_proxy_ends_on(grant.starts_on, policies));
            if day >= ends_on {
                (Reason::Expired { on: ends_on }, None)
            } else {
                (Reason::AdultProxyValid { until: ends_on }, Some(ends_on))
            }
        }
        RelationshipKind::LegalGuardian
            if !is_minor_on(date_of_birth, grant.starts_on, policies) =>
        {
            match grant.ends_on {
                Some(on) if day >= on => (Reason::Expired { on }, None),
                until => (Reason::Guardian { until }, until),
            }
        }
        RelationshipKind::Parent | RelationshipKind::LegalGuardian => {
            minor_stage(grant, date_of_birth, policies, day)
        }
    };
    GrantAccess::new(id, reason, changes_on)
}

fn is_minor_on(date_of_birth: NaiveDate, day: NaiveDate, policies: &PolicyHistory) -> bool {
    age_on(date_of_birth, day) < policies.in_force_on(day).adult_age
}

/// P5 and P6 for a parent's grant (or a guardian's of a minor) on `day`, on or after its start.
fn minor_stage(
    grant: &Grant,
    date_of_birth: NaiveDate,
    policies: &PolicyHistory,
    day: NaiveDate,
) -> (Reason, Option<NaiveDate>) {
    let adult_from = first_day_reaching(date_of_birth, grant.starts_on, policies, |p| p.adult_age);
    let end = earliest(adult_from, grant.ends_on);
    if let Some(end) = end
        && day >= end
    {
        // On a tie the age is the reason that would stand even with a longer court order.
        let reason = if adult_from == Some(end) {
            let birthday = policies.in_force_on(end).adult_age;
            Reason::ParentEnded { on: end, birthday }
        } else {
            Reason::Expired { on: end }
        };
        return (reason, None);
    }
    // A limited stage that would begin only after the end never begins.
    let limited_from = first_day_reaching(date_of_birth, grant.starts_on, policies, |p| {
        p.parent_limited_access_age
    })
    .filter(|from| end.is_none_or(|end| *from < end));
    match limited_from {
        Some(since) if day >= since => (limited_reason(date_of_birth, since, policies, day), end),
        _ => {
            let full_until = earliest(limited_from, end);
            let reason = Reason::ParentFull {
                age: age_on(date_of_birth, day),
                full_until: full_until.unwrap_or(NaiveDate::MAX),
            };
            (reason, full_until)
        }
    }
}

/// Limited since `since`; under an old rule (P6) if a grant starting on `day` would be full.
fn limited_reason(
    date_of_birth: NaiveDate,
    since: NaiveDate,
    policies: &PolicyHistory,
    day: NaiveDate,
) -> Reason {
    let birthday = policies.in_force_on(since).parent_limited_access_age;
    let current_age_limit = policies.in_force_on(day).parent_limited_access_age;
    // A new grant from `day` is full exactly when the child is below today's limited age: the
    // child is below the adult age, or this grant would have ended already.
    if age_on(date_of_birth, day) >= current_age_limit {
        return Reason::ParentLimited { since, birthday };
    }
    // The limited age rose after `since` (the child is past the old one and below today's), so
    // a version raising it took effect in `(since, day]`: the first such is the change to name.
    let rule_changed_on = policies
        .versions()
        .iter()
        .filter(|v| v.effective_from > since && v.effective_from <= day)
        .find(|v| v.policy.parent_limited_access_age > birthday)
        .map_or_else(
            || policies.version_on(day).effective_from,
            |v| v.effective_from,
        );
    Reason::ParentLimitedUnderOldRule {
        since,
        birthday,
        rule_changed_on,
        current_age_limit,
    }
}

/// The first day on or after `from` on which someone born on `date_of_birth` is at least the age
/// `threshold` names in the policy in force that day; `None` if no such day is on the calendar.
/// Within one version's period the threshold is fixed and age only grows, so the first such day
/// of a period is the latest of the period's start, `from` and the birthday; the first period
/// where that day falls inside wins. One step per policy version, never one per day.
fn first_day_reaching(
    date_of_birth: NaiveDate,
    from: NaiveDate,
    policies: &PolicyHistory,
    threshold: impl Fn(&OrganizationPolicy) -> u32,
) -> Option<NaiveDate> {
    policies.periods().find_map(|(start, until, policy)| {
        if until.is_some_and(|until| until <= from) {
            return None;
        }
        // Everyone is at least 0, even before birth (`age_on` counts 0 then).
        let reached = match threshold(policy) {
            0 => NaiveDate::MIN,
            years => birthday(date_of_birth, years)?,
        };
        let day = start.max(from).max(reached);
        until.is_none_or(|until| day < until).then_some(day)
    })
}

fn earliest(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests;
