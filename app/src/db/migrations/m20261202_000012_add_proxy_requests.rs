//! Proxy requests (issue 14, P1, P2, P7): a grant starts as a request. Each requester files
//! their own from their account (`requested_by_person_id`), or staff enter a paper form. An
//! adult asking for another adult's record waits for that adult's consent (`consented_at`);
//! then staff verify the requester's identity and approve or deny with a note. Only approved
//! grants give access. Rows from before this migration were made by staff: approved.

use super::m20261125_000001_create_core_model::Relationships;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Request {
    Status,
    RequestedByPersonId,
    ConsentedAt,
    IdentityVerified,
    DecidedByStaffId,
    DecidedAt,
    DecisionNote,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_len(Request::Status, 24)
                .default("approved")
                .to_owned(),
            integer_null(Request::RequestedByPersonId),
            timestamp_with_time_zone_null(Request::ConsentedAt),
            boolean(Request::IdentityVerified).default(false).to_owned(),
            integer_null(Request::DecidedByStaffId),
            timestamp_with_time_zone_null(Request::DecidedAt),
            string_len_null(Request::DecisionNote, 500),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Relationships::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        // The desk's queue.
        m.create_index(
            Index::create()
                .name("idx_relationship_status")
                .table(Relationships::Table)
                .col(Relationships::OrganizationId)
                .col(Request::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Before this migration every row was a grant: requests that are not approved must not
        // become grants when the status goes.
        let db = m.get_connection();
        db.execute_unprepared(
            "DELETE FROM transition_notices WHERE relationship_id IN \
             (SELECT id FROM relationships WHERE status <> 'approved')",
        )
        .await?;
        db.execute_unprepared("DELETE FROM relationships WHERE status <> 'approved'")
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_relationship_status")
                .table(Relationships::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            Request::Status,
            Request::RequestedByPersonId,
            Request::ConsentedAt,
            Request::IdentityVerified,
            Request::DecidedByStaffId,
            Request::DecidedAt,
            Request::DecisionNote,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Relationships::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
