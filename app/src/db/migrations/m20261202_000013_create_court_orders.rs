//! Court orders sent with online legal-guardian requests (issue 14, P7): one per request, the
//! file sealed with the vault's key (the database is served to no one), found by a random key
//! that only the proxy desk's queue shows, so no address of it can be guessed.

use super::m20261125_000001_create_core_model::Relationships;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CourtOrders {
    Table,
    Id,
    OrganizationId,
    RelationshipId,
    Key,
    MediaType,
    SizeBytes,
    Sealed,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CourtOrders::Table)
                .col(pk_auto(CourtOrders::Id))
                .col(integer(CourtOrders::OrganizationId))
                .col(integer_uniq(CourtOrders::RelationshipId))
                .col(string_len_uniq(CourtOrders::Key, 64))
                .col(string_len(CourtOrders::MediaType, 32))
                .col(big_integer(CourtOrders::SizeBytes))
                .col(blob(CourtOrders::Sealed))
                .col(timestamp_with_time_zone(CourtOrders::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CourtOrders::Table, CourtOrders::RelationshipId)
                        .to(Relationships::Table, Relationships::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CourtOrders::Table).to_owned())
            .await
    }
}
