//! The daily transitions job (issue 14): `job_claims` lets one portal instance of many run a
//! daily job for a day (the first to insert the row), and `transition_notices` remembers each
//! change already announced, so that people hear of it once however often the job runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum JobClaims {
    Table,
    Job,
    Day,
    ClaimedAt,
}

#[derive(DeriveIden)]
enum TransitionNotices {
    Table,
    Id,
    RelationshipId,
    Kind,
    ChangeOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Relationships {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(JobClaims::Table)
                .col(string_len(JobClaims::Job, 64))
                .col(date(JobClaims::Day))
                .col(timestamp_with_time_zone(JobClaims::ClaimedAt))
                .primary_key(Index::create().col(JobClaims::Job).col(JobClaims::Day))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TransitionNotices::Table)
                .col(pk_auto(TransitionNotices::Id))
                .col(integer(TransitionNotices::RelationshipId))
                .col(string_len(TransitionNotices::Kind, 32))
                .col(date(TransitionNotices::ChangeOn))
                .col(timestamp_with_time_zone(TransitionNotices::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(TransitionNotices::Table, TransitionNotices::RelationshipId)
                        .to(Relationships::Table, Relationships::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_transition_notices_once")
                .table(TransitionNotices::Table)
                .col(TransitionNotices::RelationshipId)
                .col(TransitionNotices::Kind)
                .col(TransitionNotices::ChangeOn)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TransitionNotices::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(JobClaims::Table).to_owned())
            .await
    }
}
