//! Random tokens (session cookies) and the keyed hashes under which they and one-time codes are
//! stored. The key comes from the secrets directory, so a copy of the database alone cannot be
//! turned into a working session or code.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

#[derive(Clone)]
pub struct TokenHasher {
    key: [u8; 64],
}

impl std::fmt::Debug for TokenHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHasher(..)")
    }
}

impl TokenHasher {
    pub fn new(key: [u8; 64]) -> Self {
        Self { key }
    }

    /// A new random token: 256 bits, base64url.
    pub fn new_token() -> String {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// 60 random bits for a one-time code.
    pub fn new_code_bits() -> u64 {
        rand::rngs::OsRng.next_u64() & ((1 << 60) - 1)
    }

    /// The stored form of a token or code, labelled by its use so a hash of one kind can never
    /// stand for another.
    pub fn hash(&self, purpose: &str, secret: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(secret.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_the_key_the_purpose_and_the_secret() {
        let a = TokenHasher::new([1; 64]);
        let b = TokenHasher::new([2; 64]);
        assert_eq!(a.hash("session", "t"), a.hash("session", "t"));
        assert_ne!(a.hash("session", "t"), b.hash("session", "t"));
        assert_ne!(a.hash("session", "t"), a.hash("activation", "t"));
        assert_eq!(a.hash("session", "t").len(), 64);
    }

    #[test]
    fn tokens_are_long_and_different_each_time() {
        let (x, y) = (TokenHasher::new_token(), TokenHasher::new_token());
        assert_ne!(x, y);
        assert_eq!(x.len(), 43);
        assert!(TokenHasher::new_code_bits() < (1 << 60));
    }
}
