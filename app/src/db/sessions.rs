//! Server-side sessions in the database, shared by every portal instance. The browser holds a
//! random token in a cookie; rows are keyed by the token's keyed hash.

use super::entities::{person, portal_account, session};
use super::tokens::TokenHasher;
use crate::domain::policy::OrganizationPolicy;
use crate::domain::sign_in::{second_step_expires_at, session_expires_at};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QueryTrait, SelectThreeModel, SelectorTrait, Set, Statement,
};
use std::sync::OnceLock;

const PURPOSE: &str = "session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOwner {
    Account(i32),
    Staff(i32),
}

pub struct NewSession {
    pub owner: SessionOwner,
    pub second_factor_passed: bool,
    pub source_ip: Option<String>,
    pub device: Option<String>,
}

/// Starts a session and returns the token for the cookie. A new token every time: signing in
/// never reuses an identifier the browser already had (no session fixation).
pub async fn create_session<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    new: NewSession,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let token = TokenHasher::new_token();
    let (account_id, staff_id) = match new.owner {
        SessionOwner::Account(id) => (Some(id), None),
        SessionOwner::Staff(id) => (None, Some(id)),
    };
    session::ActiveModel {
        id_hash: Set(hasher.hash(PURPOSE, &token)),
        account_id: Set(account_id),
        staff_id: Set(staff_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        // Waiting for the second step, a session gets minutes, not hours.
        expires_at: Set(if new.second_factor_passed {
            session_expires_at(now, policy)
        } else {
            second_step_expires_at(now, policy)
        }),
        second_factor_passed: Set(new.second_factor_passed),
        source_ip: Set(new.source_ip),
        device: Set(new.device.map(|d| d.chars().take(200).collect())),
    }
    .insert(db)
    .await?;
    Ok(token)
}

pub fn session_key(hasher: &TokenHasher, token: &str) -> String {
    hasher.hash(PURPOSE, token)
}

/// A session found by its token.
pub struct FoundSession {
    pub session: session::Model,
    /// For a patient's session, their account and the person it belongs to.
    pub patient: Option<(portal_account::Model, person::Model)>,
}

/// The session a token names and, for a patient's session, their account and person: one
/// query, as the guard reads them on every signed-in request (the page header names the
/// person, and a record's guard starts from them). Its SQL is built once per database kind
/// ([`lookup_statement`]): building the three-table select with sea-query on every request
/// cost about as much as running it.
pub async fn find_session<C: ConnectionTrait>(
    db: &C,
    hasher: &TokenHasher,
    token: &str,
) -> Result<Option<FoundSession>, DbErr> {
    let statement = lookup_statement(db.get_database_backend(), session_key(hasher, token));
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let (session, account, person) = SelectThreeModel::<
        session::Model,
        portal_account::Model,
        person::Model,
    >::from_raw_query_result(row)?;
    Ok(Some(FoundSession {
        session,
        patient: account.zip(person),
    }))
}

/// The session with its account and person, as sea-orm builds it.
fn built_lookup(backend: DbBackend, key: String) -> Statement {
    session::Entity::find_by_id(key)
        .find_also_related(portal_account::Entity)
        .and_also_related(person::Entity)
        .build(backend)
}

/// [`built_lookup`]'s statement for `key`: the SQL built once for each database kind the
/// process uses, the key its one bound value. Unlike sea-orm's `.one()` it has no `LIMIT 1`:
/// it needs none, as the session is found by its primary key and both joins follow a
/// `belongs_to` link to a primary key (one row at most). A join that can match several rows
/// would need the limit and an order back.
fn lookup_statement(backend: DbBackend, key: String) -> Statement {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let build = || built_lookup(backend, String::new()).sql;
    let sql = match backend {
        DbBackend::Sqlite => SQLITE.get_or_init(build).clone(),
        DbBackend::Postgres => POSTGRES.get_or_init(build).clone(),
        _ => build(),
    };
    Statement::from_sql_and_values(backend, sql, [key.into()])
}

pub async fn touch_session<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .filter(session::Column::IdHash.eq(id_hash))
        .exec(db)
        .await
        .map(|_| ())
}

/// The session's owner passed the second step of sign-in: it now lasts the full session
/// lifetime from `now`.
pub async fn mark_second_factor_passed<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::SecondFactorPassed, Expr::value(true))
        .col_expr(
            session::Column::ExpiresAt,
            Expr::value(session_expires_at(now, policy)),
        )
        .filter(session::Column::IdHash.eq(id_hash))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn end_session<C: ConnectionTrait>(db: &C, id_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(id_hash.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

/// Ends every session of an account except `keep` (after a password change, or "sign out
/// everywhere else").
pub async fn end_other_sessions<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    keep: Option<&str>,
) -> Result<u64, DbErr> {
    let mut query =
        session::Entity::delete_many().filter(session::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        query = query.filter(session::Column::IdHash.ne(keep));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// The account's sessions, newest first, for the signed-in devices page.
pub async fn sessions_of_account<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
) -> Result<Vec<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::AccountId.eq(account_id))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement kept for the lookup is the one sea-orm builds for that key, on both
    /// databases: the same SQL, and the key as its only value.
    #[test]
    fn the_kept_lookup_is_the_built_one() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for key in ["first-key", "another key's hash"] {
                let kept = lookup_statement(backend, key.to_owned());
                let built = built_lookup(backend, key.to_owned());
                assert_eq!(kept.sql, built.sql);
                assert_eq!(kept.values, built.values);
                assert_eq!(kept.values.as_ref().map(|v| v.0.len()), Some(1));
            }
        }
    }
}
