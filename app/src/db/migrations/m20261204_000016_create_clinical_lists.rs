//! The rest of the record the portal shows read-only (issue 15): immunizations, allergies,
//! medications, problems and health topic alerts, each a list per person; and the reports a
//! patient sends when something in them is wrong (C4), which staff answer and close.

use super::m20261125_000001_create_core_model::{Organizations, People, PortalAccounts, Staff};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Immunizations {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Vaccine,
    Code,
    Dose,
    GivenOn,
    GivenBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Allergies {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Substance,
    Reaction,
    Severity,
    RecordedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Medications {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Name,
    Instructions,
    StartedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Problems {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Name,
    Code,
    NotedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum HealthAlerts {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Topic,
    Detail,
    DueOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum CorrectionReports {
    Table,
    Id,
    OrganizationId,
    PersonId,
    Area,
    Item,
    ItemLabel,
    Note,
    Status,
    ReportedByAccountId,
    CreatedAt,
    Answer,
    ClosedAt,
    ClosedByStaffId,
}

/// The columns every per-person list starts with.
fn list_table(
    table: impl IntoIden + Clone,
    id: impl IntoIden,
    org: impl IntoIden + Clone,
    person: impl IntoIden + Clone,
) -> TableCreateStatement {
    Table::create()
        .table(table.clone())
        .col(pk_auto(id))
        .col(integer(org.clone()))
        .col(integer(person.clone()))
        .foreign_key(
            ForeignKey::create()
                .from(table.clone(), org)
                .to(Organizations::Table, Organizations::Id),
        )
        .foreign_key(
            ForeignKey::create()
                .from(table, person)
                .to(People::Table, People::Id),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            list_table(
                Immunizations::Table,
                Immunizations::Id,
                Immunizations::OrganizationId,
                Immunizations::PersonId,
            )
            .col(string_len(Immunizations::Vaccine, 200))
            .col(string_len_null(Immunizations::Code, 32))
            .col(string_len_null(Immunizations::Dose, 64))
            .col(date(Immunizations::GivenOn))
            .col(string_len_null(Immunizations::GivenBy, 200))
            .to_owned(),
        )
        .await?;
        m.create_table(
            list_table(
                Allergies::Table,
                Allergies::Id,
                Allergies::OrganizationId,
                Allergies::PersonId,
            )
            .col(string_len(Allergies::Substance, 200))
            .col(string_len_null(Allergies::Reaction, 200))
            .col(string_len_null(Allergies::Severity, 32))
            .col(date(Allergies::RecordedOn))
            .to_owned(),
        )
        .await?;
        m.create_table(
            list_table(
                Medications::Table,
                Medications::Id,
                Medications::OrganizationId,
                Medications::PersonId,
            )
            .col(string_len(Medications::Name, 200))
            .col(string_len_null(Medications::Instructions, 500))
            .col(date(Medications::StartedOn))
            .to_owned(),
        )
        .await?;
        m.create_table(
            list_table(
                Problems::Table,
                Problems::Id,
                Problems::OrganizationId,
                Problems::PersonId,
            )
            .col(string_len(Problems::Name, 200))
            .col(string_len_null(Problems::Code, 32))
            .col(date(Problems::NotedOn))
            .to_owned(),
        )
        .await?;
        m.create_table(
            list_table(
                HealthAlerts::Table,
                HealthAlerts::Id,
                HealthAlerts::OrganizationId,
                HealthAlerts::PersonId,
            )
            .col(string_len(HealthAlerts::Topic, 200))
            .col(string_len(HealthAlerts::Detail, 500))
            .col(date_null(HealthAlerts::DueOn))
            .to_owned(),
        )
        .await?;
        m.create_table(
            list_table(
                CorrectionReports::Table,
                CorrectionReports::Id,
                CorrectionReports::OrganizationId,
                CorrectionReports::PersonId,
            )
            .col(string_len(CorrectionReports::Area, 32))
            .col(integer_null(CorrectionReports::Item))
            .col(string_len(CorrectionReports::ItemLabel, 300))
            .col(string_len(CorrectionReports::Note, 2000))
            .col(string_len(CorrectionReports::Status, 16))
            .col(integer(CorrectionReports::ReportedByAccountId))
            .col(timestamp_with_time_zone(CorrectionReports::CreatedAt))
            .col(string_len_null(CorrectionReports::Answer, 2000))
            .col(timestamp_with_time_zone_null(CorrectionReports::ClosedAt))
            .col(integer_null(CorrectionReports::ClosedByStaffId))
            .foreign_key(
                ForeignKey::create()
                    .from(
                        CorrectionReports::Table,
                        CorrectionReports::ReportedByAccountId,
                    )
                    .to(PortalAccounts::Table, PortalAccounts::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(CorrectionReports::Table, CorrectionReports::ClosedByStaffId)
                    .to(Staff::Table, Staff::Id),
            )
            .check(Expr::col(CorrectionReports::Status).is_in(["open", "closed"]))
            .check(
                Expr::col(CorrectionReports::Status)
                    .eq("open")
                    .or(Expr::col(CorrectionReports::ClosedAt).is_not_null()),
            )
            .to_owned(),
        )
        .await?;
        for (name, table) in [
            ("idx_immunizations_person", "immunizations"),
            ("idx_allergies_person", "allergies"),
            ("idx_medications_person", "medications"),
            ("idx_problems_person", "problems"),
            ("idx_health_alerts_person", "health_alerts"),
            ("idx_correction_reports_person", "correction_reports"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Alias::new(table))
                    .col(Alias::new("person_id"))
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_correction_reports_queue")
                .table(CorrectionReports::Table)
                .col(CorrectionReports::OrganizationId)
                .col(CorrectionReports::Status)
                .col(CorrectionReports::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "correction_reports",
            "health_alerts",
            "problems",
            "medications",
            "allergies",
            "immunizations",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
