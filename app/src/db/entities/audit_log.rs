use sea_orm::entity::prelude::*;

/// One thing that happened: who (actor), to whose record (subject), what, when, from where.
/// `detail` is JSON with no health information or identifiers in it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub organization_id: Option<i32>,
    pub actor_kind: String,
    pub actor_id: Option<i32>,
    pub subject_person_id: Option<i32>,
    pub action: String,
    pub outcome: String,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
