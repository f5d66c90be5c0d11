//! Which emails about new information a patient gets (C6): one choice per kind of news, all
//! on until the patient turns one off.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Patients {
    Table,
    EmailResults,
    EmailAppointments,
    EmailReports,
}

const ALL: [Patients; 3] = [
    Patients::EmailResults,
    Patients::EmailAppointments,
    Patients::EmailReports,
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
