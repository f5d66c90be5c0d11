use sea_orm::entity::prelude::*;

/// A person's record at one organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub organization_id: i32,
    pub medical_record_number: String,
    /// O1: consent to share with the organization's affiliates.
    pub shares_with_affiliates: bool,
    pub created_at: DateTimeUtc,
    /// C3: the patient sees only results a provider has released.
    pub results_wait_for_clinician: bool,
    /// C6: which emails about new information the patient gets.
    pub email_results: bool,
    pub email_appointments: bool,
    pub email_reports: bool,
    /// Goes up whenever the record's results change (one recorded or released).
    pub results_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
