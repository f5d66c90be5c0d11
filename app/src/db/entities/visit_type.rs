use sea_orm::entity::prelude::*;

/// A kind of visit, and what it says about booking and cancelling online (C1, C2).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visit_types")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub department_id: i32,
    pub name: String,
    pub minutes: i32,
    pub self_schedulable: bool,
    pub caregivers: i32,
    /// Hours before the start an online cancellation must come; `None`: never online.
    pub cancel_notice_hours: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
