//! Accounts: one-time codes (A2 activation, A7 access codes), server-side sessions (kept in the
//! database so that several portal instances share them), and the counters behind progressive
//! lockout of portal accounts and staff.

use super::m20261125_000001_create_core_model::{Organizations, People, PortalAccounts, Staff};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum OneTimeCodes {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Purpose,
    CodeHash,
    Route,
    IssuedByStaffId,
    IssuedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
pub enum Sessions {
    Table,
    IdHash,
    AccountId,
    StaffId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    SecondFactorPassed,
    SourceIp,
    Device,
}

#[derive(DeriveIden)]
enum Lockout {
    FailedSignIns,
    LockedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OneTimeCodes::Table)
                .col(pk_auto(OneTimeCodes::Id))
                .col(integer(OneTimeCodes::OrganizationId))
                .col(integer(OneTimeCodes::PersonId))
                .col(string_len(OneTimeCodes::Purpose, 32))
                // Only a keyed hash of the code is stored; the code itself is shown once.
                .col(string_len_uniq(OneTimeCodes::CodeHash, 64))
                .col(string_len(OneTimeCodes::Route, 16))
                .col(integer_null(OneTimeCodes::IssuedByStaffId))
                .col(timestamp_with_time_zone(OneTimeCodes::IssuedAt))
                .col(timestamp_with_time_zone(OneTimeCodes::ExpiresAt))
                .col(timestamp_with_time_zone_null(OneTimeCodes::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_code_organization")
                        .from(OneTimeCodes::Table, OneTimeCodes::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_code_person")
                        .from(OneTimeCodes::Table, OneTimeCodes::PersonId)
                        .to(People::Table, People::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_code_staff")
                        .from(OneTimeCodes::Table, OneTimeCodes::IssuedByStaffId)
                        .to(Staff::Table, Staff::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_code_person")
                .table(OneTimeCodes::Table)
                .col(OneTimeCodes::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                // The cookie holds a random token; the database only its hash, so a copy of the
                // database does not let anyone sign in.
                .col(string_len(Sessions::IdHash, 64).primary_key())
                .col(integer_null(Sessions::AccountId))
                .col(integer_null(Sessions::StaffId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(boolean(Sessions::SecondFactorPassed).default(false))
                .col(string_len_null(Sessions::SourceIp, 64))
                .col(string_len_null(Sessions::Device, 200))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_session_account")
                        .from(Sessions::Table, Sessions::AccountId)
                        .to(PortalAccounts::Table, PortalAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_session_staff")
                        .from(Sessions::Table, Sessions::StaffId)
                        .to(Staff::Table, Staff::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .check(
                    Expr::col(Sessions::AccountId)
                        .is_null()
                        .ne(Expr::col(Sessions::StaffId).is_null()),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_session_account")
                .table(Sessions::Table)
                .col(Sessions::AccountId)
                .to_owned(),
        )
        .await?;

        // SQLite adds one column per ALTER TABLE.
        for table in [PortalAccounts::Table.into_iden(), Staff::Table.into_iden()] {
            m.alter_table(
                Table::alter()
                    .table(table.clone())
                    .add_column(integer(Lockout::FailedSignIns).default(0))
                    .to_owned(),
            )
            .await?;
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(timestamp_with_time_zone_null(Lockout::LockedUntil))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [PortalAccounts::Table.into_iden(), Staff::Table.into_iden()] {
            for column in [Lockout::FailedSignIns, Lockout::LockedUntil] {
                m.alter_table(
                    Table::alter()
                        .table(table.clone())
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
            }
        }
        m.drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(OneTimeCodes::Table).to_owned())
            .await?;
        Ok(())
    }
}
