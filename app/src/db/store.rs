//! Store functions: the only code that writes the core tables. Each takes any connection, so a
//! caller can run several in one transaction.

use super::entities::{
    organization, organization_affiliation, patient, person, policy_version, relationship, staff,
};
use super::vault::SsnVault;
use crate::domain::access::{PolicyHistory, PolicyVersion};
use crate::domain::policy::OrganizationPolicy;
use crate::domain::relationship::RelationshipKind;
use crate::domain::ssn::Ssn;
use crate::domain::staff::{StaffRole, StaffUsername};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
}

/// The organization this deployment serves, as configured.
#[derive(Debug, Clone)]
pub struct OrganizationSpec {
    pub slug: String,
    pub name: String,
    pub portal_name: String,
    pub time_zone: Tz,
}

/// Creates the configured organization on first start, and afterwards keeps its names and time
/// zone in step with the configuration. Its policy is left as stored.
pub async fn ensure_organization<C: ConnectionTrait>(
    db: &C,
    spec: &OrganizationSpec,
    now: DateTime<Utc>,
) -> Result<organization::Model, DbErr> {
    match organization_by_slug(db, &spec.slug).await? {
        Some(existing)
            if existing.name == spec.name
                && existing.portal_name == spec.portal_name
                && existing.time_zone == spec.time_zone.name() =>
        {
            Ok(existing)
        }
        Some(existing) => {
            let mut row: organization::ActiveModel = existing.into();
            row.name = Set(spec.name.clone());
            row.portal_name = Set(spec.portal_name.clone());
            row.time_zone = Set(spec.time_zone.name().to_owned());
            row.update(db).await
        }
        None => {
            let org = organization::ActiveModel {
                slug: Set(spec.slug.clone()),
                name: Set(spec.name.clone()),
                portal_name: Set(spec.portal_name.clone()),
                time_zone: Set(spec.time_zone.name().to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            // The rules' values, in force since the beginning until someone changes them.
            set_policy_version(
                db,
                org.id,
                since_the_beginning(),
                &OrganizationPolicy::default(),
                now,
            )
            .await?;
            Ok(org)
        }
    }
}

pub async fn organization_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<organization::Model>, DbErr> {
    organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await
}

pub async fn organization_by_id<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> Result<Option<organization::Model>, DbErr> {
    organization::Entity::find_by_id(id).one(db).await
}

/// The organization's policy history (P6), oldest version first. A stored version that does not
/// read as a policy is an error, not a default: the portal must not guess the rules.
pub async fn policy_history<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
) -> Result<PolicyHistory, StoreError> {
    let rows = policy_version::Entity::find()
        .filter(policy_version::Column::OrganizationId.eq(organization_id))
        .order_by_asc(policy_version::Column::EffectiveFrom)
        .all(db)
        .await?;
    let versions = rows
        .into_iter()
        .map(|row| {
            OrganizationPolicy::from_json(&row.policy_json)
                .map(|policy| PolicyVersion {
                    effective_from: row.effective_from,
                    policy,
                })
                .map_err(|e| StoreError::Conflict(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    PolicyHistory::new(versions).map_err(|e| StoreError::Conflict(e.to_string()))
}

/// The day a version in force since the beginning is stored with.
pub fn since_the_beginning() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Makes `policy` the version in force from `effective_from` (replacing a version of that very
/// day, if there is one); versions of other days stay as they are.
pub async fn set_policy_version<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    effective_from: NaiveDate,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let existing = policy_version::Entity::find()
        .filter(policy_version::Column::OrganizationId.eq(organization_id))
        .filter(policy_version::Column::EffectiveFrom.eq(effective_from))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut row: policy_version::ActiveModel = row.into();
            row.policy_json = Set(policy.to_json());
            row.update(db).await.map(|_| ())
        }
        None => policy_version::ActiveModel {
            organization_id: Set(organization_id),
            effective_from: Set(effective_from),
            policy_json: Set(policy.to_json()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .map(|_| ()),
    }
}

pub async fn affiliate<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    affiliate_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    organization_affiliation::ActiveModel {
        organization_id: Set(organization_id),
        affiliate_id: Set(affiliate_id),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// A person as registered by staff or loaded by the demo. Names and contact details are plain
/// text; the SSN, when known, is sealed by the vault before it reaches the database.
#[derive(Clone)]
pub struct NewPerson {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address_line: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub ssn: Option<Ssn>,
}

pub async fn create_person<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    new: NewPerson,
    now: DateTime<Utc>,
) -> Result<person::Model, DbErr> {
    let sealed = new.ssn.as_ref().map(|ssn| vault.seal(ssn));
    person::ActiveModel {
        given_name: Set(new.given_name),
        family_name: Set(new.family_name),
        date_of_birth: Set(new.date_of_birth),
        email: Set(new.email),
        phone: Set(new.phone),
        address_line: Set(new.address_line),
        city: Set(new.city),
        region: Set(new.region),
        postal_code: Set(new.postal_code),
        ssn_ciphertext: Set(sealed.as_ref().map(|s| s.ciphertext.clone())),
        ssn_lookup: Set(sealed.as_ref().map(|s| s.lookup.clone())),
        ssn_last_four: Set(sealed.map(|s| s.last_four)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// People whose SSN is `ssn` (normally one), found through the keyed lookup hash.
pub async fn people_with_ssn<C: ConnectionTrait>(
    db: &C,
    vault: &SsnVault,
    ssn: &Ssn,
) -> Result<Vec<person::Model>, DbErr> {
    person::Entity::find()
        .filter(person::Column::SsnLookup.eq(vault.lookup(ssn)))
        .all(db)
        .await
}

pub async fn create_patient<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    organization_id: i32,
    medical_record_number: &str,
    shares_with_affiliates: bool,
    now: DateTime<Utc>,
) -> Result<patient::Model, StoreError> {
    let taken = patient::Entity::find()
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .filter(patient::Column::MedicalRecordNumber.eq(medical_record_number))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(StoreError::Conflict(format!(
            "medical record number {medical_record_number} is already in use"
        )));
    }
    Ok(patient::ActiveModel {
        person_id: Set(person_id),
        organization_id: Set(organization_id),
        medical_record_number: Set(medical_record_number.to_owned()),
        shares_with_affiliates: Set(shares_with_affiliates),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn patient_by_mrn<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    medical_record_number: &str,
) -> Result<Option<patient::Model>, DbErr> {
    patient::Entity::find()
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .filter(patient::Column::MedicalRecordNumber.eq(medical_record_number.trim()))
        .one(db)
        .await
}

/// The person's patient record at the organization, if they have one.
pub async fn patient_of_person<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    person_id: i32,
) -> Result<Option<patient::Model>, DbErr> {
    patient::Entity::find()
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .filter(patient::Column::PersonId.eq(person_id))
        .one(db)
        .await
}

/// The organization's highest record number, if it has any patients: the longest, then the
/// greatest (so RB100010 comes after RB100009, and after RB99999). Call it inside the
/// transaction that registers, after [`lock_registrations`].
pub async fn highest_record_number<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
) -> Result<Option<String>, DbErr> {
    use sea_orm::sea_query::{Expr, Func};
    Ok(patient::Entity::find()
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .order_by_desc(Expr::expr(Func::char_length(Expr::col(
            patient::Column::MedicalRecordNumber,
        ))))
        .order_by_desc(patient::Column::MedicalRecordNumber)
        .one(db)
        .await?
        .map(|p| p.medical_record_number))
}

/// Makes the transaction `db` the only one registering patients for the organization until it
/// ends: a write to the organization's row, first thing in the transaction, takes the row's lock
/// on PostgreSQL and the write lock on SQLite. Duplicate checks after it see every earlier
/// registration.
pub async fn lock_registrations<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    organization::Entity::update_many()
        .col_expr(
            organization::Column::Id,
            Expr::col(organization::Column::Id),
        )
        .filter(organization::Column::Id.eq(organization_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Makes the transaction `db` the only one issuing codes or emails to this person until it ends
/// (the same way as [`lock_registrations`], on the person's row): what it reads after this, the
/// person's live codes or the emails sent today, includes what every earlier transaction wrote.
pub async fn lock_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    person::Entity::update_many()
        .col_expr(person::Column::Id, Expr::col(person::Column::Id))
        .filter(person::Column::Id.eq(person_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The organization's patients with this family name (any case) and date of birth, with their
/// person records, at most `limit`, in two queries whatever the number found.
pub async fn patients_by_name_and_birth<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    family_name: &str,
    date_of_birth: NaiveDate,
    limit: u64,
) -> Result<Vec<(patient::Model, person::Model)>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
    let patients_here = Query::select()
        .column(patient::Column::PersonId)
        .from(patient::Entity)
        .and_where(Expr::col(patient::Column::OrganizationId).eq(organization_id))
        .to_owned();
    let people = person::Entity::find()
        .filter(person::Column::DateOfBirth.eq(date_of_birth))
        .filter(
            Expr::expr(Func::lower(Expr::col(person::Column::FamilyName)))
                .eq(family_name.trim().to_lowercase()),
        )
        .filter(person::Column::Id.in_subquery(patients_here))
        .order_by_asc(person::Column::GivenName)
        .limit(limit)
        .all(db)
        .await?;
    let patients = patient::Entity::find()
        .filter(patient::Column::OrganizationId.eq(organization_id))
        .filter(patient::Column::PersonId.is_in(people.iter().map(|p| p.id)))
        .all(db)
        .await?;
    Ok(people
        .into_iter()
        .filter_map(|person| {
            patients
                .iter()
                .find(|p| p.person_id == person.id)
                .map(|patient| (patient.clone(), person))
        })
        .collect())
}

pub struct NewStaff {
    pub organization_id: i32,
    pub username: StaffUsername,
    pub display_name: String,
    pub role: StaffRole,
    pub password_hash: String,
}

pub async fn create_staff<C: ConnectionTrait>(
    db: &C,
    new: NewStaff,
    now: DateTime<Utc>,
) -> Result<staff::Model, StoreError> {
    if staff_by_username(db, &new.username).await?.is_some() {
        return Err(StoreError::Conflict(format!(
            "a staff member with the username \"{}\" already exists",
            new.username.as_str()
        )));
    }
    Ok(staff::ActiveModel {
        organization_id: Set(new.organization_id),
        username: Set(new.username.as_str().to_owned()),
        display_name: Set(new.display_name),
        role: Set(new.role.as_str().to_owned()),
        password_hash: Set(new.password_hash),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn staff_by_username<C: ConnectionTrait>(
    db: &C,
    username: &StaffUsername,
) -> Result<Option<staff::Model>, DbErr> {
    staff::Entity::find()
        .filter(staff::Column::Username.eq(username.as_str()))
        .one(db)
        .await
}

pub struct NewRelationship {
    pub organization_id: i32,
    pub person_id: i32,
    pub subject_person_id: i32,
    pub kind: RelationshipKind,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

pub async fn create_relationship<C: ConnectionTrait>(
    db: &C,
    new: NewRelationship,
    now: DateTime<Utc>,
) -> Result<relationship::Model, DbErr> {
    relationship::ActiveModel {
        organization_id: Set(new.organization_id),
        person_id: Set(new.person_id),
        subject_person_id: Set(new.subject_person_id),
        kind: Set(new.kind.as_str().to_owned()),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn count_people<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    person::Entity::find().count(db).await
}

/// Whether anything in the database was sealed with the vault's keys (SSNs, authenticator
/// secrets, waiting mail and enrolment requests): then new keys must not be made.
pub async fn holds_sealed_data<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    use super::entities::{enrolment_request, mail_message, portal_account, staff};
    Ok(person::Entity::find()
        .filter(person::Column::SsnCiphertext.is_not_null())
        .count(db)
        .await?
        > 0
        || portal_account::Entity::find()
            .filter(portal_account::Column::TotpSecretSealed.is_not_null())
            .count(db)
            .await?
            > 0
        || staff::Entity::find()
            .filter(staff::Column::TotpSecretSealed.is_not_null())
            .count(db)
            .await?
            > 0
        || mail_message::Entity::find()
            .filter(mail_message::Column::BodySealed.is_not_null())
            .count(db)
            .await?
            > 0
        || enrolment_request::Entity::find().count(db).await? > 0)
}
