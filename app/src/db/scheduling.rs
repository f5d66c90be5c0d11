//! Appointments in the database: the visit types and their departments, open times, a
//! person's appointments, and the writes that book and cancel. Nothing here authorizes or
//! decides a rule: the server functions have passed the guard and asked
//! `domain::scheduling` first. The writes begin with the statement that takes or frees a
//! time, so that on SQLite the transaction holds the write lock from its first statement
//! (a transaction that read first could not write after a concurrent one committed).

use super::entities::{appointment, department, person, provider, slot, visit_type};
use crate::domain::scheduling::VisitTypeRules;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

pub const BOOKED: &str = "booked";
pub const CANCELLED: &str = "cancelled";

/// What the domain needs of a visit type.
pub fn rules_of(t: &visit_type::Model) -> VisitTypeRules {
    VisitTypeRules {
        self_schedulable: t.self_schedulable,
        caregivers: u8::try_from(t.caregivers).unwrap_or(u8::MAX),
        cancel_notice_hours: t.cancel_notice_hours.and_then(|h| u32::try_from(h).ok()),
    }
}

/// Every visit type of the organization with its department, by name.
pub async fn visit_types<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
) -> Result<Vec<(visit_type::Model, department::Model)>, DbErr> {
    let types = visit_type::Entity::find()
        .filter(visit_type::Column::OrganizationId.eq(organization_id))
        .order_by_asc(visit_type::Column::Name)
        .all(db)
        .await?;
    let departments = by_id(
        department::Entity::find()
            .filter(department::Column::OrganizationId.eq(organization_id))
            .all(db)
            .await?,
        |d| d.id,
    );
    Ok(types
        .into_iter()
        .filter_map(|t| departments.get(&t.department_id).cloned().map(|d| (t, d)))
        .collect())
}

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> i32) -> HashMap<i32, T> {
    rows.into_iter().map(|r| (id(&r), r)).collect()
}

/// One open time, with who the visit is with.
#[derive(Debug, Clone)]
pub struct OpenTime {
    pub slot: slot::Model,
    pub provider: provider::Model,
}

/// The open times of a visit type starting after `from` and before `until`, soonest first.
pub async fn open_times<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    visit_type_id: i32,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<OpenTime>, DbErr> {
    let slots = slot::Entity::find()
        .filter(slot::Column::OrganizationId.eq(organization_id))
        .filter(slot::Column::VisitTypeId.eq(visit_type_id))
        .filter(slot::Column::StartsAt.gt(from))
        .filter(slot::Column::StartsAt.lt(until))
        .filter(slot::Column::Taken.eq(false))
        .order_by_asc(slot::Column::StartsAt)
        .order_by_asc(slot::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let providers = providers_of(db, slots.iter().map(|s| s.provider_id)).await?;
    Ok(slots
        .into_iter()
        .filter_map(|slot| {
            let provider = providers.get(&slot.provider_id)?.clone();
            Some(OpenTime { slot, provider })
        })
        .collect())
}

async fn providers_of<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, provider::Model>, DbErr> {
    let mut ids: Vec<i32> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(by_id(
        provider::Entity::find()
            .filter(provider::Column::Id.is_in(ids))
            .all(db)
            .await?,
        |p| p.id,
    ))
}

/// A time as the booking found it, with its visit type and department.
#[derive(Debug, Clone)]
pub struct TimeToBook {
    pub slot: slot::Model,
    pub visit_type: visit_type::Model,
    pub department: department::Model,
    pub provider: provider::Model,
}

/// The time `slot_id` of the organization, whether open or not.
pub async fn time_to_book<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    slot_id: i32,
) -> Result<Option<TimeToBook>, DbErr> {
    let Some(slot) = slot::Entity::find_by_id(slot_id)
        .filter(slot::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let visit_type = visit_type::Entity::find_by_id(slot.visit_type_id)
        .one(db)
        .await?;
    let provider = provider::Entity::find_by_id(slot.provider_id)
        .one(db)
        .await?;
    let (Some(visit_type), Some(provider)) = (visit_type, provider) else {
        return Ok(None);
    };
    let Some(department) = department::Entity::find_by_id(visit_type.department_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(TimeToBook {
        slot,
        visit_type,
        department,
        provider,
    }))
}

/// Takes an open time: true when this call took it, false when it was taken already. The
/// first statement of a booking's transaction.
pub async fn take_time<C: ConnectionTrait>(db: &C, slot_id: i32) -> Result<bool, DbErr> {
    let result = slot::Entity::update_many()
        .col_expr(slot::Column::Taken, Expr::value(true))
        .filter(slot::Column::Id.eq(slot_id))
        .filter(slot::Column::Taken.eq(false))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Holds the person's row until the transaction ends (PostgreSQL; SQLite's transaction holds
/// the whole database once it has written), so that two bookings for one person take turns.
pub async fn lock_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        person::Entity::find_by_id(person_id)
            .lock_exclusive()
            .one(db)
            .await?;
    }
    Ok(())
}

/// The person's booked appointment of this visit type made online and not yet begun, if any.
pub async fn upcoming_online_booking<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    visit_type_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(appointment::Column::OrganizationId.eq(organization_id))
        .filter(appointment::Column::PersonId.eq(person_id))
        .filter(appointment::Column::VisitTypeId.eq(visit_type_id))
        .filter(appointment::Column::Status.eq(BOOKED))
        .filter(appointment::Column::BookedOnline.eq(true))
        .filter(appointment::Column::StartsAt.gt(now))
        .one(db)
        .await
}

