use sea_orm::entity::prelude::*;

/// A change to a grant's access already announced to both sides (once per grant, kind and day).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transition_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub relationship_id: i32,
    pub kind: String,
    pub change_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
