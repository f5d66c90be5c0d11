//! Patient accounts: activation with a one-time code (A2-A5), sign-in with progressive lockout,
//! sign-out, and who is signed in. Every rule is checked here on the server whatever the browser
//! checked; answers never tell an unknown portal ID from a wrong password.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the page header shows about the signed-in patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInPatient {
    pub given_name: String,
}

#[server(endpoint = "account/activate")]
pub async fn activate_account(
    code: String,
    date_of_birth: String,
    portal_id: String,
    password: String,
    reset_question: String,
    reset_answer: String,
) -> Result<(), PortalError> {
    // Public: the code and date of birth are the caller's proof of identity.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::activate(
            g,
            code,
            date_of_birth,
            portal_id,
            password,
            reset_question,
            reset_answer,
        )
    })
    .await
}

/// What happens after the password was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInNext {
    /// Signed in.
    Done,
    /// The account has 2-step verification on and this browser is not remembered: a code from
    /// the authenticator app (or a recovery code) is needed next.
    SecondStep,
}

#[server(endpoint = "account/sign-in")]
pub async fn sign_in(portal_id: String, password: String) -> Result<SignInNext, PortalError> {
    // Public: the portal ID and password are the proof.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::sign_in(g, portal_id, password)
    })
    .await
}

#[server(endpoint = "account/sign-out")]
pub async fn sign_out() -> Result<(), PortalError> {
    // Ends only the caller's own session, whoever they are.
    super::guard::guarded(super::guard::Anyone, server::sign_out).await
}

