//! Counted attempts at a secret, per bucket: a patient account as seen from browsers it has never
//! signed in on, one browser it has signed in on, or a staff member. An attempt is *admitted*
//! before the secret is checked: one update both asks "is the bucket locked?" and counts the
//! attempt as a failure, and the attempt that reaches the limit writes the lock. So however many
//! guesses arrive at once, no more than the policy allows are ever checked. A success then takes
//! back what it counted ([`release`]), and only that: failures recorded after it was admitted
//! stay counted.
//!
//! Every admission writes one row, so that an unknown name, a wrong secret and a locked bucket
//! take as long (an answer that came back sooner would tell which): a locked bucket's row is
//! written with its count unchanged, and attempts on a name that matches no one are counted on a
//! decoy row ([`Bucket::unknown`]), which behaves as an account's would and admits nothing.

use super::entities::sign_in_browser;
use super::tokens::TokenHasher;
use crate::domain::policy::OrganizationPolicy;
use crate::domain::sign_in::locked_until_after_failure;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

/// Where failures are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// A patient account, attempts from browsers that have never signed in to it.
    Account(i32),
    /// A browser that has signed in to a patient account before (a `sign_in_browsers` row).
    Browser(i32),
    Staff(i32),
    /// A row of `sign_in_decoys`, for attempts on a portal ID or username that matches no one:
    /// it is counted and locked as an account would be, and never admits ([`Admission::Missing`]).
    Decoy(i32),
}

/// How many decoy rows there are (`sign_in_decoys`, ids 0 to `DECOYS - 1`, made by the migration
/// that created the table, which must make at least this many).
pub const DECOYS: u32 = 64;

impl Bucket {
    /// The decoy bucket for attempts on `name`, a portal ID or username that matches no one. The
    /// same name always lands on the same row, as attempts on one account do, and different names
    /// spread over [`DECOYS`] rows, so that a storm of made-up names does not queue on one row.
    /// The row is chosen with the portal's secret key, so no one can pick names that share one.
    pub fn unknown(hasher: &TokenHasher, name: &str) -> Self {
        let digest = hasher.hash(DECOY, name);
        let slot = u32::from_str_radix(&digest[..8], 16).unwrap_or(0) % DECOYS;
        Self::Decoy(i32::try_from(slot).unwrap_or(0))
    }

    fn table(self) -> Alias {
        Alias::new(match self {
            Self::Account(_) => "portal_accounts",
            Self::Browser(_) => "sign_in_browsers",
            Self::Staff(_) => "staff",
            Self::Decoy(_) => "sign_in_decoys",
        })
    }

