use sea_orm::entity::prelude::*;

/// One read or change of a person's data through the guard ("who viewed my record"): who, acting
/// as what, which area, what they did, from where, when. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i32,
    pub subject_person_id: i32,
    pub viewer_account_id: Option<i32>,
    pub viewer_staff_id: Option<i32>,
    /// The viewer's name when they looked (a later change of name does not rewrite history).
    pub viewer_name: String,
    pub acting_as: String,
    pub area: String,
    pub action: String,
    pub source_ip: Option<String>,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
