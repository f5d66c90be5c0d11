use sea_orm::entity::prelude::*;

/// A one-time code issued to a person: an activation code (A2) or a help-line access code (A7).
/// Only a keyed hash of the code is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_time_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    /// `activation` or `portal-id-recovery`.
    pub purpose: String,
    #[sea_orm(unique)]
    pub code_hash: String,
    /// How it was issued: `visit`, `paper`, `online` or `help-line`.
    pub route: String,
    pub issued_by_staff_id: Option<i32>,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    /// Wrong guesses (a date of birth or SSN that did not match) made with this code.
    pub failed_attempts: i32,
    /// When the code was taken out of use: replaced by a newer one, or too many wrong guesses.
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
