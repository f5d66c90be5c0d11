//! The enrolment desk (A2, A7): find a patient by record number or by family name and date of
//! birth, register a new one, issue one-time activation and access codes, unlock an account and
//! turn off a lost 2-step verification. Front desk and administrators only, enforced here on the
//! server; staff never see passwords, reset answers or full SSNs.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

// POST, so the record number stays out of URLs and logs.
#[server(endpoint = "desk/find-patient")]
pub async fn desk_find_patient(medical_record_number: String) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::find_patient(g, medical_record_number)
    })
    .await
}

#[server(endpoint = "desk/issue-activation-code")]
pub async fn desk_issue_activation_code(
    medical_record_number: String,
    route: String,
) -> Result<IssuedCode, PortalError> {
    // Front desk and administrators only.
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::issue_activation_code(g, medical_record_number, route)
    })
    .await
}

/// Patients with this family name and date of birth (for a patient who does not know their
/// record number). POST, so names stay out of URLs and logs.
#[server(endpoint = "desk/search-patients")]
pub async fn desk_search_patients(
    family_name: String,
    date_of_birth: String,
) -> Result<Vec<DeskPatient>, PortalError> {
    // Front desk and administrators only.
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::search_patients(g, family_name, date_of_birth)
    })
    .await
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
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::register_patient(g, patient)
    })
    .await
}

/// Unlocks a patient's account locked after too many failed attempts (after staff have
/// confirmed who is asking).
#[server(endpoint = "desk/unlock-account")]
pub async fn desk_unlock_account(
    medical_record_number: String,
) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::unlock_account(g, medical_record_number)
    })
    .await
}

/// Turns off 2-step verification for a patient who lost both their phone and their recovery
/// codes (after staff have confirmed who is asking). They sign in with their password and can
/// turn it on again.
#[server(endpoint = "desk/reset-two-step")]
pub async fn desk_reset_two_step(
    medical_record_number: String,
) -> Result<DeskPatient, PortalError> {
    // Front desk and administrators only.
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::reset_two_step(g, medical_record_number)
    })
    .await
}

