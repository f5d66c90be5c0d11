use sea_orm::entity::prelude::*;

/// A person's sign-in at an organization (A3: the portal ID never changes once chosen).
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "portal_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub organization_id: i32,
    pub portal_id: String,
    #[sea_orm(unique)]
    pub portal_id_key: String,
    pub password_hash: String,
    pub reset_question: String,
    pub reset_answer_hash: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub last_sign_in_at: Option<DateTimeUtc>,
    /// Failed sign-ins since the last success; drives progressive lockout.
    pub failed_sign_ins: i32,
    pub locked_until: Option<DateTimeUtc>,
    /// The authenticator-app secret, sealed (see [`crate::db::vault`]).
    pub totp_secret_sealed: Option<Vec<u8>>,
    pub totp_confirmed_at: Option<DateTimeUtc>,
    pub totp_last_step: Option<i64>,
}

// Never print hashes or the portal ID (A4: known only to the patient).
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalAccount")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
