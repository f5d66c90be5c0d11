use sea_orm::entity::prelude::*;

/// A human being, whether or not they have a record or an account anywhere.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address_line: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// AES-256-GCM sealed SSN (nonce followed by ciphertext); see [`crate::db::vault`].
    pub ssn_ciphertext: Option<Vec<u8>>,
    /// Keyed hash of the SSN, to find a person by SSN without decrypting every row.
    pub ssn_lookup: Option<String>,
    pub ssn_last_four: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

// Written by hand so that a person logged by mistake shows no health or identity data.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
