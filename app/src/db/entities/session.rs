use sea_orm::entity::prelude::*;

/// A signed-in browser. The cookie carries a random token; this row is keyed by its hash. Either
/// `account_id` (a patient) or `staff_id` is set, never both.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub account_id: Option<i32>,
    pub staff_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    /// The absolute end of the session, however active it is.
    pub expires_at: DateTimeUtc,
    pub second_factor_passed: bool,
    pub source_ip: Option<String>,
    /// What the browser said it was, shortened, for the signed-in devices page.
    pub device: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account_id", &self.account_id)
            .field("staff_id", &self.staff_id)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// A patient's session belongs to their account (read together by the guard: one query).
    #[sea_orm(
        belongs_to = "super::portal_account::Entity",
        from = "Column::AccountId",
        to = "super::portal_account::Column::Id"
    )]
    Account,
}

impl Related<super::portal_account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
