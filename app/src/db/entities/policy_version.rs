use sea_orm::entity::prelude::*;

/// One version of an organization's policy, in force from `effective_from` (a day in the
/// organization's zone) until the next version's (see [`crate::domain::access::PolicyHistory`]).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub effective_from: Date,
    /// The [`crate::domain::policy::OrganizationPolicy`] as JSON.
    pub policy_json: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
