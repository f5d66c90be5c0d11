//! Staff sign-in, with 2-step verification required: the password, then a code from an
//! authenticator app or a recovery code. Before the first authenticator is added, the staff
//! member enters the one-time set-up code they were given with their account (`portal
//! create-staff`), so that someone who learns a new colleague's password cannot enrol their own
//! phone first.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a staff member must do after their password was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffSecondStep {
    /// First sign-in: the set-up code given with the account, then add the portal to an
    /// authenticator app ([`staff_set_up`]), then a code from it.
    EnterSetUpCode,
    /// A code from the app, or one of the recovery codes.
    EnterCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub display_name: String,
    pub role: String,
}

#[server(endpoint = "staff/sign-in")]
pub async fn staff_sign_in(
    username: String,
    password: String,
) -> Result<StaffSecondStep, PortalError> {
    // Public: the username and password are the proof.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::sign_in(g, username, password)
    })
    .await
}

/// First sign-in, after the password: the set-up code given with the account. Answers with the
/// key to add to the authenticator app.
#[server(endpoint = "staff/set-up")]
pub async fn staff_set_up(
    setup_code: String,
) -> Result<crate::api::security::AuthenticatorSetup, PortalError> {
    // Needs a staff session that passed the password step; the set-up code is the proof.
    super::guard::guarded(super::guard::StaffSecondStep, |g| {
        server::set_up(g, setup_code)
    })
    .await
}

/// The second step of staff sign-in. On the first sign-in, which sets up the authenticator, it
/// answers with the recovery codes to keep (shown once).
#[server(endpoint = "staff/verify-code")]
pub async fn staff_verify_code(code: String) -> Result<Option<Vec<String>>, PortalError> {
    // Needs a staff session that passed the password step.
    super::guard::guarded(super::guard::StaffSecondStep, |g| {
        server::verify_code(g, code)
    })
    .await
}

