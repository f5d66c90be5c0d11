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

/// Whether a portal account may be used. Stored as text; anything not known reads as closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Self {
        if text == Self::Active.as_str() {
            Self::Active
        } else {
            Self::Closed
        }
    }
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

/// How stale a session's recorded last activity may be. Writing it on every request made every
/// signed-in page a database write; written at most this often, a session still goes idle
/// within this much of the idle timeout.
pub const LAST_SEEN_PRECISION: Duration = Duration::minutes(1);

/// Whether a request at `now` records its session's activity (see [`LAST_SEEN_PRECISION`]).
pub fn records_activity(last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last_seen_at >= LAST_SEEN_PRECISION
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

/// Per-address rate limit, the generic cell rate algorithm: an address may make the policy's
/// `attempts_per_address` attempts at once, and after that one more each time a window's share
/// (`attempt_window_minutes / attempts_per_address`) has passed. All it keeps per address is one
/// instant (`next_free`, the "theoretical arrival time"), so checking costs the same however
/// busy the address was. Returns the new instant to keep when the attempt is allowed.
pub fn allow_attempt(
    next_free: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    policy: &OrganizationPolicy,
) -> Option<DateTime<Utc>> {
    let window = Duration::minutes(i64::from(policy.attempt_window_minutes));
    let share = window / i32::try_from(policy.attempts_per_address.max(1)).unwrap_or(i32::MAX);
    let tolerance = window - share;
    // An instant further ahead than a whole window means the clock was set back: start afresh.
    let at = next_free
        .filter(|t| *t <= now + window)
        .map_or(now, |t| t.max(now));
    (at - now <= tolerance).then_some(at + share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_is_recorded_at_most_once_a_minute_and_idle_still_comes_within_a_minute() {
        let policy = OrganizationPolicy::default();
        let idle = Duration::minutes(i64::from(policy.session_idle_minutes));
        let start: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        let far = start + Duration::hours(12);
        assert!(!records_activity(start, start));
        assert!(!records_activity(start, start + Duration::seconds(59)));
        assert!(records_activity(start, start + Duration::seconds(60)));
        // Requests every 59 s from `start` write nothing; the last write is `start`, so the
        // session goes idle at most a minute before the idle timeout after the last request.
        let last_request = start + Duration::seconds(59);
        assert_eq!(
            session_state(start, far, start + idle, &policy),
            SessionState::Idle
        );
        let true_idle_at = last_request + idle;
        assert!(true_idle_at - (start + idle) < LAST_SEEN_PRECISION);
        assert_eq!(
            session_state(start, far, start + idle - Duration::seconds(1), &policy),
            SessionState::Active
        );
    }

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
    fn an_address_gets_its_allowance_at_once_and_then_one_per_share_of_the_window() {
        let p = OrganizationPolicy {
            attempts_per_address: 3,
            ..Default::default()
        };
        let now = at("2026-01-01T00:00:00Z");
        let mut kept = None;
        for i in 0..3 {
            kept = allow_attempt(kept, now + Duration::seconds(i), &p);
            assert!(kept.is_some(), "attempt {i}");
        }
        assert_eq!(allow_attempt(kept, now + Duration::seconds(3), &p), None);
        // A third of the window (200 s) after the first attempt, one more is allowed.
        assert_eq!(allow_attempt(kept, now + Duration::seconds(199), &p), None);
        let later = allow_attempt(kept, now + Duration::seconds(200), &p);
        assert!(later.is_some());
        assert_eq!(allow_attempt(later, now + Duration::seconds(201), &p), None);
        // A clock set back (by a day, say) does not shut the address out.
        assert!(allow_attempt(kept, now - Duration::days(1), &p).is_some());
        // After a quiet window the whole allowance is back.
        let mut kept = later;
        for i in 0..3 {
            kept = allow_attempt(kept, now + Duration::minutes(20) + Duration::seconds(i), &p);
            assert!(kept.is_some(), "attempt {i} after the quiet window");
        }
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
