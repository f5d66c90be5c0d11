//! Sealing sensitive identifiers at rest (A8). An SSN is stored three ways: encrypted with
//! AES-256-GCM (to show it back, which nothing does yet), as a keyed HMAC-SHA256 (to find a person
//! by SSN without decrypting every row, A6/A7), and as its last four digits (what the UI shows).
//! Both keys come from the secrets directory and never from the database.

use crate::domain::ssn::Ssn;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const FORMAT_V1: u8 = 1;
const AAD: &[u8] = b"portal:ssn:v1";
const SECRET_AAD: &[u8] = b"portal:secret:v1";

fn document_aad(key: &str) -> Vec<u8> {
    format!("portal:document:v1:{key}").into_bytes()
}

#[derive(Clone)]
pub struct SsnVault {
    cipher: Aes256Gcm,
    lookup_key: [u8; 32],
}

/// What is stored for one SSN.
pub struct SealedSsn {
    pub ciphertext: Vec<u8>,
    pub lookup: String,
    pub last_four: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the sealed value is damaged or was sealed with another key")]
    CannotOpen,
}

impl std::fmt::Debug for SsnVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SsnVault(..)")
    }
}

impl SsnVault {
    pub fn new(encryption_key: [u8; 32], lookup_key: [u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&encryption_key)),
            lookup_key,
        }
    }

    pub fn seal(&self, ssn: &Ssn) -> SealedSsn {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let digits = ssn.digits();
        // Encrypting a 9-byte message with a fresh nonce cannot fail.
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: digits.as_bytes(),
                    aad: AAD,
                },
            )
            .unwrap_or_default();
        let mut ciphertext = Vec::with_capacity(1 + nonce.len() + sealed.len());
        ciphertext.push(FORMAT_V1);
        ciphertext.extend_from_slice(&nonce);
        ciphertext.extend_from_slice(&sealed);
        SealedSsn {
            ciphertext,
            lookup: self.lookup(ssn),
            last_four: ssn.last_four(),
        }
    }

    pub fn open(&self, ciphertext: &[u8]) -> Result<Ssn, VaultError> {
        let (&version, rest) = ciphertext.split_first().ok_or(VaultError::CannotOpen)?;
        if version != FORMAT_V1 || rest.len() < 12 {
            return Err(VaultError::CannotOpen);
        }
        let (nonce, sealed) = rest.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: AAD,
                },
            )
            .map_err(|_| VaultError::CannotOpen)?;
        let text = String::from_utf8(plain).map_err(|_| VaultError::CannotOpen)?;
        Ssn::parse(&text).map_err(|_| VaultError::CannotOpen)
    }

    /// Seals another secret (an authenticator-app key) with the same key, labelled so that it
    /// can never be opened as an SSN.
    pub fn seal_secret(&self, secret: &[u8]) -> Vec<u8> {
        self.seal_with(SECRET_AAD, secret)
    }

    pub fn open_secret(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        self.open_with(SECRET_AAD, sealed)
    }

    /// Seals a document (a court order) under its row's random key, so that it opens only as
    /// that document: one row's sealed bytes copied into another's do not open.
    pub fn seal_document(&self, key: &str, document: &[u8]) -> Vec<u8> {
        self.seal_with(&document_aad(key), document)
    }

    pub fn open_document(&self, key: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        self.open_with(&document_aad(key), sealed)
    }

    fn seal_with(&self, aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encrypting with a fresh nonce fails only for messages of 64 GB.
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg, aad })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + nonce.len() + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    fn open_with(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let (&version, rest) = sealed.split_first().ok_or(VaultError::CannotOpen)?;
        if version != FORMAT_V1 || rest.len() < 12 {
            return Err(VaultError::CannotOpen);
        }
        let (nonce, body) = rest.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| VaultError::CannotOpen)
    }

    /// The keyed hash under which a person is found by SSN.
    pub fn lookup(&self, ssn: &Ssn) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key)
            .expect("HMAC accepts any key length");
        mac.update(ssn.digits().as_bytes());
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

    fn vault(seed: u8) -> SsnVault {
        SsnVault::new([seed; 32], [seed.wrapping_add(1); 32])
    }

    #[test]
    fn a8_a_sealed_ssn_opens_with_its_key_and_holds_no_digits_in_clear() {
        let ssn = Ssn::parse("123-45-6789").unwrap();
        let sealed = vault(7).seal(&ssn);
        assert_eq!(vault(7).open(&sealed.ciphertext).unwrap(), ssn);
        assert_eq!(sealed.last_four, "6789");
        assert!(!sealed.ciphertext.windows(9).any(|w| w == b"123456789"));
        assert!(!sealed.lookup.contains("123456789"));
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts_but_the_same_lookup() {
        let ssn = Ssn::parse("123-45-6789").unwrap();
        let (a, b) = (vault(7).seal(&ssn), vault(7).seal(&ssn));
        assert_ne!(a.ciphertext, b.ciphertext);
        assert_eq!(a.lookup, b.lookup);
        assert_ne!(
            a.lookup,
            vault(9).lookup(&ssn),
            "the lookup hash depends on the key"
        );
    }

    #[test]
    fn a_sealed_secret_opens_as_itself_and_never_as_an_ssn() {
        let sealed = vault(7).seal_secret(b"authenticator key");
        assert_eq!(vault(7).open_secret(&sealed).unwrap(), b"authenticator key");
        assert!(vault(7).open(&sealed).is_err());
        assert!(vault(8).open_secret(&sealed).is_err());
    }

    #[test]
    fn a_sealed_document_opens_only_under_its_own_row_key() {
        let sealed = vault(7).seal_document("k1", b"%PDF-1.7 order");
        assert_eq!(
            vault(7).open_document("k1", &sealed).unwrap(),
            b"%PDF-1.7 order"
        );
        assert!(vault(7).open_document("k2", &sealed).is_err());
        assert!(vault(7).open_secret(&sealed).is_err());
        assert!(vault(8).open_document("k1", &sealed).is_err());
        assert!(!sealed.windows(4).any(|w| w == b"%PDF"));
    }

    #[test]
    fn a_ciphertext_does_not_open_with_another_key_or_when_tampered_with() {
        let sealed = vault(7).seal(&Ssn::parse("123-45-6789").unwrap());
        assert!(vault(8).open(&sealed.ciphertext).is_err());
        let mut tampered = sealed.ciphertext.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(vault(7).open(&tampered).is_err());
        assert!(vault(7).open(&[]).is_err());
    }
}
