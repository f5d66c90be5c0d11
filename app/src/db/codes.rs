//! Issuing and redeeming one-time codes (A2 activation, A7 access codes). A code is shown once,
//! when issued; the database holds only its keyed hash. Redeeming marks it used with a
//! conditional update, so two simultaneous attempts cannot both succeed.

use super::entities::one_time_code;
use super::tokens::TokenHasher;
use crate::domain::activation::OneTimeCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    Activation,
    PortalIdRecovery,
    /// A short-lived ticket between the two steps of a forgotten-password reset (A6): proof
    /// that portal ID, SSN and date of birth matched, held by the browser, not a person.
    PasswordReset,
    /// A short-lived ticket, after a help-line access code proved who someone is (A7), to
    /// choose a new password.
    NewPassword,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::PortalIdRecovery => "portal-id-recovery",
            Self::PasswordReset => "password-reset",
            Self::NewPassword => "new-password",
        }
    }
}

/// How a code reached the patient (A2's three routes, and the help line of A7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRoute {
    Visit,
    Paper,
    Online,
    HelpLine,
}

impl CodeRoute {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Paper => "paper",
            Self::Online => "online",
            Self::HelpLine => "help-line",
        }
    }
}

pub struct NewCode {
    pub organization_id: i32,
    pub person_id: i32,
    pub purpose: CodePurpose,
    pub route: CodeRoute,
    pub issued_by_staff_id: Option<i32>,
    pub valid_for: chrono::Duration,
}

/// Issues a fresh code and returns it (to show once) with its stored row. Call it inside the
/// transaction that goes on to use the code: the person's row stays locked until it ends.
pub async fn issue_code<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    new: NewCode,
    now: DateTime<Utc>,
) -> Result<(OneTimeCode, one_time_code::Model), DbErr> {
    // Two codes issued at once for one person: the second waits, then withdraws the first.
    super::store::lock_person(db, new.person_id).await?;
    let code = OneTimeCode::from_random(TokenHasher::new_code_bits());
    let row = one_time_code::ActiveModel {
        organization_id: Set(new.organization_id),
        person_id: Set(new.person_id),
        purpose: Set(new.purpose.as_str().to_owned()),
        code_hash: Set(hasher.hash(new.purpose.as_str(), code.canonical())),
        route: Set(new.route.as_str().to_owned()),
        issued_by_staff_id: Set(new.issued_by_staff_id),
        issued_at: Set(now),
        expires_at: Set(now + new.valid_for),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // A new code replaces the person's older unused ones of the same purpose.
    withdraw_others(db, &row, new.purpose, now).await?;
    Ok((code, row))
}

/// Issues a ticket (a long random token rather than a typed code) valid for `minutes`.
pub async fn issue_ticket<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    organization_id: i32,
    person_id: i32,
    purpose: CodePurpose,
    minutes: i64,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let token = TokenHasher::new_token();
    one_time_code::ActiveModel {
        organization_id: Set(organization_id),
        person_id: Set(person_id),
        purpose: Set(purpose.as_str().to_owned()),
        code_hash: Set(hasher.hash(purpose.as_str(), &token)),
        route: Set(CodeRoute::Online.as_str().to_owned()),
        issued_by_staff_id: Set(None),
        issued_at: Set(now),
        expires_at: Set(now + chrono::Duration::minutes(minutes)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

pub async fn find_ticket<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    purpose: CodePurpose,
    token: &str,
) -> Result<Option<one_time_code::Model>, DbErr> {
    one_time_code::Entity::find()
        .filter(one_time_code::Column::CodeHash.eq(hasher.hash(purpose.as_str(), token)))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await
}

/// The stored code a patient typed, whatever its state (the caller decides what an expired or
/// used code means for the answer).
pub async fn find_code<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    purpose: CodePurpose,
    code: &OneTimeCode,
) -> Result<Option<one_time_code::Model>, DbErr> {
    one_time_code::Entity::find()
        .filter(one_time_code::Column::CodeHash.eq(hasher.hash(purpose.as_str(), code.canonical())))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await
}

/// Marks a code used. `false` when it was used (or removed) meanwhile: the caller must then
/// refuse, and roll back whatever it did in the same transaction.
pub async fn mark_code_used<C: ConnectionTrait>(
    db: &C,
    code_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::UsedAt, Expr::value(now))
        .filter(one_time_code::Column::Id.eq(code_id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .filter(one_time_code::Column::WithdrawnAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Counts a try with a code before what came with it (a date of birth, an SSN) is compared, so
/// that however many tries arrive at once, at most `allowed` are ever compared, whatever state
/// the code is in (a used or replaced code must not answer unlimited guesses either). `false`
/// when the code has had its `allowed` tries.
pub async fn admit_guess<C: ConnectionTrait>(
    db: &C,
    code_id: i32,
    allowed: u32,
) -> Result<bool, DbErr> {
    let allowed = i32::try_from(allowed).unwrap_or(i32::MAX);
    let result = one_time_code::Entity::update_many()
        .col_expr(
            one_time_code::Column::FailedAttempts,
            Expr::col(one_time_code::Column::FailedAttempts).add(1),
        )
        .filter(one_time_code::Column::Id.eq(code_id))
        .filter(one_time_code::Column::FailedAttempts.lt(allowed))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The try proved right: it was not a wrong guess after all.
pub async fn take_back_guess<C: ConnectionTrait>(db: &C, code_id: i32) -> Result<(), DbErr> {
    one_time_code::Entity::update_many()
        .col_expr(
            one_time_code::Column::FailedAttempts,
            Expr::col(one_time_code::Column::FailedAttempts).sub(1),
        )
        .filter(one_time_code::Column::Id.eq(code_id))
        .filter(one_time_code::Column::FailedAttempts.gt(0))
        .exec(db)
        .await
        .map(|_| ())
}

/// Takes the person's other unused codes of `purpose` at the organization out of use: a new
/// code replaces them. A code asked for online replaces only others asked for online, so that
/// someone who knows a patient's details cannot cancel the letter the desk just handed them.
pub async fn withdraw_others<C: ConnectionTrait>(
    db: &C,
    kept: &one_time_code::Model,
    purpose: CodePurpose,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut query = one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::WithdrawnAt, Expr::value(now))
        .filter(one_time_code::Column::OrganizationId.eq(kept.organization_id))
        .filter(one_time_code::Column::PersonId.eq(kept.person_id));
    if kept.route == CodeRoute::Online.as_str() {
        query = query.filter(one_time_code::Column::Route.eq(CodeRoute::Online.as_str()));
    }
    Ok(query
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_code::Column::Id.ne(kept.id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .filter(one_time_code::Column::WithdrawnAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// How many codes of `purpose` reached the person by `route` since `since`.
pub async fn issued_since<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    purpose: CodePurpose,
    route: CodeRoute,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    one_time_code::Entity::find()
        .filter(one_time_code::Column::PersonId.eq(person_id))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_code::Column::Route.eq(route.as_str()))
        .filter(one_time_code::Column::IssuedAt.gte(since))
        .count(db)
        .await
}
