//! The server's shared state. Built by the `server` crate at start-up (and by the test harness
//! with a fixed clock and a fresh database); server functions reach it through
//! [`crate::api::guard`].

use crate::api::results::KeptHistory;
use crate::db::store;
use crate::db::tokens::TokenHasher;
use crate::db::vault::SsnVault;
use crate::domain::access::PolicyHistory;
use crate::domain::branding::Branding;
use crate::domain::client_address::{TrustedProxies, limit_key};
use crate::domain::clock::Clock;
use crate::domain::policy::OrganizationPolicy;
use crate::domain::sign_in::allow_attempt;
use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroUsize;
use std::sync::Arc;

/// What the deployment serves: its organization and how the portal presents it.
#[derive(Debug, Clone)]
pub struct Site {
    pub organization_id: i32,
    pub time_zone: Tz,
    pub branding: Branding,
    /// The proxies whose X-Forwarded-For entries name the client.
    pub trusted_proxies: TrustedProxies,
    /// The address people reach the portal at, without a trailing slash, for links in emails.
    pub public_url: String,
}

/// The shared state: one pointer, so the copies Leptos and axum make of it for every request
/// and every `use_context` cost one reference count, not one per field (a profile of the home
/// page found 3 % of its time cloning and dropping the fields).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub site: Arc<Site>,
    pub clock: Arc<dyn Clock>,
    pub vault: Arc<SsnVault>,
    pub tokens: Arc<TokenHasher>,
    pub throttle: Arc<AttemptThrottle>,
    /// Per-address throttling, apart, of form posts without JavaScript that start a new kept
    /// answer (see [`crate::api::form_answers`]), so they cannot fill the table.
    pub form_throttle: Arc<AttemptThrottle>,
    /// The organization's policy as last read, for a few seconds (see [`PolicyCache`]).
    pub policy: Arc<PolicyCache>,
    /// Refused accesses to records per account, so that trying many ids cannot fill the
    /// audit log (see [`RefusalLog`]).
    pub refusals: RefusalLog,
    /// Reads' access-log entries, written in groups (see [`AccessLogWriter`]).
    pub access_log: Arc<crate::db::access_log::AccessLogWriter>,
    /// Result component histories as last worked out (see [`HistoryCache`]).
    pub histories: HistoryCache,
}

impl AppState {
    /// The organization's policy in force now: the version of its history for today, in the
    /// organization's zone (the history is read at most every [`PolicyCache::FRESH_FOR`]).
    pub async fn current_policy(&self) -> Result<OrganizationPolicy, String> {
        let today = crate::domain::age::local_date(self.clock.now(), self.site.time_zone);
        Ok(self.policy_history().await?.in_force_on(today).clone())
    }

    /// The organization's policy history (P6), as last read.
    pub async fn policy_history(&self) -> Result<Arc<PolicyHistory>, String> {
        if let Some(history) = self.policy.get() {
            return Ok(history);
        }
        let history = Arc::new(
            store::policy_history(&self.db, self.site.organization_id)
                .await
                .map_err(|e| e.to_string())?,
        );
        self.policy.put(Arc::clone(&history));
        Ok(history)
    }
}

/// The organization's policy history, read from the database at most once every few seconds per
/// portal instance: every page and most server functions need the policy, and it changes rarely.
/// A change made through the portal calls [`PolicyCache::forget`]; other instances see it within
/// [`PolicyCache::FRESH_FOR`].
#[derive(Debug, Default)]
pub struct PolicyCache {
    latest: std::sync::Mutex<Option<(std::time::Instant, Arc<PolicyHistory>)>>,
}

impl PolicyCache {
    pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

    pub fn get(&self) -> Option<Arc<PolicyHistory>> {
        let latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        latest
            .as_ref()
            .filter(|(read_at, _)| read_at.elapsed() < Self::FRESH_FOR)
            .map(|(_, history)| Arc::clone(history))
    }

    pub fn put(&self, history: Arc<PolicyHistory>) {
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((std::time::Instant::now(), history));
    }

