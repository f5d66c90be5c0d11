//! 2-step verification state for patient accounts and staff alike: the authenticator secret
//! (sealed by the vault), single-use recovery codes (keyed hashes) and, for patients, remembered
//! devices. Both tables carry the same `totp_*` columns, so one set of functions serves both.

use super::entities::{portal_account, recovery_code, remembered_device, staff};
use super::tokens::TokenHasher;
use crate::domain::activation::OneTimeCode;
use crate::domain::two_step::RECOVERY_CODE_COUNT;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use std::str::FromStr;

const RECOVERY: &str = "recovery-code";
const DEVICE: &str = "remembered-device";

/// Whose 2-step verification this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoStepOwner {
    Account(i32),
    Staff(i32),
}

/// A column both `portal_accounts` and `staff` have, by name.
fn col<E: EntityTrait>(name: &str) -> E::Column {
    E::Column::from_str(name)
        .ok()
        .unwrap_or_else(|| unreachable!("both tables have the column {name}"))
}

async fn set_pending<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    id: i32,
    sealed: Vec<u8>,
) -> Result<(), DbErr> {
    E::update_many()
        .col_expr(col::<E>("totp_secret_sealed"), Expr::value(sealed))
        .col_expr(col::<E>("totp_last_step"), Expr::value(Option::<i64>::None))
        .filter(col::<E>("id").eq(id))
        .filter(col::<E>("totp_confirmed_at").is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// Stores a new, not yet confirmed authenticator secret (replacing an unconfirmed one; a
/// confirmed one is left alone).
pub async fn set_pending_secret<C: ConnectionTrait>(
    db: &C,
    owner: TwoStepOwner,
    sealed: Vec<u8>,
) -> Result<(), DbErr> {
    match owner {
        TwoStepOwner::Account(id) => set_pending::<portal_account::Entity, C>(db, id, sealed).await,
        TwoStepOwner::Staff(id) => set_pending::<staff::Entity, C>(db, id, sealed).await,
    }
}

async fn step_used<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    id: i32,
    sealed: &[u8],
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let last = col::<E>("totp_last_step");
    let result = E::update_many()
        .col_expr(last, Expr::value(step))
        .col_expr(
            col::<E>("totp_confirmed_at"),
            Expr::col(col::<E>("totp_confirmed_at")).if_null(now),
        )
        .filter(col::<E>("id").eq(id))
        // The secret the code was checked against, not one set up meanwhile in another tab.
        .filter(col::<E>("totp_secret_sealed").eq(sealed.to_vec()))
        .filter(Condition::any().add(last.is_null()).add(last.lt(step)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records that the code of `step`, checked against the secret `sealed`, was used (confirming
/// that secret if it was pending). `false` if that step or a later one was used meanwhile, or the
/// secret was replaced: the code must then be refused.
pub async fn use_step<C: ConnectionTrait>(
    db: &C,
    owner: TwoStepOwner,
    sealed: &[u8],
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    match owner {
        TwoStepOwner::Account(id) => {
            step_used::<portal_account::Entity, C>(db, id, sealed, step, now).await
        }
        TwoStepOwner::Staff(id) => step_used::<staff::Entity, C>(db, id, sealed, step, now).await,
    }
}

fn owner_filter(owner: TwoStepOwner) -> Condition {
    match owner {
        TwoStepOwner::Account(id) => Condition::all().add(recovery_code::Column::AccountId.eq(id)),
        TwoStepOwner::Staff(id) => Condition::all().add(recovery_code::Column::StaffId.eq(id)),
    }
}

/// Replaces every recovery code of `owner` with a fresh set, and returns the new codes to show
/// once.
pub async fn replace_recovery_codes<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    owner: TwoStepOwner,
    now: DateTime<Utc>,
) -> Result<Vec<OneTimeCode>, DbErr> {
    recovery_code::Entity::delete_many()
        .filter(owner_filter(owner))
        .exec(db)
        .await?;
    let (account_id, staff_id) = match owner {
        TwoStepOwner::Account(id) => (Some(id), None),
        TwoStepOwner::Staff(id) => (None, Some(id)),
    };
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let code = OneTimeCode::from_random(TokenHasher::new_code_bits());
        recovery_code::ActiveModel {
            account_id: Set(account_id),
            staff_id: Set(staff_id),
            code_hash: Set(hasher.hash(RECOVERY, code.canonical())),
            created_at: Set(now),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        codes.push(code);
    }
    Ok(codes)
}

/// Uses up one of `owner`'s recovery codes. `false` if it is not theirs or already used (a
/// conditional update, so the same code cannot work twice even at the same moment).
pub async fn use_recovery_code<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    owner: TwoStepOwner,
    code: &OneTimeCode,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(owner_filter(owner))
        .filter(recovery_code::Column::CodeHash.eq(hasher.hash(RECOVERY, code.canonical())))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn unused_recovery_codes<C: ConnectionTrait>(
    db: &C,
    owner: TwoStepOwner,
) -> Result<u64, DbErr> {
    recovery_code::Entity::find()
        .filter(owner_filter(owner))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await
}

/// Turns a patient's 2-step verification off: the secret, the recovery codes and the remembered
/// devices all go.
pub async fn turn_off_for_account<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
) -> Result<(), DbErr> {
    portal_account::Entity::update_many()
        .col_expr(
            portal_account::Column::TotpSecretSealed,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(
            portal_account::Column::TotpConfirmedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            portal_account::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(portal_account::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(owner_filter(TwoStepOwner::Account(account_id)))
        .exec(db)
        .await?;
    forget_devices(db, account_id).await.map(|_| ())
}

/// Remembers this browser for `account_id` until `until`; returns the token for its cookie.
pub async fn remember_device<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    account_id: i32,
    device: Option<String>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<String, DbErr> {
    let token = TokenHasher::new_token();
    remembered_device::ActiveModel {
        id_hash: Set(hasher.hash(DEVICE, &token)),
        account_id: Set(account_id),
        created_at: Set(now),
        expires_at: Set(until),
        device: Set(device.map(|d| d.chars().take(200).collect())),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Whether the browser holding `token` is a device `account_id` asked to remember, still in date.
pub async fn device_is_remembered<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    account_id: i32,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(
        remembered_device::Entity::find_by_id(hasher.hash(DEVICE, token))
            .one(db)
            .await?
            .is_some_and(|d| d.account_id == account_id && d.expires_at > now),
    )
}

/// The devices `account_id` asked to remember that are still in date, newest first.
pub async fn remembered_devices<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<remembered_device::Model>, DbErr> {
    remembered_device::Entity::find()
        .filter(remembered_device::Column::AccountId.eq(account_id))
        .filter(remembered_device::Column::ExpiresAt.gt(now))
        .order_by_desc(remembered_device::Column::CreatedAt)
        .all(db)
        .await
}

/// Forgets every remembered device of `account_id`: the next sign-in anywhere asks for the second
/// step again.
pub async fn forget_devices<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<u64, DbErr> {
    Ok(remembered_device::Entity::delete_many()
        .filter(remembered_device::Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected)
}

const STAFF_SET_UP: &str = "staff-set-up";

/// How long a staff member's set-up code works.
pub const STAFF_SET_UP_HOURS: i64 = 24;

/// Gives a staff member a set-up code for their first authenticator (replacing any earlier
/// one), working until `until`. Only its keyed hash is kept.
pub async fn set_staff_set_up_code<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    staff_id: i32,
    code: &OneTimeCode,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    staff::Entity::update_many()
        .col_expr(
            staff::Column::SetupCodeHash,
            Expr::value(hasher.hash(STAFF_SET_UP, code.canonical())),
        )
        .col_expr(staff::Column::SetupCodeExpiresAt, Expr::value(until))
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Whether `code` is the staff member's set-up code and still works at `now`.
pub fn staff_set_up_code_matches(
    hasher: &TokenHasher,
    member: &staff::Model,
    code: &OneTimeCode,
    now: DateTime<Utc>,
) -> bool {
    member.setup_code_hash.as_deref() == Some(hasher.hash(STAFF_SET_UP, code.canonical()).as_str())
        && member
            .setup_code_expires_at
            .is_some_and(|until| now < until)
}

/// The first authenticator is enrolled: the set-up code is used up.
pub async fn clear_staff_set_up_code<C: ConnectionTrait>(
    db: &C,
    staff_id: i32,
) -> Result<(), DbErr> {
    staff::Entity::update_many()
        .col_expr(
            staff::Column::SetupCodeHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            staff::Column::SetupCodeExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await
        .map(|_| ())
}
