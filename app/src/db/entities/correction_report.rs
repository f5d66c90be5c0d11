use sea_orm::entity::prelude::*;

/// A patient's report that something in their record is wrong (C4), and the clinic's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "correction_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    /// The area of the record (`Area::as_str`).
    pub area: String,
    /// The item's id in its list, if it is one.
    pub item: Option<i32>,
    /// What the item was, in words, as the patient saw it.
    pub item_label: String,
    pub note: String,
    /// `open` or `closed`.
    pub status: String,
    pub reported_by_account_id: i32,
    pub created_at: DateTimeUtc,
    pub answer: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by_staff_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