/// A7: a help-line access code for a patient who forgot their portal ID.
#[server(endpoint = "desk/issue-access-code")]
pub async fn desk_issue_access_code(
    medical_record_number: String,
) -> Result<IssuedCode, PortalError> {
    // Front desk and administrators only.
    super::guard::guarded(super::guard::Staff(server::DESK_ROLES), |g| {
        server::issue_access_code(g, medical_record_number)
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::api::guard::{Guarded, StaffSession};
    use crate::api::request::audit_event as event;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose, CodeRoute, NewCode};
    use crate::db::entities::staff;
    use crate::db::lockout;
    use crate::db::records::{self, AccessEntry, Viewer};
    use crate::db::two_step;
    use crate::db::{accounts, store};
    use crate::domain::activation::{access_code_validity, activation_code_validity};
    use crate::domain::age::{
        AccountEligibility, account_eligibility, local_date, parse_date_of_birth,
    };
    use crate::domain::dates::long_date;
    use crate::domain::record::{ActingAs, Area, RecordAction};
    use crate::domain::registration::{next_record_number, parse_email, parse_name};
    use crate::domain::ssn::Ssn;
    use crate::domain::staff::StaffRole;
    use crate::state::AppState;
    use sea_orm::TransactionTrait;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("desk", e)
    }

    pub const DESK_ROLES: &[StaffRole] = &[StaffRole::FrontDesk, StaffRole::Administrator];

    /// Audits something a staff member did at the desk about a person's record.
    async fn record_desk(
        state: &AppState,
        db: &impl sea_orm::ConnectionTrait,
        member: &staff::Model,
        action: &'static str,
        person_id: i32,
    ) -> Result<(), PortalError> {
        let now = state.clock.now();
        audit::record(
            db,
            now,
            event(state, Actor::Staff(member.id), action, Outcome::Success).subject(person_id),
        )
        .await
        .map_err(internal)?;
        // The patient reads this on "Who viewed my record".
        let done = if action == "desk.patient_viewed" {
            RecordAction::Viewed
        } else {
            RecordAction::Changed
        };
        desk_access(state, db, member, person_id, done).await
    }

    /// The access-log entry of the desk looking at (or changing) a patient's account.
    async fn desk_access(
        state: &AppState,
        db: &impl sea_orm::ConnectionTrait,
        member: &staff::Model,
        person_id: i32,
        action: RecordAction,
    ) -> Result<(), PortalError> {
        let role = StaffRole::parse(&member.role).map_err(internal)?;
        let entry = AccessEntry {
            organization_id: state.site.organization_id,
            subject_person_id: person_id,
            viewer: Viewer::Staff {
                id: member.id,
                name: member.display_name.clone(),
            },
            acting_as: ActingAs::Staff(role),
            area: Area::EnrolmentDesk,
            action,
            source_ip: crate::api::request::source_ip(),
        };
        records::record_access(db, &entry, state.clock.now())
            .await
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
        g: Guarded<StaffSession>,
        family_name: String,
        date_of_birth: String,
    ) -> Result<Vec<DeskPatient>, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller: StaffSession { member, .. },
        } = g;
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
        // Each patient shown is a look at their record, in their access log; the entries and
        // the audit entry are written together or not at all, and nothing is shown unless
        // they were.
        let txn = state.db.begin().await.map_err(internal)?;
        for (_, person) in &found {
            desk_access(&state, &txn, &member, person.id, RecordAction::Viewed).await?;
        }
        audit::record(
            &txn,
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
        txn.commit().await.map_err(internal)?;
        Ok(patients)
    }

    pub async fn register_patient(
        g: Guarded<StaffSession>,
        new: NewPatient,
    ) -> Result<DeskPatient, PortalError> {
        let Guarded {
            state,
            policy: _,
            now,
            caller: StaffSession { member, .. },
        } = g;
        let db = &state.db;
        let org = state.site.organization_id;
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
                "That Social Security number is on record for someone with another name or date of birth. Check the number, the name and the date of birth.".into(),
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
        let holder = match holder {
            Some(holder) => {
                if let Some(patient) = store::patient_of_person(&txn, org, holder.id)
                    .await
                    .map_err(internal)?
                {
                    return Err(PortalError::Invalid(format!(
                        "That Social Security number is on record {} already. Check the number, or find that patient.",
                        patient.medical_record_number
                    )));
                }
                // A patient of another organization: the same person if name and birth agree
                // (they get a record here too), otherwise a number typed wrong.
                let same = holder.date_of_birth == date_of_birth
                    && holder.given_name.to_lowercase() == given_name.to_lowercase()
                    && holder.family_name.to_lowercase() == family_name.to_lowercase();
                if !same {
                    return Err(ssn_taken());
                }
                Some(holder)
            }
            None => None,
        };
        let person = match holder {
            Some(person) => person,
            None => store::create_person(
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
            })?,
        };
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

    pub async fn find_patient(
        g: Guarded<StaffSession>,
        mrn: String,
    ) -> Result<DeskPatient, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller: StaffSession { member, .. },
        } = g;
        let (person, summary) = patient_for_desk(&state, &mrn).await?;
        record_desk(&state, &state.db, &member, "desk.patient_viewed", person.id).await?;
        Ok(summary)
    }

    pub async fn issue_activation_code(
        g: Guarded<StaffSession>,
        mrn: String,
        route: String,
    ) -> Result<IssuedCode, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller: StaffSession { member, .. },
        } = g;
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

    pub async fn unlock_account(
        g: Guarded<StaffSession>,
        mrn: String,
    ) -> Result<DeskPatient, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller: StaffSession { member, .. },
        } = g;
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

    pub async fn reset_two_step(
        g: Guarded<StaffSession>,
        mrn: String,
    ) -> Result<DeskPatient, PortalError> {
        let Guarded {
            state,
            policy: _,
            now: _,
            caller: StaffSession { member, .. },
        } = g;
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

    pub async fn issue_access_code(
        g: Guarded<StaffSession>,
        mrn: String,
    ) -> Result<IssuedCode, PortalError> {
        let Guarded {
            state,
            policy,
            now: _,
            caller: StaffSession { member, .. },
        } = g;
        let (person, summary) = patient_for_desk(&state, &mrn).await?;
        if !summary.has_account {
            return Err(PortalError::Invalid(format!(
                "{} has no portal account yet. Issue an activation code instead.",
                summary.name
            )));
        }
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
        desk_access(state, &txn, member, person.id, RecordAction::Changed).await?;
        txn.commit().await.map_err(internal)?;
        Ok(IssuedCode {
            code: code.display(),
            patient_name: summary.name,
            expires_on: local_date(row.expires_at, state.site.time_zone),
        })
    }
}
