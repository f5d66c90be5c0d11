use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    /// A [`crate::db::store::StaffRole`] in its stored form.
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// Failed sign-ins since the last success; drives progressive lockout.
    pub failed_sign_ins: i32,
    pub locked_until: Option<DateTimeUtc>,
    /// The authenticator-app secret, sealed (see [`crate::db::vault`]).
    pub totp_secret_sealed: Option<Vec<u8>>,
    pub totp_confirmed_at: Option<DateTimeUtc>,
    pub totp_last_step: Option<i64>,
    /// The keyed hash of the one-time code needed before the first authenticator is enrolled,
    /// and until when it works.
    pub setup_code_hash: Option<String>,
    pub setup_code_expires_at: Option<DateTimeUtc>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staff")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
