use sea_orm::entity::prelude::*;

/// An allergy or intolerance on a person's record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allergies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    pub substance: String,
    pub reaction: Option<String>,
    pub severity: Option<String>,
    pub recorded_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
