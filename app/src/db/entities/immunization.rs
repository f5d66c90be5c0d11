use sea_orm::entity::prelude::*;

/// A vaccine given to a person.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "immunizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    pub vaccine: String,
    /// CVX code, if known.
    pub code: Option<String>,
    /// "Dose 2 of 3", "Booster".
    pub dose: Option<String>,
    pub given_on: Date,
    pub given_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
