//! 2-step verification, continued: single-use recovery codes (for patients and staff, stored as
//! keyed hashes) and the browsers a patient asked to remember for a while so that sign-in there
//! skips the second step.

use super::m20261125_000001_create_core_model::{PortalAccounts, Staff};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum RecoveryCodes {
    Table,
    Id,
    AccountId,
    StaffId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
pub enum RememberedDevices {
    Table,
    IdHash,
    AccountId,
    CreatedAt,
    ExpiresAt,
    Device,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(pk_auto(RecoveryCodes::Id))
                .col(integer_null(RecoveryCodes::AccountId))
                .col(integer_null(RecoveryCodes::StaffId))
                .col(string_len_uniq(RecoveryCodes::CodeHash, 64))
                .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_recovery_code_account")
                        .from(RecoveryCodes::Table, RecoveryCodes::AccountId)
                        .to(PortalAccounts::Table, PortalAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_recovery_code_staff")
                        .from(RecoveryCodes::Table, RecoveryCodes::StaffId)
                        .to(Staff::Table, Staff::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .check(
                    Expr::col(RecoveryCodes::AccountId)
                        .is_null()
                        .ne(Expr::col(RecoveryCodes::StaffId).is_null()),
                )
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("idx_recovery_code_account", RecoveryCodes::AccountId),
            ("idx_recovery_code_staff", RecoveryCodes::StaffId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(RecoveryCodes::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(RememberedDevices::Table)
                // The browser keeps a random token in a cookie; only its keyed hash is here.
                .col(string_len(RememberedDevices::IdHash, 64).primary_key())
                .col(integer(RememberedDevices::AccountId))
                .col(timestamp_with_time_zone(RememberedDevices::CreatedAt))
                .col(timestamp_with_time_zone(RememberedDevices::ExpiresAt))
                .col(string_len_null(RememberedDevices::Device, 200))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_remembered_device_account")
                        .from(RememberedDevices::Table, RememberedDevices::AccountId)
                        .to(PortalAccounts::Table, PortalAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_remembered_device_account")
                .table(RememberedDevices::Table)
                .col(RememberedDevices::AccountId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RememberedDevices::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        Ok(())
    }
}
