//! A signed-in patient's account security: optional 2-step verification (an authenticator app,
//! single-use recovery codes, "remember this device"), the second step of sign-in, the devices
//! signed in with sign-out of any of them, and changing the password (which ends every other
//! session). Every function here answers only about the caller's own account.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The key to add to an authenticator app: typed in (in groups of four), opened as an
/// `otpauth://` link, or scanned from the QR code of that link (SVG drawn on the server, so it
/// shows without JavaScript).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// The second step of sign-in was passed. When it took a recovery code, how many are left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStepPassed {
    pub recovery_codes_left: Option<u64>,
}

/// A browser signed in to the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInDevice {
    /// Names the session for "sign out" (a keyed hash of the cookie's token, which cannot be
    /// turned back into the token).
    pub id: String,
    pub browser: String,
    pub address: Option<String>,
    pub signed_in: String,
    pub last_active: String,
    pub this_device: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedDevice {
    pub browser: String,
    pub until: String,
}

/// Everything the security page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSecurity {
    pub two_step_on: bool,
    pub recovery_codes_left: u64,
    pub devices: Vec<SignedInDevice>,
    pub remembered: Vec<RememberedDevice>,
}

#[server(endpoint = "account/second-step")]
pub async fn verify_sign_in_code(
    code: String,
    remember_device: Option<String>,
) -> Result<SecondStepPassed, PortalError> {
    // Needs a patient session whose password step was passed.
    super::guard::guarded(super::guard::PatientSecondStep, |g| {
        server::verify_sign_in_code(g, code, remember_device.is_some())
    })
    .await
}

#[server(endpoint = "account/security", input = leptos::server_fn::codec::GetUrl)]
pub async fn security_overview() -> Result<AccountSecurity, PortalError> {
    // The signed-in patient's own account only.
    super::guard::guarded(super::guard::Patient, server::overview).await
}

#[server(endpoint = "account/two-step/begin")]
pub async fn begin_two_step() -> Result<AuthenticatorSetup, PortalError> {
    // The signed-in patient's own account only.
    super::guard::guarded(super::guard::Patient, server::begin).await
}

#[server(endpoint = "account/two-step/confirm")]
pub async fn confirm_two_step(code: String, password: String) -> Result<Vec<String>, PortalError> {
    // The signed-in patient's own account, with their password again (a stolen session must not
    // be able to tie the account to someone else's phone).
    super::guard::guarded(super::guard::Throttled(super::guard::Patient), |g| {
        server::confirm(g, code, password)
    })
    .await
}

#[server(endpoint = "account/two-step/recovery-codes")]
pub async fn new_recovery_codes(password: String) -> Result<Vec<String>, PortalError> {
    // The signed-in patient's own account, with their password again.
    super::guard::guarded(super::guard::Throttled(super::guard::Patient), |g| {
        server::new_recovery_codes(g, password)
    })
    .await
}

#[server(endpoint = "account/two-step/turn-off")]
pub async fn turn_off_two_step(password: String) -> Result<(), PortalError> {
    // The signed-in patient's own account, with their password again.
    super::guard::guarded(super::guard::Throttled(super::guard::Patient), |g| {
        server::turn_off(g, password)
    })
    .await
}

#[server(endpoint = "account/devices/sign-out")]
pub async fn sign_out_device(device: String) -> Result<(), PortalError> {
    // Only sessions of the signed-in patient's own account.
    super::guard::guarded(super::guard::Patient, |g| {
        server::sign_out_device(g, device)
    })
    .await
}

#[server(endpoint = "account/devices/sign-out-others")]
pub async fn sign_out_other_devices() -> Result<u64, PortalError> {
    // Only sessions of the signed-in patient's own account.
    super::guard::guarded(super::guard::Patient, server::sign_out_others).await
}

#[server(endpoint = "account/devices/forget")]
pub async fn forget_remembered_devices() -> Result<(), PortalError> {
    // The signed-in patient's own account only.
    super::guard::guarded(super::guard::Patient, server::forget_devices).await
}

