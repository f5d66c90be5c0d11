//! The read-only lists of a person's record (immunizations, allergies, medications, problems,
//! health topic alerts) and the reports of incorrect information (C4): the patient's reports,
//! the staff queue, and the answer that closes one. Nothing here authorizes.

use super::entities::{
    allergy, correction_report, health_alert, immunization, medication, problem,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub async fn immunizations_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<immunization::Model>, DbErr> {
    immunization::Entity::find()
        .filter(immunization::Column::OrganizationId.eq(organization_id))
        .filter(immunization::Column::PersonId.eq(person_id))
        .order_by_desc(immunization::Column::GivenOn)
        .order_by_asc(immunization::Column::Vaccine)
        .all(db)
        .await
}

pub async fn allergies_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<allergy::Model>, DbErr> {
    allergy::Entity::find()
        .filter(allergy::Column::OrganizationId.eq(organization_id))
        .filter(allergy::Column::PersonId.eq(person_id))
        .order_by_asc(allergy::Column::Substance)
        .all(db)
        .await
}

pub async fn medications_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<medication::Model>, DbErr> {
    medication::Entity::find()
        .filter(medication::Column::OrganizationId.eq(organization_id))
        .filter(medication::Column::PersonId.eq(person_id))
        .order_by_asc(medication::Column::Name)
        .all(db)
        .await
}

pub async fn problems_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<problem::Model>, DbErr> {
    problem::Entity::find()
        .filter(problem::Column::OrganizationId.eq(organization_id))
        .filter(problem::Column::PersonId.eq(person_id))
        .order_by_asc(problem::Column::Name)
        .all(db)
        .await
}

/// The person's alerts, soonest due first (those without a day last).
pub async fn alerts_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<health_alert::Model>, DbErr> {
    let mut rows = health_alert::Entity::find()
        .filter(health_alert::Column::OrganizationId.eq(organization_id))
        .filter(health_alert::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    rows.sort_by_key(|a| (a.due_on.is_none(), a.due_on, a.id));
    Ok(rows)
}

/// Items of each list, to create (demo data and tests).
pub async fn add_immunization<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    vaccine: &str,
    code: Option<&str>,
    dose: Option<&str>,
    given_on: NaiveDate,
) -> Result<immunization::Model, DbErr> {
    immunization::ActiveModel {
        organization_id: Set(organization_id),
        person_id: Set(person_id),
        vaccine: Set(vaccine.to_owned()),
        code: Set(code.map(str::to_owned)),
        dose: Set(dose.map(str::to_owned)),
        given_on: Set(given_on),
        given_by: Set(Some("Riverbend Family Medicine".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn add_allergy<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    substance: &str,
    reaction: Option<&str>,
    severity: Option<&str>,
    recorded_on: NaiveDate,
) -> Result<allergy::Model, DbErr> {
    allergy::ActiveModel {
        organization_id: Set(organization_id),
        person_id: Set(person_id),
        substance: Set(substance.to_owned()),
        reaction: Set(reaction.map(str::to_owned)),
        severity: Set(severity.map(str::to_owned)),
        recorded_on: Set(recorded_on),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn add_medication<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    name: &str,
    instructions: Option<&str>,
    started_on: NaiveDate,
) -> Result<medication::Model, DbErr> {
    medication::ActiveModel {
        organization_id: Set(organization_id),
        person_id: Set(person_id),
        name: Set(name.to_owned()),
        instructions: Set(instructions.map(str::to_owned)),
        started_on: Set(started_on),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn add_problem<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    name: &str,
    noted_on: NaiveDate,
) -> Result<problem::Model, DbErr> {
    problem::ActiveModel {
        organization_id: Set(organization_id),
        person_id: Set(person_id),
        name: Set(name.to_owned()),
        code: Set(None),
        noted_on: Set(noted_on),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn add_alert<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    topic: &str,
    detail: &str,
    due_on: Option<NaiveDate>,
) -> Result<health_alert::Model, DbErr> {
    health_alert::ActiveModel {
        organization_id: Set(organization_id),
        person_id: Set(person_id),
        topic: Set(topic.to_owned()),
        detail: Set(detail.to_owned()),
        due_on: Set(due_on),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

/// A report to record.
pub struct NewReport {
    pub organization_id: i32,
    pub person_id: i32,
    pub area: String,
    pub item: Option<i32>,
    pub item_label: String,
    pub note: String,
    pub reported_by_account_id: i32,
}

pub async fn create_report<C: ConnectionTrait>(
    db: &C,
    new: NewReport,
    now: DateTime<Utc>,
) -> Result<correction_report::Model, DbErr> {
    correction_report::ActiveModel {
        organization_id: Set(new.organization_id),
        person_id: Set(new.person_id),
        area: Set(new.area),
        item: Set(new.item),
        item_label: Set(new.item_label),
        note: Set(new.note),
        status: Set(OPEN.to_owned()),
        reported_by_account_id: Set(new.reported_by_account_id),
        created_at: Set(now),
        answer: Set(None),
        closed_at: Set(None),
        closed_by_staff_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// How many reports the account sent since `since` (a daily limit).
pub async fn reports_since<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    correction_report::Entity::find()
        .filter(correction_report::Column::ReportedByAccountId.eq(account_id))
        .filter(correction_report::Column::CreatedAt.gte(since))
        .count(db)
        .await
}

/// The person's reports, newest first.
pub async fn reports_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<correction_report::Model>, DbErr> {
    correction_report::Entity::find()
        .filter(correction_report::Column::OrganizationId.eq(organization_id))
        .filter(correction_report::Column::PersonId.eq(person_id))
        .order_by_desc(correction_report::Column::CreatedAt)
        .order_by_desc(correction_report::Column::Id)
        .limit(100)
        .all(db)
        .await
}

/// The organization's open reports, oldest first.
pub async fn open_reports<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    limit: u64,
) -> Result<Vec<correction_report::Model>, DbErr> {
    correction_report::Entity::find()
        .filter(correction_report::Column::OrganizationId.eq(organization_id))
        .filter(correction_report::Column::Status.eq(OPEN))
        .order_by_asc(correction_report::Column::CreatedAt)
        .order_by_asc(correction_report::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn report_of_organization<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
) -> Result<Option<correction_report::Model>, DbErr> {
    correction_report::Entity::find_by_id(id)
        .filter(correction_report::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Answers and closes an open report: true when this call did it. The first statement of the
/// answer's transaction.
pub async fn close_report<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
    staff_id: i32,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = correction_report::Entity::update_many()
        .col_expr(correction_report::Column::Status, Expr::value(CLOSED))
        .col_expr(correction_report::Column::Answer, Expr::value(answer))
        .col_expr(correction_report::Column::ClosedAt, Expr::value(now))
        .col_expr(
            correction_report::Column::ClosedByStaffId,
            Expr::value(staff_id),
        )
        .filter(correction_report::Column::Id.eq(id))
        .filter(correction_report::Column::OrganizationId.eq(organization_id))
        .filter(correction_report::Column::Status.eq(OPEN))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
