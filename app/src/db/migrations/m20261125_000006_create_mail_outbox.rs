//! The mail outbox: email is written here in the same transaction as whatever it reports (an
//! activation code issued online), and a background worker on any portal instance delivers it.
//! The body is sealed with the vault's key while it waits and erased once it is sent.

use super::m20261125_000001_create_core_model::Organizations;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum MailOutbox {
    Table,
    Id,
    OrganizationId,
    ToAddress,
    Subject,
    BodySealed,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MailOutbox::Table)
                .col(pk_auto(MailOutbox::Id))
                .col(integer(MailOutbox::OrganizationId))
                .col(string_len(MailOutbox::ToAddress, 254))
                .col(string_len(MailOutbox::Subject, 200))
                .col(blob_null(MailOutbox::BodySealed))
                .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                .col(integer(MailOutbox::Attempts).default(0))
                .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                .col(string_len_null(MailOutbox::LastError, 300))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_mail_organization")
                        .from(MailOutbox::Table, MailOutbox::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_due")
                .table(MailOutbox::Table)
                .col(MailOutbox::SentAt)
                .col(MailOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await
    }
}
