//! Which emails about new information a patient gets (C6): one choice per kind of news, all
//! on until the patient turns one off.

use super::m20261125_000001_create_core_model::Patients;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Choices {
    EmailResults,
    EmailAppointments,
    EmailReports,
}

const ALL: [Choices; 3] = [
    Choices::EmailResults,
    Choices::EmailAppointments,
    Choices::EmailReports,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite adds one at a time.
        for column in ALL {
            m.alter_table(
                Table::alter()
                    .table(Patients::Table)
                    .add_column(boolean(column).default(true))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ALL {
            m.alter_table(
                Table::alter()
                    .table(Patients::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
