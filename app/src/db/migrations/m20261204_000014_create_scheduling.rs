//! Appointments (issue 15, C1, C2, P4): departments with the phone number patients call,
//! providers, visit types (whether patients book them online, how many caregivers they need,
//! how long before the start they may be cancelled online), the open times providers offer
//! for a visit type, and the appointments made in them.
//!
//! A time is booked once: the booking takes it with a conditional update, and a unique index
//! on the booked appointments of a time refuses a second one whatever the code does.

use super::m20261125_000001_create_core_model::{Organizations, People, PortalAccounts};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    OrganizationId,
    Name,
    Phone,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
    OrganizationId,
    DepartmentId,
    Name,
}

#[derive(DeriveIden)]
enum VisitTypes {
    Table,
    Id,
    OrganizationId,
    DepartmentId,
    Name,
    Minutes,
    SelfSchedulable,
    Caregivers,
    CancelNoticeHours,
}

#[derive(DeriveIden)]
enum Slots {
    Table,
    Id,
    OrganizationId,
    ProviderId,
    VisitTypeId,
    StartsAt,
    EndsAt,
    Taken,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
    Id,
    OrganizationId,
    PersonId,
    SlotId,
    ProviderId,
    VisitTypeId,
    StartsAt,
    EndsAt,
    Status,
    CancelUntil,
    BookedOnline,
    BookedByAccountId,
    CancelledAt,
    CancelledByAccountId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Departments::Table)
                .col(pk_auto(Departments::Id))
                .col(integer(Departments::OrganizationId))
                .col(string_len(Departments::Name, 200))
                .col(string_len(Departments::Phone, 32))
                .foreign_key(
                    ForeignKey::create()
                        .from(Departments::Table, Departments::OrganizationId)
                        .to(Organizations::Table, Organizations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Providers::Table)
                .col(pk_auto(Providers::Id))
                .col(integer(Providers::OrganizationId))
                .col(integer(Providers::DepartmentId))
                .col(string_len(Providers::Name, 200))
                .foreign_key(
                    ForeignKey::create()
                        .from(Providers::Table, Providers::DepartmentId)
                        .to(Departments::Table, Departments::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(VisitTypes::Table)
                .col(pk_auto(VisitTypes::Id))
                .col(integer(VisitTypes::OrganizationId))
                .col(integer(VisitTypes::DepartmentId))
                .col(string_len(VisitTypes::Name, 200))
                .col(integer(VisitTypes::Minutes))
                .col(boolean(VisitTypes::SelfSchedulable))
                .col(integer(VisitTypes::Caregivers).default(1))
                .col(integer_null(VisitTypes::CancelNoticeHours))
                .foreign_key(
                    ForeignKey::create()
                        .from(VisitTypes::Table, VisitTypes::DepartmentId)
                        .to(Departments::Table, Departments::Id),
                )
                .check(Expr::col(VisitTypes::Minutes).gt(0))
                .check(Expr::col(VisitTypes::Caregivers).gte(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Slots::Table)
                .col(pk_auto(Slots::Id))
                .col(integer(Slots::OrganizationId))
                .col(integer(Slots::ProviderId))
                .col(integer(Slots::VisitTypeId))
                .col(timestamp_with_time_zone(Slots::StartsAt))
                .col(timestamp_with_time_zone(Slots::EndsAt))
                .col(boolean(Slots::Taken).default(false))
                .foreign_key(
                    ForeignKey::create()
                        .from(Slots::Table, Slots::ProviderId)
                        .to(Providers::Table, Providers::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Slots::Table, Slots::VisitTypeId)
                        .to(VisitTypes::Table, VisitTypes::Id),
                )
                .to_owned(),
        )
        .await?;
        // The open times of a visit type, soonest first.
        m.create_index(
            Index::create()
                .name("idx_slots_type_start")
                .table(Slots::Table)
                .col(Slots::OrganizationId)
                .col(Slots::VisitTypeId)
                .col(Slots::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Appointments::Table)
                .col(pk_auto(Appointments::Id))
                .col(integer(Appointments::OrganizationId))
                .col(integer(Appointments::PersonId))
                .col(integer_null(Appointments::SlotId))
                .col(integer(Appointments::ProviderId))
                .col(integer(Appointments::VisitTypeId))
                .col(timestamp_with_time_zone(Appointments::StartsAt))
                .col(timestamp_with_time_zone(Appointments::EndsAt))
                .col(string_len(Appointments::Status, 16))
                .col(timestamp_with_time_zone_null(Appointments::CancelUntil))
                .col(boolean(Appointments::BookedOnline))
                .col(integer_null(Appointments::BookedByAccountId))
                .col(timestamp_with_time_zone_null(Appointments::CancelledAt))
                .col(integer_null(Appointments::CancelledByAccountId))
                .col(timestamp_with_time_zone(Appointments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Appointments::Table, Appointments::PersonId)
                        .to(People::Table, People::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Appointments::Table, Appointments::SlotId)
                        .to(Slots::Table, Slots::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Appointments::Table, Appointments::ProviderId)
                        .to(Providers::Table, Providers::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Appointments::Table, Appointments::VisitTypeId)
                        .to(VisitTypes::Table, VisitTypes::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Appointments::Table, Appointments::BookedByAccountId)
                        .to(PortalAccounts::Table, PortalAccounts::Id),
                )
                .check(Expr::col(Appointments::Status).is_in(["booked", "cancelled"]))
                .check(
                    Expr::col(Appointments::Status)
                        .eq("booked")
                        .or(Expr::col(Appointments::CancelledAt).is_not_null()),
                )
                .to_owned(),
        )
        .await?;
        // A person's appointments in time order.
        m.create_index(
            Index::create()
                .name("idx_appointments_person_start")
                .table(Appointments::Table)
                .col(Appointments::PersonId)
                .col(Appointments::StartsAt)
                .to_owned(),
        )
        .await?;
        // One booked appointment per time, on both databases (partial indexes exist in both).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_appointments_one_per_slot ON appointments (slot_id) \
                 WHERE status = 'booked'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Appointments::Table.into_iden(),
            Slots::Table.into_iden(),
            VisitTypes::Table.into_iden(),
            Providers::Table.into_iden(),
            Departments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