#[server(endpoint = "staff/me", input = leptos::server_fn::codec::GetUrl)]
pub async fn current_staff() -> Result<Option<StaffSummary>, PortalError> {
    // Answers only about the caller's own, fully signed-in session.
    super::guard::guarded(super::guard::Anyone, |g| async move {
        Ok(match g.caller {
            super::guard::Caller::Staff(s) => Some(StaffSummary {
                display_name: s.member.display_name,
                role: s.role.as_str().to_owned(),
            }),
            _ => None,
        })
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::attempts::{self, dummy_hash};
    use crate::api::guard::{Guarded, StaffSession};
    use crate::api::request::{self, audit_event as event};
    use crate::api::second_step::use_second_step_code;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::lockout::{self, Admission, Bucket};
    use crate::db::passwords::verify_password;
    use crate::db::sessions::{self, NewSession, SessionOwner};
    use crate::db::store;
    use crate::db::two_step::{self, TwoStepOwner};
    use crate::domain::activation::OneTimeCode;
    use crate::domain::staff::StaffUsername;
    use crate::domain::two_step::SecondStepCode;
    use rand::RngCore as _;
    use sea_orm::TransactionTrait;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("staff_sign_in", e)
    }

    /// The set-up code, then a new authenticator secret (pending until a code from it is
    /// entered). Wrong codes count towards the staff member's lockout like wrong passwords.
    pub async fn set_up(
        g: Guarded<StaffSession>,
        setup_code: String,
    ) -> Result<crate::api::security::AuthenticatorSetup, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller: StaffSession {
                session, member, ..
            },
        } = g;
        let db = &state.db;
        if session.second_factor_passed || member.totp_confirmed_at.is_some() {
            return Err(PortalError::Invalid(
                "2-step verification is set up already. Enter a code from your app.".into(),
            ));
        }
        let code = OneTimeCode::parse(&setup_code).map_err(|_| {
            PortalError::Invalid(
                "Enter the set-up code exactly as you were given it: 12 letters and digits.".into(),
            )
        })?;
        let bucket = Bucket::Staff(member.id);
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let end_and_lock =
            async |until| attempts::end_locked_session(&state, &session.id_hash, until).await;
        let Admission::Admitted {
            failures,
            locks_until,
        } = admission
        else {
            attempts::record_failure(
                &state,
                Actor::Staff(member.id),
                None,
                "staff.set_up",
                admission,
                now,
            )
            .await?;
            return Err(match admission {
                Admission::Locked { until } => end_and_lock(until).await?,
                _ => PortalError::SignInRequired,
            });
        };
        if !two_step::staff_set_up_code_matches(&state.tokens, &member, &code, now) {
            attempts::record_failure(
                &state,
                Actor::Staff(member.id),
                None,
                "staff.set_up",
                admission,
                now,
            )
            .await?;
            return Err(match locks_until {
                Some(until) => end_and_lock(until).await?,
                None => PortalError::Invalid(
                    "That set-up code is not right, or has expired (they work for 24 hours). Ask an administrator for a new one.".into(),
                ),
            });
        }
        let mut secret = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let txn = db.begin().await.map_err(internal)?;
        // Takes back only its own count: the sign-in is not finished.
        lockout::release(&txn, bucket, failures, 1, &policy)
            .await
            .map_err(internal)?;
        two_step::set_pending_secret(
            &txn,
            TwoStepOwner::Staff(member.id),
            state.vault.seal_secret(&secret),
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            now,
            event(
                &state,
                Actor::Staff(member.id),
                "staff.set_up",
                Outcome::Success,
            ),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(crate::api::second_step::authenticator_setup(
            &state.site.branding.portal_name,
            &member.username,
            &secret,
        ))
    }

    pub async fn sign_in(
        g: Guarded<()>,
        username: String,
        password: String,
    ) -> Result<StaffSecondStep, PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let db = &state.db;
        let member = match StaffUsername::parse(&username) {
            Ok(name) => store::staff_by_username(db, &name)
                .await
                .map_err(internal)?,
            Err(_) => None,
        }
        .filter(|m| m.active && m.organization_id == state.site.organization_id);
        // Unknown name, wrong password and locked account do the same work and get one answer.
        let turn = attempts::hashing_turn().await?;
        let bucket = member.as_ref().map_or_else(
            || Bucket::unknown(&state.tokens, &username.trim().to_ascii_lowercase()),
            |m| Bucket::Staff(m.id),
        );
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let stored = match (&member, admission) {
            (Some(m), Admission::Admitted { .. }) => m.password_hash.clone(),
            _ => dummy_hash().to_owned(),
        };
        let matches = turn
            .run(move || verify_password(&password, &stored))
            .await?;
        let (member, failures) = match (member, admission) {
            (Some(m), Admission::Admitted { failures, .. }) if matches => (m, failures),
            (member, admission) => {
                attempts::record_failure(
                    &state,
                    member
                        .as_ref()
                        .map_or(Actor::Anonymous, |m| Actor::Staff(m.id)),
                    None,
                    "staff.sign_in",
                    admission,
                    now,
                )
                .await?;
                return Err(PortalError::Invalid(format!(
                    "That username and password did not match. After several tries, sign-in pauses for a while. An administrator can unlock your account, or call {}.",
                    state.site.branding.help_line.display()
                )));
            }
        };

        let txn = db.begin().await.map_err(internal)?;
        if let Some(old) = request::session_token() {
            sessions::end_session(&txn, &sessions::session_key(&state.tokens, &old))
                .await
                .map_err(internal)?;
        }
        // Failures before this one are cleared only after the second step, so entering the
        // password again cannot reset the count of wrong authenticator codes.
        lockout::release(&txn, bucket, failures, 1, &policy)
            .await
            .map_err(internal)?;
        let next = if member.totp_confirmed_at.is_some() {
            StaffSecondStep::EnterCode
        } else {
            StaffSecondStep::EnterSetUpCode
        };
        let token = sessions::create_session(
            &txn,
            &state.tokens,
            NewSession {
                owner: SessionOwner::Staff(member.id),
                second_factor_passed: false,
                source_ip: request::source_ip(),
                device: request::device_description(),
            },
            &policy,
            now,
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            now,
            event(
                &state,
                Actor::Staff(member.id),
                "staff.sign_in.password",
                Outcome::Success,
            ),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        request::set_host_cookie(
            request::SESSION_COOKIE,
            &token,
            i64::from(policy.session_absolute_hours) * 3600,
        );
        Ok(next)
    }

    pub async fn verify_code(
        g: Guarded<StaffSession>,
        code: String,
    ) -> Result<Option<Vec<String>>, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller: StaffSession {
                session, member, ..
            },
        } = g;
        let db = &state.db;
        if session.second_factor_passed {
            return Ok(None);
        }
        if member.totp_secret_sealed.is_none() {
            return Err(PortalError::SignInRequired);
        }
        let code = SecondStepCode::parse(&code).map_err(|e| PortalError::Invalid(e.to_string()))?;
        let owner = TwoStepOwner::Staff(member.id);
        let enrolling = member.totp_confirmed_at.is_none();
        if enrolling && !matches!(code, SecondStepCode::Authenticator(_)) {
            return Err(PortalError::Invalid(
                "Enter the 6-digit code your authenticator app shows for this portal.".into(),
            ));
        }
        let bucket = Bucket::Staff(member.id);
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let end_and_lock =
            async |until| attempts::end_locked_session(&state, &session.id_hash, until).await;
        let failure = |admission| {
            attempts::record_failure(
                &state,
                Actor::Staff(member.id),
                None,
                "staff.two_step",
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
            owner,
            member.totp_secret_sealed.as_deref(),
            member.totp_last_step,
            &code,
            now,
        )
        .await?;
        let Some(used) = used else {
            drop(txn);
            failure(admission).await?;
            if let Some(until) = locks_until {
                return Err(end_and_lock(until).await?);
            }
            return Err(PortalError::Invalid(
                "That code is not right. Enter the 6-digit code your authenticator app shows now, or an unused recovery code."
                    .into(),
            ));
        };
        sessions::mark_second_factor_passed(&txn, &session.id_hash, &policy, now)
            .await
            .map_err(internal)?;
        lockout::release(&txn, bucket, failures, failures, &policy)
            .await
            .map_err(internal)?;
        let recovery_codes = if enrolling {
            two_step::clear_staff_set_up_code(&txn, member.id)
                .await
                .map_err(internal)?;
            Some(
                two_step::replace_recovery_codes(&txn, &state.tokens, owner, now)
                    .await
                    .map_err(internal)?
                    .iter()
                    .map(|c| c.display())
                    .collect(),
            )
        } else {
            None
        };
        let action = if enrolling {
            "staff.two_step.enrolled"
        } else {
            "staff.two_step"
        };
        audit::record(
            &txn,
            now,
            event(&state, Actor::Staff(member.id), action, Outcome::Success)
                .detail(serde_json::json!({ "method": used.as_str() })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(recovery_codes)
    }
}
