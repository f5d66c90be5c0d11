//! The health summary (P8) as a FHIR R4 document Bundle in the shape of the International
//! Patient Summary: a Composition with its sections (allergies, medications, problems,
//! immunizations, results), then the Patient, the Organization, and one resource per item,
//! each referenced from its section. Built from plain values the caller has already filtered
//! to what the viewer may see; the same values make the printable page.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryPatient {
    /// The URI that names the organization's record numbers.
    pub record_number_system: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub record_number: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryAllergy {
    pub substance: String,
    pub reaction: Option<String>,
    /// `mild`, `moderate` or `severe`.
    pub severity: Option<String>,
    pub recorded_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryMedication {
    pub name: String,
    pub instructions: Option<String>,
    pub started_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryProblem {
    pub name: String,
    pub noted_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryImmunization {
    pub vaccine: String,
    /// CVX code.
    pub code: Option<String>,
    pub given_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryResult {
    pub name: String,
    pub value: Option<f64>,
    pub text: Option<String>,
    pub unit: Option<String>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The lab's flag: `high`, `low`, `abnormal`.
    pub flag: Option<String>,
    /// When the sample was taken (the observation's time) and when the lab resulted it.
    pub collected_at: DateTime<Utc>,
    pub resulted_at: DateTime<Utc>,
}

/// Everything the summary holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthSummary {
    pub patient: SummaryPatient,
    pub organization: String,
    pub allergies: Vec<SummaryAllergy>,
    pub medications: Vec<SummaryMedication>,
    pub problems: Vec<SummaryProblem>,
    pub immunizations: Vec<SummaryImmunization>,
    pub results: Vec<SummaryResult>,
}

/// Escapes text for the sections' XHTML narrative.
fn xhtml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn narrative(lines: &[String], empty: &str) -> Value {
    let body = if lines.is_empty() {
        format!("<p>{}</p>", xhtml(empty))
    } else {
        format!(
            "<ul>{}</ul>",
            lines
                .iter()
                .map(|l| format!("<li>{}</li>", xhtml(l)))
                .collect::<String>()
        )
    };
    json!({
        "status": "generated",
        "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{body}</div>"),
    })
}

fn loinc(code: &str, display: &str) -> Value {
    json!({ "coding": [{ "system": "http://loinc.org", "code": code, "display": display }] })
}

fn quantity(value: f64, unit: &Option<String>) -> Value {
    match unit {
        Some(unit) => json!({ "value": value, "unit": unit }),
        None => json!({ "value": value }),
    }
}

/// The summary as a FHIR R4 document Bundle. `id` makes every `urn:uuid:` in it (a UUID of the
/// caller's choosing, fresh for each download); `now` is the Bundle's timestamp.
pub fn ips_bundle(summary: &HealthSummary, id: &str, now: DateTime<Utc>) -> Value {
    // Ids inside the document: the id with a counter in its last group keeps them UUIDs.
    let mut counter = 0u32;
    let base = id
        .get(..id.len().saturating_sub(4))
        .unwrap_or(id)
        .to_owned();
    let mut next = || {
        counter += 1;
        format!("urn:uuid:{base}{counter:04x}")
    };
    let composition_url = next();
    let patient_url = next();
    let organization_url = next();
    let subject = json!({ "reference": patient_url });
    let timestamp = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut entries: Vec<Value> = Vec::new();
    let mut section = |title: &str,
                       code: Value,
                       lines: Vec<String>,
                       empty: &str,
                       resources: Vec<Value>,
                       entries: &mut Vec<Value>| {
        let refs: Vec<Value> = resources
            .into_iter()
            .map(|resource| {
                let url = next();
                entries.push(json!({ "fullUrl": url, "resource": resource }));
                json!({ "reference": url })
            })
            .collect();
        let mut s = json!({
            "title": title,
            "code": code,
            "text": narrative(&lines, empty),
        });
        if refs.is_empty() {
            s["emptyReason"] = json!({
                "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
                    "code": "unavailable",
                }]
            });
        } else {
            s["entry"] = Value::Array(refs);
        }
        s
    };
    let allergies = section(
        "Allergies and intolerances",
        loinc("48765-2", "Allergies and adverse reactions Document"),
        summary
            .allergies
            .iter()
            .map(|a| match &a.reaction {
                Some(r) => format!("{}: {r}", a.substance),
                None => a.substance.clone(),
            })
            .collect(),
        "No known allergies recorded.",
        summary
            .allergies
            .iter()
            .map(|a| {
                let mut r = json!({
                    "resourceType": "AllergyIntolerance",
                    "clinicalStatus": { "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                        "code": "active",
                    }]},
                    "code": { "text": a.substance },
                    "patient": subject,
                    "recordedDate": a.recorded_on.to_string(),
                });
                if let Some(reaction) = &a.reaction {
                    let mut one = json!({ "manifestation": [{ "text": reaction }] });
                    if let Some(severity) = a.severity.as_deref().filter(|s| {
                        matches!(*s, "mild" | "moderate" | "severe")
                    }) {
                        one["severity"] = json!(severity);
                    }
                    r["reaction"] = json!([one]);
                }
                r
            })
            .collect(),
        &mut entries,
    );
    let medications = section(
        "Medications",
        loinc("10160-0", "History of Medication use Narrative"),
        summary
            .medications
            .iter()
            .map(|m| match &m.instructions {
                Some(i) => format!("{}: {i}", m.name),
                None => m.name.clone(),
            })
            .collect(),
        "No medications recorded.",
        summary
            .medications
            .iter()
            .map(|m| {
                let mut r = json!({
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "medicationCodeableConcept": { "text": m.name },
                    "subject": subject,
                    "effectivePeriod": { "start": m.started_on.to_string() },
                });
                if let Some(text) = &m.instructions {
                    r["dosage"] = json!([{ "text": text }]);
                }
                r
            })
            .collect(),
        &mut entries,
    );
    let problems = section(
        "Problems",
        loinc("11450-4", "Problem list - Reported"),
        summary.problems.iter().map(|p| p.name.clone()).collect(),
        "No problems recorded.",
        summary
            .problems
            .iter()
            .map(|p| {
                json!({
                    "resourceType": "Condition",
                    "clinicalStatus": { "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }]},
                    "code": { "text": p.name },
                    "subject": subject,
                    "onsetDateTime": p.noted_on.to_string(),
                })
            })
            .collect(),
        &mut entries,
    );
    let immunizations = section(
        "Immunizations",
        loinc("11369-6", "History of Immunization Narrative"),
        summary
            .immunizations
            .iter()
            .map(|i| format!("{} ({})", i.vaccine, i.given_on))
            .collect(),
        "No immunizations recorded.",
        summary
            .immunizations
            .iter()
            .map(|i| {
                let mut code = json!({ "text": i.vaccine });
                if let Some(cvx) = &i.code {
                    code["coding"] =
                        json!([{ "system": "http://hl7.org/fhir/sid/cvx", "code": cvx }]);
                }
                json!({
                    "resourceType": "Immunization",
                    "status": "completed",
                    "vaccineCode": code,
                    "patient": subject,
                    "occurrenceDateTime": i.given_on.to_string(),
                })
            })
            .collect(),
        &mut entries,
    );
    let results = section(
        "Results",
        loinc("30954-2", "Relevant diagnostic tests/laboratory data Narrative"),
        summary
            .results
            .iter()
            .map(|r| {
                let value = match (r.value, &r.text) {
                    (Some(v), _) => format!("{v}{}", r.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                format!("{}: {value} ({})", r.name, r.collected_at.date_naive())
            })
            .collect(),
        "No released results.",
        summary
            .results
            .iter()
            .map(|r| {
                let mut o = json!({
                    "resourceType": "Observation",
                    "status": "final",
                    "category": [{ "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }]}],
                    "code": { "text": r.name },
                    "subject": subject,
                    "effectiveDateTime": r.collected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    "issued": r.resulted_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                });
                match (r.value.filter(|v| v.is_finite()), &r.text) {
                    (Some(v), _) => o["valueQuantity"] = quantity(v, &r.unit),
                    (None, Some(t)) => o["valueString"] = json!(t),
                    (None, None) => {}
                }
                let mut range = json!({});
                if let Some(low) = r.low.filter(|v| v.is_finite()) {
                    range["low"] = quantity(low, &r.unit);
                }
                if let Some(high) = r.high.filter(|v| v.is_finite()) {
                    range["high"] = quantity(high, &r.unit);
                }
                if range.as_object().is_some_and(|m| !m.is_empty()) {
                    o["referenceRange"] = json!([range]);
                }
                let code = match r.flag.as_deref() {
                    Some("high") => Some("H"),
                    Some("low") => Some("L"),
                    Some(_) => Some("A"),
                    None => None,
                };
                if let Some(code) = code {
                    o["interpretation"] = json!([{ "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": code,
                    }]}]);
                }
                o
            })
            .collect(),
        &mut entries,
    );
    let p = &summary.patient;
    let patient = json!({
        "resourceType": "Patient",
        "identifier": [{
            "type": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                "code": "MR",
            }]},
            "system": p.record_number_system,
            "value": p.record_number,
        }],
        "name": [{ "family": p.family_name, "given": [p.given_name] }],
        "birthDate": p.date_of_birth.to_string(),
    });
    let organization = json!({ "resourceType": "Organization", "name": summary.organization });
    let composition = json!({
        "resourceType": "Composition",
        "status": "final",
        "type": loinc("60591-5", "Patient summary Document"),
        "subject": subject,
        "date": timestamp,
        "author": [{ "reference": organization_url }],
        "title": format!("Patient summary of {} {}", p.given_name, p.family_name),
        "custodian": { "reference": organization_url },
        "section": [allergies, medications, problems, immunizations, results],
    });
    let mut all = vec![
        json!({ "fullUrl": composition_url, "resource": composition }),
        json!({ "fullUrl": patient_url, "resource": patient }),
        json!({ "fullUrl": organization_url, "resource": organization }),
    ];
    all.extend(entries);
    json!({
        "resourceType": "Bundle",
        "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{id}") },
        "type": "document",
        "timestamp": timestamp,
        "entry": all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> HealthSummary {
        HealthSummary {
            patient: SummaryPatient {
                record_number_system: "https://portal.example.org/fhir/sid/mrn".into(),
                given_name: "Alex".into(),
                family_name: "Rivera".into(),
                date_of_birth: NaiveDate::from_ymd_opt(1988, 7, 14).unwrap(),
                record_number: "RB100001".into(),
            },
            organization: "Riverbend Health".into(),
            allergies: vec![SummaryAllergy {
                substance: "Penicillin <G>".into(),
                reaction: Some("Hives".into()),
                severity: Some("moderate".into()),
                recorded_on: NaiveDate::from_ymd_opt(2015, 3, 1).unwrap(),
            }],
            medications: vec![],
            problems: vec![],
            immunizations: vec![SummaryImmunization {
                vaccine: "Influenza".into(),
                code: Some("140".into()),
                given_on: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            }],
            results: vec![SummaryResult {
                name: "Glucose".into(),
                value: Some(104.0),
                text: None,
                unit: Some("mg/dL".into()),
                low: Some(70.0),
                high: Some(99.0),
                flag: Some("high".into()),
                collected_at: "2026-06-15T09:00:00Z".parse().unwrap(),
                resulted_at: "2026-06-15T15:00:00Z".parse().unwrap(),
            }],
        }
    }

    #[test]
    fn p8_the_summary_is_a_document_bundle_with_a_composition_first() {
        let id = "2f1c8a3e-1b2c-4d5e-8f90-123456789abc";
        let bundle = ips_bundle(&summary(), id, "2026-06-15T15:00:00Z".parse().unwrap());
        assert_eq!(bundle["type"], "document");
        let entries = bundle["entry"].as_array().unwrap();
        assert_eq!(entries[0]["resource"]["resourceType"], "Composition");
        let sections = entries[0]["resource"]["section"].as_array().unwrap();
        assert_eq!(sections.len(), 5);
        // Every section entry points at a resource in the bundle.
        for s in sections {
            for r in s["entry"].as_array().into_iter().flatten() {
                let url = r["reference"].as_str().unwrap();
                assert!(entries.iter().any(|e| e["fullUrl"] == url), "{url}");
            }
        }
        // An empty section says why.
        assert!(sections[1]["emptyReason"].is_object());
        // The narrative is escaped XHTML.
        let div = sections[0]["text"]["div"].as_str().unwrap();
        assert!(div.contains("Penicillin &lt;G&gt;"), "{div}");
        let observation = entries
            .iter()
            .find(|e| e["resource"]["resourceType"] == "Observation")
            .unwrap();
        assert_eq!(observation["resource"]["valueQuantity"]["value"], 104.0);
        // The observation's time is the sample's; the lab's is when it was issued.
        assert_eq!(
            observation["resource"]["effectiveDateTime"],
            "2026-06-15T09:00:00Z"
        );
        assert_eq!(observation["resource"]["issued"], "2026-06-15T15:00:00Z");
        assert_eq!(
            observation["resource"]["interpretation"][0]["coding"][0]["code"],
            "H"
        );
        let urls: std::collections::HashSet<&str> = entries
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        assert_eq!(urls.len(), entries.len(), "every fullUrl is its own");
    }
}
