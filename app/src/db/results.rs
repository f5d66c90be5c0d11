//! Test results in the database: recording them, what a patient sees (released results only,
//! as `domain::results::Release` says, written here as a query so that a page of a long
//! history is read from the index), one component's history, the clinicians' queue and the
//! provider's release, and the emails due for released results. Nothing here authorizes.

use super::entities::{patient, result_component, test_result, test_type};
use crate::domain::results::{ReleaseRule, TrendPoint, thin_trend};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};

/// The results a patient sees at `now`: released by a provider, or (unless they wait for their
/// clinician) past their automatic release. The query form of `Release::visible`.
fn visible(now: DateTime<Utc>, waits_for_clinician: bool) -> Condition {
    let by_provider = Condition::all()
        .add(test_result::Column::ReleasedAt.is_not_null())
        .add(test_result::Column::ReleasedAt.lte(now));
    let mut any = Condition::any().add(by_provider);
    if !waits_for_clinician {
        any = any.add(
            Condition::all()
                .add(test_result::Column::AutomaticReleaseAt.is_not_null())
                .add(test_result::Column::AutomaticReleaseAt.lte(now)),
        );
    }
    any
}

pub async fn create_test_type<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    name: &str,
    rule: ReleaseRule,
) -> Result<test_type::Model, DbErr> {
    test_type::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name.to_owned()),
        release_rule: Set(rule.as_str().to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// One component to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComponent {
    pub code: String,
    pub name: String,
    pub value_number: Option<f64>,
    pub value_text: Option<String>,
    pub unit: Option<String>,
    pub range_low: Option<f64>,
    pub range_high: Option<f64>,
    pub range_text: Option<String>,
    pub flag: Option<String>,
}

/// A result to record. Its automatic release is worked out by the caller
/// (`domain::results::automatic_release_at`) from the policy in force.
pub struct NewResult {
    pub organization_id: i32,
    pub person_id: i32,
    pub test_type_id: i32,
    pub ordered_by: String,
    pub collected_at: DateTime<Utc>,
    pub resulted_at: DateTime<Utc>,
    pub automatic_release_at: Option<DateTime<Utc>>,
    /// Already told (results recorded as history, such as the demo's); `None` for new ones.
    pub notified_at: Option<DateTime<Utc>>,
    pub components: Vec<NewComponent>,
}

