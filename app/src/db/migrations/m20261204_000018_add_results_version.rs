//! A counter on each record that goes up whenever its results change (one recorded, one
//! released), in the transaction that changes them. A portal instance may keep what it worked
//! out from a person's results (a history chart) for as long as the counter it read with the
//! record has not moved: every instance reads the record on every request, so none shows
//! stale results after another one changed them.
//!
//! An index on a person's results by automatic release instant: has one been released since
//! a history was worked out? Also an index on reports of incorrect information by account and
//! time, for the daily limit counted in each new report's transaction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Patients {
    Table,
    ResultsVersion,
}

#[derive(DeriveIden)]
enum CorrectionReports {
    Table,
    ReportedByAccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TestResults {
    Table,
    PersonId,
    AutomaticReleaseAt,
}

const REPORTS_BY_ACCOUNT: &str = "idx_correction_reports_account";
const RESULTS_BY_RELEASE: &str = "idx_test_results_person_release";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Patients::Table)
                .add_column(big_integer(Patients::ResultsVersion).default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(REPORTS_BY_ACCOUNT)
                .table(CorrectionReports::Table)
                .col(CorrectionReports::ReportedByAccountId)
                .col(CorrectionReports::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(RESULTS_BY_RELEASE)
                .table(TestResults::Table)
                .col(TestResults::PersonId)
                .col(TestResults::AutomaticReleaseAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(RESULTS_BY_RELEASE)
                .table(TestResults::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name(REPORTS_BY_ACCOUNT)
                .table(CorrectionReports::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Patients::Table)
                .drop_column(Patients::ResultsVersion)
                .to_owned(),
        )
        .await
    }
}
