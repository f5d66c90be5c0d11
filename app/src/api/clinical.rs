//! The read-only clinical parts of a record (issue 15): immunizations (viewers with the
//! immunizations scope, such as parents of 13-17-year-olds), health topic alerts (the alerts
//! scope), the health summary as a page and as a FHIR R4 document (P8, full access only), and
//! reports of incorrect information (C4): the patient reports an item, staff answer and close
//! it, the patient reads the status and the answer. Every function passes the guard first.

use super::PortalError;
use crate::api::record::RecordHeading;
use crate::domain::summary::HealthSummary;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImmunizationRow {
    pub id: i32,
    pub vaccine: String,
    pub dose: String,
    pub given_on: String,
    pub given_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImmunizationList {
    pub heading: RecordHeading,
    /// For the printed page: whose record, with the date of birth.
    pub date_of_birth: String,
    pub rows: Vec<ImmunizationRow>,
    /// Whether the viewer may report an item as wrong.
    pub may_report: bool,
}

#[server(endpoint = "record/immunizations", input = leptos::server_fn::codec::GetUrl)]
pub async fn immunizations(subject: Option<i32>) -> Result<ImmunizationList, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(
        RecordNeed::read(subject, Area::Immunizations),
        server::immunizations,
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    pub topic: String,
    pub detail: String,
    /// "Due on 1 October 2026", "Overdue since …", or empty.
    pub due: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertList {
    pub heading: RecordHeading,
    pub rows: Vec<AlertRow>,
}

#[server(endpoint = "record/health-reminders", input = leptos::server_fn::codec::GetUrl)]
pub async fn health_alerts(subject: Option<i32>) -> Result<AlertList, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(
        RecordNeed::read(subject, Area::HealthAlerts),
        server::alerts,
    )
    .await
}

/// The summary with the ids of its items, for the page's "report incorrect information".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryView {
    pub heading: RecordHeading,
    pub summary: HealthSummary,
    pub allergy_ids: Vec<i32>,
    pub medication_ids: Vec<i32>,
    pub problem_ids: Vec<i32>,
}

/// How many of the latest released result values the summary holds.
pub const SUMMARY_RESULTS: usize = 20;

#[server(endpoint = "record/health-summary", input = leptos::server_fn::codec::GetUrl)]
pub async fn health_summary_view(subject: Option<i32>) -> Result<SummaryView, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(
        RecordNeed::read(subject, Area::HealthSummary),
        server::summary,
    )
    .await
}

/// The health summary as a FHIR R4 document Bundle (International Patient Summary), to save
/// and take to another organization (P8).
#[server(endpoint = "record/health-summary/fhir", input = leptos::server_fn::codec::GetUrl)]
pub async fn health_summary_document(
    subject: Option<i32>,
) -> Result<serde_json::Value, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::HealthSummary), |g| async {
        let now = g.now;
        let view = server::summary(g).await?;
        Ok(crate::domain::summary::ips_bundle(
            &view.summary,
            &server::new_uuid(),
            now,
        ))
    })
    .await
}

/// What kind of item a report is about.
pub const REPORT_KINDS: [&str; 5] = ["immunization", "result", "allergy", "medication", "problem"];

/// Reports that something in the record is wrong (C4). Answers the item, in words.
#[server(endpoint = "record/reports/new")]
pub async fn report_incorrect(
    subject: Option<i32>,
    kind: Option<String>,
    item: Option<i32>,
    note: Option<String>,
) -> Result<String, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    // The item's area says the scope: a parent with the immunizations scope reports an
    // immunization; anything else needs full access. An unknown kind passes the guard as the
    // reports area, then finds nothing.
    let area = kind.as_deref().and_then(server::area_of_kind);
    guarded_record(
        RecordNeed::change(subject, area.unwrap_or(Area::Reports)),
        |g| async move {
            if area.is_none() {
                return Err(PortalError::NotFound);
            }
            server::report(g, kind.unwrap_or_default(), item, note.unwrap_or_default()).await
        },
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub id: i32,
    pub item: String,
    pub note: String,
    pub sent: String,
    /// "Waiting for the clinic" or "Answered on …".
    pub status: String,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportList {
    pub heading: RecordHeading,
    pub rows: Vec<ReportRow>,
    /// The item a report is being written about (from `?kind=&item=`), in words.
    pub about: Option<String>,
}

#[server(endpoint = "record/reports", input = leptos::server_fn::codec::GetUrl)]
pub async fn correction_reports(
    subject: Option<i32>,
    kind: Option<String>,
    item: Option<i32>,
) -> Result<ReportList, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::Reports), |g| {
        server::reports(g, kind, item)
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: i32,
    pub patient: String,
    pub record_number: String,
    pub item: String,
    pub note: String,
    pub sent: String,
}

