use sea_orm::entity::prelude::*;

/// `person_id` stands in a relationship (parent, legal guardian, adult proxy) to
/// `subject_person_id`, from `starts_on` until `ends_on` or revocation, once approved. What
/// access that gives on a given day is the access engine's answer, not this row's.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "relationships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    pub subject_person_id: i32,
    pub kind: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// [`crate::domain::relationship::RequestStatus`]: only approved rows give access.
    pub status: String,
    /// Who filed the request from their account; `None` for a paper form staff entered.
    pub requested_by_person_id: Option<i32>,
    /// When the subject agreed (adult to adult).
    pub consented_at: Option<DateTimeUtc>,
    /// Staff checked the requester's identity before approving.
    pub identity_verified: bool,
    pub decided_by_staff_id: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    /// Why staff denied it (or a note on the approval), shown to the requester.
    pub decision_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
