//! Staff sign-in with required 2-step verification, and the enrolment desk (A2): find a patient
//! by medical record number and issue a one-time activation code. Roles are enforced here, on
//! the server; staff never see passwords, reset answers or full SSNs.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a staff member must do after their password was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffSecondStep {
    /// First sign-in: add the portal to an authenticator app, then enter a code from it.
    SetUpAuthenticator(crate::api::security::AuthenticatorSetup),
    /// A code from the app, or one of the recovery codes.
    EnterCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub display_name: String,
    pub role: String,
}

/// What the desk sees of a patient: enough to be sure it is the right person, no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskPatient {
    pub medical_record_number: String,
    pub name: String,
    pub date_of_birth: chrono::NaiveDate,
    pub ssn_last_four: Option<String>,
    pub has_account: bool,
    /// Locked after too many failed attempts (the desk can unlock it).
    pub account_locked: bool,
    /// The account has 2-step verification on (the desk can turn it off for a patient who lost
    /// their phone and their recovery codes).
    pub two_step_on: bool,
}

/// A code to print for the patient. Shown once; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    pub code: String,
    pub patient_name: String,
    pub expires_on: chrono::NaiveDate,
}

#[server(endpoint = "staff/sign-in")]
pub async fn staff_sign_in(
    username: String,
    password: String,
) -> Result<StaffSecondStep, PortalError> {
    // Public: the username and password are the proof.
    super::answer(server::sign_in(username, password).await)
}

/// The second step of staff sign-in. On the first sign-in, which sets up the authenticator, it
/// answers with the recovery codes to keep (shown once).
#[server(endpoint = "staff/verify-code")]
pub async fn staff_verify_code(code: String) -> Result<Option<Vec<String>>, PortalError> {
    // Needs a staff session that passed the password step.
    super::answer(server::verify_code(code).await)
}

#[server(endpoint = "staff/me", input = leptos::server_fn::codec::GetUrl)]
pub async fn current_staff() -> Result<Option<StaffSummary>, PortalError> {
    // Answers only about the caller's own, fully signed-in session.
    super::answer(server::current().await)
}

// POST, so the record number stays out of URLs and logs.
#[server(endpoint = "desk/find-patient")]
pub async fn desk_find_patient(medical_record_number: String) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::answer(server::find_patient(medical_record_number).await)
}

#[server(endpoint = "desk/issue-activation-code")]
pub async fn desk_issue_activation_code(
    medical_record_number: String,
    route: String,
) -> Result<IssuedCode, PortalError> {
    // Front desk and administrators only.
    super::answer(server::issue_activation_code(medical_record_number, route).await)
}

/// Patients with this family name and date of birth (for a patient who does not know their
/// record number). POST, so names stay out of URLs and logs.
#[server(endpoint = "desk/search-patients")]
pub async fn desk_search_patients(
    family_name: String,
    date_of_birth: String,
) -> Result<Vec<DeskPatient>, PortalError> {
    // Front desk and administrators only.
    super::answer(server::search_patients(family_name, date_of_birth).await)
}

/// What the desk types to register a patient who is not on record yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPatient {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub ssn: String,
}

/// Registers a new patient (after a search found no one) and gives them a record number.
#[server(endpoint = "desk/register-patient")]
pub async fn desk_register_patient(patient: NewPatient) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::answer(server::register_patient(patient).await)
}

/// Unlocks a patient's account locked after too many failed attempts (after staff have
/// confirmed who is asking).
#[server(endpoint = "desk/unlock-account")]
pub async fn desk_unlock_account(
    medical_record_number: String,
) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::answer(server::unlock_account(medical_record_number).await)
}

/// Turns off 2-step verification for a patient who lost both their phone and their recovery
/// codes (after staff have confirmed who is asking). They sign in with their password and can
/// turn it on again.
#[server(endpoint = "desk/reset-two-step")]
pub async fn desk_reset_two_step(
    medical_record_number: String,
) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::answer(server::reset_two_step(medical_record_number).await)
}

