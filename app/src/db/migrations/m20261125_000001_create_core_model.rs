//! The core model the features build on. People are not accounts: a person (demographics, SSN
//! sealed at rest) exists before any account; a patient is a person's record at one
//! organization; a portal account belongs to a person at an organization; relationships say who
//! acts for whom; staff work for an organization; the audit log records what happened.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Organizations {
    Table,
    Id,
    Slug,
    Name,
    PortalName,
    TimeZone,
    PolicyJson,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum OrganizationAffiliations {
    Table,
    OrganizationId,
    AffiliateId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum People {
    Table,
    Id,
    GivenName,
    FamilyName,
    DateOfBirth,
    Email,
    Phone,
    AddressLine,
    City,
    Region,
    PostalCode,
    SsnCiphertext,
    SsnLookup,
    SsnLastFour,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Patients {
    Table,
    Id,
    PersonId,
    OrganizationId,
    MedicalRecordNumber,
    SharesWithAffiliates,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum PortalAccounts {
    Table,
    Id,
    PersonId,
    OrganizationId,
    PortalId,
    PortalIdKey,
    PasswordHash,
    ResetQuestion,
    ResetAnswerHash,
    Status,
    CreatedAt,
    LastSignInAt,
}

#[derive(DeriveIden)]
pub enum Staff {
    Table,
    Id,
    OrganizationId,
    Username,
    DisplayName,
    Role,
    PasswordHash,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Relationships {
    Table,
    Id,
    OrganizationId,
    PersonId,
    SubjectPersonId,
    Kind,
    StartsOn,
    EndsOn,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum AuditLog {
    Table,
    Id,
    OccurredAt,
    OrganizationId,
    ActorKind,
    ActorId,
    SubjectPersonId,
    Action,
    Outcome,
    SourceIp,
    RequestId,
    Detail,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organizations::Table)
                .col(pk_auto(Organizations::Id))
                .col(string_len_uniq(Organizations::Slug, 64))
                .col(string_len(Organizations::Name, 200))
                .col(string_len(Organizations::PortalName, 200))
                .col(string_len(Organizations::TimeZone, 64))
                .col(text(Organizations::PolicyJson))
                .col(timestamp_with_time_zone(Organizations::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OrganizationAffiliations::Table)
                .col(integer(OrganizationAffiliations::OrganizationId))
                .col(integer(OrganizationAffiliations::AffiliateId))
                .col(timestamp_with_time_zone(
                    OrganizationAffiliations::CreatedAt,
                ))
                .primary_key(
                    Index::create()
                        .col(OrganizationAffiliations::OrganizationId)
                        .col(OrganizationAffiliations::AffiliateId),
                )
                .foreign_key(&mut fk(
                    "fk_affiliation_organization",
                    (
                        OrganizationAffiliations::Table,
                        OrganizationAffiliations::OrganizationId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_affiliation_affiliate",
                    (
                        OrganizationAffiliations::Table,
                        OrganizationAffiliations::AffiliateId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .check(
                    Expr::col(OrganizationAffiliations::OrganizationId)
                        .ne(Expr::col(OrganizationAffiliations::AffiliateId)),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(People::Table)
                .col(pk_auto(People::Id))
                .col(string_len(People::GivenName, 100))
                .col(string_len(People::FamilyName, 100))
                .col(date(People::DateOfBirth))
                .col(string_len_null(People::Email, 254))
                .col(string_len_null(People::Phone, 32))
                .col(string_len_null(People::AddressLine, 200))
                .col(string_len_null(People::City, 100))
                .col(string_len_null(People::Region, 100))
                .col(string_len_null(People::PostalCode, 20))
                .col(blob_null(People::SsnCiphertext))
                .col(string_len_null(People::SsnLookup, 64))
                .col(string_len_null(People::SsnLastFour, 4))
                .col(timestamp_with_time_zone(People::CreatedAt))
                .col(timestamp_with_time_zone(People::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_people_ssn_lookup")
                .table(People::Table)
                .col(People::SsnLookup)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_people_name_dob")
                .table(People::Table)
                .col(People::FamilyName)
                .col(People::DateOfBirth)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Patients::Table)
                .col(pk_auto(Patients::Id))
                .col(integer(Patients::PersonId))
                .col(integer(Patients::OrganizationId))
                .col(string_len(Patients::MedicalRecordNumber, 32))
                .col(boolean(Patients::SharesWithAffiliates).default(false))
                .col(timestamp_with_time_zone(Patients::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_patient_person",
                    (Patients::Table, Patients::PersonId),
                    (People::Table, People::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_patient_organization",
                    (Patients::Table, Patients::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_patient_mrn")
                .table(Patients::Table)
                .col(Patients::OrganizationId)
                .col(Patients::MedicalRecordNumber)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_patient_person_organization")
                .table(Patients::Table)
                .col(Patients::PersonId)
                .col(Patients::OrganizationId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PortalAccounts::Table)
                .col(pk_auto(PortalAccounts::Id))
                .col(integer(PortalAccounts::PersonId))
                .col(integer(PortalAccounts::OrganizationId))
                .col(string_len(PortalAccounts::PortalId, 64))
                // A3: unique case-insensitively, on both databases, through a lower-cased key.
                .col(string_len_uniq(PortalAccounts::PortalIdKey, 64))
                .col(string_len(PortalAccounts::PasswordHash, 256))
                .col(string_len(PortalAccounts::ResetQuestion, 200))
                .col(string_len(PortalAccounts::ResetAnswerHash, 256))
                .col(string_len(PortalAccounts::Status, 16))
                .col(timestamp_with_time_zone(PortalAccounts::CreatedAt))
                .col(timestamp_with_time_zone_null(PortalAccounts::LastSignInAt))
                .foreign_key(&mut fk(
                    "fk_account_person",
                    (PortalAccounts::Table, PortalAccounts::PersonId),
                    (People::Table, People::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_account_organization",
                    (PortalAccounts::Table, PortalAccounts::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_account_person")
                .table(PortalAccounts::Table)
                .col(PortalAccounts::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Staff::Table)
                .col(pk_auto(Staff::Id))
                .col(integer(Staff::OrganizationId))
                .col(string_len_uniq(Staff::Username, 64))
                .col(string_len(Staff::DisplayName, 200))
                .col(string_len(Staff::Role, 32))
                .col(string_len(Staff::PasswordHash, 256))
                .col(boolean(Staff::Active).default(true))
                .col(timestamp_with_time_zone(Staff::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_staff_organization",
                    (Staff::Table, Staff::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Relationships::Table)
                .col(pk_auto(Relationships::Id))
                .col(integer(Relationships::OrganizationId))
                .col(integer(Relationships::PersonId))
                .col(integer(Relationships::SubjectPersonId))
                .col(string_len(Relationships::Kind, 32))
                .col(date(Relationships::StartsOn))
                .col(date_null(Relationships::EndsOn))
                .col(timestamp_with_time_zone_null(Relationships::RevokedAt))
                .col(timestamp_with_time_zone(Relationships::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_relationship_organization",
                    (Relationships::Table, Relationships::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_relationship_person",
                    (Relationships::Table, Relationships::PersonId),
                    (People::Table, People::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_relationship_subject",
                    (Relationships::Table, Relationships::SubjectPersonId),
                    (People::Table, People::Id),
                ))
                .check(
                    Expr::col(Relationships::PersonId)
                        .ne(Expr::col(Relationships::SubjectPersonId)),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_relationship_subject")
                .table(Relationships::Table)
                .col(Relationships::SubjectPersonId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_relationship_person")
                .table(Relationships::Table)
                .col(Relationships::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::OccurredAt))
                .col(integer_null(AuditLog::OrganizationId))
                .col(string_len(AuditLog::ActorKind, 16))
                .col(integer_null(AuditLog::ActorId))
                .col(integer_null(AuditLog::SubjectPersonId))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::Outcome, 16))
                .col(string_len_null(AuditLog::SourceIp, 64))
                .col(string_len_null(AuditLog::RequestId, 64))
                .col(text(AuditLog::Detail))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_subject_time")
                .table(AuditLog::Table)
                .col(AuditLog::SubjectPersonId)
                .col(AuditLog::OccurredAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Relationships::Table.into_iden(),
            Staff::Table.into_iden(),
            PortalAccounts::Table.into_iden(),
            Patients::Table.into_iden(),
            People::Table.into_iden(),
            OrganizationAffiliations::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
