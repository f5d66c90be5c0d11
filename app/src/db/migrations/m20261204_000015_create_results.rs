//! Test results (issue 15, C3, C8): test types with their release rule, results with the
//! instant they are released automatically (fixed when recorded, from the policy then in
//! force) and the provider's release, and their components (value, unit, reference range,
//! the lab's flag). A component carries its person and code too, so that one component's
//! history is read from one index. A patient's choice to wait for their clinician is kept on
//! their record.

use super::m20261125_000001_create_core_model::{Organizations, Patients, People, Staff};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TestTypes {
    Table,
    Id,
    OrganizationId,
    Name,
    ReleaseRule,
}

#[derive(DeriveIden)]
enum TestResults {
    Table,
    Id,
    OrganizationId,
    PersonId,
    TestTypeId,
    OrderedBy,
    CollectedAt,
    ResultedAt,
    AutomaticReleaseAt,
    ReleasedAt,
    ReleasedByStaffId,
    NotifiedAt,
}

#[derive(DeriveIden)]
enum ResultComponents {
    Table,
    Id,
    ResultId,
    PersonId,
    Code,
    Name,
    Position,
    ValueNumber,
    ValueText,
    Unit,
    RangeLow,
    RangeHigh,
    RangeText,
    Flag,
    ResultedAt,
}

#[derive(DeriveIden)]
enum PatientsExtra {
    ResultsWaitForClinician,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TestTypes::Table)
                .col(pk_auto(TestTypes::Id))
                .col(integer(TestTypes::OrganizationId))
                .col(string_len(TestTypes::Name, 200))
                .col(string_len(TestTypes::ReleaseRule, 16))
                .foreign_key(
                    ForeignKey::create()
                        .from(TestTypes::Table, TestTypes::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .check(Expr::col(TestTypes::ReleaseRule).is_in(["automatic", "provider"]))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TestResults::Table)
                .col(pk_auto(TestResults::Id))
                .col(integer(TestResults::OrganizationId))
                .col(integer(TestResults::PersonId))
                .col(integer(TestResults::TestTypeId))
                .col(string_len(TestResults::OrderedBy, 200))
                .col(timestamp_with_time_zone(TestResults::CollectedAt))
                .col(timestamp_with_time_zone(TestResults::ResultedAt))
                .col(timestamp_with_time_zone_null(
                    TestResults::AutomaticReleaseAt,
                ))
                .col(timestamp_with_time_zone_null(TestResults::ReleasedAt))
                .col(integer_null(TestResults::ReleasedByStaffId))
                .col(timestamp_with_time_zone_null(TestResults::NotifiedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(TestResults::Table, TestResults::PersonId)
                        .to(People::Table, People::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TestResults::Table, TestResults::TestTypeId)
                        .to(TestTypes::Table, TestTypes::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TestResults::Table, TestResults::ReleasedByStaffId)
                        .to(Staff::Table, Staff::Id),
                )
                .to_owned(),
        )
        .await?;
        // A person's results, newest first.
        m.create_index(
            Index::create()
                .name("idx_test_results_person_time")
                .table(TestResults::Table)
                .col(TestResults::PersonId)
                .col(TestResults::ResultedAt)
                .col(TestResults::Id)
                .to_owned(),
        )
        .await?;
        // The clinicians' queue: what no provider has released.
        m.create_index(
            Index::create()
                .name("idx_test_results_org_released")
                .table(TestResults::Table)
                .col(TestResults::OrganizationId)
                .col(TestResults::ReleasedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ResultComponents::Table)
                .col(pk_auto(ResultComponents::Id))
                .col(integer(ResultComponents::ResultId))
                .col(integer(ResultComponents::PersonId))
                .col(string_len(ResultComponents::Code, 64))
                .col(string_len(ResultComponents::Name, 200))
                .col(integer(ResultComponents::Position))
                .col(double_null(ResultComponents::ValueNumber))
                .col(string_len_null(ResultComponents::ValueText, 500))
                .col(string_len_null(ResultComponents::Unit, 32))
                .col(double_null(ResultComponents::RangeLow))
                .col(double_null(ResultComponents::RangeHigh))
                .col(string_len_null(ResultComponents::RangeText, 100))
                .col(string_len_null(ResultComponents::Flag, 16))
                .col(timestamp_with_time_zone(ResultComponents::ResultedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ResultComponents::Table, ResultComponents::ResultId)
                        .to(TestResults::Table, TestResults::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_result_components_result")
                .table(ResultComponents::Table)
                .col(ResultComponents::ResultId)
                .col(ResultComponents::Position)
                .to_owned(),
        )
        .await?;
        // One component's history for a person, in time order.
        m.create_index(
            Index::create()
                .name("idx_result_components_trend")
                .table(ResultComponents::Table)
                .col(ResultComponents::PersonId)
                .col(ResultComponents::Code)
                .col(ResultComponents::ResultedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Patients::Table)
                .add_column(boolean(PatientsExtra::ResultsWaitForClinician).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Patients::Table)
                .drop_column(PatientsExtra::ResultsWaitForClinician)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ResultComponents::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TestResults::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TestTypes::Table).to_owned())
            .await
    }
}
