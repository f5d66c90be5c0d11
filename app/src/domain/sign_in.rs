//! Sign-in rules that do not depend on storage: progressive lockout after failed attempts, and
//! when a session ends (idle timeout and absolute lifetime). Numbers come from the policy.

use crate::domain::policy::OrganizationPolicy;
use chrono::{DateTime, Duration, Utc};

/// After the `failures`-th failed attempt in a row, until when the account is locked (if at all).
/// The first lockout comes at `sign_in_failures_before_lockout` failures and lasts
/// `lockout_minutes`; every further failure doubles it, up to a day.
pub fn locked_until_after_failure(
    failures: u32,
    now: DateTime<Utc>,
    policy: &OrganizationPolicy,
) -> Option<DateTime<Utc>> {
    let allowed = policy.sign_in_failures_before_lockout;
    if failures < allowed {
        return None;
    }
    let doublings = (failures - allowed).min(16);
    let minutes = u64::from(policy.lockout_minutes)
        .saturating_mul(1 << doublings)
        .min(24 * 60);
    Some(now + Duration::minutes(i64::try_from(minutes).unwrap_or(24 * 60)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active,
    /// Nothing happened for longer than the idle timeout.
    Idle,
    /// Past its absolute lifetime.
    Expired,
}

pub fn session_state(
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &OrganizationPolicy,
) -> SessionState {
    if now >= expires_at {
        SessionState::Expired
    } else if now - last_seen_at >= Duration::minutes(i64::from(policy.session_idle_minutes)) {
        SessionState::Idle
    } else {
        SessionState::Active
    }
}

/// When a session started at `created_at` must end, however active.
pub fn session_expires_at(created_at: DateTime<Utc>, policy: &OrganizationPolicy) -> DateTime<Utc> {
    created_at + Duration::hours(i64::from(policy.session_absolute_hours))
}

/// Minutes a session that passed the password but not yet the second step of sign-in lasts.
pub const SECOND_STEP_MINUTES: i64 = 10;

/// When a session started at `created_at` and still waiting for its second step ends.
pub fn second_step_expires_at(
    created_at: DateTime<Utc>,
    policy: &OrganizationPolicy,
) -> DateTime<Utc> {
    (created_at + Duration::minutes(SECOND_STEP_MINUTES))
        .min(session_expires_at(created_at, policy))
}

/// Per-address rate limit: keeps the attempts made within the window in `recent` (oldest
/// first) and says whether one more is allowed now; an allowed attempt is recorded.
pub fn allow_attempt(
    recent: &mut std::collections::VecDeque<DateTime<Utc>>,
    now: DateTime<Utc>,
    policy: &OrganizationPolicy,
) -> bool {
    let window = Duration::minutes(i64::from(policy.attempt_window_minutes));
    while recent.front().is_some_and(|t| now - *t >= window) {
        recent.pop_front();
    }
    if recent.len() >= policy.attempts_per_address as usize {
        return false;
    }
    recent.push_back(now);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_waiting_for_its_second_step_lasts_ten_minutes() {
        let policy = OrganizationPolicy::default();
        let at: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        assert_eq!(
            second_step_expires_at(at, &policy),
            "2026-11-25T12:10:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let short = OrganizationPolicy {
            session_absolute_hours: 1,
            ..Default::default()
        };
        assert!(second_step_expires_at(at, &short) <= session_expires_at(at, &short));
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_account_locks_at_the_fifth_failure_and_each_further_failure_doubles_the_wait() {
        let p = OrganizationPolicy::default();
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(locked_until_after_failure(4, now, &p), None);
        assert_eq!(
            locked_until_after_failure(5, now, &p),
            Some(now + Duration::minutes(15))
        );
        assert_eq!(
            locked_until_after_failure(6, now, &p),
            Some(now + Duration::minutes(30))
        );
        assert_eq!(
            locked_until_after_failure(7, now, &p),
            Some(now + Duration::minutes(60))
        );
        assert_eq!(
            locked_until_after_failure(500, now, &p),
            Some(now + Duration::hours(24))
        );
    }

    #[test]
    fn an_address_gets_its_allowance_per_window_and_then_waits() {
        let p = OrganizationPolicy {
            attempts_per_address: 3,
            ..Default::default()
        };
        let mut recent = std::collections::VecDeque::new();
        let now = at("2026-01-01T00:00:00Z");
        for i in 0..3 {
            assert!(allow_attempt(&mut recent, now + Duration::seconds(i), &p));
        }
        assert!(!allow_attempt(&mut recent, now + Duration::minutes(5), &p));
        assert!(!allow_attempt(
            &mut recent,
            now + Duration::minutes(10) - Duration::seconds(1),
            &p
        ));
        assert!(
            allow_attempt(&mut recent, now + Duration::minutes(10), &p),
            "the first has aged out"
        );
    }

    #[test]
    fn a_session_ends_when_idle_for_the_timeout_or_at_its_absolute_end() {
        let p = OrganizationPolicy::default();
        let start = at("2026-01-01T08:00:00Z");
        let end = session_expires_at(start, &p);
        assert_eq!(end, at("2026-01-01T20:00:00Z"));
        let seen = at("2026-01-01T10:00:00Z");
        assert_eq!(
            session_state(seen, end, seen + Duration::minutes(19), &p),
            SessionState::Active
        );
        assert_eq!(
            session_state(seen, end, seen + Duration::minutes(20), &p),
            SessionState::Idle
        );
        assert_eq!(
            session_state(end - Duration::minutes(1), end, end, &p),
            SessionState::Expired
        );
    }
}