/// Records a result and its components, all or nothing (in the caller's transaction, if any).
/// The record's results version moves only if the patient sees the result at once (released
/// automatically by `now`, and they do not wait for their clinician): a result not yet shown
/// must change nothing a patient can notice, not even how fast a kept history answers. It is
/// shown later by a release (which moves the version) or at its automatic release instant
/// (which [`automatic_release_between`] finds).
pub async fn record_result<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    new: NewResult,
    now: DateTime<Utc>,
) -> Result<test_result::Model, DbErr> {
    use sea_orm::TransactionSession;
    use sea_orm::sea_query::ExprTrait;
    let shown_at_once = new.automatic_release_at.is_some_and(|at| at <= now);
    let txn = db.begin().await?;
    let db = &txn;
    let result = test_result::ActiveModel {
        organization_id: Set(new.organization_id),
        person_id: Set(new.person_id),
        test_type_id: Set(new.test_type_id),
        ordered_by: Set(new.ordered_by),
        collected_at: Set(new.collected_at),
        resulted_at: Set(new.resulted_at),
        automatic_release_at: Set(new.automatic_release_at),
        released_at: Set(None),
        released_by_staff_id: Set(None),
        notified_at: Set(new.notified_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let rows: Vec<_> = new
        .components
        .into_iter()
        .enumerate()
        .map(|(i, c)| result_component::ActiveModel {
            result_id: Set(result.id),
            person_id: Set(result.person_id),
            code: Set(c.code),
            name: Set(c.name),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            value_number: Set(c.value_number),
            value_text: Set(c.value_text),
            unit: Set(c.unit),
            range_low: Set(c.range_low),
            range_high: Set(c.range_high),
            range_text: Set(c.range_text),
            flag: Set(c.flag),
            resulted_at: Set(result.resulted_at),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        result_component::Entity::insert_many(rows).exec(db).await?;
    }
    if shown_at_once {
        results_changed(
            db,
            result.organization_id,
            patient::Column::PersonId
                .eq(result.person_id)
                .and(patient::Column::ResultsWaitForClinician.eq(false)),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(result)
}

/// Moves the record's [`patient::Model::results_version`] on: its results changed (in the
/// transaction that changed them). `person` picks the record's person.
async fn results_changed<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person: sea_orm::sea_query::SimpleExpr,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::ExprTrait;
    patient::Entity::update_many()
        .col_expr(
            patient::Column::ResultsVersion,
            Expr::col(patient::Column::ResultsVersion).add(1),
        )
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .filter(person)
        .exec(db)
        .await?;
    Ok(())
}

async fn test_names<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, String>, DbErr> {
    let ids: HashSet<i32> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(test_type::Entity::find()
        .filter(test_type::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect())
}

/// A result in a list: its test's name and whether the lab flagged any value.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct ResultSummary {
    pub id: i32,
    pub resulted_at: DateTime<Utc>,
    pub test: String,
    pub flagged: bool,
}

/// A page of the results `person` sees at `now`, newest first, and whether there are more:
/// one query, from the index on (person, resulted).
pub async fn visible_results<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<ResultSummary>, bool), DbErr> {
    use sea_orm::JoinType;
    use sea_orm::sea_query::{ExprTrait, Query};
    let flagged = Query::select()
        .expr(Expr::val(1))
        .from(result_component::Entity)
        .and_where(
            Expr::col((result_component::Entity, result_component::Column::ResultId))
                .equals((test_result::Entity, test_result::Column::Id)),
        )
        .and_where(result_component::Column::Flag.is_not_null())
        .to_owned();
    let mut rows = test_result::Entity::find()
        .select_only()
        .column(test_result::Column::Id)
        .column(test_result::Column::ResultedAt)
        .column_as(test_type::Column::Name, "test")
        .column_as(Expr::exists(flagged), "flagged")
        .join(
            JoinType::InnerJoin,
            test_result::Entity::belongs_to(test_type::Entity)
                .from(test_result::Column::TestTypeId)
                .to(test_type::Column::Id)
                .into(),
        )
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(test_result::Column::PersonId.eq(person_id))
        .filter(visible(now, waits_for_clinician))
        .order_by_desc(test_result::Column::ResultedAt)
        .order_by_desc(test_result::Column::Id)
        .offset(page * per_page)
        .limit(per_page + 1)
        .into_model::<ResultSummary>()
        .all(db)
        .await?;
    let more = rows.len() as u64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// A result with its components, in order.
#[derive(Debug, Clone)]
pub struct ResultDetail {
    pub result: test_result::Model,
    pub test: String,
    pub components: Vec<result_component::Model>,
}

/// Result `id` of `person`, if they see it at `now` (none for anyone else's, or one not yet
/// released).
pub async fn visible_result<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    id: i32,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
) -> Result<Option<ResultDetail>, DbErr> {
    let Some(result) = test_result::Entity::find_by_id(id)
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(test_result::Column::PersonId.eq(person_id))
        .filter(visible(now, waits_for_clinician))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    detail(db, result).await.map(Some)
}

async fn detail<C: ConnectionTrait>(
    db: &C,
    result: test_result::Model,
) -> Result<ResultDetail, DbErr> {
    let components = result_component::Entity::find()
        .filter(result_component::Column::ResultId.eq(result.id))
        .order_by_asc(result_component::Column::Position)
        .all(db)
        .await?;
    let test = test_type::Entity::find_by_id(result.test_type_id)
        .one(db)
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    Ok(ResultDetail {
        result,
        test,
        components,
    })
}

/// The components `code` of the results `person` sees at `now`.
fn visible_components(
    organization_id: i32,
    person_id: i32,
    code: &str,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
) -> sea_orm::Select<result_component::Entity> {
    result_component::Entity::find()
        .inner_join(test_result::Entity)
        .filter(result_component::Column::PersonId.eq(person_id))
        .filter(result_component::Column::Code.eq(code))
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(visible(now, waits_for_clinician))
}

/// The code of component `id`, if it is `person`'s and in a result they see at `now`.
pub async fn visible_component_code<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    id: i32,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    result_component::Entity::find_by_id(id)
        .inner_join(test_result::Entity)
        .select_only()
        .column(result_component::Column::Code)
        .filter(result_component::Column::PersonId.eq(person_id))
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(visible(now, waits_for_clinician))
        .into_tuple()
        .one(db)
        .await
}

/// Every value of component `code` in the results `person` sees at `now`, oldest first: when
/// it was resulted and its number (none for a value in words). Only these two columns, so
/// that a history of thousands of values is a quick read.
pub async fn component_values<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    code: &str,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Option<f64>)>, DbErr> {
    visible_components(organization_id, person_id, code, waits_for_clinician, now)
        .select_only()
        .column(result_component::Column::ResultedAt)
        .column(result_component::Column::ValueNumber)
        .order_by_asc(result_component::Column::ResultedAt)
        .order_by_asc(result_component::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Every value of one component a person sees, as its history page needs them.
#[derive(Debug, Clone)]
pub struct History {
    /// How many values (numbers and words).
    pub count: usize,
    /// The newest values, newest first (at least one): the first gives the component's name,
    /// unit and reference range.
    pub newest: Vec<result_component::Model>,
    /// The numbers' first and last instants, and the numbers thinned for drawing.
    pub span: Option<(i64, i64)>,
    pub drawn: Vec<TrendPoint>,
}

/// The history of component `code` in the results `person` sees at `now`, its numbers thinned
/// to `buckets` (see [`thin_trend`]) and its `newest` values in full; none when they see no
/// value of it.
#[allow(clippy::too_many_arguments)]
pub async fn history<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    code: &str,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
    buckets: usize,
    newest: u64,
) -> Result<Option<History>, DbErr> {
    let newest = component_page(
        db,
        organization_id,
        person_id,
        code,
        waits_for_clinician,
        now,
        0,
        newest.max(1),
    )
    .await?;
    if newest.is_empty() {
        return Ok(None);
    }
    let values = component_values(
        db,
        organization_id,
        person_id,
        code,
        waits_for_clinician,
        now,
    )
    .await?;
    let points: Vec<TrendPoint> = values
        .iter()
        .filter_map(|(at, value)| {
            Some(TrendPoint {
                at: at.timestamp(),
                value: value.filter(|v| v.is_finite())?,
            })
        })
        .collect();
    Ok(Some(History {
        count: values.len(),
        newest,
        span: points.first().zip(points.last()).map(|(a, b)| (a.at, b.at)),
        drawn: thin_trend(&points, buckets),
    }))
}

/// Component `code` of the results `person` sees at `now`, newest first: `limit` of them after
/// the first `skip`.
#[allow(clippy::too_many_arguments)]
pub async fn component_page<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    code: &str,
    waits_for_clinician: bool,
    now: DateTime<Utc>,
    skip: u64,
    limit: u64,
) -> Result<Vec<result_component::Model>, DbErr> {
    visible_components(organization_id, person_id, code, waits_for_clinician, now)
        .order_by_desc(result_component::Column::ResultedAt)
        .order_by_desc(result_component::Column::Id)
        .offset(skip)
        .limit(limit)
        .all(db)
        .await
}

/// Whether one of `person`'s results was released automatically after `since` and by `now`:
/// what was worked out from their results at `since` no longer holds (a release by a provider
/// moves [`patient::Model::results_version`] instead). One index probe.
pub async fn automatic_release_between<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(test_result::Entity::find()
        .select_only()
        .column(test_result::Column::Id)
        .filter(test_result::Column::PersonId.eq(person_id))
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(test_result::Column::AutomaticReleaseAt.gt(since))
        .filter(test_result::Column::AutomaticReleaseAt.lte(now))
        .into_tuple::<i32>()
        .one(db)
        .await?
        .is_some())
}

