//! Secrets live in their own directory (`secrets_dir`), never in the repository or the database.
//! Missing keys are generated on first run with owner-only permissions; existing keys are read
//! and checked, never overwritten. A key file others can read is refused, and so is making new
//! keys for a database that already holds data sealed with the old ones (new keys would make
//! every sealed SSN unreadable).

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
    #[error(
        "the key file {path} can be read by other users (mode {mode:o}); make it readable by the portal's user only: chmod 600 {path}"
    )]
    Readable { path: PathBuf, mode: u32 },
    #[error(
        "the key file {0} is missing, but the database holds data sealed with the keys it belongs with; restore the secrets directory from backup (new keys would make every sealed SSN unreadable)"
    )]
    MissingForSealedData(PathBuf),
}

impl Secrets {
    /// Reads the keys in `dir`, making any that are missing unless `sealed_data_exists`.
    pub fn load_or_create(dir: &Path, sealed_data_exists: bool) -> Result<Self, SecretsError> {
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
        let paths = ["session.key", "ssn-encryption.key", "ssn-lookup.key"].map(|f| dir.join(f));
        if sealed_data_exists && let Some(missing) = paths.iter().find(|p| !p.exists()) {
            return Err(SecretsError::MissingForSealedData(missing.clone()));
        }
        let [session, encryption, lookup] = &paths;
        Ok(Self {
            session_key: key(session)?,
            ssn_encryption_key: key(encryption)?,
            ssn_lookup_key: key(lookup)?,
        })
    }
}

fn key<const N: usize>(path: &Path) -> Result<[u8; N], SecretsError> {
    let io = |cause| SecretsError::Io {
        path: path.to_owned(),
        cause,
    };
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretsError::Readable {
                path: path.to_owned(),
                mode,
            });
        }
    }
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
        let first = Secrets::load_or_create(&dir, false).unwrap();
        let second = Secrets::load_or_create(&dir, true).unwrap();
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
            Secrets::load_or_create(&dir, true),
            Err(SecretsError::Damaged(_))
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("portal-secrets-mode-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        Secrets::load_or_create(&dir, false).unwrap();
        let key = dir.join("ssn-encryption.key");
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let message = Secrets::load_or_create(&dir, true).unwrap_err().to_string();
        assert!(message.contains("chmod 600"), "{message}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_new_keys_are_made_for_a_database_with_sealed_data() {
        let dir = std::env::temp_dir().join(format!("portal-secrets-lost-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        Secrets::load_or_create(&dir, false).unwrap();
        fs::remove_file(dir.join("ssn-encryption.key")).unwrap();
        let message = Secrets::load_or_create(&dir, true).unwrap_err().to_string();
        assert!(
            message.contains("missing") && message.contains("restore the secrets directory"),
            "{message}"
        );
        assert!(!dir.join("ssn-encryption.key").exists(), "nothing was made");
        // An empty database may get new keys.
        Secrets::load_or_create(&dir, false).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