    fn id(self) -> i32 {
        match self {
            Self::Account(id) | Self::Browser(id) | Self::Staff(id) | Self::Decoy(id) => id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The attempt may check the secret. It is counted already as failure number `failures`;
    /// if it does fail, the bucket is locked until `locks_until` (written already).
    Admitted {
        failures: u32,
        locks_until: Option<DateTime<Utc>>,
    },
    /// Locked: the secret must not be checked.
    Locked { until: DateTime<Utc> },
    /// No one to check the secret against: a decoy bucket (an unknown portal ID or username), or
    /// a bucket whose row is gone.
    Missing,
}

fn failed() -> Alias {
    Alias::new("failed_sign_ins")
}

fn locked() -> Alias {
    Alias::new("locked_until")
}

fn id_is(bucket: Bucket) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(Alias::new("id")).eq(bucket.id())
}

fn admitted() -> Alias {
    Alias::new("last_attempt_admitted")
}

/// Admits one attempt on `bucket` at `now`, or says it is locked (see the module comment).
pub async fn admit(
    db: &DatabaseConnection,
    bucket: Bucket,
    now: DateTime<Utc>,
    policy: &OrganizationPolicy,
) -> Result<Admission, DbErr> {
    // One statement, so one write: it takes the row's lock (PostgreSQL) or the database's write
    // lock (SQLite), and parallel attempts queue on it, each seeing what its predecessors wrote.
    // If the bucket is open, it counts the attempt and, when that reaches the limit, writes the
    // lock ([`locked_until_after_failure`], worked out here for each count it can reach); if it
    // is locked, it writes the row with its count unchanged. Every right-hand side reads the row
    // as it was, and `last_attempt_admitted` keeps which it was for the answer.
    let open = Expr::col(locked())
        .is_null()
        .or(Expr::col(locked()).lte(now));
    let counted = Expr::col(failed()).add(1);
    let allowed = policy.sign_in_failures_before_lockout;
    let at_most = locked_until_after_failure(u32::MAX, now, policy);
    let mut lock_at = Expr::case(counted.clone().lt(allowed), Expr::col(locked()));
    for failures in allowed.. {
        let until = locked_until_after_failure(failures, now, policy);
        if until == at_most {
            break;
        }
        lock_at = lock_at.case(counted.clone().eq(failures), until);
    }
    let row = db
        .query_one(
            Query::update()
                .table(bucket.table())
                .value(
                    failed(),
                    Expr::case(open.clone(), counted).finally(Expr::col(failed())),
                )
                .value(
                    locked(),
                    Expr::case(open.clone(), lock_at.finally(at_most)).finally(Expr::col(locked())),
                )
                .value(admitted(), Expr::case(open, true).finally(false))
                .and_where(id_is(bucket))
                .returning(Query::returning().columns([failed(), locked(), admitted()])),
        )
        .await?;
    let Some(row) = row else {
        return match bucket {
            // A decoy that admits without writing would answer sooner: never silently.
            Bucket::Decoy(id) => Err(DbErr::RecordNotFound(format!("sign-in decoy {id}"))),
            _ => Ok(Admission::Missing),
        };
    };
    let failures: i32 = row.try_get_by_index(0)?;
    let until: Option<DateTime<Utc>> = row.try_get_by_index(1)?;
    let admitted: bool = row.try_get_by_index(2)?;
    Ok(match bucket {
        Bucket::Decoy(_) => Admission::Missing,
        _ if !admitted => Admission::Locked {
            until: until.unwrap_or(now),
        },
        _ => {
            let failures = u32::try_from(failures).unwrap_or(0);
            Admission::Admitted {
                failures,
                locks_until: locked_until_after_failure(failures, now, policy),
            }
        }
    })
}

/// A success takes back `take_back` counted failures (its own, and for a full sign-in those
/// before it) of the bucket where it was admitted as failure number `admitted_as`. The lock its
/// admission may have written is lifted if nobody was counted after it, or if fewer failures
/// than the policy's limit remain. Run it in the transaction that records the success.
pub async fn release<C: ConnectionTrait>(
    db: &C,
    bucket: Bucket,
    admitted_as: u32,
    take_back: u32,
    policy: &OrganizationPolicy,
) -> Result<(), DbErr> {
    let admitted_as = i32::try_from(admitted_as).unwrap_or(i32::MAX);
    let take_back = i32::try_from(take_back).unwrap_or(i32::MAX);
    let allowed = i32::try_from(policy.sign_in_failures_before_lockout).unwrap_or(i32::MAX);
    db.execute(
        Query::update()
            .table(bucket.table())
            .value(locked(), Option::<DateTime<Utc>>::None)
            .and_where(id_is(bucket))
            .and_where(
                Expr::col(failed())
                    .eq(admitted_as)
                    .or(Expr::col(failed()).sub(take_back).lt(allowed)),
            ),
    )
    .await?;
    db.execute(
        Query::update()
            .table(bucket.table())
            .value(
                failed(),
                Expr::case(
                    Expr::col(failed()).gte(take_back),
                    Expr::col(failed()).sub(take_back),
                )
                .finally(0),
            )
            .and_where(id_is(bucket)),
    )
    .await?;
    Ok(())
}

/// Clears a bucket's failures and lock (staff unlocking an account).
pub async fn clear<C: ConnectionTrait>(db: &C, bucket: Bucket) -> Result<(), DbErr> {
    db.execute(
        Query::update()
            .table(bucket.table())
            .value(failed(), 0)
            .value(locked(), Option::<DateTime<Utc>>::None)
            .and_where(id_is(bucket)),
    )
    .await
    .map(|_| ())
}

const BROWSER: &str = "sign-in-browser";
const DECOY: &str = "sign-in-decoy";

/// How long a browser stays known after the account last signed in on it.
pub const BROWSER_KNOWN_DAYS: i64 = 365;

/// The browser bucket of `account_id` for a browser holding `tokens`, if the account signed in on
/// that browser within [`BROWSER_KNOWN_DAYS`]. Pass account 0 for an unknown portal ID: the same
/// query runs and finds nothing.
pub async fn trusted_browser<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    account_id: i32,
    tokens: &[String],
    now: DateTime<Utc>,
) -> Result<Option<Bucket>, DbErr> {
    Ok(known_row(
        db,
        hasher,
        account_id,
        tokens,
        now - chrono::Duration::days(BROWSER_KNOWN_DAYS),
    )
    .await?
    .map(|row| Bucket::Browser(row.id)))
}

