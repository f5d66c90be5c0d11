//! Issuing and redeeming one-time codes (A2 activation, A7 access codes). A code is shown once,
//! when issued; the database holds only its keyed hash. Redeeming marks it used with a
//! conditional update, so two simultaneous attempts cannot both succeed.

use super::entities::one_time_code;
use super::tokens::TokenHasher;
use crate::domain::activation::OneTimeCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
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

/// Issues a fresh code and returns it (to show once) with its stored row.
pub async fn issue_code<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    new: NewCode,
    now: DateTime<Utc>,
) -> Result<(OneTimeCode, one_time_code::Model), DbErr> {
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
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
