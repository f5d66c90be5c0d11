//! A person's record as the guard sees it: the grants between people (rows of
//! `relationships` read as the access engine's [`Grant`]s), the access log ("who viewed my
//! record"), and the personal information area's writes. Nothing here authorizes: the guard
//! (`api::guard::guarded_record`) has asked the engine first.

use super::entities::{access_entry, email_change, patient, person, relationship};
use crate::domain::access::Grant;
use crate::domain::record::{ActingAs, Area, RecordAction};
use crate::domain::relationship::RelationshipKind;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// Only approved grants give access: every read of grants for the engine filters on this.
const APPROVED: &str = "approved";

/// The engine's view of one row; `None` for a kind this version does not know.
pub fn grant_of(row: &relationship::Model) -> Option<Grant> {
    Some(Grant {
        id: i64::from(row.id),
        kind: RelationshipKind::parse(&row.kind)?,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        revoked_at: row.revoked_at,
    })
}

/// The grants from `viewer` to `subject` at the organization.
pub async fn grants_between<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    viewer_person_id: i32,
    subject_person_id: i32,
) -> Result<Vec<Grant>, DbErr> {
    Ok(
        between(organization_id, viewer_person_id, subject_person_id)
            .filter(relationship::Column::Status.eq(APPROVED))
            .all(db)
            .await?
            .iter()
            .filter_map(grant_of)
            .collect(),
    )
}

/// Every row from `viewer` to `subject` at the organization, whatever its status.
fn between(
    organization_id: i32,
    viewer_person_id: i32,
    subject_person_id: i32,
) -> sea_orm::Select<relationship::Entity> {
    relationship::Entity::find()
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::PersonId.eq(viewer_person_id))
        .filter(relationship::Column::SubjectPersonId.eq(subject_person_id))
}

/// [`grants_between`], with the rows locked until the transaction ends on PostgreSQL (SQLite
/// has one writer at a time: a transaction that read before another's write cannot write).
pub async fn grants_between_locked<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    viewer_person_id: i32,
    subject_person_id: i32,
) -> Result<Vec<Grant>, DbErr> {
    let mut query = between(organization_id, viewer_person_id, subject_person_id)
        .filter(relationship::Column::Status.eq(APPROVED));
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    Ok(query.all(db).await?.iter().filter_map(grant_of).collect())
}

/// Whose records `viewer` holds grants for (whatever they give today), with those people.
pub async fn grants_from<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    viewer_person_id: i32,
) -> Result<Vec<(relationship::Model, person::Model)>, DbErr> {
    let rows = relationship::Entity::find()
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(APPROVED))
        .filter(relationship::Column::PersonId.eq(viewer_person_id))
        .order_by_asc(relationship::Column::Id)
        .all(db)
        .await?;
    with_people(db, rows, |r| r.subject_person_id).await
}

/// Who holds grants to `subject`'s record (whatever they give today), with those people.
pub async fn grants_to<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    subject_person_id: i32,
) -> Result<Vec<(relationship::Model, person::Model)>, DbErr> {
    let rows = relationship::Entity::find()
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(APPROVED))
        .filter(relationship::Column::SubjectPersonId.eq(subject_person_id))
        .order_by_asc(relationship::Column::Id)
        .all(db)
        .await?;
    with_people(db, rows, |r| r.person_id).await
}

async fn with_people<C: ConnectionTrait>(
    db: &C,
    rows: Vec<relationship::Model>,
    whom: impl Fn(&relationship::Model) -> i32,
) -> Result<Vec<(relationship::Model, person::Model)>, DbErr> {
    let ids: Vec<i32> = rows.iter().map(&whom).collect();
    let people = people_by_ids(db, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let p = people.iter().find(|p| p.id == whom(&r))?.clone();
            Some((r, p))
        })
        .collect())
}

/// The people with these ids, in one query.
pub async fn people_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<person::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    person::Entity::find()
        .filter(person::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// A person's record at the organization, with the person: one query, as the record guard
/// reads both on every request.
pub async fn record_of_person<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Option<(patient::Model, person::Model)>, DbErr> {
    record_with_person(db, organization_id, patient::Column::PersonId.eq(person_id)).await
}

/// The record with this record number at the organization, with its person: one query, so a
/// request naming an unknown record number takes the same path as one naming a known record
/// with the wrong date of birth (their timing must not tell which it was).
pub async fn record_by_number<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    medical_record_number: &str,
) -> Result<Option<(patient::Model, person::Model)>, DbErr> {
    let number = patient::Column::MedicalRecordNumber.eq(medical_record_number.trim());
    record_with_person(db, organization_id, number).await
}