async fn known_row<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    account_id: i32,
    tokens: &[String],
    since: DateTime<Utc>,
) -> Result<Option<sign_in_browser::Model>, DbErr> {
    sign_in_browser::Entity::find()
        .filter(
            sign_in_browser::Column::TokenHash
                .is_in(tokens.iter().map(|t| hasher.hash(BROWSER, t))),
        )
        .filter(sign_in_browser::Column::AccountId.eq(account_id))
        .filter(sign_in_browser::Column::LastSignInAt.gte(since))
        .one(db)
        .await
}

/// Records that the browser holding `tokens` signed in to `account_id`, under a new token: the
/// one it held for this account (if any) is replaced, so a token someone planted in a shared
/// browser, or copied from it, stops counting. Returns the tokens for the cookie, newest first.
pub async fn trust_browser<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    account_id: i32,
    mut tokens: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    // The rows of this browser for this account, and any the account has not used for long.
    let held: Vec<String> = tokens.iter().map(|t| hasher.hash(BROWSER, t)).collect();
    let old = sign_in_browser::Entity::find()
        .filter(sign_in_browser::Column::TokenHash.is_in(held.clone()))
        .filter(sign_in_browser::Column::AccountId.eq(account_id))
        .all(db)
        .await?;
    sign_in_browser::Entity::delete_many()
        .filter(sign_in_browser::Column::AccountId.eq(account_id))
        .filter(
            sign_in_browser::Column::TokenHash
                .is_in(held.clone())
                .or(sign_in_browser::Column::LastSignInAt
                    .lt(now - chrono::Duration::days(BROWSER_KNOWN_DAYS))),
        )
        .exec(db)
        .await?;
    tokens.retain(|t| {
        !old.iter()
            .any(|row| row.token_hash == hasher.hash(BROWSER, t))
    });
    let token = TokenHasher::new_token();
    sign_in_browser::Entity::insert(sign_in_browser::ActiveModel {
        account_id: Set(account_id),
        token_hash: Set(hasher.hash(BROWSER, &token)),
        failed_sign_ins: Set(0),
        locked_until: Set(None),
        created_at: Set(now),
        last_sign_in_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    tokens.insert(0, token);
    tokens.truncate(MAX_BROWSER_TOKENS);
    Ok(tokens)
}

/// Accounts one browser is remembered for (a family computer); the oldest is dropped first.
pub const MAX_BROWSER_TOKENS: usize = 5;

/// Forgets every browser of `account_id` (after a password change: whoever knew the old
/// password may have signed in somewhere).
pub async fn forget_browsers<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<u64, DbErr> {
    Ok(sign_in_browser::Entity::delete_many()
        .filter(sign_in_browser::Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Clears the failures and locks of every browser of `account_id` (staff unlocking it).
pub async fn clear_browsers<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<(), DbErr> {
    sign_in_browser::Entity::update_many()
        .col_expr(sign_in_browser::Column::FailedSignIns, Expr::value(0))
        .col_expr(
            sign_in_browser::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(sign_in_browser::Column::AccountId.eq(account_id))
        .exec(db)
        .await
        .map(|_| ())
}
