use sea_orm::entity::prelude::*;

/// One measured part of a result: its value, unit, reference range and the lab's flag.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "result_components")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub result_id: i32,
    /// The result's person, for one component's history from one index.
    pub person_id: i32,
    /// What is measured, the same across results ("glucose").
    pub code: String,
    pub name: String,
    pub position: i32,
    pub value_number: Option<f64>,
    pub value_text: Option<String>,
    pub unit: Option<String>,
    pub range_low: Option<f64>,
    pub range_high: Option<f64>,
    pub range_text: Option<String>,
    /// The lab's flag: `high`, `low` or `abnormal`.
    pub flag: Option<String>,
    /// The result's time, copied for the history's order.
    pub resulted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::test_result::Entity",
        from = "Column::ResultId",
        to = "super::test_result::Column::Id"
    )]
    TestResult,
}

impl Related<super::test_result::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestResult.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
