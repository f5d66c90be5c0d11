//! "Who viewed my record" (issue 14): every read or change of a person's data through the guard
//! leaves one entry here: who (a patient's account or a staff member, with the name they had
//! then), acting as what (themselves, a parent, a proxy, a staff role), which area, what they
//! did, from where and when. Entries are append-only in the database itself, like the audit log.
//!
//! Also the email changes waiting for their link to be followed (C5): a new address takes
//! effect only when the link sent to it comes back.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessLog {
    Table,
    Id,
    OrganizationId,
    SubjectPersonId,
    ViewerAccountId,
    ViewerStaffId,
    ViewerName,
    ActingAs,
    Area,
    Action,
    SourceIp,
    OccurredAt,
}

#[derive(DeriveIden)]
enum EmailChanges {
    Table,
    Id,
    PersonId,
    NewEmail,
    TokenHash,
    RequestedByAccountId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AccessLog::Table)
                .col(big_pk_auto(AccessLog::Id))
                .col(integer(AccessLog::OrganizationId))
                .col(integer(AccessLog::SubjectPersonId))
                .col(integer_null(AccessLog::ViewerAccountId))
                .col(integer_null(AccessLog::ViewerStaffId))
                .col(string_len(AccessLog::ViewerName, 200))
                .col(string_len(AccessLog::ActingAs, 32))
                .col(string_len(AccessLog::Area, 64))
                .col(string_len(AccessLog::Action, 16))
                .col(string_len_null(AccessLog::SourceIp, 64))
                .col(timestamp_with_time_zone(AccessLog::OccurredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AccessLog::Table, AccessLog::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AccessLog::Table, AccessLog::SubjectPersonId)
                        .to(People::Table, People::Id),
                )
                .check(
                    Expr::col(AccessLog::ViewerAccountId)
                        .is_not_null()
                        .or(Expr::col(AccessLog::ViewerStaffId).is_not_null()),
                )
                .to_owned(),
        )
        .await?;
        // A person's entries, newest first.
        m.create_index(
            Index::create()
                .name("idx_access_log_subject_time")
                .table(AccessLog::Table)
                .col(AccessLog::SubjectPersonId)
                .col(AccessLog::OccurredAt)
                .col(AccessLog::Id)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER access_log_no_{lower} BEFORE {op} ON access_log \
                         BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;",
                        lower = op.to_lowercase()
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql \
                     AS $$ BEGIN RAISE EXCEPTION 'the access log is append-only'; END; $$;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE \
                     ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();",
                )
                .await?;
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        }

        m.create_table(
            Table::create()
                .table(EmailChanges::Table)
                .col(pk_auto(EmailChanges::Id))
                .col(integer(EmailChanges::PersonId))
                .col(string_len(EmailChanges::NewEmail, 254))
                .col(string_len(EmailChanges::TokenHash, 64).unique_key())
                .col(integer(EmailChanges::RequestedByAccountId))
                .col(timestamp_with_time_zone(EmailChanges::CreatedAt))
                .col(timestamp_with_time_zone(EmailChanges::ExpiresAt))
                .col(timestamp_with_time_zone_null(EmailChanges::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EmailChanges::Table, EmailChanges::PersonId)
                        .to(People::Table, People::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_email_changes_person")
                .table(EmailChanges::Table)
                .col(EmailChanges::PersonId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EmailChanges::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AccessLog::Table).to_owned())
            .await?;
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS access_log_refuse_change();")
                .await?;
        }
        Ok(())
    }
}
