//! What lets every attempt at a secret be admitted in one write ([`crate::db::lockout::admit`]):
//!
//! - On every bucket row, whether the last attempt was admitted (counted) or found the bucket
//!   locked, written by the statement that admits it and read back by the same statement.
//! - Decoy rows for attempts on a portal ID or username that matches no one
//!   ([`crate::db::lockout::Bucket::unknown`]): each is counted and locked as an account's row
//!   would be, so that such an attempt writes what an attempt on a real account writes and takes
//!   as long. They admit no one. There are 64, ids 0 to 63 ([`crate::db::lockout::DECOYS`] must
//!   not be more; a later migration adds rows if it grows).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignInDecoys {
    Table,
    Id,
    FailedSignIns,
    LockedUntil,
}

#[derive(DeriveIden)]
enum Buckets {
    PortalAccounts,
    SignInBrowsers,
    Staff,
    LastAttemptAdmitted,
}

const BUCKETS: [Buckets; 3] = [
    Buckets::PortalAccounts,
    Buckets::SignInBrowsers,
    Buckets::Staff,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in BUCKETS {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(boolean(Buckets::LastAttemptAdmitted).default(false))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(SignInDecoys::Table)
                .col(integer(SignInDecoys::Id).primary_key())
                .col(integer(SignInDecoys::FailedSignIns).default(0))
                .col(timestamp_with_time_zone_null(SignInDecoys::LockedUntil))
                .col(boolean(Buckets::LastAttemptAdmitted).default(false))
                .to_owned(),
        )
        .await?;
        let mut rows = Query::insert();
        rows.into_table(SignInDecoys::Table)
            .columns([SignInDecoys::Id, SignInDecoys::FailedSignIns]);
        for id in 0..64 {
            rows.values_panic([id.into(), 0.into()]);
        }
        m.exec_stmt(rows).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SignInDecoys::Table).to_owned())
            .await?;
        for table in BUCKETS {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column(Buckets::LastAttemptAdmitted)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