    /// The policy changed: read it again next time.
    pub fn forget(&self) {
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Addresses the throttle remembers at once: about 6 MB at most.
const REMEMBERED_ADDRESSES: usize = 100_000;

/// Per-address throttling of the attempts that guess secrets, on top of the counts kept against
/// each account and each code in the database. Kept in memory per portal instance, for a bounded
/// number of addresses (the least recently seen are forgotten first), with constant work per
/// request. Behind a load balancer each instance limits separately, so an address can make up to
/// the allowance times the number of instances; the database's counts per account and per code
/// are shared by all instances and hold regardless.
#[derive(Debug)]
pub struct AttemptThrottle {
    next_free: std::sync::Mutex<lru::LruCache<IpAddr, DateTime<Utc>>>,
}

/// An empty in-memory map of at most `capacity` entries (the least recently used go first),
/// shared between requests.
fn bounded<K: std::hash::Hash + Eq, V>(capacity: usize) -> std::sync::Mutex<lru::LruCache<K, V>> {
    std::sync::Mutex::new(lru::LruCache::new(
        NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
    ))
}

impl Default for AttemptThrottle {
    fn default() -> Self {
        Self {
            next_free: bounded(REMEMBERED_ADDRESSES),
        }
    }
}

impl AttemptThrottle {
    /// Counts an attempt from `address` (IPv6 per /64; unknown addresses together); `false`
    /// when the address has used its allowance (see [`allow_attempt`]).
    pub fn allow(
        &self,
        address: Option<IpAddr>,
        now: DateTime<Utc>,
        policy: &OrganizationPolicy,
    ) -> bool {
        let key = address.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), limit_key);
        let mut map = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
        match allow_attempt(map.get(&key).copied(), now, policy) {
            Some(next_free) => {
                map.put(key, next_free);
                true
            }
            None => false,
        }
    }
}

/// Component histories (every value of one test component a person sees, drawn, with the
/// first page of its table) as worked out from the database, per portal instance, for a
/// bounded number of person, value and wait choice (the least recently read forgotten first).
/// One is offered only while the record's results version is the one it was worked out at
/// (a result shown at once when recorded, or released, moves it, in any instance, and every
/// request reads it with the record) and the clock is not before it was worked out; the caller
/// then asks whether an automatic release came since (it writes nothing), see
/// `db::results::automatic_release_between`. Recording a result not yet shown changes nothing
/// here, so how fast a history answers does not tell that one is waiting. The caller has
/// passed the guard for the person before asking.
#[derive(Debug)]
pub struct HistoryCache {
    kept: std::sync::Mutex<lru::LruCache<HistoryKey, Kept>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct HistoryKey {
    person: i32,
    component: i32,
    waits_for_clinician: bool,
}

#[derive(Debug)]
struct Kept {
    version: i64,
    worked_out_at: DateTime<Utc>,
    history: Arc<KeptHistory>,
}

/// What the cache is asked for: whose history, through which of their values (a component
/// id: the guard has let the caller through to `person`, and a value they saw once they see as
/// long as the entry holds), and as of when.
#[derive(Debug, Clone, Copy)]
pub struct HistoryOf {
    pub person: i32,
    pub component: i32,
    pub waits_for_clinician: bool,
    /// The record's results version, read with the record in this request.
    pub version: i64,
    pub now: DateTime<Utc>,
}

impl HistoryOf {
    fn key(&self) -> HistoryKey {
        HistoryKey {
            person: self.person,
            component: self.component,
            waits_for_clinician: self.waits_for_clinician,
        }
    }
}

impl Default for HistoryCache {
    fn default() -> Self {
        Self {
            kept: bounded(Self::MOST),
        }
    }
}

impl HistoryCache {
    /// Histories kept at once (each at most a few hundred points for the chart).
    pub const MOST: usize = 1_000;

    /// The history kept for `of`, and when it was worked out, if the version and the clock
    /// allow it.
    pub fn get(&self, of: HistoryOf) -> Option<(Arc<KeptHistory>, DateTime<Utc>)> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(&of.key())
            .filter(|k| k.version == of.version && k.worked_out_at <= of.now)
            .map(|k| (Arc::clone(&k.history), k.worked_out_at))
    }

    /// Keeps `history`, worked out for `of`.
    pub fn put(&self, of: HistoryOf, history: Arc<KeptHistory>) {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).put(
            of.key(),
            Kept {
                version: of.version,
                worked_out_at: of.now,
                history,
            },
        );
    }
}

/// Refused accesses to people's records, counted per account for an hour. The answer is "not
/// found" every time; what is audited is bounded, so that a patient trying id after id cannot
/// fill the audit log: the first [`RefusalLog::AUDITED_PER_HOUR`] refusals of an hour are
/// audited one by one, the next one is audited as the start of a run, and the rest of that
/// hour are counted, with the first [`RefusalLog::IDS_KEPT`] distinct ids tried; the account's
/// next refusal after the hour audits the run's total and those ids. Kept in memory per
/// instance, for a bounded number of accounts (the least recently refused forgotten first,
/// which only ever means more is audited); a run still counting when the instance stops or
/// forgets the account is known only by its start.
#[derive(Debug)]
pub struct RefusalLog {
    hours: std::sync::Mutex<lru::LruCache<i32, RefusalHour>>,
}