#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), PortalError> {
    // The signed-in patient's own account, with their current password.
    super::guard::guarded(super::guard::Throttled(super::guard::Patient), |g| {
        server::change_password(g, current_password, new_password, confirm_password)
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::attempts::{self, locked_message, off_runtime, patient_bucket};
    use crate::api::guard::{Guarded, PatientSession};
    use crate::api::password_change::{PasswordChange, replace_password};
    use crate::api::request::{self, DEVICE_COOKIE, audit_event as event};
    use crate::api::second_step::{CodeUsed, authenticator_setup, use_second_step_code};
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::entities::portal_account;
    use crate::db::lockout::{self, Admission};
    use crate::db::passwords::verify_password;
    use crate::db::two_step::{self, TwoStepOwner};
    use crate::db::{accounts, sessions};
    use crate::domain::dates::date_and_time;
    use crate::domain::device::describe_browser;
    use crate::domain::password::check_password;
    use crate::domain::policy::OrganizationPolicy;
    use crate::domain::two_step::{SecondStepCode, remembered_until};
    use crate::state::AppState;
    use chrono::{DateTime, Utc};
    use rand::RngCore as _;
    use sea_orm::{ConnectionTrait, TransactionTrait};

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("security", e)
    }

    fn invalid(e: impl std::fmt::Display) -> PortalError {
        PortalError::Invalid(e.to_string())
    }

    fn owner(account: &portal_account::Model) -> TwoStepOwner {
        TwoStepOwner::Account(account.id)
    }

    async fn record(
        state: &AppState,
        db: &impl ConnectionTrait,
        account: &portal_account::Model,
        action: &'static str,
        detail: Option<serde_json::Value>,
    ) -> Result<(), PortalError> {
        let mut entry = event(state, Actor::Account(account.id), action, Outcome::Success)
            .subject(account.person_id);
        if let Some(detail) = detail {
            entry = entry.detail(detail);
        }
        audit::record(db, state.clock.now(), entry)
            .await
            .map(|_| ())
            .map_err(internal)
    }

    /// Asks for the password again before a change to how the account is protected. A wrong
    /// one counts towards lockout like a wrong sign-in.
    async fn confirm_password(
        state: &AppState,
        account: &portal_account::Model,
        password: String,
        policy: &OrganizationPolicy,
        now: DateTime<Utc>,
    ) -> Result<(), PortalError> {
        let bucket = patient_bucket(state, Some(account.id), &account.portal_id).await?;
        let admission = attempts::admit(state, bucket, policy, now).await?;
        if let Admission::Admitted { failures, .. } = admission {
            let stored = account.password_hash.clone();
            if off_runtime(move || verify_password(&password, &stored)).await? {
                // Takes back only its own count: confirming a password is not a sign-in.
                return lockout::release(&state.db, bucket, failures, 1, policy)
                    .await
                    .map_err(internal);
            }
        }
        attempts::record_failure(
            state,
            Actor::Account(account.id),
            Some(account.person_id),
            "password.confirm",
            admission,
            now,
        )
        .await?;
        Err(match admission {
            Admission::Admitted {
                locks_until: Some(until),
                ..
            }
            | Admission::Locked { until } => locked_message(state, until),
            Admission::Admitted { .. } => {
                PortalError::Invalid("That is not your current password.".into())
            }
            Admission::Missing => PortalError::SignInRequired,
        })
    }

    pub async fn verify_sign_in_code(
        g: Guarded<PatientSession>,
        code: String,
        remember: bool,
    ) -> Result<SecondStepPassed, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller: PatientSession {
                session, account, ..
            },
        } = g;
        let db = &state.db;
        if session.second_factor_passed {
            return Ok(SecondStepPassed {
                recovery_codes_left: None,
            });
        }
        if account.totp_confirmed_at.is_none() {
            return Err(PortalError::SignInRequired);
        }
        let code = SecondStepCode::parse(&code).map_err(invalid)?;
        let end_and_lock =
            async |until| attempts::end_locked_session(&state, &session.id_hash, until).await;
        // Counted in the same bucket as the password step was (this browser's, or the
        // account's for browsers it has never signed in on).
        let bucket = patient_bucket(&state, Some(account.id), &account.portal_id).await?;
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let failure = |admission| {
            attempts::record_failure(
                &state,
                Actor::Account(account.id),
                Some(account.person_id),
                "sign_in.two_step",
                admission,
                now,
            )
        };
        let (failures, locks_until) = match admission {
            Admission::Admitted {
                failures,
                locks_until,
            } => (failures, locks_until),
            Admission::Locked { until } => {
                failure(admission).await?;
                return Err(end_and_lock(until).await?);
            }
            Admission::Missing => return Err(PortalError::SignInRequired),
        };
        let txn = db.begin().await.map_err(internal)?;
        let used = use_second_step_code(
            &txn,
            &state,
            owner(&account),
            account.totp_secret_sealed.as_deref(),
            account.totp_last_step,
            &code,
            now,
        )
        .await?;
        let Some(used) = used else {
            drop(txn);
            failure(admission).await?;
            return Err(match locks_until {
                Some(until) => end_and_lock(until).await?,
                None => PortalError::Invalid(
                    "That code is not right. Enter the 6-digit code your authenticator app shows now, or an unused recovery code.".into(),
                ),
            });
        };
        lockout::release(&txn, bucket, failures, failures, &policy)
            .await
            .map_err(internal)?;
        attempts::trust_this_browser(&txn, &state, account.id, now).await?;
        sessions::mark_second_factor_passed(&txn, &session.id_hash, &policy, now)
            .await
            .map_err(internal)?;
        accounts::record_successful_sign_in(&txn, account.id, now)
            .await
            .map_err(internal)?;
        let device_token = if remember {
            let until = remembered_until(now, &policy);
            Some(
                two_step::remember_device(
                    &txn,
                    &state.tokens,
                    account.id,
                    request::device_description(),
                    now,
                    until,
                )
                .await
                .map_err(internal)?,
            )
        } else {
            None
        };
        let recovery_codes_left = match used {
            CodeUsed::Recovery => Some(
                two_step::unused_recovery_codes(&txn, owner(&account))
                    .await
                    .map_err(internal)?,
            ),
            CodeUsed::Authenticator => None,
        };
        record(
            &state,
            &txn,
            &account,
            "sign_in.two_step",
            Some(serde_json::json!({
                "method": used.as_str(),
                "remember_device": remember,
            })),
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        if let Some(token) = device_token {
            request::set_host_cookie(
                DEVICE_COOKIE,
                &token,
                i64::from(policy.remember_device_days) * 86_400,
            );
        }
        Ok(SecondStepPassed {
            recovery_codes_left,
        })
    }

    pub async fn overview(g: Guarded<PatientSession>) -> Result<AccountSecurity, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller,
        } = g;
        let (this_session, account) = (caller.session.id_hash, caller.account);
        let db = &state.db;
        let now = state.clock.now();
        let zone = state.site.time_zone;
        let local = |at: DateTime<Utc>| date_and_time(at.with_timezone(&zone).naive_local());
        let devices = sessions::sessions_of_account(db, account.id)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|s| s.second_factor_passed && s.expires_at > now)
            .map(|s| SignedInDevice {
                this_device: s.id_hash == this_session,
                browser: describe_browser(s.device.as_deref()),
                address: s.source_ip,
                signed_in: local(s.created_at),
                last_active: local(s.last_seen_at),
                id: s.id_hash,
            })
            .collect();
        // Turning 2-step verification off deletes the recovery codes and the remembered devices
        // (`two_step::turn_off_for_account`, also the desk's reset), and both are only made while
        // it is on: without it there is nothing to read.
        let two_step_on = account.totp_confirmed_at.is_some();
        let (remembered, recovery_codes_left) = if two_step_on {
            let remembered = two_step::remembered_devices(db, account.id, now)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|d| RememberedDevice {
                    browser: describe_browser(d.device.as_deref()),
                    until: local(d.expires_at),
                })
                .collect();
            let left = two_step::unused_recovery_codes(db, owner(&account))
                .await
                .map_err(internal)?;
            (remembered, left)
        } else {
            (Vec::new(), 0)
        };
        Ok(AccountSecurity {
            two_step_on,
            recovery_codes_left,
            devices,
            remembered,
        })
    }

    fn already_on() -> PortalError {
        PortalError::Invalid("2-step verification is already on for your account.".into())
    }

    pub async fn begin(g: Guarded<PatientSession>) -> Result<AuthenticatorSetup, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller,
        } = g;
        let account = caller.account;
        if account.totp_confirmed_at.is_some() {
            return Err(already_on());
        }
        let mut secret = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        two_step::set_pending_secret(&state.db, owner(&account), state.vault.seal_secret(&secret))
            .await
            .map_err(internal)?;
        Ok(authenticator_setup(
            &state.site.branding.portal_name,
            &account.portal_id,
            &secret,
        ))
    }

    pub async fn confirm(
        g: Guarded<PatientSession>,
        code: String,
        password: String,
    ) -> Result<Vec<String>, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller,
        } = g;
        let (this_session, account) = (caller.session.id_hash, caller.account);
        if account.totp_confirmed_at.is_some() {
            return Err(already_on());
        }
        let Some(sealed) = account.totp_secret_sealed.as_deref() else {
            return Err(PortalError::Invalid(
                "Start again: choose \"Turn on 2-step verification\".".into(),
            ));
        };
        let code = match SecondStepCode::parse(&code) {
            Ok(code @ SecondStepCode::Authenticator(_)) => code,
            _ => {
                return Err(PortalError::Invalid(
                    "Enter the 6-digit code your authenticator app shows for this portal.".into(),
                ));
            }
        };
        confirm_password(&state, &account, password, &policy, now).await?;
        let txn = state.db.begin().await.map_err(internal)?;
        let used = use_second_step_code(
            &txn,
            &state,
            owner(&account),
            Some(sealed),
            account.totp_last_step,
            &code,
            now,
        )
        .await?;
        if used.is_none() {
            return Err(PortalError::Invalid(
                "That code is not right. Check that the app shows this portal, and enter the code it shows now.".into(),
            ));
        }
        let codes = two_step::replace_recovery_codes(&txn, &state.tokens, owner(&account), now)
            .await
            .map_err(internal)?;
        // It starts with no remembered device, even one a second step racing the last
        // turning-off left behind (the overview reads none while it is off).
        two_step::forget_devices(&txn, account.id)
            .await
            .map_err(internal)?;
        // Whoever else was signed in did not pass a second step: they sign in again.
        let ended = sessions::end_other_sessions(&txn, account.id, Some(&this_session))
            .await
            .map_err(internal)?;
        record(
            &state,
            &txn,
            &account,
            "two_step.turned_on",
            Some(serde_json::json!({ "sessions_ended": ended })),
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        Ok(codes.iter().map(|c| c.display()).collect())
    }

    fn not_on() -> PortalError {
        PortalError::Invalid("2-step verification is not on for your account.".into())
    }

    pub async fn new_recovery_codes(
        g: Guarded<PatientSession>,
        password: String,
    ) -> Result<Vec<String>, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller,
        } = g;
        let account = caller.account;
        if account.totp_confirmed_at.is_none() {
            return Err(not_on());
        }
        confirm_password(&state, &account, password, &policy, now).await?;
        let txn = state.db.begin().await.map_err(internal)?;
        let codes = two_step::replace_recovery_codes(&txn, &state.tokens, owner(&account), now)
            .await
            .map_err(internal)?;
        record(
            &state,
            &txn,
            &account,
            "two_step.recovery_codes_replaced",
            None,
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        Ok(codes.iter().map(|c| c.display()).collect())
    }

    pub async fn turn_off(g: Guarded<PatientSession>, password: String) -> Result<(), PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller,
        } = g;
        let account = caller.account;
        if account.totp_confirmed_at.is_none() {
            return Err(not_on());
        }
        confirm_password(&state, &account, password, &policy, now).await?;
        let txn = state.db.begin().await.map_err(internal)?;
        two_step::turn_off_for_account(&txn, account.id)
            .await
            .map_err(internal)?;
        record(&state, &txn, &account, "two_step.turned_off", None).await?;
        txn.commit().await.map_err(internal)?;
        request::clear_host_cookie(DEVICE_COOKIE);
        Ok(())
    }

    pub async fn sign_out_device(
        g: Guarded<PatientSession>,
        device: String,
    ) -> Result<(), PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller,
        } = g;
        let (this_session, account) = (caller.session.id_hash, caller.account);
        // Another account's session answers like one that does not exist.
        let gone = || PortalError::Invalid("That device is no longer signed in.".into());
        let target = sessions::sessions_of_account(&state.db, account.id)
            .await
            .map_err(internal)?
            .into_iter()
            .find(|s| s.id_hash == device)
            .ok_or_else(gone)?;
        let txn = state.db.begin().await.map_err(internal)?;
        sessions::end_session(&txn, &target.id_hash)
            .await
            .map_err(internal)?;
        record(
            &state,
            &txn,
            &account,
            "session.ended_by_owner",
            Some(serde_json::json!({ "this_device": target.id_hash == this_session })),
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        if target.id_hash == this_session {
            request::clear_host_cookie(request::SESSION_COOKIE);
        }
        Ok(())
    }

    pub async fn sign_out_others(g: Guarded<PatientSession>) -> Result<u64, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller,
        } = g;
        let (this_session, account) = (caller.session.id_hash, caller.account);
        let txn = state.db.begin().await.map_err(internal)?;
        let ended = sessions::end_other_sessions(&txn, account.id, Some(&this_session))
            .await
            .map_err(internal)?;
        record(
            &state,
            &txn,
            &account,
            "session.others_ended",
            Some(serde_json::json!({ "sessions_ended": ended })),
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        Ok(ended)
    }

    pub async fn forget_devices(g: Guarded<PatientSession>) -> Result<(), PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller,
        } = g;
        let account = caller.account;
        let txn = state.db.begin().await.map_err(internal)?;
        let forgotten = two_step::forget_devices(&txn, account.id)
            .await
            .map_err(internal)?;
        record(
            &state,
            &txn,
            &account,
            "two_step.devices_forgotten",
            Some(serde_json::json!({ "devices": forgotten })),
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        request::clear_host_cookie(DEVICE_COOKIE);
        Ok(())
    }

    pub async fn change_password(
        g: Guarded<PatientSession>,
        current: String,
        new: String,
        confirm: String,
    ) -> Result<(), PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller,
        } = g;
        let (this_session, account) = (caller.session.id_hash, caller.account);
        check_password(&new, Some(&account.portal_id), &policy).map_err(invalid)?;
        if new != confirm {
            return Err(PortalError::Invalid(
                "The two new passwords are not the same. Type the new password twice.".into(),
            ));
        }
        if new == current {
            return Err(PortalError::Invalid(
                "Choose a new password that is different from your current one.".into(),
            ));
        }
        confirm_password(&state, &account, current, &policy, now).await?;
        replace_password(
            &state,
            None,
            &account,
            new,
            PasswordChange {
                keep_session: Some(&this_session),
                release: None,
                action: "password.changed",
            },
        )
        .await
    }
}
