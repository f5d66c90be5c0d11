//! 2-step verification: an authenticator-app secret (sealed with the secrets directory's key),
//! when it was confirmed, and the last time step used (each code works once). For staff, where
//! it is required, and for patient accounts, where it is optional.

use super::m20261125_000001_create_core_model::{PortalAccounts, Staff};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // the names are the column names
enum TwoStep {
    TotpSecretSealed,
    TotpConfirmedAt,
    TotpLastStep,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [PortalAccounts::Table.into_iden(), Staff::Table.into_iden()] {
            // SQLite adds one column per ALTER TABLE.
            for column in [
                blob_null(TwoStep::TotpSecretSealed),
                timestamp_with_time_zone_null(TwoStep::TotpConfirmedAt),
                big_integer_null(TwoStep::TotpLastStep),
            ] {
                let mut column = column;
                m.alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [PortalAccounts::Table.into_iden(), Staff::Table.into_iden()] {
            for column in [
                TwoStep::TotpSecretSealed,
                TwoStep::TotpConfirmedAt,
                TwoStep::TotpLastStep,
            ] {
                m.alter_table(
                    Table::alter()
                        .table(table.clone())
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
            }
        }
        Ok(())
    }
}