/// One account's refusals in the hour from `since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalHour {
    pub account: i32,
    pub since: DateTime<Utc>,
    pub refusals: u32,
    /// The distinct ids tried after the refusals audited one by one, at most
    /// [`RefusalLog::IDS_KEPT`].
    pub ids_tried: Vec<i32>,
    run_start: RunStart,
}

/// Where the audit entry starting an hour's run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunStart {
    NotWritten,
    Writing,
    Written,
}

/// What to do about one refusal (see [`RefusalLog`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub audit: RefusalAudit,
    /// An hour that ended in a run not audited yet: this account's previous hour, or that of
    /// an account forgotten to make room.
    pub run_ended: Option<RefusalHour>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalAudit {
    /// Audit it.
    Entry,
    /// Audit it as the start of a run: this account's refusals are no longer audited one by
    /// one this hour.
    StartOfRun,
    /// Only count it.
    Counted,
}

/// Accounts whose refusals are remembered, at most.
const REMEMBERED_ACCOUNTS: usize = 100_000;

impl Default for RefusalLog {
    fn default() -> Self {
        Self {
            hours: bounded(REMEMBERED_ACCOUNTS),
        }
    }
}

impl RefusalLog {
    pub const AUDITED_PER_HOUR: u32 = 30;
    pub const IDS_KEPT: usize = 20;

    /// Counts a refusal to `account` at `now` (`tried`: the id asked for, if any), and says
    /// how to audit it. A [`RefusalAudit::StartOfRun`] must be answered with
    /// [`RefusalLog::run_start_written`].
    pub fn count(&self, account: i32, tried: Option<i32>, now: DateTime<Utc>) -> Refusal {
        let mut hours = self.hours.lock().unwrap_or_else(|p| p.into_inner());
        let mut run_ended = None;
        let current = hours
            .get(&account)
            .is_some_and(|h| now >= h.since && now - h.since < chrono::Duration::hours(1));
        if !current {
            let fresh = RefusalHour {
                account,
                since: now,
                refusals: 0,
                ids_tried: Vec::new(),
                run_start: RunStart::NotWritten,
            };
            // `push` gives back the hour it replaced: this account's, or the least recently
            // refused account's when the log is full.
            if let Some((_, previous)) = hours.push(account, fresh) {
                run_ended = (previous.refusals > Self::AUDITED_PER_HOUR).then_some(previous);
            }
        }
        let Some(hour) = hours.get_mut(&account) else {
            return Refusal {
                audit: RefusalAudit::Entry,
                run_ended,
            };
        };
        hour.refusals = hour.refusals.saturating_add(1);
        let audit = if hour.refusals <= Self::AUDITED_PER_HOUR {
            RefusalAudit::Entry
        } else if hour.run_start == RunStart::NotWritten {
            hour.run_start = RunStart::Writing;
            RefusalAudit::StartOfRun
        } else {
            RefusalAudit::Counted
        };
        if audit != RefusalAudit::Entry
            && let Some(id) = tried
            && hour.ids_tried.len() < Self::IDS_KEPT
            && !hour.ids_tried.contains(&id)
        {
            hour.ids_tried.push(id);
        }
        Refusal { audit, run_ended }
    }