#[server(endpoint = "account/me", input = leptos::server_fn::codec::GetUrl)]
pub async fn who_am_i() -> Result<Option<SignedInPatient>, PortalError> {
    // Answers only about the caller's own session.
    super::guard::guarded(super::guard::Anyone, |g| async move {
        Ok(server::signed_in_patient(&g.caller))
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) use server::signed_in_patient;

#[cfg(feature = "ssr")]
mod server {
    use super::{PortalError, SignInNext, SignedInPatient};
    use crate::api::attempts::{self, patient_bucket};
    use crate::api::attempts::{dummy_hash, off_runtime};
    use crate::api::code_tries::{CodeKind, try_code};
    use crate::api::guard::{Caller, Guarded};
    use crate::api::request::{self, audit_event as event};
    use crate::db::accounts::{self, NewAccount};
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose};
    use crate::db::lockout::{self, Admission};
    use crate::db::passwords::{hash_password, verify_password};
    use crate::db::sessions::{self, NewSession, SessionOwner};
    use crate::db::two_step;
    use crate::domain::activation::OneTimeCode;
    use crate::domain::age::{
        AccountEligibility, account_eligibility, local_date, parse_date_of_birth,
    };
    use crate::domain::password::{check_password, check_reset_answer, normalize_answer};
    use crate::domain::portal_id::PortalId;
    use crate::state::AppState;
    use sea_orm::TransactionTrait;

    fn invalid(e: impl std::fmt::Display) -> PortalError {
        PortalError::Invalid(e.to_string())
    }

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("account", e)
    }

    pub async fn activate(
        g: Guarded<()>,
        code: String,
        date_of_birth: String,
        portal_id: String,
        password: String,
        reset_question: String,
        reset_answer: String,
    ) -> Result<(), PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let db = &state.db;
        let code = OneTimeCode::parse(&code).map_err(invalid)?;
        let date_of_birth = parse_date_of_birth(&date_of_birth).map_err(invalid)?;
        let portal_id = PortalId::parse(&portal_id, &policy).map_err(invalid)?;
        check_password(&password, Some(portal_id.as_str()), &policy).map_err(invalid)?;
        check_reset_answer(&reset_question, &reset_answer, &password).map_err(invalid)?;
        let mismatch = || {
            PortalError::Invalid(
                "That activation code and date of birth do not match our records. Check both and try again.".into(),
            )
        };
        let row = codes::find_code(db, &state.tokens, CodePurpose::Activation, &code)
            .await
            .map_err(internal)?
            .filter(|row| row.organization_id == state.site.organization_id)
            .ok_or_else(mismatch)?;
        let kind = CodeKind {
            noun: "activation code",
            ask_again: "Ask your clinic for a new one, or ask for one online.".into(),
            action: "account.activation",
        };
        let person = try_code(
            &state,
            &policy,
            now,
            &row,
            &kind,
            |person| person.date_of_birth == date_of_birth,
            mismatch,
        )
        .await?;
        let today = local_date(now, state.site.time_zone);
        if account_eligibility(person.date_of_birth, today, policy.adult_age)
            != AccountEligibility::Eligible
        {
            return Err(PortalError::Invalid(format!(
                "Only people aged {} or over can have an account. A parent or guardian can ask for proxy access instead.",
                policy.adult_age
            )));
        }
        let org = state.site.organization_id;
        let already = || {
            PortalError::Invalid(
                "You already have an account. Sign in with your portal ID, or choose \"Forgot portal ID\".".into(),
            )
        };
        let taken =
            || PortalError::Invalid("That portal ID is already taken. Choose another.".into());
        // Early answers, before the hashing; the transaction below decides.
        if accounts::person_has_account(db, person.id, org)
            .await
            .map_err(internal)?
        {
            return Err(already());
        }
        if accounts::portal_id_taken(db, &portal_id)
            .await
            .map_err(internal)?
        {
            return Err(taken());
        }

        let answer = normalize_answer(&reset_answer);
        let (password_hash, reset_answer_hash) =
            off_runtime(move || (hash_password(&password), hash_password(&answer))).await?;

        // Writes first (it takes the write lock on SQLite, the code's row on PostgreSQL), then
        // the checks, inside the transaction that creates the account; the unique indexes on
        // the portal ID and on (person, organization) decide any race left.
        let txn = db.begin().await.map_err(internal)?;
        if !codes::mark_code_used(&txn, row.id, now)
            .await
            .map_err(internal)?
        {
            return Err(PortalError::Invalid(format!(
                "This activation code has already been used. If that was not you, call {}.",
                state.site.branding.help_line.display()
            )));
        }
        if accounts::person_has_account(&txn, person.id, org)
            .await
            .map_err(internal)?
        {
            return Err(already());
        }
        if accounts::portal_id_taken(&txn, &portal_id)
            .await
            .map_err(internal)?
        {
            return Err(taken());
        }
        let created = accounts::create_account(
            &txn,
            NewAccount {
                person_id: person.id,
                organization_id: org,
                portal_id,
                password_hash,
                reset_question: reset_question.trim().to_owned(),
                reset_answer_hash,
            },
            now,
        )
        .await;
        let account = match created {
            Ok(account) => account,
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                drop(txn);
                // Which index refused it: the person's account, or the portal ID.
                return Err(
                    if accounts::person_has_account(db, person.id, org)
                        .await
                        .map_err(internal)?
                    {
                        already()
                    } else {
                        taken()
                    },
                );
            }
            Err(e) => return Err(internal(e)),
        };
        audit::record(
            &txn,
            now,
            event(
                &state,
                Actor::Account(account.id),
                "account.activated",
                Outcome::Success,
            )
            .subject(person.id)
            .detail(serde_json::json!({ "code_id": row.id, "route": row.route })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(())
    }

    /// The one answer to a failed sign-in, whether the portal ID is unknown, the password wrong
    /// or the account locked: it must not tell which.
    fn sign_in_failed(state: &AppState) -> PortalError {
        PortalError::Invalid(format!(
            "That portal ID and password did not match. After several tries, sign-in pauses for a while. Call {} (24 hours a day) to get back in sooner.",
            state.site.branding.help_line.display()
        ))
    }

    pub async fn sign_in(
        g: Guarded<()>,
        portal_id: String,
        password: String,
    ) -> Result<SignInNext, PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let db = &state.db;
        let key = portal_id.trim().to_ascii_lowercase();
        let account = accounts::account_by_portal_id(db, &key)
            .await
            .map_err(internal)?
            .filter(|a| a.organization_id == state.site.organization_id);
        // Unknown ID, wrong password and locked account do the same work: one bucket lookup,
        // one admission (one row written, a decoy's for an unknown ID), one password hash, one
        // audit entry.
        let turn = attempts::hashing_turn().await?;
        let bucket = patient_bucket(&state, account.as_ref().map(|a| a.id), &key).await?;
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let stored = match (&account, admission) {
            (Some(a), Admission::Admitted { .. }) => a.password_hash.clone(),
            _ => dummy_hash().to_owned(),
        };
        let matches = turn
            .run(move || verify_password(&password, &stored))
            .await?;
        let (account, failures) = match (account, admission) {
            (Some(a), Admission::Admitted { failures, .. }) if matches && a.status == "active" => {
                (a, failures)
            }
            (account, admission) => {
                attempts::record_failure(
                    &state,
                    account
                        .as_ref()
                        .map_or(Actor::Anonymous, |a| Actor::Account(a.id)),
                    account.as_ref().map(|a| a.person_id),
                    "sign_in",
                    admission,
                    now,
                )
                .await?;
                return Err(sign_in_failed(&state));
            }
        };

        // 2-step verification, when on, is skipped only on a device the patient asked to
        // remember; until the second step the session can do nothing but take it.
        let two_step_on = account.totp_confirmed_at.is_some();
        let remembered = match request::cookie(request::DEVICE_COOKIE) {
            Some(token) if two_step_on => {
                two_step::device_is_remembered(db, &state.tokens, account.id, &token, now)
                    .await
                    .map_err(internal)?
            }
            _ => false,
        };
        let passed = !two_step_on || remembered;

        let txn = db.begin().await.map_err(internal)?;
        // A session the browser already had is ended, never promoted: sign-in always issues a
        // new identifier (no session fixation).
        if let Some(old) = request::session_token() {
            sessions::end_session(&txn, &sessions::session_key(&state.tokens, &old))
                .await
                .map_err(internal)?;
        }
        // Failures before this one are cleared only once fully signed in, so the password step
        // cannot be used to reset the count of wrong second-step codes: until then it takes back
        // only its own.
        lockout::release(
            &txn,
            bucket,
            failures,
            if passed { failures } else { 1 },
            &policy,
        )
        .await
        .map_err(internal)?;
        if passed {
            accounts::record_successful_sign_in(&txn, account.id, now)
                .await
                .map_err(internal)?;
            attempts::trust_this_browser(&txn, &state, account.id, now).await?;
        }
        let token = sessions::create_session(
            &txn,
            &state.tokens,
            NewSession {
                owner: SessionOwner::Account(account.id),
                second_factor_passed: passed,
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
                Actor::Account(account.id),
                "sign_in",
                Outcome::Success,
            )
            .subject(account.person_id)
            .detail(serde_json::json!({
                "two_step": match (two_step_on, remembered) {
                    (false, _) => "off",
                    (true, true) => "remembered_device",
                    (true, false) => "required",
                }
            })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        request::set_host_cookie(
            request::SESSION_COOKIE,
            &token,
            i64::from(policy.session_absolute_hours) * 3600,
        );
        Ok(if passed {
            SignInNext::Done
        } else {
            SignInNext::SecondStep
        })
    }

    pub async fn sign_out(g: Guarded<Caller>) -> Result<(), PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        // Also a session still waiting for its second step, and a staff member's.
        let ended = match caller {
            Caller::Patient(p) | Caller::PatientPending(p) => Some((
                p.session.id_hash,
                Actor::Account(p.account.id),
                Some(p.account.person_id),
            )),
            Caller::Staff(s) | Caller::StaffPending(s) => {
                Some((s.session.id_hash, Actor::Staff(s.member.id), None))
            }
            Caller::Anonymous => None,
        };
        if let Some((id_hash, actor, subject)) = ended {
            let txn = state.db.begin().await.map_err(internal)?;
            sessions::end_session(&txn, &id_hash)
                .await
                .map_err(internal)?;
            let mut entry = event(&state, actor, "sign_out", Outcome::Success);
            if let Some(person_id) = subject {
                entry = entry.subject(person_id);
            }
            audit::record(&txn, now, entry).await.map_err(internal)?;
            txn.commit().await.map_err(internal)?;
        }
        request::clear_host_cookie(request::SESSION_COOKIE);
        Ok(())
    }

    /// The signed-in patient, for the page header (the guard read their person with the
    /// session).
    pub fn signed_in_patient(caller: &Caller) -> Option<SignedInPatient> {
        match caller {
            Caller::Patient(patient) => Some(SignedInPatient {
                given_name: patient.person.given_name.clone(),
            }),
            _ => None,
        }
    }
}
