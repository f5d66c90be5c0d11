//! Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane,
//! which are the argon2 crate's defaults). Hashing is slow on purpose, so callers on the async
//! runtime run it on a blocking thread.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Only an out-of-range parameter set can fail, and ours are constants.
        .expect("argon2 parameters are valid")
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("riverbend 2026");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("riverbend 2026", &hash));
        assert!(!verify_password("riverbend 2027", &hash));
        assert!(!verify_password("riverbend 2026", "not a hash"));
    }
}