    /// Whether the entry starting `account`'s run was written: if not, the account's next
    /// refusal starts the run again, so a run is never left without its start.
    pub fn run_start_written(&self, account: i32, written: bool) {
        let mut hours = self.hours.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(hour) = hours.get_mut(&account)
            && hour.run_start == RunStart::Writing
        {
            hour.run_start = if written {
                RunStart::Written
            } else {
                RunStart::NotWritten
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        "2026-03-08T07:30:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::minutes(minutes)
    }

    fn kept_history(count: usize) -> Arc<KeptHistory> {
        Arc::new(KeptHistory {
            code: "glucose".into(),
            name: "Glucose".into(),
            unit: "mg/dL".into(),
            range: "70 to 99 mg/dL".into(),
            count,
            chart: None,
            newest: Vec::new(),
        })
    }

    #[test]
    fn a_kept_history_holds_until_the_version_moves_or_the_clock_goes_back() {
        let cache = HistoryCache::default();
        let of = |version: i64, minutes: i64| HistoryOf {
            person: 7,
            component: 5,
            waits_for_clinician: false,
            version,
            now: at(minutes),
        };
        cache.put(of(3, 0), kept_history(10));
        assert_eq!(
            cache.get(of(3, 59)).map(|(h, since)| (h.count, since)),
            Some((10, at(0)))
        );
        assert!(cache.get(of(4, 1)).is_none(), "a result shown or released");
        assert!(cache.get(of(3, -1)).is_none(), "the clock went back");
        let other = HistoryOf {
            waits_for_clinician: true,
            ..of(3, 1)
        };
        assert!(cache.get(other).is_none(), "the choice to wait is its own");
        let other = HistoryOf {
            component: 8,
            ..of(3, 1)
        };
        assert!(cache.get(other).is_none());
        cache.put(of(4, 0), kept_history(11));
        assert_eq!(cache.get(of(4, 100_000)).map(|(h, _)| h.count), Some(11));
    }

    fn audit(log: &RefusalLog, account: i32, tried: i32, minutes: i64) -> RefusalAudit {
        log.count(account, Some(tried), at(minutes)).audit
    }

    #[test]
    fn refusals_are_audited_one_by_one_up_to_the_hours_allowance_then_once_then_counted() {
        let log = RefusalLog::default();
        for id in 0..RefusalLog::AUDITED_PER_HOUR as i32 {
            assert_eq!(audit(&log, 7, id, 0), RefusalAudit::Entry);
        }
        assert_eq!(audit(&log, 7, 100, 1), RefusalAudit::StartOfRun);
        log.run_start_written(7, true);
        assert_eq!(audit(&log, 7, 101, 59), RefusalAudit::Counted);
        // Another account has its own hour.
        assert_eq!(audit(&log, 8, 100, 59), RefusalAudit::Entry);
    }

    #[test]
    fn the_next_hour_audits_one_by_one_again_and_brings_the_runs_total_and_ids() {
        let log = RefusalLog::default();
        let allowance = RefusalLog::AUDITED_PER_HOUR as i32;
        for id in 0..allowance + 50 {
            // Each id after the allowance twice: kept once.
            log.count(7, Some(id), at(0));
            if id >= allowance {
                log.count(7, Some(id), at(1));
            }
        }
        let next = log.count(7, Some(1), at(60));
        assert_eq!(next.audit, RefusalAudit::Entry);
        let run = next
            .run_ended
            .expect("the run is told once its hour is over");
        assert_eq!(run.since, at(0));
        assert_eq!(run.refusals, RefusalLog::AUDITED_PER_HOUR + 100);
        let kept: Vec<i32> = (allowance..allowance + RefusalLog::IDS_KEPT as i32).collect();
        assert_eq!(run.ids_tried, kept);
        assert_eq!(log.count(7, Some(2), at(61)).run_ended, None, "told once");
        // An hour without a run tells nothing.
        assert_eq!(log.count(7, Some(3), at(200)).run_ended, None);
    }

    #[test]
    fn a_start_of_run_not_audited_is_started_again() {
        let log = RefusalLog::default();
        for id in 0..RefusalLog::AUDITED_PER_HOUR as i32 {
            audit(&log, 7, id, 0);
        }
        assert_eq!(audit(&log, 7, 100, 0), RefusalAudit::StartOfRun);
        // While it is being written, others refused at once are only counted...
        assert_eq!(audit(&log, 7, 101, 0), RefusalAudit::Counted);
        // ...and when it could not be written, the next refusal starts the run again.
        log.run_start_written(7, false);
        assert_eq!(audit(&log, 7, 102, 0), RefusalAudit::StartOfRun);
        log.run_start_written(7, true);
        assert_eq!(audit(&log, 7, 103, 0), RefusalAudit::Counted);
    }

    #[test]
    fn an_account_forgotten_to_make_room_brings_its_run() {
        let log = RefusalLog { hours: bounded(1) };
        for id in 0..=RefusalLog::AUDITED_PER_HOUR as i32 {
            audit(&log, 7, id, 0);
        }
        let other = log.count(8, Some(1), at(1));
        let run = other.run_ended.expect("account 7's run");
        assert_eq!(
            (run.account, run.refusals),
            (7, RefusalLog::AUDITED_PER_HOUR + 1)
        );
    }

    #[test]
    fn a_clock_set_back_starts_a_new_hour() {
        let log = RefusalLog::default();
        for id in 0..=RefusalLog::AUDITED_PER_HOUR as i32 {
            audit(&log, 7, id, 30);
        }
        assert_eq!(audit(&log, 7, 0, 0), RefusalAudit::Entry);
    }
}
