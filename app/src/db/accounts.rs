//! Portal accounts: creation at activation, lookup at sign-in, and the failure counters behind
//! progressive lockout.

use super::entities::{person, portal_account};
use crate::domain::portal_id::PortalId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

pub struct NewAccount {
    pub person_id: i32,
    pub organization_id: i32,
    pub portal_id: PortalId,
    pub password_hash: String,
    pub reset_question: String,
    pub reset_answer_hash: String,
}

pub async fn create_account<C: ConnectionTrait>(
    db: &C,
    new: NewAccount,
    now: DateTime<Utc>,
) -> Result<portal_account::Model, DbErr> {
    portal_account::ActiveModel {
        person_id: Set(new.person_id),
        organization_id: Set(new.organization_id),
        portal_id: Set(new.portal_id.as_str().to_owned()),
        portal_id_key: Set(new.portal_id.key()),
        password_hash: Set(new.password_hash),
        reset_question: Set(new.reset_question),
        reset_answer_hash: Set(new.reset_answer_hash),
        status: Set("active".to_owned()),
        created_at: Set(now),
        last_sign_in_at: Set(None),
        failed_sign_ins: Set(0),
        locked_until: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn portal_id_taken<C: ConnectionTrait>(
    db: &C,
    portal_id: &PortalId,
) -> Result<bool, DbErr> {
    Ok(portal_account::Entity::find()
        .filter(portal_account::Column::PortalIdKey.eq(portal_id.key()))
        .count(db)
        .await?
        > 0)
}

pub async fn account_by_portal_id<C: ConnectionTrait>(
    db: &C,
    portal_id_key: &str,
) -> Result<Option<portal_account::Model>, DbErr> {
    portal_account::Entity::find()
        .filter(portal_account::Column::PortalIdKey.eq(portal_id_key))
        .one(db)
        .await
}

/// O1: one account per person per organization.
pub async fn person_has_account<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    organization_id: i32,
) -> Result<bool, DbErr> {
    Ok(portal_account::Entity::find()
        .filter(portal_account::Column::PersonId.eq(person_id))
        .filter(portal_account::Column::OrganizationId.eq(organization_id))
        .count(db)
        .await?
        > 0)
}

pub async fn person_by_id<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find_by_id(id).one(db).await
}

/// Clears failed attempts and any lockout (staff unlocking an account).
pub async fn clear_lockout<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<(), DbErr> {
    portal_account::Entity::update_many()
        .col_expr(portal_account::Column::FailedSignIns, Expr::value(0))
        .col_expr(
            portal_account::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(portal_account::Column::Id.eq(account_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Replaces the password. Failure counts are left to the caller ([`super::lockout::release`]).
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    password_hash: String,
) -> Result<(), DbErr> {
    portal_account::Entity::update_many()
        .col_expr(
            portal_account::Column::PasswordHash,
            Expr::value(password_hash),
        )
        .filter(portal_account::Column::Id.eq(account_id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn account_of_person<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    organization_id: i32,
) -> Result<Option<portal_account::Model>, DbErr> {
    portal_account::Entity::find()
        .filter(portal_account::Column::PersonId.eq(person_id))
        .filter(portal_account::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// When the account last signed in (failure counts are [`super::lockout`]'s).
pub async fn record_successful_sign_in<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    portal_account::Entity::update_many()
        .col_expr(portal_account::Column::LastSignInAt, Expr::value(now))
        .filter(portal_account::Column::Id.eq(account_id))
        .exec(db)
        .await
        .map(|_| ())
}
