//! Accounts hardening: the browsers an account has signed in on (each with its own count of
//! failed sign-ins, so strangers' guesses cannot lock the owner out of their own browser), a
//! count of wrong guesses per one-time code and a mark for codes taken out of use, and unique
//! indexes that make duplicate accounts and duplicate SSNs impossible rather than merely checked.

use super::m20261125_000001_create_core_model::{Organizations, People, PortalAccounts, Staff};
use super::m20261125_000003_create_codes_and_sessions::OneTimeCodes;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum SignInBrowsers {
    Table,
    Id,
    AccountId,
    TokenHash,
    FailedSignIns,
    LockedUntil,
    CreatedAt,
    LastSignInAt,
}

/// Online enrolment requests waiting to be looked at (off the request path, so that the answer
/// takes as long whether or not the details match anyone).
#[derive(DeriveIden)]
pub enum EnrolmentRequests {
    Table,
    Id,
    OrganizationId,
    DetailsSealed,
    SourceIp,
    CreatedAt,
    ClaimedUntil,
}

/// A staff member's one-time set-up code, needed before their first authenticator is enrolled.
#[derive(DeriveIden)]
enum StaffSetUp {
    SetupCodeHash,
    SetupCodeExpiresAt,
}

#[derive(DeriveIden)]
enum CodeGuarding {
    FailedAttempts,
    WithdrawnAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SignInBrowsers::Table)
                .col(pk_auto(SignInBrowsers::Id))
                .col(integer(SignInBrowsers::AccountId))
                // The browser keeps a random token in a cookie; only its keyed hash is here. One
                // browser may be trusted by several accounts (a family computer).
                .col(string_len(SignInBrowsers::TokenHash, 64))
                .col(integer(SignInBrowsers::FailedSignIns).default(0))
                .col(timestamp_with_time_zone_null(SignInBrowsers::LockedUntil))
                .col(timestamp_with_time_zone(SignInBrowsers::CreatedAt))
                .col(timestamp_with_time_zone(SignInBrowsers::LastSignInAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sign_in_browser_account")
                        .from(SignInBrowsers::Table, SignInBrowsers::AccountId)
                        .to(PortalAccounts::Table, PortalAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_sign_in_browser_token_account")
                .table(SignInBrowsers::Table)
                .col(SignInBrowsers::TokenHash)
                .col(SignInBrowsers::AccountId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sign_in_browser_account")
                .table(SignInBrowsers::Table)
                .col(SignInBrowsers::AccountId)
                .to_owned(),
        )
        .await?;

        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_len_null(StaffSetUp::SetupCodeHash, 64),
            timestamp_with_time_zone_null(StaffSetUp::SetupCodeExpiresAt),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Staff::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [
            integer(CodeGuarding::FailedAttempts).default(0).to_owned(),
            timestamp_with_time_zone_null(CodeGuarding::WithdrawnAt),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(OneTimeCodes::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(EnrolmentRequests::Table)
                .col(pk_auto(EnrolmentRequests::Id))
                .col(integer(EnrolmentRequests::OrganizationId))
                .col(blob(EnrolmentRequests::DetailsSealed))
                .col(string_len_null(EnrolmentRequests::SourceIp, 64))
                .col(timestamp_with_time_zone(EnrolmentRequests::CreatedAt))
                .col(timestamp_with_time_zone_null(
                    EnrolmentRequests::ClaimedUntil,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enrolment_request_organization")
                        .from(EnrolmentRequests::Table, EnrolmentRequests::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .to_owned(),
        )
        .await?;

        // Rows written before these rules were enforced by the database could break them: say
        // what to fix rather than fail on the index.
        for (sql, what) in [
            (
                "SELECT person_id FROM portal_accounts GROUP BY person_id, organization_id HAVING COUNT(*) > 1",
                "a person has two portal accounts at one organization; close one of them",
            ),
            (
                "SELECT ssn_lookup FROM people WHERE ssn_lookup IS NOT NULL GROUP BY ssn_lookup HAVING COUNT(*) > 1",
                "two people share a Social Security number; merge them or correct the number",
            ),
        ] {
            let db = m.get_connection();
            let found = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await?;
            if found.is_some() {
                return Err(DbErr::Migration(format!(
                    "cannot add the accounts hardening indexes: {what}, then start the portal again"
                )));
            }
        }

        // O1: one account per person per organization, decided by the database.
        m.create_index(
            Index::create()
                .name("uq_account_person_organization")
                .table(PortalAccounts::Table)
                .col(PortalAccounts::PersonId)
                .col(PortalAccounts::OrganizationId)
                .unique()
                .to_owned(),
        )
        .await?;
        // A Social Security number belongs to one person (a person may be a patient of several
        // organizations through one row). NULLs (no SSN on file) do not collide.
        m.drop_index(
            Index::drop()
                .name("idx_people_ssn_lookup")
                .table(People::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_people_ssn_lookup")
                .table(People::Table)
                .col(People::SsnLookup)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("uq_people_ssn_lookup")
                .table(People::Table)
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
        m.drop_index(
            Index::drop()
                .name("uq_account_person_organization")
                .table(PortalAccounts::Table)
                .to_owned(),
        )
        .await?;
        for column in [StaffSetUp::SetupCodeHash, StaffSetUp::SetupCodeExpiresAt] {
            m.alter_table(
                Table::alter()
                    .table(Staff::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [CodeGuarding::FailedAttempts, CodeGuarding::WithdrawnAt] {
            m.alter_table(
                Table::alter()
                    .table(OneTimeCodes::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(EnrolmentRequests::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SignInBrowsers::Table).to_owned())
            .await
    }
}