/// The one record at the organization that `condition` picks, with its person.
async fn record_with_person<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<Option<(patient::Model, person::Model)>, DbErr> {
    let found = patient::Entity::find()
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .filter(condition)
        .find_also_related(person::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(record, person)| person.map(|p| (record, p))))
}

/// One grant to `subject_person_id`'s record, by its id.
pub async fn grant_to<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    subject_person_id: i32,
    grant_id: i32,
) -> Result<Option<relationship::Model>, DbErr> {
    relationship::Entity::find_by_id(grant_id)
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(APPROVED))
        .filter(relationship::Column::SubjectPersonId.eq(subject_person_id))
        .one(db)
        .await
}

/// Revokes a grant from `at` on, unless it was revoked already (P3). Whether it was.
pub async fn revoke_grant<C: ConnectionTrait>(
    db: &C,
    grant: LiveGrant,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = grant
        .filter(relationship::Entity::update_many())
        .col_expr(relationship::Column::RevokedAt, Expr::value(at))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Moves a live grant's end to `ends_on` (an adult proxy's renewal, P2). Whether it was live.
pub async fn extend_grant<C: ConnectionTrait>(
    db: &C,
    grant: LiveGrant,
    ends_on: NaiveDate,
) -> Result<bool, DbErr> {
    let done = grant
        .filter(relationship::Entity::update_many())
        .col_expr(relationship::Column::EndsOn, Expr::value(ends_on))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An approved, unrevoked grant to a subject's record at an organization, named by its id: what
/// [`revoke_grant`] and [`extend_grant`] change, and only then, whatever their caller checked.
#[derive(Debug, Clone, Copy)]
pub struct LiveGrant {
    pub organization_id: i32,
    pub subject_person_id: i32,
    pub id: i32,
}

impl LiveGrant {
    fn filter<Q: QueryFilter>(self, query: Q) -> Q {
        query
            .filter(relationship::Column::Id.eq(self.id))
            .filter(relationship::Column::OrganizationId.eq(self.organization_id))
            .filter(relationship::Column::SubjectPersonId.eq(self.subject_person_id))
            .filter(relationship::Column::Status.eq(APPROVED))
            .filter(relationship::Column::RevokedAt.is_null())
    }
}

/// Who looked: a patient's account or a staff member, with their name then.
#[derive(Debug, Clone)]
pub enum Viewer {
    Account { id: i32, name: String },
    Staff { id: i32, name: String },
}

/// One entry of the access log, before it is written.
#[derive(Debug, Clone)]
pub struct AccessEntry {
    pub organization_id: i32,
    pub subject_person_id: i32,
    pub viewer: Viewer,
    pub acting_as: ActingAs,
    pub area: Area,
    pub action: RecordAction,
    pub source_ip: Option<String>,
}

impl AccessEntry {
    /// The same access, doing `action`.
    pub fn doing(&self, action: RecordAction) -> Self {
        Self {
            action,
            ..self.clone()
        }
    }
}

/// Appends an entry (inside the caller's transaction when there is one).
pub async fn record_access<C: ConnectionTrait>(
    db: &C,
    entry: &AccessEntry,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    access_row(entry, at).insert(db).await.map(|_| ())
}

/// Appends several entries in one statement: all of them or none.
pub async fn record_accesses<C: ConnectionTrait>(
    db: &C,
    entries: impl IntoIterator<Item = (&AccessEntry, DateTime<Utc>)>,
) -> Result<(), DbErr> {
    let rows = entries
        .into_iter()
        .map(|(entry, at)| access_row(entry, at))
        .collect::<Vec<_>>();
    if rows.is_empty() {
        return Ok(());
    }
    access_entry::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

fn access_row(entry: &AccessEntry, at: DateTime<Utc>) -> access_entry::ActiveModel {
    let (account, staff, name) = match &entry.viewer {
        Viewer::Account { id, name } => (Some(*id), None, name.clone()),
        Viewer::Staff { id, name } => (None, Some(*id), name.clone()),
    };
    access_entry::ActiveModel {
        organization_id: Set(entry.organization_id),
        subject_person_id: Set(entry.subject_person_id),
        viewer_account_id: Set(account),
        viewer_staff_id: Set(staff),
        viewer_name: Set(name.chars().take(200).collect()),
        acting_as: Set(entry.acting_as.as_str().to_owned()),
        area: Set(entry.area.as_str().to_owned()),
        action: Set(entry.action.as_str().to_owned()),
        source_ip: Set(entry.source_ip.clone()),
        occurred_at: Set(at),
        ..Default::default()
    }
}

/// One page of `subject`'s access log, newest first: `per_page` entries after skipping `page`
/// pages, and whether there are more. `leave_out_account`: the subject's own account, when they
/// chose not to see their own visits.
pub async fn access_log_page<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    subject_person_id: i32,
    leave_out_account: Option<i32>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<access_entry::Model>, bool), DbErr> {
    let mut query = access_entry::Entity::find()
        .filter(access_entry::Column::OrganizationId.eq(organization_id))
        .filter(access_entry::Column::SubjectPersonId.eq(subject_person_id));
    if let Some(account) = leave_out_account {
        query = query.filter(
            Condition::any()
                .add(access_entry::Column::ViewerAccountId.ne(account))
                .add(access_entry::Column::ViewerAccountId.is_null()),
        );
    }
    let mut rows = query
        .order_by_desc(access_entry::Column::OccurredAt)
        .order_by_desc(access_entry::Column::Id)
        .offset(page.saturating_mul(per_page))
        .limit(per_page + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// The address and phone of a person (C5); `None` clears a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDetails {
    pub address_line: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
}

pub async fn update_contact_details<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    details: ContactDetails,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    person::ActiveModel {
        id: sea_orm::Unchanged(person_id),
        address_line: Set(details.address_line),
        city: Set(details.city),
        region: Set(details.region),
        postal_code: Set(details.postal_code),
        phone: Set(details.phone),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

/// Starts an email change: withdraws the person's earlier unused ones and keeps this one until
/// `expires_at` under the keyed hash of its link's token.
pub async fn start_email_change<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    new_email: &str,
    token_hash: String,
    requested_by_account_id: i32,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    email_change::Entity::update_many()
        .col_expr(email_change::Column::UsedAt, Expr::value(now))
        .filter(email_change::Column::PersonId.eq(person_id))
        .filter(email_change::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    email_change::ActiveModel {
        person_id: Set(person_id),
        new_email: Set(new_email.to_owned()),
        token_hash: Set(token_hash),
        requested_by_account_id: Set(requested_by_account_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Follows an email change's link: if it is unused and unexpired, marks it used (one
/// conditional update, so a link followed twice at once works once) and sets the person's
/// email. The change and the address it replaced, if one took effect.
pub async fn confirm_email_change<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(email_change::Model, Option<String>)>, DbErr> {
    let Some(change) = email_change::Entity::find()
        .filter(email_change::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let taken = email_change::Entity::update_many()
        .col_expr(email_change::Column::UsedAt, Expr::value(now))
        .filter(email_change::Column::Id.eq(change.id))
        .filter(email_change::Column::UsedAt.is_null())
        .filter(email_change::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(None);
    }
    let before = person::Entity::find_by_id(change.person_id)
        .one(db)
        .await?
        .and_then(|p| p.email);
    person::ActiveModel {
        id: sea_orm::Unchanged(change.person_id),
        email: Set(Some(change.new_email.clone())),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(Some((change, before)))
}

/// How many email-change links were sent for `person_id` since `since`.
pub async fn email_changes_since<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    email_change::Entity::find()
        .filter(email_change::Column::PersonId.eq(person_id))
        .filter(email_change::Column::CreatedAt.gte(since))
        .count(db)
        .await
}

/// The email change waiting for `person_id`'s link, if any.
pub async fn pending_email_change<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<email_change::Model>, DbErr> {
    email_change::Entity::find()
        .filter(email_change::Column::PersonId.eq(person_id))
        .filter(email_change::Column::UsedAt.is_null())
        .filter(email_change::Column::ExpiresAt.gt(now))
        .order_by_desc(email_change::Column::Id)
        .one(db)
        .await
}

/// Every grant at the organization with both people (viewer, subject), for the daily job.
pub async fn all_grants<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
) -> Result<Vec<(relationship::Model, person::Model, person::Model)>, DbErr> {
    let rows = relationship::Entity::find()
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(APPROVED))
        .filter(relationship::Column::RevokedAt.is_null())
        .order_by_asc(relationship::Column::Id)
        .all(db)
        .await?;
    with_both_people(db, rows).await
}

/// Rows with both their people (the viewer or requester, then the subject), in one query.
async fn with_both_people<C: ConnectionTrait>(
    db: &C,
    rows: Vec<relationship::Model>,
) -> Result<Vec<(relationship::Model, person::Model, person::Model)>, DbErr> {
    let mut ids: Vec<i32> = rows
        .iter()
        .flat_map(|r| [r.person_id, r.subject_person_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let people = people_by_ids(db, &ids).await?;
    let find = |id: i32| people.iter().find(|p| p.id == id).cloned();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let viewer = find(r.person_id)?;
            let subject = find(r.subject_person_id)?;
            Some((r, viewer, subject))
        })
        .collect())
}

/// Claims `job` for `day` for this instance: true for the first claim of the day, false after.
pub async fn claim_job_day<C: ConnectionTrait>(
    db: &C,
    job: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use super::entities::job_claim;
    use sea_orm::sea_query::OnConflict;
    let inserted = job_claim::Entity::insert(job_claim::ActiveModel {
        job: Set(job.to_owned()),
        day: Set(day),
        claimed_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([job_claim::Column::Job, job_claim::Column::Day])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Gives up a claim (the job failed): the day may be claimed again.
pub async fn release_job_day<C: ConnectionTrait>(
    db: &C,
    job: &str,
    day: NaiveDate,
) -> Result<(), DbErr> {
    use super::entities::job_claim;
    job_claim::Entity::delete_many()
        .filter(job_claim::Column::Job.eq(job))
        .filter(job_claim::Column::Day.eq(day))
        .exec(db)
        .await
        .map(|_| ())
}

/// Records that a change of a grant was announced: true the first time, false after (the
/// unique index decides, so two instances announcing at once announce once).
pub async fn note_transition<C: ConnectionTrait>(
    db: &C,
    relationship_id: i32,
    kind: &str,
    change_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use super::entities::transition_notice;
    use sea_orm::sea_query::OnConflict;
    let inserted = transition_notice::Entity::insert(transition_notice::ActiveModel {
        relationship_id: Set(relationship_id),
        kind: Set(kind.to_owned()),
        change_on: Set(change_on),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            transition_notice::Column::RelationshipId,
            transition_notice::Column::Kind,
            transition_notice::Column::ChangeOn,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// A request as filed (P1): from `requester` (or a paper form when `None`) for `subject`.
pub struct NewRequest {
    pub organization_id: i32,
    pub person_id: i32,
    pub subject_person_id: i32,
    pub kind: crate::domain::relationship::RelationshipKind,
    pub status: crate::domain::relationship::RequestStatus,
    pub requested_by_person_id: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub identity_verified: bool,
    pub decided_by_staff_id: Option<i32>,
}

pub async fn create_request<C: ConnectionTrait>(
    db: &C,
    new: NewRequest,
    now: DateTime<Utc>,
) -> Result<relationship::Model, DbErr> {
    let decided = new.decided_by_staff_id.is_some();
    relationship::ActiveModel {
        organization_id: Set(new.organization_id),
        person_id: Set(new.person_id),
        subject_person_id: Set(new.subject_person_id),
        kind: Set(new.kind.as_str().to_owned()),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        revoked_at: Set(None),
        created_at: Set(now),
        status: Set(new.status.as_str().to_owned()),
        requested_by_person_id: Set(new.requested_by_person_id),
        consented_at: Set(None),
        identity_verified: Set(new.identity_verified),
        decided_by_staff_id: Set(new.decided_by_staff_id),
        decided_at: Set(decided.then_some(now)),
        decision_note: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Every row from `viewer` to `subject`, whatever its status.
pub async fn rows_between<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    viewer_person_id: i32,
    subject_person_id: i32,
) -> Result<Vec<relationship::Model>, DbErr> {
    between(organization_id, viewer_person_id, subject_person_id)
        .all(db)
        .await
}

/// The requests `person_id` filed that are not approved (approved ones are grants, on the
/// Records page), newest first, with their subjects.
pub async fn requests_by<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Vec<(relationship::Model, person::Model)>, DbErr> {
    let rows = relationship::Entity::find()
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::RequestedByPersonId.eq(person_id))
        .filter(relationship::Column::Status.ne(APPROVED))
        .order_by_desc(relationship::Column::Id)
        .all(db)
        .await?;
    with_people(db, rows, |r| r.subject_person_id).await
}

/// Requests with `status` at the organization (the desk's queue: oldest first) or for one
/// subject, with the requester and the subject.
pub async fn requests_with_status<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    status: crate::domain::relationship::RequestStatus,
    subject_person_id: Option<i32>,
) -> Result<Vec<(relationship::Model, person::Model, person::Model)>, DbErr> {
    let mut query = relationship::Entity::find()
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(status.as_str()));
    if let Some(subject) = subject_person_id {
        query = query.filter(relationship::Column::SubjectPersonId.eq(subject));
    }
    let rows = query
        .order_by_asc(relationship::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    with_both_people(db, rows).await
}

/// Moves a request from `from` to `to` (one conditional update: two answers at once, one wins).
/// Whether it moved.
#[allow(clippy::too_many_arguments)]
pub async fn move_request<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
    from: crate::domain::relationship::RequestStatus,
    to: crate::domain::relationship::RequestStatus,
    subject_person_id: Option<i32>,
    decision: Option<Decision>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = relationship::Entity::update_many()
        .col_expr(relationship::Column::Status, Expr::value(to.as_str()))
        .filter(relationship::Column::Id.eq(id))
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::Status.eq(from.as_str()));
    if let Some(subject) = subject_person_id {
        // The person's own answer: when they agreed, or when they said no.
        let when = if to == crate::domain::relationship::RequestStatus::Pending {
            relationship::Column::ConsentedAt
        } else {
            relationship::Column::DecidedAt
        };
        update = update
            .filter(relationship::Column::SubjectPersonId.eq(subject))
            .col_expr(when, Expr::value(now));
    }
    if let Some(d) = decision {
        update = update
            .col_expr(
                relationship::Column::DecidedByStaffId,
                Expr::value(d.staff_id),
            )
            .col_expr(relationship::Column::DecidedAt, Expr::value(now))
            .col_expr(
                relationship::Column::IdentityVerified,
                Expr::value(d.identity_verified),
            )
            .col_expr(relationship::Column::DecisionNote, Expr::value(d.note))
            .col_expr(relationship::Column::StartsOn, Expr::value(d.starts_on))
            .col_expr(relationship::Column::EndsOn, Expr::value(d.ends_on));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Takes back the subject's agreement to an adult's request the desk has not decided yet: the
/// request is declined. Whether there was one.
pub async fn withdraw_consent<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
    subject_person_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use crate::domain::relationship::{RelationshipKind, RequestStatus};
    let done = relationship::Entity::update_many()
        .col_expr(
            relationship::Column::Status,
            Expr::value(RequestStatus::Declined.as_str()),
        )
        .col_expr(relationship::Column::DecidedAt, Expr::value(now))
        .filter(relationship::Column::Id.eq(id))
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .filter(relationship::Column::SubjectPersonId.eq(subject_person_id))
        .filter(relationship::Column::Kind.eq(RelationshipKind::AdultProxy.as_str()))
        .filter(relationship::Column::Status.eq(RequestStatus::Pending.as_str()))
        .filter(relationship::Column::ConsentedAt.is_not_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What staff decided about a request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub staff_id: i32,
    pub identity_verified: bool,
    pub note: Option<String>,
    /// The grant's first day (the day of approval) and first day without access.
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// One relationship row at the organization, whatever its status.
pub async fn relationship_by_id<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    id: i32,
) -> Result<Option<relationship::Model>, DbErr> {
    relationship::Entity::find_by_id(id)
        .filter(relationship::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Which emails about new information the record's person gets (C6).
pub async fn set_email_choices<C: ConnectionTrait>(
    db: &C,
    patient_id: i32,
    choices: crate::domain::notification::EmailChoices,
) -> Result<(), DbErr> {
    patient::Entity::update_many()
        .col_expr(patient::Column::EmailResults, Expr::value(choices.results))
        .col_expr(
            patient::Column::EmailAppointments,
            Expr::value(choices.appointments),
        )
        .col_expr(patient::Column::EmailReports, Expr::value(choices.reports))
        .filter(patient::Column::Id.eq(patient_id))
        .exec(db)
        .await
        .map(|_| ())
}
