//! Secrets live in their own directory (`secrets_dir`), never in the repository or the database.
//! Missing keys are generated on first run with owner-only permissions; existing keys are read
//! and checked, never overwritten.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Secrets {
    /// Signs session identifiers and other server-issued tokens.
    pub session_key: [u8; 64],
    pub ssn_encryption_key: [u8; 32],
    pub ssn_lookup_key: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot use the secrets directory {path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "the key file {0} is damaged (expected base64 of the right length); restore it from backup"
    )]
    Damaged(PathBuf),
}

impl Secrets {
    pub fn load_or_create(dir: &Path) -> Result<Self, SecretsError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |cause| SecretsError::Io { path, cause }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
        }
        Ok(Self {
            session_key: key(&dir.join("session.key"))?,
            ssn_encryption_key: key(&dir.join("ssn-encryption.key"))?,
            ssn_lookup_key: key(&dir.join("ssn-lookup.key"))?,
        })
    }
}

fn key<const N: usize>(path: &Path) -> Result<[u8; N], SecretsError> {
    let io = |cause| SecretsError::Io {
        path: path.to_owned(),
        cause,
    };
    match fs::read_to_string(path) {
        Ok(text) => STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
            .ok_or_else(|| SecretsError::Damaged(path.to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; N];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path).map_err(io)?;
            writeln!(file, "{}", STANDARD.encode(bytes)).map_err(io)?;
            file.sync_all().map_err(io)?;
            tracing::info!(path = %path.display(), "generated a new key");
            Ok(bytes)
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_generated_once_then_read_back_unchanged() {
        let dir = std::env::temp_dir().join(format!("portal-secrets-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let first = Secrets::load_or_create(&dir).unwrap();
        let second = Secrets::load_or_create(&dir).unwrap();
        assert_eq!(first.ssn_encryption_key, second.ssn_encryption_key);
        assert_ne!(first.ssn_encryption_key, first.ssn_lookup_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join("session.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(dir.join("ssn-lookup.key"), "not base64!").unwrap();
        assert!(matches!(
            Secrets::load_or_create(&dir),
            Err(SecretsError::Damaged(_))
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
