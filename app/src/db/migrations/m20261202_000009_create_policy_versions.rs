//! The organization's policy becomes a history (P6: the rules changed over time, and the access
//! engine answers "what applied on day D"): one row per version, in force from its
//! `effective_from` day (in the organization's zone) until the next version's. The policy each
//! organization had until now becomes its one version, in force since the beginning
//! ([`SINCE_THE_BEGINNING`]), and the organization row no longer holds it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The `effective_from` of a version in force since the beginning of time.
const SINCE_THE_BEGINNING: &str = "0001-01-01";

#[derive(DeriveIden)]
pub enum PolicyVersions {
    Table,
    Id,
    OrganizationId,
    EffectiveFrom,
    PolicyJson,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    PolicyJson,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PolicyVersions::Table)
                .col(pk_auto(PolicyVersions::Id))
                .col(integer(PolicyVersions::OrganizationId))
                .col(date(PolicyVersions::EffectiveFrom))
                .col(text(PolicyVersions::PolicyJson))
                .col(timestamp_with_time_zone(PolicyVersions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PolicyVersions::Table, PolicyVersions::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .to_owned(),
        )
        .await?;
        // One version per organization and day.
        m.create_index(
            Index::create()
                .name("idx_policy_versions_organization_day")
                .table(PolicyVersions::Table)
                .col(PolicyVersions::OrganizationId)
                .col(PolicyVersions::EffectiveFrom)
                .unique()
                .to_owned(),
        )
        .await?;
        // A text literal is a date as SQLite stores one; PostgreSQL is told the type.
        let since = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                Expr::val(SINCE_THE_BEGINNING).cast_as(Alias::new("date"))
            }
            _ => Expr::val(SINCE_THE_BEGINNING),
        };
        m.exec_stmt(
            Query::insert()
                .into_table(PolicyVersions::Table)
                .columns([
                    PolicyVersions::OrganizationId,
                    PolicyVersions::EffectiveFrom,
                    PolicyVersions::PolicyJson,
                    PolicyVersions::CreatedAt,
                ])
                .select_from(
                    Query::select()
                        .column(Organizations::Id)
                        .expr(since)
                        .column(Organizations::PolicyJson)
                        .column(Organizations::CreatedAt)
                        .from(Organizations::Table)
                        .to_owned(),
                )
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .drop_column(Organizations::PolicyJson)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Back to one policy per organization: the version in force since the beginning.
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(text(Organizations::PolicyJson).default("{}"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE organizations SET policy_json = (SELECT policy_json FROM policy_versions \
                 WHERE policy_versions.organization_id = organizations.id \
                 ORDER BY effective_from LIMIT 1)",
            )
            .await?;
        m.drop_table(Table::drop().table(PolicyVersions::Table).to_owned())
            .await
    }
}
