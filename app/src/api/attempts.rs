//! Attempts at a secret (a password, a reset answer, an authenticator code), for patients and
//! staff alike: which bucket counts them (see [`crate::db::lockout`]), admission before the
//! secret is checked, the audit entry of a failure, and password hashing off the async runtime.

use super::PortalError;
use super::request::{self, audit_event};
use crate::db::audit::{self, Actor, Outcome};
use crate::db::lockout::{self, Admission, Bucket};
use crate::db::passwords::hash_password;
use crate::domain::policy::OrganizationPolicy;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

fn internal(e: impl std::fmt::Display) -> PortalError {
    PortalError::internal("attempts", e)
}

/// The cookie that marks a browser on which an account has signed in before. Failures from it
/// are counted apart from strangers' (OWASP, "slow down online guessing attacks with device
/// cookies").
pub const BROWSER_COOKIE: &str = "__Host-portal_browser";

/// The tokens this browser holds (one per account it is known for), from its cookie.
fn browser_tokens() -> Vec<String> {
    request::cookie(BROWSER_COOKIE)
        .map(|value| {
            value
                .split('.')
                .filter(|t| !t.is_empty() && t.len() <= 64)
                .take(lockout::MAX_BROWSER_TOKENS)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The bucket for attempts on patient account `account_id` from this request's browser: its own
/// when the account has signed in on it before, otherwise the account's bucket for unknown
/// browsers. For a portal ID that matches no account (`account_id` `None`), the same queries run
/// and the bucket is the decoy of `portal_id` ([`Bucket::unknown`]).
pub async fn patient_bucket(
    state: &AppState,
    account_id: Option<i32>,
    portal_id: &str,
) -> Result<Bucket, PortalError> {
    let tokens = browser_tokens();
    let known = if tokens.is_empty() {
        None
    } else {
        lockout::trusted_browser(
            &state.db,
            &state.tokens,
            account_id.unwrap_or(0),
            &tokens,
            state.clock.now(),
        )
        .await
        .map_err(internal)?
    };
    Ok(known.unwrap_or(match account_id {
        Some(id) => Bucket::Account(id),
        None => Bucket::unknown(&state.tokens, portal_id),
    }))
}

/// Admits one attempt on `bucket` before its secret is checked.
pub async fn admit(
    state: &AppState,
    bucket: Bucket,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<Admission, PortalError> {
    lockout::admit(&state.db, bucket, now, policy)
        .await
        .map_err(internal)
}

/// Marks this browser as one the patient signed in on, under a new token (in the transaction of
/// the sign-in), and sets its cookie.
pub async fn trust_this_browser<C: sea_orm::ConnectionTrait>(
    txn: &C,
    state: &AppState,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<(), PortalError> {
    let tokens = lockout::trust_browser(txn, &state.tokens, account_id, browser_tokens(), now)
        .await
        .map_err(internal)?;
    request::set_host_cookie(
        BROWSER_COOKIE,
        &tokens.join("."),
        lockout::BROWSER_KNOWN_DAYS * 86_400,
    );
    Ok(())
}

/// Why an attempt failed, for the audit entry (never for the answer).
#[derive(Debug, Clone, Copy)]
pub enum FailureReason {
    UnknownId,
    WrongSecret,
    Locked,
}

impl FailureReason {
    pub fn of(admission: Admission) -> Self {
        match admission {
            Admission::Admitted { .. } => Self::WrongSecret,
            Admission::Locked { .. } => Self::Locked,
            Admission::Missing => Self::UnknownId,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownId => "unknown_id",
            Self::WrongSecret => "wrong_secret",
            Self::Locked => "locked",
        }
    }
}

/// Audits a failed attempt. `subject` is the person whose account it was, when known.
pub async fn record_failure(
    state: &AppState,
    actor: Actor,
    subject: Option<i32>,
    action: &'static str,
    admission: Admission,
    now: DateTime<Utc>,
) -> Result<(), PortalError> {
    let reason = FailureReason::of(admission);
    let mut detail = serde_json::json!({ "reason": reason.as_str() });
    if let Admission::Admitted {
        failures,
        locks_until,
    } = admission
    {
        detail["failures"] = failures.into();
        detail["locked_until"] = serde_json::json!(locks_until);
    }
    let mut event = audit_event(state, actor, action, Outcome::Failure).detail(detail);
    if let Some(person_id) = subject {
        event = event.subject(person_id);
    }
    audit::record(&state.db, now, event)
        .await
        .map(|_| ())
        .map_err(internal)
}

/// A turn at password hashing, which runs on the hashing threads ([`super::hashing`], one per
/// core at a lower priority) so that a burst of sign-ins cannot starve page rendering. An attempt
/// takes its turn *before* it is counted ([`admit`]): one that would wait too long is turned away
/// uncounted, instead of being counted and then dropped by the request timeout before its success
/// could take the count back. There are [`TURNS_PER_THREAD`] turns per hashing thread (at most
/// half the database pool, see [`share_the_pool`]): while one attempt is being counted (a
/// database write, which can wait for others), another is hashed, so the threads never sit idle
/// during a storm; at most that many hashes wait for a thread.
pub struct HashingTurn {
    _permit: tokio::sync::SemaphorePermit<'static>,
}

/// Turns per hashing thread (see [`HashingTurn`]).
pub const TURNS_PER_THREAD: usize = 4;

/// The database pool's size, when start-up has said it ([`share_the_pool`]).
static POOL_SIZE: OnceLock<usize> = OnceLock::new();

/// Says how many database connections the portal has. An attempt holds one while it is
/// counted, so the hashing turns are capped at half of them (never below one per hashing
/// thread): a storm of sign-ins from many addresses leaves the other half to everyone else.
pub fn share_the_pool(max_connections: u32) {
    let _ = POOL_SIZE.set(max_connections as usize);
}

/// How many hashing turns there are.
fn turns() -> usize {
    let threads = super::hashing::threads();
    let wanted = threads * TURNS_PER_THREAD;
    POOL_SIZE
        .get()
        .map_or(wanted, |pool| wanted.min((pool / 2).max(threads)))
}

/// How long an attempt waits for its turn at hashing before it is turned away.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn hashing_turn() -> Result<HashingTurn, PortalError> {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    let permits = PERMITS.get_or_init(|| Semaphore::new(turns()));
    match tokio::time::timeout(HASHING_WAIT, permits.acquire()).await {
        Ok(permit) => Ok(HashingTurn {
            _permit: permit.map_err(internal)?,
        }),
        Err(_) => Err(PortalError::Invalid(
            "The portal is very busy right now. Please try again in a minute.".into(),
        )),
    }
}

impl HashingTurn {
    pub async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PortalError> {
        let result = super::hashing::run(work)
            .await
            .ok_or_else(|| internal("the hashing thread gave no answer"));
        drop(self);
        result
    }
}

/// `work` (password hashing) at its turn.
pub async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PortalError> {
    hashing_turn().await?.run(work).await
}

/// A real hash of nothing in particular, verified when the portal ID or username is unknown or
/// the account locked, so that the answer takes as long as for a password that is checked.
pub fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("nobody has this password 0"))
}

/// Said when an attempt is refused because of too many failures, once the person is known to
/// exist (the second step, confirming a password while signed in, a reset answer).
pub fn locked_message(state: &AppState, until: DateTime<Utc>) -> PortalError {
    let local = until.with_timezone(&state.site.time_zone);
    PortalError::Invalid(format!(
        "Too many tries: this is locked until {}. Call {} (24 hours a day) to get back in sooner.",
        local.format("%-I:%M %p on %-d %B"),
        state.site.branding.help_line.display()
    ))
}

/// A sign-in waiting for its second step that runs into a lock ends there: its session is ended
/// and its cookie cleared, and the answer says until when.
pub async fn end_locked_session(
    state: &AppState,
    session_id_hash: &str,
    until: DateTime<Utc>,
) -> Result<PortalError, PortalError> {
    crate::db::sessions::end_session(&state.db, session_id_hash)
        .await
        .map_err(internal)?;
    request::clear_host_cookie(request::SESSION_COOKIE);
    Ok(locked_message(state, until))
}
