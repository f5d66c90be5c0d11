use sea_orm::entity::prelude::*;

/// A health problem on a person's problem list.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    pub name: String,
    /// SNOMED CT code, if known.
    pub code: Option<String>,
    pub noted_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
