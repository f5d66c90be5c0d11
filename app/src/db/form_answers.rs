//! Answers to forms posted without JavaScript, kept between the post and the page that shows
//! them (see the migration `create_form_answers`). The browser holds a random token; the row is
//! found by its keyed hash and holds the answers sealed, so neither a copy of the database nor
//! the cookie alone shows what was answered. The page shows them once: a row marked shown is
//! kept only as the state of the form's next step.

use super::entities::form_answer;
use super::tokens::TokenHasher;
use super::vault::SsnVault;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// How long answers wait for their page, and a form's earlier steps for its next one.
pub const KEPT_FOR: Duration = Duration::minutes(10);

const PURPOSE: &str = "form-answers";

/// Answers kept under a browser's token.
pub struct Kept {
    /// The page's address and the answers (JSON).
    pub page: String,
    pub answers: Vec<u8>,
    /// Whether the page has shown them already.
    pub shown: bool,
}

/// Keeps `answers` (JSON) for the page `page` under the browser's `token`, replacing what that
/// token held, to be shown by the page's next render.
pub async fn keep<C: ConnectionTrait>(
    db: &C,
    tokens: &TokenHasher,
    vault: &SsnVault,
    token: &str,
    page: &str,
    answers: &[u8],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = form_answer::ActiveModel {
        token_hash: Set(tokens.hash(PURPOSE, token)),
        page: Set(page.chars().take(512).collect()),
        answers_sealed: Set(vault.seal_secret(answers)),
        shown: Set(false),
        expires_at: Set(now + KEPT_FOR),
    };
    form_answer::Entity::insert(row)
        .on_conflict(
            OnConflict::column(form_answer::Column::TokenHash)
                .update_columns([
                    form_answer::Column::Page,
                    form_answer::Column::AnswersSealed,
                    form_answer::Column::Shown,
                    form_answer::Column::ExpiresAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// What `token` holds, unless it has expired.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    tokens: &TokenHasher,
    vault: &SsnVault,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Kept>, DbErr> {
    let row = form_answer::Entity::find_by_id(tokens.hash(PURPOSE, token))
        .filter(form_answer::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    Ok(row.and_then(|row| {
        let answers = vault.open_secret(&row.answers_sealed).ok()?;
        Some(Kept {
            page: row.page,
            answers,
            shown: row.shown,
        })
    }))
}

/// Marks what `token` holds as shown. Only one render gets to show them: `false` when another
/// already has.
pub async fn mark_shown<C: ConnectionTrait>(
    db: &C,
    tokens: &TokenHasher,
    token: &str,
) -> Result<bool, DbErr> {
    let marked = form_answer::Entity::update_many()
        .col_expr(form_answer::Column::Shown, Expr::value(true))
        .filter(form_answer::Column::TokenHash.eq(tokens.hash(PURPOSE, token)))
        .filter(form_answer::Column::Shown.eq(false))
        .exec(db)
        .await?;
    Ok(marked.rows_affected == 1)
}

/// Forgets what `token` held.
pub async fn forget<C: ConnectionTrait>(
    db: &C,
    tokens: &TokenHasher,
    token: &str,
) -> Result<(), DbErr> {
    form_answer::Entity::delete_by_id(tokens.hash(PURPOSE, token))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the answers nobody came back for. Returns how many.
pub async fn remove_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(form_answer::Entity::delete_many()
        .filter(form_answer::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}
