//! Answers to forms posted without JavaScript. The browser posts the form, the server answers
//! with a redirect back to the page (post/redirect/get), and the page, rendered on the server,
//! shows the answer: an error next to the field, or the next step. The answers wait here between
//! the two requests, so that any instance behind the load balancer can render the page. Each row
//! belongs to one browser (a random token in a cookie; only its keyed hash is stored), holds the
//! answers sealed with the vault key, is shown once, and lives for minutes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum FormAnswers {
    Table,
    TokenHash,
    Page,
    AnswersSealed,
    Shown,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FormAnswers::Table)
                .col(string_len(FormAnswers::TokenHash, 64).primary_key())
                .col(string_len(FormAnswers::Page, 512))
                .col(blob(FormAnswers::AnswersSealed))
                // Set when the page has shown the answers: a reload starts the page afresh.
                .col(boolean(FormAnswers::Shown).default(false))
                .col(timestamp_with_time_zone(FormAnswers::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_form_answers_expires_at")
                .table(FormAnswers::Table)
                .col(FormAnswers::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(FormAnswers::Table).to_owned())
            .await
    }
}
