//! Decoy rows for attempts on a portal ID or username that matches no one
//! ([`crate::db::lockout::Bucket::unknown`]): each is counted and locked as an account's row
//! would be, so that such an attempt writes what an attempt on a real account writes and takes
//! as long. They admit no one. Their number is fixed ([`crate::db::lockout::DECOYS`]).

use crate::db::lockout::DECOYS;
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SignInDecoys::Table)
                .col(integer(SignInDecoys::Id).primary_key())
                .col(integer(SignInDecoys::FailedSignIns).default(0))
                .col(timestamp_with_time_zone_null(SignInDecoys::LockedUntil))
                .to_owned(),
        )
        .await?;
        let mut rows = Query::insert();
        rows.into_table(SignInDecoys::Table)
            .columns([SignInDecoys::Id, SignInDecoys::FailedSignIns]);
        for id in 0..DECOYS {
            rows.values_panic([id.into(), 0.into()]);
        }
        m.exec_stmt(rows).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SignInDecoys::Table).to_owned())
            .await
    }
}
