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

/// The most password checks this machine can do in a second: one check after another on every
/// core at once, for `for_how_long`, with nothing else running. Sign-ins cannot go faster; the
/// bench compares them with it. Returns the checks per second and the cores used.
pub fn checks_per_second(for_how_long: std::time::Duration) -> (f64, usize) {
    let stored = hash_password("the hashing bound");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = std::time::Instant::now();
    let checks: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = 0u64;
                    while started.elapsed() < for_how_long {
                        assert!(verify_password("the hashing bound", &stored));
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    (checks as f64 / started.elapsed().as_secs_f64(), cores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hashing_bound_counts_checks_on_every_core() {
        let (rate, cores) = checks_per_second(std::time::Duration::from_millis(300));
        assert_eq!(cores, std::thread::available_parallelism().unwrap().get());
        // Every core finished at least one check (argon2id at these settings takes
        // milliseconds), and none was counted that did not happen.
        assert!(rate > 0.0 && rate < 100_000.0, "{rate}");
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("riverbend 2026");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("riverbend 2026", &hash));
        assert!(!verify_password("riverbend 2027", &hash));
        assert!(!verify_password("riverbend 2026", "not a hash"));
    }
}
