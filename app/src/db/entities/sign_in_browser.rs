use sea_orm::entity::prelude::*;

/// A browser on which an account has signed in. Failed sign-ins from it are counted here, apart
/// from those of browsers the account has never used, so that strangers guessing the password
/// cannot lock the owner out of their own browser (OWASP's device cookies).
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_browsers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub token_hash: String,
    pub failed_sign_ins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub last_sign_in_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInBrowser")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