#[server(endpoint = "reports-desk/queue", input = leptos::server_fn::codec::GetUrl)]
pub async fn reports_queue() -> Result<Vec<QueueRow>, PortalError> {
    use super::guard::{Staff, guarded};
    use crate::domain::staff::StaffRole;
    // What patients report is clinical: clinicians read and answer it.
    guarded(Staff(&[StaffRole::Clinician]), server::queue).await
}

/// Answers a report and closes it; the patient is emailed that there is news (C6).
#[server(endpoint = "reports-desk/answer")]
pub async fn answer_report(id: Option<i32>, answer: Option<String>) -> Result<String, PortalError> {
    use super::guard::{Staff, guarded};
    use crate::domain::staff::StaffRole;
    guarded(Staff(&[StaffRole::Clinician]), |g| {
        server::answer(g, id, answer.unwrap_or_default())
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::guard::{ActingFor, Guarded, StaffSession};
    use crate::api::record::server::{entry_for, heading_of, still_allowed};
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::clinical as store;
    use crate::db::entities::person;
    use crate::db::records::{self, AccessEntry};
    use crate::domain::age::local_date;
    use crate::domain::dates::long_date;
    use crate::domain::notification::NewInformation;
    use crate::domain::record::{Area, RecordAction};
    use crate::domain::summary::{
        SummaryAllergy, SummaryImmunization, SummaryMedication, SummaryPatient, SummaryProblem,
        SummaryResult,
    };
    use crate::state::AppState;
    use chrono::Duration;
    use sea_orm::{EntityTrait, TransactionTrait};

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("clinical", e)
    }

    /// A random (version 4) UUID.
    pub fn new_uuid() -> String {
        use rand::RngCore as _;
        let mut b = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    pub fn area_of_kind(kind: &str) -> Option<Area> {
        match kind {
            "immunization" => Some(Area::Immunizations),
            "result" => Some(Area::Results),
            "allergy" | "medication" | "problem" => Some(Area::HealthSummary),
            _ => None,
        }
    }

    pub async fn immunizations(g: Guarded<ActingFor>) -> Result<ImmunizationList, PortalError> {
        let Guarded { state, caller, .. } = g;
        let rows =
            store::immunizations_of(&state.db, state.site.organization_id, caller.subject.id)
                .await
                .map_err(internal)?;
        Ok(ImmunizationList {
            date_of_birth: long_date(caller.subject.date_of_birth),
            rows: rows
                .into_iter()
                .map(|i| ImmunizationRow {
                    id: i.id,
                    vaccine: i.vaccine,
                    dose: i.dose.unwrap_or_default(),
                    given_on: long_date(i.given_on),
                    given_by: i.given_by.unwrap_or_default(),
                })
                .collect(),
            // Reports are read on the reports page, which takes full access.
            may_report: caller
                .access
                .allows(crate::domain::access::Scope::FullRecord),
            heading: heading_of(&caller),
        })
    }

    pub async fn alerts(g: Guarded<ActingFor>) -> Result<AlertList, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let today = local_date(now, state.site.time_zone);
        let rows = store::alerts_of(&state.db, state.site.organization_id, caller.subject.id)
            .await
            .map_err(internal)?;
        Ok(AlertList {
            heading: heading_of(&caller),
            rows: rows
                .into_iter()
                .map(|a| {
                    let overdue = a.due_on.is_some_and(|d| d < today);
                    AlertRow {
                        due: match a.due_on {
                            Some(d) if d < today => format!("Overdue since {}", long_date(d)),
                            Some(d) => format!("Due on {}", long_date(d)),
                            None => String::new(),
                        },
                        overdue,
                        topic: a.topic,
                        detail: a.detail,
                    }
                })
                .collect(),
        })
    }

    /// The summary of what the viewer may see (the guard asked for full access).
    pub async fn summary(g: Guarded<ActingFor>) -> Result<SummaryView, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let db = &state.db;
        let org = state.site.organization_id;
        let person = caller.subject.id;
        let allergies = store::allergies_of(db, org, person)
            .await
            .map_err(internal)?;
        let medications = store::medications_of(db, org, person)
            .await
            .map_err(internal)?;
        let problems = store::problems_of(db, org, person)
            .await
            .map_err(internal)?;
        let immunizations = store::immunizations_of(db, org, person)
            .await
            .map_err(internal)?;
        // The latest released results only: the same visibility as the results pages.
        let (latest, _) = crate::db::results::visible_results(
            db,
            org,
            person,
            crate::db::results::waits_for_clinician(&caller.record),
            now,
            0,
            5,
        )
        .await
        .map_err(internal)?;
        let mut results = Vec::new();
        for r in latest {
            let detail = crate::db::results::visible_result(
                db,
                org,
                person,
                r.id,
                crate::db::results::waits_for_clinician(&caller.record),
                now,
            )
            .await
            .map_err(internal)?;
            let Some(detail) = detail else { continue };
            let collected_at = detail.result.collected_at;
            for c in detail.components {
                if results.len() < SUMMARY_RESULTS {
                    results.push(SummaryResult {
                        name: c.name,
                        value: c.value_number.filter(|v| v.is_finite()),
                        text: c.value_text,
                        unit: c.unit,
                        low: c.range_low,
                        high: c.range_high,
                        flag: c.flag,
                        collected_at,
                        resulted_at: c.resulted_at,
                    });
                }
            }
        }
        let s = &caller.subject;
        Ok(SummaryView {
            heading: heading_of(&caller),
            allergy_ids: allergies.iter().map(|a| a.id).collect(),
            medication_ids: medications.iter().map(|m| m.id).collect(),
            problem_ids: problems.iter().map(|p| p.id).collect(),
            summary: HealthSummary {
                patient: SummaryPatient {
                    record_number_system: format!("{}/fhir/sid/mrn", state.site.public_url),
                    given_name: s.given_name.clone(),
                    family_name: s.family_name.clone(),
                    date_of_birth: s.date_of_birth,
                    record_number: caller.record.medical_record_number.clone(),
                },
                organization: state.site.branding.organization_name.clone(),
                allergies: allergies
                    .into_iter()
                    .map(|a| SummaryAllergy {
                        substance: a.substance,
                        reaction: a.reaction,
                        severity: a.severity,
                        recorded_on: a.recorded_on,
                    })
                    .collect(),
                medications: medications
                    .into_iter()
                    .map(|m| SummaryMedication {
                        name: m.name,
                        instructions: m.instructions,
                        started_on: m.started_on,
                    })
                    .collect(),
                problems: problems
                    .into_iter()
                    .map(|p| SummaryProblem {
                        name: p.name,
                        noted_on: p.noted_on,
                    })
                    .collect(),
                immunizations: immunizations
                    .into_iter()
                    .map(|i| SummaryImmunization {
                        vaccine: i.vaccine,
                        code: i.code,
                        given_on: i.given_on,
                    })
                    .collect(),
                results,
            },
        })
    }

    /// The item `kind` `id` of the subject, in words, if it is theirs and they see it.
    async fn item_label(
        state: &AppState,
        caller: &ActingFor,
        kind: &str,
        id: i32,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>, PortalError> {
        let db = &state.db;
        let org = state.site.organization_id;
        let person = caller.subject.id;
        Ok(match kind {
            "immunization" => store::immunizations_of(db, org, person)
                .await
                .map_err(internal)?
                .into_iter()
                .find(|i| i.id == id)
                .map(|i| format!("Immunization: {}, {}", i.vaccine, long_date(i.given_on))),
            "allergy" => store::allergies_of(db, org, person)
                .await
                .map_err(internal)?
                .into_iter()
                .find(|a| a.id == id)
                .map(|a| format!("Allergy: {}", a.substance)),
            "medication" => store::medications_of(db, org, person)
                .await
                .map_err(internal)?
                .into_iter()
                .find(|m| m.id == id)
                .map(|m| format!("Medication: {}", m.name)),
            "problem" => store::problems_of(db, org, person)
                .await
                .map_err(internal)?
                .into_iter()
                .find(|p| p.id == id)
                .map(|p| format!("Problem: {}", p.name)),
            "result" => crate::db::results::visible_result(
                db,
                org,
                person,
                id,
                crate::db::results::waits_for_clinician(&caller.record),
                now,
            )
            .await
            .map_err(internal)?
            .map(|r| {
                format!(
                    "Test result: {}, {}",
                    r.test,
                    long_date(local_date(r.result.resulted_at, state.site.time_zone))
                )
            }),
            _ => None,
        })
    }

    /// Text typed in a box, as stored: line breaks as `\n`, trimmed; `None` if it holds other
    /// control characters (which PostgreSQL's text refuses, NUL among them).
    fn clean_text(text: &str) -> Option<String> {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        (!text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'))
        .then(|| text.to_owned())
    }

    /// How many reports an account may send a day.
    const REPORTS_PER_DAY: u64 = 20;
    const NOTE_MAX: usize = 2000;

    pub async fn report(
        g: Guarded<ActingFor>,
        kind: String,
        item: Option<i32>,
        note: String,
    ) -> Result<String, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let Some(note) = clean_text(&note) else {
            return Err(PortalError::Invalid(
                "The note holds characters that cannot be saved. Please type it again.".into(),
            ));
        };
        if note.is_empty() {
            return Err(PortalError::Invalid(
                "Say what is wrong, so that the clinic can correct it.".into(),
            ));
        }
        if note.chars().count() > NOTE_MAX {
            return Err(PortalError::Invalid(format!(
                "Please keep the note to {NOTE_MAX} characters."
            )));
        }
        let Some(item) = item else {
            return Err(PortalError::NotFound);
        };
        let label = item_label(&state, &caller, &kind, item, now)
            .await?
            .ok_or(PortalError::NotFound)?;
        let account = caller.patient.account.id;
        let txn = state.db.begin().await.map_err(internal)?;
        // One report of this account's at a time: the count below includes every earlier one,
        // so reports sent together cannot pass the daily limit.
        crate::db::store::lock_person(&txn, caller.viewer.id)
            .await
            .map_err(internal)?;
        let sent = store::reports_since(&txn, account, now - Duration::hours(24))
            .await
            .map_err(internal)?;
        if sent >= REPORTS_PER_DAY {
            return Err(PortalError::Invalid(
                "You have sent many reports today. Please call the clinic, or try again tomorrow."
                    .into(),
            ));
        }
        let made = store::create_report(
            &txn,
            store::NewReport {
                organization_id: state.site.organization_id,
                person_id: caller.subject.id,
                area: caller.entry.area.as_str().to_owned(),
                item: Some(item),
                item_label: label.clone(),
                note,
                reported_by_account_id: account,
            },
            now,
        )
        .await
        .map_err(internal)?;
        still_allowed(&state, &txn, &caller, now).await?;
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "record.correction_reported")
                .detail(serde_json::json!({ "report": made.id })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(label)
    }

    pub async fn reports(
        g: Guarded<ActingFor>,
        kind: Option<String>,
        item: Option<i32>,
    ) -> Result<ReportList, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let zone = state.site.time_zone;
        let rows = store::reports_of(&state.db, state.site.organization_id, caller.subject.id)
            .await
            .map_err(internal)?;
        let about = match (kind.as_deref(), item) {
            (Some(kind), Some(item)) => item_label(&state, &caller, kind, item, now).await?,
            _ => None,
        };
        Ok(ReportList {
            heading: heading_of(&caller),
            about,
            rows: rows
                .into_iter()
                .map(|r| ReportRow {
                    id: r.id,
                    item: r.item_label,
                    note: r.note,
                    sent: long_date(local_date(r.created_at, zone)),
                    status: match r.closed_at {
                        Some(at) => format!("Answered on {}", long_date(local_date(at, zone))),
                        None => "Waiting for the clinic".to_owned(),
                    },
                    answer: r.answer,
                })
                .collect(),
        })
    }

    pub async fn queue(g: Guarded<StaffSession>) -> Result<Vec<QueueRow>, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let zone = state.site.time_zone;
        let rows = store::open_reports(&state.db, org, 200)
            .await
            .map_err(internal)?;
        let mut people = std::collections::HashMap::new();
        for r in &rows {
            if let std::collections::hash_map::Entry::Vacant(slot) = people.entry(r.person_id) {
                let found = records::record_of_person(&state.db, org, r.person_id)
                    .await
                    .map_err(internal)?;
                slot.insert(found);
            }
        }
        let seen: Vec<AccessEntry> = people
            .iter()
            .filter(|(_, found)| found.is_some())
            .map(|(&id, _)| caller.access_entry(org, id, Area::ReportsDesk, RecordAction::Viewed))
            .collect();
        records::record_accesses(&state.db, seen.iter().map(|e| (e, now)))
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let (record, person) = people.get(&r.person_id)?.as_ref()?;
                Some(QueueRow {
                    id: r.id,
                    patient: format!("{} {}", person.given_name, person.family_name),
                    record_number: record.medical_record_number.clone(),
                    item: r.item_label,
                    note: r.note,
                    sent: long_date(local_date(r.created_at, zone)),
                })
            })
            .collect())
    }

    pub async fn answer(
        g: Guarded<StaffSession>,
        id: Option<i32>,
        answer: String,
    ) -> Result<String, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let Some(answer) = clean_text(&answer) else {
            return Err(PortalError::Invalid(
                "The answer holds characters that cannot be saved. Please type it again.".into(),
            ));
        };
        if answer.is_empty() {
            return Err(PortalError::Invalid(
                "Write the answer the patient will read.".into(),
            ));
        }
        if answer.chars().count() > NOTE_MAX {
            return Err(PortalError::Invalid(format!(
                "Please keep the answer to {NOTE_MAX} characters."
            )));
        }
        let Some(id) = id else {
            return Err(PortalError::NotFound);
        };
        let Some(report) = store::report_of_organization(&state.db, org, id)
            .await
            .map_err(internal)?
        else {
            return Err(PortalError::NotFound);
        };
        let Some(person) = person::Entity::find_by_id(report.person_id)
            .one(&state.db)
            .await
            .map_err(internal)?
        else {
            return Err(PortalError::NotFound);
        };
        let txn = state.db.begin().await.map_err(internal)?;
        if !store::close_report(&txn, org, id, caller.member.id, &answer, now)
            .await
            .map_err(internal)?
        {
            return Err(PortalError::Invalid(
                "This report has already been answered.".into(),
            ));
        }
        records::record_access(
            &txn,
            &caller.access_entry(org, person.id, Area::ReportsDesk, RecordAction::Changed),
            now,
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            now,
            crate::api::request::audit_event(
                &state,
                Actor::Staff(caller.member.id),
                "record.correction_answered",
                Outcome::Success,
            )
            .subject(person.id)
            .detail(serde_json::json!({ "report": id })),
        )
        .await
        .map_err(internal)?;
        crate::api::notify::new_information(
            &txn,
            &state,
            &person,
            NewInformation::ReportAnswered,
            now,
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        Ok(format!("{} {}", person.given_name, person.family_name))
    }
}