/// The person's booked appointment that overlaps `starts_at` to `ends_at`, if any (whoever
/// booked it).
pub async fn overlapping_appointment<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(appointment::Column::OrganizationId.eq(organization_id))
        .filter(appointment::Column::PersonId.eq(person_id))
        .filter(appointment::Column::Status.eq(BOOKED))
        .filter(appointment::Column::StartsAt.lt(ends_at))
        .filter(appointment::Column::EndsAt.gt(starts_at))
        .one(db)
        .await
}

/// An appointment to write.
pub struct NewAppointment {
    pub organization_id: i32,
    pub person_id: i32,
    pub slot_id: Option<i32>,
    pub provider_id: i32,
    pub visit_type_id: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cancel_until: Option<DateTime<Utc>>,
    pub booked_online: bool,
    pub booked_by_account_id: Option<i32>,
}

pub async fn insert_appointment<C: ConnectionTrait>(
    db: &C,
    new: NewAppointment,
    now: DateTime<Utc>,
) -> Result<appointment::Model, DbErr> {
    appointment::ActiveModel {
        organization_id: Set(new.organization_id),
        person_id: Set(new.person_id),
        slot_id: Set(new.slot_id),
        provider_id: Set(new.provider_id),
        visit_type_id: Set(new.visit_type_id),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        status: Set(BOOKED.to_owned()),
        cancel_until: Set(new.cancel_until),
        booked_online: Set(new.booked_online),
        booked_by_account_id: Set(new.booked_by_account_id),
        cancelled_at: Set(None),
        cancelled_by_account_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// An appointment with the names a list shows.
#[derive(Debug, Clone)]
pub struct AppointmentView {
    pub appointment: appointment::Model,
    pub visit_type: String,
    pub provider: String,
    pub department: String,
    pub phone: String,
}

/// The person's appointments at the organization, soonest first.
pub async fn appointments_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<AppointmentView>, DbErr> {
    let rows = appointment::Entity::find()
        .filter(appointment::Column::OrganizationId.eq(organization_id))
        .filter(appointment::Column::PersonId.eq(person_id))
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let providers = providers_of(db, rows.iter().map(|a| a.provider_id)).await?;
    let types: HashMap<i32, (visit_type::Model, department::Model)> =
        visit_types(db, organization_id)
            .await?
            .into_iter()
            .map(|(t, d)| (t.id, (t, d)))
            .collect();
    Ok(rows
        .into_iter()
        .filter_map(|appointment| {
            let provider = providers.get(&appointment.provider_id)?;
            let (visit_type, department) = types.get(&appointment.visit_type_id)?;
            Some(AppointmentView {
                visit_type: visit_type.name.clone(),
                provider: provider.name.clone(),
                department: department.name.clone(),
                phone: department.phone.clone(),
                appointment,
            })
        })
        .collect())
}

/// The person's appointment `id` at the organization (none for anyone else's).
pub async fn appointment_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    id: i32,
) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find_by_id(id)
        .filter(appointment::Column::OrganizationId.eq(organization_id))
        .filter(appointment::Column::PersonId.eq(person_id))
        .one(db)
        .await
}

/// Marks a booked appointment cancelled: true when this call did it. The first statement of
/// a cancellation's transaction.
pub async fn mark_cancelled<C: ConnectionTrait>(
    db: &C,
    id: i32,
    by_account_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, Expr::value(CANCELLED))
        .col_expr(appointment::Column::CancelledAt, Expr::value(now))
        .col_expr(
            appointment::Column::CancelledByAccountId,
            Expr::value(by_account_id),
        )
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::Status.eq(BOOKED))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Opens a time again for others to book, if it has not begun.
pub async fn free_time<C: ConnectionTrait>(
    db: &C,
    slot_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    slot::Entity::update_many()
        .col_expr(slot::Column::Taken, Expr::value(false))
        .filter(slot::Column::Id.eq(slot_id))
        .filter(slot::Column::StartsAt.gt(now))
        .exec(db)
        .await
        .map(|_| ())
}

/// A department, provider, visit type or time to create (demo data and tests).
pub async fn create_department<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    name: &str,
    phone: &str,
) -> Result<department::Model, DbErr> {
    department::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name.to_owned()),
        phone: Set(phone.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn create_provider<C: ConnectionTrait>(
    db: &C,
    department: &department::Model,
    name: &str,
) -> Result<provider::Model, DbErr> {
    provider::ActiveModel {
        organization_id: Set(department.organization_id),
        department_id: Set(department.id),
        name: Set(name.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn create_visit_type<C: ConnectionTrait>(
    db: &C,
    department: &department::Model,
    name: &str,
    minutes: i32,
    rules: VisitTypeRules,
) -> Result<visit_type::Model, DbErr> {
    visit_type::ActiveModel {
        organization_id: Set(department.organization_id),
        department_id: Set(department.id),
        name: Set(name.to_owned()),
        minutes: Set(minutes),
        self_schedulable: Set(rules.self_schedulable),
        caregivers: Set(i32::from(rules.caregivers)),
        cancel_notice_hours: Set(rules
            .cancel_notice_hours
            .and_then(|h| i32::try_from(h).ok())),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn create_time<C: ConnectionTrait>(
    db: &C,
    provider: &provider::Model,
    visit_type: &visit_type::Model,
    starts_at: DateTime<Utc>,
) -> Result<slot::Model, DbErr> {
    slot::ActiveModel {
        organization_id: Set(provider.organization_id),
        provider_id: Set(provider.id),
        visit_type_id: Set(visit_type.id),
        starts_at: Set(starts_at),
        ends_at: Set(starts_at + chrono::Duration::minutes(i64::from(visit_type.minutes))),
        taken: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await
}
