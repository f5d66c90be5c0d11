use sea_orm::entity::prelude::*;

/// One test's result for a person, with when the patient sees it (C3).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "test_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub person_id: i32,
    pub test_type_id: i32,
    /// The ordering provider, as the lab reported them.
    pub ordered_by: String,
    pub collected_at: DateTimeUtc,
    pub resulted_at: DateTimeUtc,
    /// The automatic release, fixed when recorded; `None`: only the provider releases it.
    pub automatic_release_at: Option<DateTimeUtc>,
    /// When a provider released it.
    pub released_at: Option<DateTimeUtc>,
    pub released_by_staff_id: Option<i32>,
    /// When the patient was told by email that it is there.
    pub notified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
