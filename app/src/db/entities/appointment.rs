use sea_orm::entity::prelude::*;

/// A person's appointment: booked online in an open time, or by the clinic.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// Whose appointment it is.
    pub person_id: i32,
    pub slot_id: Option<i32>,
    pub provider_id: i32,
    pub visit_type_id: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `booked` or `cancelled`.
    pub status: String,
    /// The last moment it may be cancelled online (C2); `None`: never online.
    pub cancel_until: Option<DateTimeUtc>,
    pub booked_online: bool,
    pub booked_by_account_id: Option<i32>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancelled_by_account_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
