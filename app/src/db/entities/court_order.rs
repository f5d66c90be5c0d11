use sea_orm::entity::prelude::*;

/// A court order sent with an online legal-guardian request, sealed (see the vault).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "court_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub relationship_id: i32,
    /// Random, unguessable: what the desk's download asks for.
    pub key: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sealed: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