/// Whether the person's record says to wait for their clinician.
pub fn waits_for_clinician(record: &patient::Model) -> bool {
    record.results_wait_for_clinician
}

pub async fn set_wait_for_clinician<C: ConnectionTrait>(
    db: &C,
    patient_id: i32,
    wait: bool,
) -> Result<(), DbErr> {
    patient::Entity::update_many()
        .col_expr(patient::Column::ResultsWaitForClinician, Expr::value(wait))
        .filter(patient::Column::Id.eq(patient_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// A result waiting for a clinician, with whose it is.
#[derive(Debug, Clone)]
pub struct PendingResult {
    pub result: test_result::Model,
    pub test: String,
    /// The patient waits for their clinician: only a release shows it.
    pub patient_waits: bool,
}

/// The people of the organization who wait for their clinician before results show.
fn waiting_patients(organization_id: i32) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(patient::Column::PersonId)
        .from(patient::Entity)
        .and_where(patient::Column::OrganizationId.eq(organization_id))
        .and_where(patient::Column::ResultsWaitForClinician.eq(true))
        .to_owned()
}

/// The results of the organization that no provider has released and that their patient does
/// not see yet at `now` (not past their automatic release, or the patient waits for their
/// clinician), oldest first.
pub async fn pending_results<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<PendingResult>, DbErr> {
    let rows = test_result::Entity::find()
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(test_result::Column::ReleasedAt.is_null())
        .filter(
            Condition::any()
                .add(test_result::Column::AutomaticReleaseAt.is_null())
                .add(test_result::Column::AutomaticReleaseAt.gt(now))
                .add(test_result::Column::PersonId.in_subquery(waiting_patients(organization_id))),
        )
        .order_by_asc(test_result::Column::ResultedAt)
        .order_by_asc(test_result::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let names = test_names(db, rows.iter().map(|r| r.test_type_id)).await?;
    let waiting: HashSet<i32> = if rows.is_empty() {
        HashSet::new()
    } else {
        patient::Entity::find()
            .select_only()
            .column(patient::Column::PersonId)
            .filter(patient::Column::OrganizationId.eq(organization_id))
            .filter(patient::Column::ResultsWaitForClinician.eq(true))
            .filter(patient::Column::PersonId.is_in(rows.iter().map(|r| r.person_id)))
            .into_tuple::<i32>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|result| PendingResult {
            test: names.get(&result.test_type_id).cloned().unwrap_or_default(),
            patient_waits: waiting.contains(&result.person_id),
            result,
        })
        .collect())
}

/// Result `id` of the organization, whoever's it is (the clinicians' queue).
pub async fn result_of_organization<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
) -> Result<Option<ResultDetail>, DbErr> {
    let Some(result) = test_result::Entity::find_by_id(id)
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    detail(db, result).await.map(Some)
}

/// Releases a result now: true when this call did it (a result is released once). The first
/// statement of the release's transaction.
pub async fn release<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
    staff_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = test_result::Entity::update_many()
        .col_expr(test_result::Column::ReleasedAt, Expr::value(now))
        .col_expr(
            test_result::Column::ReleasedByStaffId,
            Expr::value(staff_id),
        )
        .filter(test_result::Column::Id.eq(id))
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(test_result::Column::ReleasedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    let person = sea_orm::sea_query::Query::select()
        .column(test_result::Column::PersonId)
        .from(test_result::Entity)
        .and_where(test_result::Column::Id.eq(id))
        .to_owned();
    results_changed(
        db,
        organization_id,
        patient::Column::PersonId.in_subquery(person),
    )
    .await?;
    Ok(true)
}

/// Results visible to their patient by `now` whose email has not gone out: at most `limit`,
/// oldest first. Those who wait for their clinician count only what a provider released.
pub async fn due_notifications<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<test_result::Model>, DbErr> {
    let waiting = waiting_patients(organization_id);
    let released = Condition::any()
        .add(
            Condition::all()
                .add(test_result::Column::ReleasedAt.is_not_null())
                .add(test_result::Column::ReleasedAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(test_result::Column::AutomaticReleaseAt.is_not_null())
                .add(test_result::Column::AutomaticReleaseAt.lte(now))
                .add(test_result::Column::PersonId.not_in_subquery(waiting)),
        );
    test_result::Entity::find()
        .filter(test_result::Column::OrganizationId.eq(organization_id))
        .filter(test_result::Column::NotifiedAt.is_null())
        .filter(released)
        .order_by_asc(test_result::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Marks a result's email as sent: true when this call did it (so one instance sends it).
pub async fn mark_notified<C: ConnectionTrait>(
    db: &C,
    id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = test_result::Entity::update_many()
        .col_expr(test_result::Column::NotifiedAt, Expr::value(now))
        .filter(test_result::Column::Id.eq(id))
        .filter(test_result::Column::NotifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