/// A7: a help-line access code for a patient who forgot their portal ID.
#[server(endpoint = "desk/issue-access-code")]
pub async fn desk_issue_access_code(
    medical_record_number: String,
) -> Result<IssuedCode, PortalError> {
    // Front desk and administrators only.
    super::answer(server::issue_access_code(medical_record_number).await)
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::account::{locked_message, off_runtime};
    use crate::api::attempts;
    use crate::api::security::use_second_step_code;
    use crate::api::session::{self, signed_in_staff};
    use crate::api::site::home_policy;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose, CodeRoute, NewCode};
    use crate::db::entities::staff;
    use crate::db::lockout::{self, Admission, Bucket};
    use crate::db::passwords::{hash_password, verify_password};
    use crate::db::sessions::{self, NewSession, SessionOwner};
    use crate::db::two_step::{self, TwoStepOwner};
    use crate::db::{accounts, store};
    use crate::domain::activation::{access_code_validity, activation_code_validity};
    use crate::domain::age::{
        AccountEligibility, account_eligibility, local_date, parse_date_of_birth,
    };
    use crate::domain::dates::long_date;
    use crate::domain::registration::{next_record_number, parse_email, parse_name};
    use crate::domain::ssn::Ssn;
    use crate::domain::staff::{StaffRole, StaffUsername};
    use crate::domain::totp;
    use crate::domain::two_step::SecondStepCode;
    use crate::state::{AppState, app_state};
    use rand::RngCore as _;
    use sea_orm::TransactionTrait;
    use std::sync::OnceLock;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("staff", e)
    }

    use crate::api::session::audit_event as event;

    fn dummy_hash() -> &'static str {
        static HASH: OnceLock<String> = OnceLock::new();
        HASH.get_or_init(|| hash_password("no staff member has this password 0"))
    }

    /// The signed-in staff member, fully verified, whose role is one of `roles`.
    pub async fn require_staff(
        state: &AppState,
        roles: &[StaffRole],
    ) -> Result<staff::Model, PortalError> {
        let (session, member) = signed_in_staff(state)
            .await?
            .ok_or(PortalError::SignInRequired)?;
        if !session.second_factor_passed {
            return Err(PortalError::SignInRequired);
        }
        let role = StaffRole::parse(&member.role).map_err(internal)?;
        if roles.contains(&role) {
            Ok(member)
        } else {
            Err(PortalError::NotAllowed)
        }
    }

    fn authenticator_step(
        state: &AppState,
        member: &staff::Model,
        secret: &[u8],
    ) -> StaffSecondStep {
        StaffSecondStep::SetUpAuthenticator(crate::api::security::AuthenticatorSetup {
            secret: totp::base32(secret),
            uri: totp::otpauth_uri(&state.site.branding.portal_name, &member.username, secret),
        })
    }

    pub async fn sign_in(
        username: String,
        password: String,
    ) -> Result<StaffSecondStep, PortalError> {
        let (state, policy, now) = crate::api::throttle::attempt().await?;
        let db = &state.db;
        let member = match StaffUsername::parse(&username) {
            Ok(name) => store::staff_by_username(db, &name)
                .await
                .map_err(internal)?,
            Err(_) => None,
        }
        .filter(|m| m.active && m.organization_id == state.site.organization_id);
        // Unknown name, wrong password and locked account do the same work and get one answer.
        let bucket = member
            .as_ref()
            .map_or(Bucket::NOBODY, |m| Bucket::Staff(m.id));
        let admission = attempts::admit(&state, bucket, &policy, now).await?;
        let stored = match (&member, admission) {
            (Some(m), Admission::Admitted { .. }) => m.password_hash.clone(),
            _ => dummy_hash().to_owned(),
        };
        let matches = off_runtime(move || verify_password(&password, &stored)).await?;
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
        if let Some(old) = session::session_token() {
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
            let mut secret = [0u8; 20];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            two_step::set_pending_secret(
                &txn,
                TwoStepOwner::Staff(member.id),
                state.vault.seal_secret(&secret),
            )
            .await
            .map_err(internal)?;
            authenticator_step(&state, &member, &secret)
        };
        let token = sessions::create_session(
            &txn,
            &state.tokens,
            NewSession {
                owner: SessionOwner::Staff(member.id),
                second_factor_passed: false,
                source_ip: session::source_ip(),
                device: session::device_description(),
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
        session::set_host_cookie(
            session::SESSION_COOKIE,
            &token,
            i64::from(policy.session_absolute_hours) * 3600,
        );
        Ok(next)
    }

    pub async fn verify_code(code: String) -> Result<Option<Vec<String>>, PortalError> {
        let (state, policy, now) = crate::api::throttle::attempt().await?;
        let db = &state.db;
        let (session, member) = signed_in_staff(&state)
            .await?
            .ok_or(PortalError::SignInRequired)?;
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
        let end_and_lock = async |until| -> Result<PortalError, PortalError> {
            sessions::end_session(db, &session.id_hash)
                .await
                .map_err(internal)?;
            session::clear_host_cookie(session::SESSION_COOKIE);
            Ok(locked_message(&state, until))
        };
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

    pub async fn current() -> Result<Option<StaffSummary>, PortalError> {
        let state = app_state()?;
        Ok(signed_in_staff(&state)
            .await?
            .filter(|(session, _)| session.second_factor_passed)
            .map(|(_, m)| StaffSummary {
                display_name: m.display_name,
                role: m.role,
            }))
    }

    const DESK_ROLES: &[StaffRole] = &[StaffRole::FrontDesk, StaffRole::Administrator];

    /// Audits something a staff member did at the desk about a person's record.
    async fn record_desk(
        state: &AppState,
        db: &impl sea_orm::ConnectionTrait,
        member: &staff::Model,
        action: &'static str,
        person_id: i32,
    ) -> Result<(), PortalError> {
        audit::record(
            db,
            state.clock.now(),
            event(state, Actor::Staff(member.id), action, Outcome::Success).subject(person_id),
        )
        .await
        .map(|_| ())
        .map_err(internal)
    }

    async fn patient_for_desk(
        state: &AppState,
        mrn: &str,
    ) -> Result<(crate::db::entities::person::Model, DeskPatient), PortalError> {
        let db = &state.db;
        let patient = store::patient_by_mrn(db, state.site.organization_id, mrn)
            .await
            .map_err(internal)?
            .ok_or(PortalError::NotFound)?;
        let person = accounts::person_by_id(db, patient.person_id)
            .await
            .map_err(internal)?
            .ok_or(PortalError::NotFound)?;
        let summary = desk_summary(state, &patient, &person).await?;
        Ok((person, summary))
    }

    /// What the desk sees of a patient.
    async fn desk_summary(
        state: &AppState,
        patient: &crate::db::entities::patient::Model,
        person: &crate::db::entities::person::Model,
    ) -> Result<DeskPatient, PortalError> {
        let account = accounts::account_of_person(&state.db, person.id, state.site.organization_id)
            .await
            .map_err(internal)?;
        let now = state.clock.now();
        Ok(DeskPatient {
            medical_record_number: patient.medical_record_number.clone(),
            name: format!("{} {}", person.given_name, person.family_name),
            date_of_birth: person.date_of_birth,
            ssn_last_four: person.ssn_last_four.clone(),
            has_account: account.is_some(),
            two_step_on: account
                .as_ref()
                .is_some_and(|a| a.totp_confirmed_at.is_some()),
            account_locked: account
                .and_then(|a| a.locked_until)
                .is_some_and(|until| until > now),
        })
    }

    fn invalid(e: impl std::fmt::Display) -> PortalError {
        PortalError::Invalid(e.to_string())
    }

    pub async fn search_patients(
        family_name: String,
        date_of_birth: String,
    ) -> Result<Vec<DeskPatient>, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let family_name = parse_name(&family_name, "family name").map_err(invalid)?;
        let date_of_birth = parse_date_of_birth(&date_of_birth).map_err(invalid)?;
        let found = store::patients_by_name_and_birth(
            &state.db,
            state.site.organization_id,
            &family_name,
            date_of_birth,
            20,
        )
        .await
        .map_err(internal)?;
        let mut patients = Vec::with_capacity(found.len());
        for (patient, person) in &found {
            patients.push(desk_summary(&state, patient, person).await?);
        }
        audit::record(
            &state.db,
            state.clock.now(),
            event(
                &state,
                Actor::Staff(member.id),
                "desk.patient_search",
                Outcome::Success,
            )
            .detail(serde_json::json!({ "results": patients.len() })),
        )
        .await
        .map_err(internal)?;
        Ok(patients)
    }

    pub async fn register_patient(new: NewPatient) -> Result<DeskPatient, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let db = &state.db;
        let org = state.site.organization_id;
        let now = state.clock.now();
        let given_name = parse_name(&new.given_name, "given name").map_err(invalid)?;
        let family_name = parse_name(&new.family_name, "family name").map_err(invalid)?;
        let date_of_birth = parse_date_of_birth(&new.date_of_birth).map_err(invalid)?;
        if date_of_birth > local_date(now, state.site.time_zone) {
            return Err(PortalError::Invalid(
                "A date of birth cannot be in the future. Check the year.".into(),
            ));
        }
        let optional = |text: &str| {
            Some(text.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let email = optional(&new.email)
            .map(|e| parse_email(&e))
            .transpose()
            .map_err(invalid)?;
        let phone = optional(&new.phone)
            .map(|p| parse_phone(&p))
            .transpose()
            .map_err(invalid)?;
        let ssn = optional(&new.ssn)
            .map(|s| Ssn::parse(&s))
            .transpose()
            .map_err(invalid)?;

        let prefix = store::organization_by_id(db, org)
            .await
            .map_err(internal)?
            .map(|o| record_prefix(&o.slug))
            .unwrap_or_else(|| "P".to_owned());

        // Find before register, inside the transaction that registers, which is the only one
        // registering for the organization until it ends: two desks registering the same
        // person at once get one record and one clear refusal.
        let txn = db.begin().await.map_err(internal)?;
        store::lock_registrations(&txn, org)
            .await
            .map_err(internal)?;
        let same = store::patients_by_name_and_birth(&txn, org, &family_name, date_of_birth, 20)
            .await
            .map_err(internal)?
            .into_iter()
            .find(|(_, p)| p.given_name.to_lowercase() == given_name.to_lowercase());
        if let Some((patient, _)) = same {
            return Err(PortalError::Invalid(format!(
                "{given_name} {family_name}, born {}, is already registered as record {}. Find them by that number.",
                long_date(date_of_birth),
                patient.medical_record_number
            )));
        }
        let ssn_taken = || {
            PortalError::Invalid(
                "That Social Security number is on record for someone already. Check the number, or find that patient.".into(),
            )
        };
        // An SSN belongs to one person (a unique index says so).
        let holder = match &ssn {
            Some(ssn) => store::people_with_ssn(&txn, &state.vault, ssn)
                .await
                .map_err(internal)?
                .into_iter()
                .next(),
            None => None,
        };
        if let Some(holder) = holder {
            return Err(
                match store::patient_of_person(&txn, org, holder.id)
                    .await
                    .map_err(internal)?
                {
                    Some(patient) => PortalError::Invalid(format!(
                        "That Social Security number is on record {} already. Check the number, or find that patient.",
                        patient.medical_record_number
                    )),
                    // A patient of another organization only.
                    None => ssn_taken(),
                },
            );
        }
        let person = store::create_person(
            &txn,
            &state.vault,
            store::NewPerson {
                given_name,
                family_name,
                date_of_birth,
                email,
                phone,
                address_line: None,
                city: None,
                region: None,
                postal_code: None,
                ssn,
            },
            now,
        )
        .await
        .map_err(|e| match e.sql_err() {
            // The unique index on the SSN, should anything get past the check above.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ssn_taken(),
            _ => internal(e),
        })?;
        let highest = store::highest_record_number(&txn, org)
            .await
            .map_err(internal)?;
        let mrn = next_record_number(highest.as_deref(), &prefix);
        let patient = store::create_patient(&txn, person.id, org, &mrn, false, now)
            .await
            .map_err(internal)?;
        record_desk(&state, &txn, &member, "desk.patient_registered", person.id).await?;
        txn.commit().await.map_err(internal)?;
        // Just registered: no account yet.
        Ok(DeskPatient {
            medical_record_number: patient.medical_record_number,
            name: format!("{} {}", person.given_name, person.family_name),
            date_of_birth: person.date_of_birth,
            ssn_last_four: person.ssn_last_four,
            has_account: false,
            account_locked: false,
            two_step_on: false,
        })
    }

    /// The letters new record numbers start with when an organization has none yet: the first
    /// two letters of its short name.
    fn record_prefix(slug: &str) -> String {
        let letters: String = slug
            .chars()
            .filter(char::is_ascii_alphabetic)
            .take(2)
            .collect::<String>()
            .to_ascii_uppercase();
        if letters.is_empty() {
            "P".to_owned()
        } else {
            letters
        }
    }

    /// A phone number as typed: digits with the usual separators, 7 to 20 digits.
    fn parse_phone(text: &str) -> Result<String, PortalError> {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let allowed = text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if allowed && (7..=20).contains(&digits) {
            Ok(text.trim().to_owned())
        } else {
            Err(PortalError::Invalid(
                "Enter a phone number with its digits, like 555-0100, or leave it empty.".into(),
            ))
        }
    }

    pub async fn find_patient(mrn: String) -> Result<DeskPatient, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let (person, summary) = patient_for_desk(&state, &mrn).await?;
        record_desk(&state, &state.db, &member, "desk.patient_viewed", person.id).await?;
        Ok(summary)
    }

    pub async fn issue_activation_code(
        mrn: String,
        route: String,
    ) -> Result<IssuedCode, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let route = match route.as_str() {
            "visit" => CodeRoute::Visit,
            "paper" => CodeRoute::Paper,
            _ => {
                return Err(PortalError::Invalid(
                    "Choose whether the patient is here for a visit or sent a paper form.".into(),
                ));
            }
        };
        let (person, summary) = patient_for_desk(&state, &mrn).await?;
        let policy = home_policy(&state).await?;
        let now = state.clock.now();
        let today = local_date(now, state.site.time_zone);
        match account_eligibility(person.date_of_birth, today, policy.adult_age) {
            AccountEligibility::Eligible => {}
            AccountEligibility::TooYoung {
                adult_age,
                adult_on,
            } => {
                return Err(PortalError::Invalid(format!(
                    "{} is under {adult_age} and cannot have an account until {}. A parent or guardian can ask for proxy access instead.",
                    summary.name,
                    crate::domain::dates::long_date(adult_on)
                )));
            }
            AccountEligibility::BornInFuture => return Err(PortalError::NotFound),
        }
        if summary.has_account {
            return Err(PortalError::Invalid(format!(
                "{} already has an account. For a forgotten portal ID, issue an access code instead.",
                summary.name
            )));
        }
        issue(
            &state,
            &member,
            &person,
            summary,
            CodePurpose::Activation,
            route,
            activation_code_validity(&policy),
        )
        .await
    }

    pub async fn unlock_account(mrn: String) -> Result<DeskPatient, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let (person, _) = patient_for_desk(&state, &mrn).await?;
        let account = accounts::account_of_person(&state.db, person.id, state.site.organization_id)
            .await
            .map_err(internal)?
            .ok_or(PortalError::NotFound)?;
        let txn = state.db.begin().await.map_err(internal)?;
        accounts::clear_lockout(&txn, account.id)
            .await
            .map_err(internal)?;
        lockout::clear_browsers(&txn, account.id)
            .await
            .map_err(internal)?;
        record_desk(&state, &txn, &member, "account.unlocked", person.id).await?;
        txn.commit().await.map_err(internal)?;
        Ok(patient_for_desk(&state, &mrn).await?.1)
    }

    pub async fn reset_two_step(mrn: String) -> Result<DeskPatient, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let (person, summary) = patient_for_desk(&state, &mrn).await?;
        let account = accounts::account_of_person(&state.db, person.id, state.site.organization_id)
            .await
            .map_err(internal)?
            .filter(|a| a.totp_confirmed_at.is_some())
            .ok_or_else(|| {
                PortalError::Invalid(format!(
                    "{} does not have 2-step verification on.",
                    summary.name
                ))
            })?;
        let txn = state.db.begin().await.map_err(internal)?;
        two_step::turn_off_for_account(&txn, account.id)
            .await
            .map_err(internal)?;
        record_desk(&state, &txn, &member, "two_step.reset_by_desk", person.id).await?;
        txn.commit().await.map_err(internal)?;
        Ok(patient_for_desk(&state, &mrn).await?.1)
    }

    pub async fn issue_access_code(mrn: String) -> Result<IssuedCode, PortalError> {
        let state = app_state()?;
        let member = require_staff(&state, DESK_ROLES).await?;
        let (person, summary) = patient_for_desk(&state, &mrn).await?;
        if !summary.has_account {
            return Err(PortalError::Invalid(format!(
                "{} has no portal account yet. Issue an activation code instead.",
                summary.name
            )));
        }
        let policy = home_policy(&state).await?;
        issue(
            &state,
            &member,
            &person,
            summary,
            CodePurpose::PortalIdRecovery,
            CodeRoute::HelpLine,
            access_code_validity(&policy),
        )
        .await
    }

    /// Issues a one-time code of `purpose` for the patient, audited, and returns it to show once.
    async fn issue(
        state: &AppState,
        member: &staff::Model,
        person: &crate::db::entities::person::Model,
        summary: DeskPatient,
        purpose: CodePurpose,
        route: CodeRoute,
        valid_for: chrono::Duration,
    ) -> Result<IssuedCode, PortalError> {
        let now = state.clock.now();
        let txn = state.db.begin().await.map_err(internal)?;
        let (code, row) = codes::issue_code(
            &txn,
            &state.tokens,
            NewCode {
                organization_id: state.site.organization_id,
                person_id: person.id,
                purpose,
                route,
                issued_by_staff_id: Some(member.id),
                valid_for,
            },
            now,
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            now,
            event(
                state,
                Actor::Staff(member.id),
                "code.issued",
                Outcome::Success,
            )
            .subject(person.id)
            .detail(serde_json::json!({
                "code_id": row.id,
                "purpose": purpose.as_str(),
                "route": route.as_str(),
            })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(IssuedCode {
            code: code.display(),
            patient_name: summary.name,
            expires_on: local_date(row.expires_at, state.site.time_zone),
        })
    }
}
