//! Demo data of a fictional health system, loaded the first time the portal runs with `--demo`
//! (or by `portal seed-demo`). Every person, number and address is invented. Children's dates of
//! birth are computed from today, so the 8-year-old is 8 whenever the demo is loaded.

use super::audit::{self, Actor, AuditEvent, Outcome};
use super::passwords::hash_password;
use super::store::{self, NewPerson, NewRelationship, NewStaff, OrganizationSpec, StoreError};
use super::vault::SsnVault;
use crate::domain::age::local_date;
use crate::domain::relationship::RelationshipKind;
use crate::domain::ssn::Ssn;
use crate::domain::staff::{StaffRole, StaffUsername};
use chrono::{DateTime, Months, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};

/// The demo staff password, printed in the README. Demo deployments only.
pub const DEMO_STAFF_PASSWORD: &str = "riverbend-demo-2026";

/// The set-up code the demo staff use at their first sign-in (before adding the portal to an
/// authenticator app). It works only while the portal runs with `--demo`, for a day after it
/// starts ([`grant_demo_set_up`]).
pub const DEMO_STAFF_SET_UP_CODE: &str = "RVBN-DEMO-2026";

/// Staff of the demo organization: (username, display name, role).
pub const DEMO_STAFF: [(&str, &str, StaffRole); 3] = [
    ("desk", "Dana Whitfield (front desk)", StaffRole::FrontDesk),
    ("clinician", "Dr. Priya Raman", StaffRole::Clinician),
    (
        "admin",
        "Sam Okafor (administrator)",
        StaffRole::Administrator,
    ),
];

/// How a demo person's date of birth is set.
enum Born {
    On(i32, u32, u32),
    /// This many years and months before today.
    Ago(u32, u32),
}

struct DemoPerson {
    key: &'static str,
    given: &'static str,
    family: &'static str,
    born: Born,
    email: Option<&'static str>,
    ssn: Option<&'static str>,
    mrn: &'static str,
}

const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        key: "alex",
        given: "Alex",
        family: "Rivera",
        born: Born::On(1988, 7, 14),
        email: Some("alex.rivera@example.org"),
        ssn: Some("123-45-6781"),
        mrn: "RB100001",
    },
    DemoPerson {
        key: "maria",
        given: "Maria",
        family: "Chen",
        born: Born::On(1984, 3, 9),
        email: Some("maria.chen@example.org"),
        ssn: Some("123-45-6782"),
        mrn: "RB100002",
    },
    DemoPerson {
        key: "sam",
        given: "Sam",
        family: "Chen",
        born: Born::Ago(8, 4),
        email: None,
        ssn: None,
        mrn: "RB100003",
    },
    DemoPerson {
        key: "lily",
        given: "Lily",
        family: "Chen",
        born: Born::Ago(15, 2),
        email: None,
        ssn: None,
        mrn: "RB100004",
    },
    DemoPerson {
        key: "jordan",
        given: "Jordan",
        family: "Chen",
        born: Born::Ago(19, 1),
        email: Some("jordan.chen@example.org"),
        ssn: Some("123-45-6785"),
        mrn: "RB100005",
    },
    DemoPerson {
        key: "pat",
        given: "Pat",
        family: "Morgan",
        born: Born::On(2008, 2, 29),
        email: Some("pat.morgan@example.org"),
        ssn: Some("123-45-6786"),
        mrn: "RB100006",
    },
    DemoPerson {
        key: "walter",
        given: "Walter",
        family: "Brooks",
        born: Born::On(1941, 11, 2),
        email: None,
        ssn: Some("123-45-6787"),
        mrn: "RB100007",
    },
    DemoPerson {
        key: "erin",
        given: "Erin",
        family: "Brooks",
        born: Born::On(1972, 5, 21),
        email: Some("erin.brooks@example.org"),
        ssn: Some("123-45-6788"),
        mrn: "RB100008",
    },
    DemoPerson {
        key: "grace",
        given: "Grace",
        family: "Kim",
        born: Born::On(1995, 9, 30),
        email: Some("grace.kim@example.org"),
        ssn: Some("123-45-6790"),
        mrn: "RB100009",
    },
    DemoPerson {
        key: "omar",
        given: "Omar",
        family: "Haddad",
        born: Born::On(1979, 12, 5),
        email: Some("omar.haddad@example.org"),
        ssn: Some("123-45-6791"),
        mrn: "RB100010",
    },
    DemoPerson {
        key: "nora",
        given: "Nora",
        family: "Patel",
        born: Born::On(1990, 4, 12),
        email: Some("nora.patel@example.org"),
        ssn: Some("123-45-6792"),
        mrn: "RB100011",
    },
    DemoPerson {
        key: "ben",
        given: "Ben",
        family: "Ortiz",
        born: Born::On(1966, 10, 30),
        email: None,
        ssn: Some("123-45-6793"),
        mrn: "RB100012",
    },
    DemoPerson {
        key: "iris",
        given: "Iris",
        family: "Novak",
        born: Born::On(1983, 1, 25),
        email: Some("iris.novak@example.org"),
        ssn: Some("123-45-6794"),
        mrn: "RB100013",
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedOutcome {
    Loaded { people: usize, staff: usize },
    AlreadyPresent,
}

/// Loads the demo into the configured organization, in one transaction, unless people already
/// exist (the demo never mixes with real data).
pub async fn seed_demo(
    db: &DatabaseConnection,
    vault: &SsnVault,
    home: &OrganizationSpec,
    now: DateTime<Utc>,
) -> Result<SeedOutcome, StoreError> {
    if store::count_people(db).await? > 0 {
        return Ok(SeedOutcome::AlreadyPresent);
    }
    // Hash before the transaction: argon2 is slow and must not hold the write lock.
    let password_hash = hash_password(DEMO_STAFF_PASSWORD);
    let txn = db.begin().await?;
    let org = store::ensure_organization(&txn, home, now).await?;
    let affiliate = store::ensure_organization(
        &txn,
        &OrganizationSpec {
            slug: "lakeside".into(),
            name: "Lakeside Family Clinic".into(),
            portal_name: "Lakeside Patient Portal".into(),
            time_zone: home.time_zone,
        },
        now,
    )
    .await?;
    store::affiliate(&txn, org.id, affiliate.id, now).await?;
    // The source's history (P6): parents' access was limited from the 10th birthday until
    // 2009-10-06, and from the 13th since.
    for version in crate::domain::access::PolicyHistory::demo().versions() {
        let from = version.effective_from.max(store::since_the_beginning());
        store::set_policy_version(&txn, org.id, from, &version.policy, now).await?;
    }

    let today = local_date(now, home.time_zone);
    let mut ids = std::collections::HashMap::new();
    for p in PEOPLE {
        let person = store::create_person(&txn, vault, new_person(p, today), now).await?;
        store::create_patient(&txn, person.id, org.id, p.mrn, p.key == "alex", now).await?;
        ids.insert(p.key, person.id);
    }
    let relate = |person: &str, subject: &str, kind, starts_on, ends_on| NewRelationship {
        organization_id: org.id,
        person_id: ids[person],
        subject_person_id: ids[subject],
        kind,
        starts_on,
        ends_on,
    };
    // Erin's adult proxy for Walter (P2) was approved almost five years ago: it expires in 20
    // days, so both see the expiry coming.
    let proxy_ends = today + chrono::Duration::days(20);
    let proxy_start = proxy_ends
        .checked_sub_months(Months::new(60))
        .unwrap_or(today);
    for rel in [
        relate(
            "maria",
            "sam",
            RelationshipKind::Parent,
            dob_of(PEOPLE, "sam", today),
            None,
        ),
        relate(
            "maria",
            "lily",
            RelationshipKind::Parent,
            dob_of(PEOPLE, "lily", today),
            None,
        ),
        relate(
            "maria",
            "jordan",
            RelationshipKind::Parent,
            dob_of(PEOPLE, "jordan", today),
            None,
        ),
        relate(
            "erin",
            "walter",
            RelationshipKind::AdultProxy,
            proxy_start,
            Some(proxy_ends),
        ),
    ] {
        store::create_relationship(&txn, rel, now).await?;
    }
    // Omar Haddad asked online to be Pat Morgan's legal guardian, sending a copy of a court
    // order running two years: waiting on the proxy desk for staff to review it (P7).
    let omar = super::records::create_request(
        &txn,
        super::records::NewRequest {
            organization_id: org.id,
            person_id: ids["omar"],
            subject_person_id: ids["pat"],
            kind: RelationshipKind::LegalGuardian,
            status: crate::domain::relationship::RequestStatus::Pending,
            requested_by_person_id: Some(ids["omar"]),
            starts_on: today,
            ends_on: today.checked_add_months(Months::new(24)),
            identity_verified: false,
            decided_by_staff_id: None,
        },
        now,
    )
    .await?;
    let order = super::court_orders::seal(
        vault,
        crate::domain::court_order::OrderFile::Pdf,
        &sample_court_order(),
    );
    super::court_orders::store(&txn, org.id, omar.id, order, now).await?;
    seed_scheduling(&txn, org.id, &ids, home.time_zone, now).await?;
    seed_results(&txn, org.id, &ids, home.time_zone, now).await?;
    seed_clinical_lists(&txn, org.id, &ids, today).await?;

    for (username, display_name, role) in DEMO_STAFF {
        let username = StaffUsername::parse(username).map_err(StoreError::Conflict)?;
        store::create_staff(
            &txn,
            NewStaff {
                organization_id: org.id,
                username,
                display_name: display_name.to_owned(),
                role,
                password_hash: password_hash.clone(),
            },
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        now,
        AuditEvent::new(Actor::System, "demo.loaded", Outcome::Success).organization(org.id),
    )
    .await?;
    txn.commit().await?;
    Ok(SeedOutcome::Loaded {
        people: PEOPLE.len(),
        staff: DEMO_STAFF.len(),
    })
}

/// The clinic's visit types and the open times of the coming four weeks, and appointments:
/// Alex has one to cancel online and one that only the clinic can cancel, and past visits;
/// Lily (Maria books for her, P5) and Walter (Erin, P2) have one each.
async fn seed_scheduling(
    txn: &sea_orm::DatabaseTransaction,
    organization_id: i32,
    ids: &std::collections::HashMap<&str, i32>,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use super::scheduling::{self as sched, NewAppointment};
    use crate::domain::scheduling::{VisitTypeRules, cancel_deadline};
    use chrono::{Datelike, Duration, TimeZone, Weekday};
    let dept = sched::create_department(
        txn,
        organization_id,
        "Riverbend Family Medicine",
        "608-555-0100",
    )
    .await?;
    let raman = sched::create_provider(txn, &dept, "Dr. Priya Raman").await?;
    let hale = sched::create_provider(txn, &dept, "Dr. Marcus Hale").await?;
    let lee = sched::create_provider(txn, &dept, "Jamie Lee, RN").await?;
    let online = |hours| VisitTypeRules {
        self_schedulable: true,
        caregivers: 1,
        cancel_notice_hours: Some(hours),
    };
    let office = sched::create_visit_type(txn, &dept, "Office visit", 30, online(24)).await?;
    let physical = sched::create_visit_type(txn, &dept, "Annual physical", 45, online(48)).await?;
    let flu = sched::create_visit_type(txn, &dept, "Flu shot", 15, online(2)).await?;
    let by_clinic = VisitTypeRules {
        self_schedulable: false,
        caregivers: 1,
        cancel_notice_hours: None,
    };
    let consult =
        sched::create_visit_type(txn, &dept, "Procedure consultation", 45, by_clinic).await?;
    let team = VisitTypeRules {
        caregivers: 2,
        ..online(24)
    };
    sched::create_visit_type(txn, &dept, "Care team visit", 60, team).await?;
    let today = local_date(now, zone);
    let at = |day: NaiveDate, hour: u32, minute: u32| {
        let local = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
        zone.from_local_datetime(&local)
            .earliest()
            .map_or(now, |t| t.with_timezone(&Utc))
    };
    let weekday = |mut day: NaiveDate| {
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day += Duration::days(1);
        }
        day
    };
    let offered = [
        (
            &raman,
            &office,
            [(9, 0), (9, 30), (10, 0), (10, 30), (14, 0), (14, 30)].as_slice(),
        ),
        (&hale, &physical, [(8, 0), (13, 0), (15, 0)].as_slice()),
        (
            &lee,
            &flu,
            [(11, 0), (11, 15), (11, 30), (16, 0)].as_slice(),
        ),
    ];
    for offset in 1..=28 {
        let day = today + Duration::days(offset);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for (provider, visit_type, times) in offered {
            for &(hour, minute) in times {
                sched::create_time(txn, provider, visit_type, at(day, hour, minute)).await?;
            }
        }
    }
    let visits = [
        // (who, provider, type, day, hour, minute, booked online)
        (
            "alex",
            &raman,
            &office,
            weekday(today + Duration::days(7)),
            11,
            0,
            false,
        ),
        (
            "alex",
            &hale,
            &consult,
            weekday(today + Duration::days(12)),
            9,
            0,
            false,
        ),
        (
            "alex",
            &raman,
            &office,
            weekday(today - Duration::days(95)),
            10,
            0,
            true,
        ),
        (
            "alex",
            &hale,
            &physical,
            weekday(today - Duration::days(400)),
            8,
            0,
            false,
        ),
        (
            "lily",
            &lee,
            &flu,
            weekday(today + Duration::days(5)),
            16,
            30,
            false,
        ),
        (
            "walter",
            &raman,
            &office,
            weekday(today + Duration::days(9)),
            15,
            30,
            false,
        ),
    ];
    for (who, provider, visit_type, day, hour, minute, booked_online) in visits {
        let starts_at = at(day, hour, minute);
        let slot = sched::create_time(txn, provider, visit_type, starts_at).await?;
        sched::take_time(txn, slot.id).await?;
        sched::insert_appointment(
            txn,
            NewAppointment {
                organization_id,
                person_id: ids[who],
                slot_id: Some(slot.id),
                provider_id: provider.id,
                visit_type_id: visit_type.id,
                starts_at,
                ends_at: slot.ends_at,
                cancel_until: cancel_deadline(sched::rules_of(visit_type), starts_at),
                booked_online,
                booked_by_account_id: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Immunization histories for the Chen children, Alex and Walter; allergies, medications and
/// problems for Alex and Walter; health topic reminders (a vaccine that is due).
async fn seed_clinical_lists(
    txn: &sea_orm::DatabaseTransaction,
    org: i32,
    ids: &std::collections::HashMap<&str, i32>,
    today: NaiveDate,
) -> Result<(), StoreError> {
    use super::clinical as c;
    let born = |key: &str| dob_of(PEOPLE, key, today);
    let at_age = |key: &str, years: u32, months: u32| {
        born(key)
            .checked_add_months(Months::new(years * 12 + months))
            .unwrap_or(today)
    };
    // A child's schedule: (vaccine, CVX, dose, age in years, months).
    let childhood: [(&str, &str, &str, u32, u32); 10] = [
        ("DTaP", "20", "Dose 1 of 5", 0, 2),
        ("DTaP", "20", "Dose 2 of 5", 0, 4),
        ("DTaP", "20", "Dose 3 of 5", 0, 6),
        ("MMR", "03", "Dose 1 of 2", 1, 0),
        ("Varicella", "21", "Dose 1 of 2", 1, 0),
        ("DTaP", "20", "Dose 4 of 5", 1, 3),
        ("DTaP", "20", "Dose 5 of 5", 4, 6),
        ("MMR", "03", "Dose 2 of 2", 4, 6),
        ("Varicella", "21", "Dose 2 of 2", 4, 6),
        ("Influenza", "140", "Yearly", 6, 10),
    ];
    for child in ["sam", "lily"] {
        for (vaccine, cvx, dose, years, months) in childhood {
            let given = at_age(child, years, months);
            if given <= today {
                c::add_immunization(txn, org, ids[child], vaccine, Some(cvx), Some(dose), given)
                    .await?;
            }
        }
    }
    for (vaccine, cvx, dose, years, months) in [
        ("Tdap", "115", "Booster", 11, 2),
        ("HPV", "165", "Dose 1 of 2", 11, 2),
        ("Meningococcal ACWY", "114", "Dose 1 of 2", 11, 2),
        ("HPV", "165", "Dose 2 of 2", 11, 9),
        ("Influenza", "140", "Yearly", 14, 1),
    ] {
        let given = at_age("lily", years, months);
        if given <= today {
            c::add_immunization(txn, org, ids["lily"], vaccine, Some(cvx), Some(dose), given)
                .await?;
        }
    }
    let days_ago = |d: i64| today - chrono::Duration::days(d);
    for (who, vaccine, cvx, dose, ago) in [
        ("alex", "Influenza", "140", "Yearly", 400),
        ("alex", "Tdap", "115", "Booster", 1500),
        ("alex", "COVID-19", "208", "Dose 1", 900),
        (
            "walter",
            "Pneumococcal conjugate",
            "133",
            "Single dose",
            2000,
        ),
        ("walter", "Zoster (shingles)", "187", "Dose 2 of 2", 1200),
        ("walter", "Influenza", "140", "Yearly", 60),
    ] {
        c::add_immunization(
            txn,
            org,
            ids[who],
            vaccine,
            Some(cvx),
            Some(dose),
            days_ago(ago),
        )
        .await?;
    }
    c::add_allergy(
        txn,
        org,
        ids["alex"],
        "Penicillin",
        Some("Hives"),
        Some("moderate"),
        days_ago(3000),
    )
    .await?;
    c::add_allergy(
        txn,
        org,
        ids["alex"],
        "Tree pollen",
        Some("Sneezing, itchy eyes"),
        Some("mild"),
        days_ago(2000),
    )
    .await?;
    c::add_allergy(
        txn,
        org,
        ids["walter"],
        "Sulfa drugs",
        Some("Rash"),
        Some("moderate"),
        days_ago(5000),
    )
    .await?;
    c::add_medication(
        txn,
        org,
        ids["alex"],
        "Metformin 500 mg tablet",
        Some("One tablet twice a day with meals"),
        days_ago(500),
    )
    .await?;
    c::add_medication(
        txn,
        org,
        ids["alex"],
        "Atorvastatin 10 mg tablet",
        Some("One tablet at bedtime"),
        days_ago(300),
    )
    .await?;
    c::add_medication(
        txn,
        org,
        ids["walter"],
        "Lisinopril 10 mg tablet",
        Some("One tablet in the morning"),
        days_ago(2500),
    )
    .await?;
    c::add_problem(txn, org, ids["alex"], "Prediabetes", days_ago(520)).await?;
    c::add_problem(txn, org, ids["alex"], "High cholesterol", days_ago(320)).await?;
    c::add_problem(
        txn,
        org,
        ids["walter"],
        "High blood pressure",
        days_ago(2600),
    )
    .await?;
    c::add_problem(
        txn,
        org,
        ids["walter"],
        "Chronic kidney disease",
        days_ago(400),
    )
    .await?;
    let flu_due = Some(days_ago(-20));
    for who in ["alex", "sam", "lily", "walter"] {
        c::add_alert(
            txn,
            org,
            ids[who],
            "Flu vaccine",
            "A yearly flu vaccine is due. Book a flu shot, or ask at your next visit.",
            flu_due,
        )
        .await?;
    }
    c::add_alert(
        txn,
        org,
        ids["lily"],
        "Meningococcal ACWY booster",
        "The second dose is given at 16.",
        Some(at_age("lily", 16, 0)),
    )
    .await?;
    c::add_alert(
        txn,
        org,
        ids["walter"],
        "Kidney function check",
        "A yearly blood test for kidney function is due.",
        Some(days_ago(10)),
    )
    .await?;
    Ok(())
}

/// What a demo lab measures: code, name, unit, reference range.
struct Measure {
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    low: Option<f64>,
    high: Option<f64>,
}

const fn measure(
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    low: Option<f64>,
    high: Option<f64>,
) -> Measure {
    Measure {
        code,
        name,
        unit,
        low,
        high,
    }
}

const METABOLIC: [Measure; 4] = [
    measure("glucose", "Glucose", "mg/dL", Some(70.0), Some(99.0)),
    measure("sodium", "Sodium", "mmol/L", Some(135.0), Some(145.0)),
    measure("potassium", "Potassium", "mmol/L", Some(3.5), Some(5.1)),
    measure("creatinine", "Creatinine", "mg/dL", Some(0.6), Some(1.3)),
];
const A1C: [Measure; 1] = [measure("a1c", "Hemoglobin A1c", "%", Some(4.0), Some(5.6))];
const LIPIDS: [Measure; 3] = [
    measure(
        "cholesterol",
        "Total cholesterol",
        "mg/dL",
        None,
        Some(199.0),
    ),
    measure("ldl", "LDL cholesterol", "mg/dL", None, Some(99.0)),
    measure("hdl", "HDL cholesterol", "mg/dL", Some(40.0), None),
];

/// Years of synthetic lab results for Alex (glucose and A1c creeping up) and Walter
/// (creatinine creeping up), each with one result waiting for its automatic release and one
/// waiting for the provider (C3).
async fn seed_results(
    txn: &sea_orm::DatabaseTransaction,
    organization_id: i32,
    ids: &std::collections::HashMap<&str, i32>,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use super::results::{self as results, NewComponent, NewResult};
    use crate::domain::results::{ReleaseRule, automatic_release_at};
    use chrono::{Duration, TimeZone};
    let days = crate::domain::access::PolicyHistory::demo()
        .in_force_on(local_date(now, zone))
        .lab_result_release_days;
    let metabolic = results::create_test_type(
        txn,
        organization_id,
        "Basic metabolic panel",
        ReleaseRule::Automatic,
    )
    .await?;
    let a1c = results::create_test_type(
        txn,
        organization_id,
        "Hemoglobin A1c",
        ReleaseRule::Automatic,
    )
    .await?;
    let lipids =
        results::create_test_type(txn, organization_id, "Lipid panel", ReleaseRule::Automatic)
            .await?;
    let xray =
        results::create_test_type(txn, organization_id, "Chest X-ray", ReleaseRule::ByProvider)
            .await?;
    // Deterministic wobble, so the demo reads the same every time it is loaded.
    let mut seed: u64 = 0x5eed_1234;
    let mut wobble = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((seed >> 33) % 1000) as f64 / 1000.0 - 0.5
    };
    let today = local_date(now, zone);
    let at_local = |day: NaiveDate, hour: u32| {
        zone.from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(now, |t| t.with_timezone(&Utc))
    };
    struct Draw<'a> {
        who: &'a str,
        test: &'a super::entities::test_type::Model,
        measures: &'a [Measure],
        day: NaiveDate,
        /// The value of each measure at this draw.
        values: Vec<f64>,
    }
    let mut draws: Vec<Draw> = Vec::new();
    // Alex: every six months for five years.
    for i in 0..10u32 {
        let months_ago = 6 * (10 - i) - 3;
        let day = today
            .checked_sub_months(Months::new(months_ago))
            .unwrap_or(today);
        let t = f64::from(i) / 9.0;
        draws.push(Draw {
            who: "alex",
            test: &metabolic,
            measures: &METABOLIC,
            day,
            values: vec![
                92.0 + 26.0 * t + 6.0 * wobble(),
                140.0 + 3.0 * wobble(),
                4.2 + 0.5 * wobble(),
                0.9 + 0.1 * wobble(),
            ],
        });
        draws.push(Draw {
            who: "alex",
            test: &a1c,
            measures: &A1C,
            day,
            values: vec![5.3 + 0.8 * t + 0.1 * wobble()],
        });
        if i % 2 == 0 {
            draws.push(Draw {
                who: "alex",
                test: &lipids,
                measures: &LIPIDS,
                day,
                values: vec![
                    185.0 + 30.0 * t + 8.0 * wobble(),
                    105.0 + 25.0 * t + 8.0 * wobble(),
                    52.0 - 8.0 * t + 4.0 * wobble(),
                ],
            });
        }
    }
    // Walter: every three months for three years.
    for i in 0..12u32 {
        let day = today
            .checked_sub_months(Months::new(3 * (12 - i)))
            .unwrap_or(today);
        let t = f64::from(i) / 11.0;
        draws.push(Draw {
            who: "walter",
            test: &metabolic,
            measures: &METABOLIC,
            day,
            values: vec![
                101.0 + 8.0 * wobble(),
                138.0 + 3.0 * wobble(),
                4.6 + 0.6 * t + 0.3 * wobble(),
                1.1 + 0.5 * t + 0.05 * wobble(),
            ],
        });
    }
    // Waiting for the automatic release: resulted yesterday.
    let yesterday = today - Duration::days(1);
    draws.push(Draw {
        who: "alex",
        test: &metabolic,
        measures: &METABOLIC,
        day: yesterday,
        values: vec![121.0, 139.0, 4.4, 0.95],
    });
    draws.push(Draw {
        who: "walter",
        test: &metabolic,
        measures: &METABOLIC,
        day: yesterday,
        values: vec![104.0, 137.0, 5.3, 1.62],
    });
    for draw in draws {
        let resulted_at = at_local(draw.day, 14);
        let automatic = automatic_release_at(ReleaseRule::Automatic, resulted_at, days, zone);
        let components = draw
            .measures
            .iter()
            .zip(draw.values)
            .map(|(m, v)| {
                let value = (v * 100.0).round() / 100.0;
                let flag = match (m.low, m.high) {
                    (Some(lo), _) if value < lo => Some("low".to_owned()),
                    (_, Some(hi)) if value > hi => Some("high".to_owned()),
                    _ => None,
                };
                NewComponent {
                    code: m.code.into(),
                    name: m.name.into(),
                    value_number: Some(value),
                    value_text: None,
                    unit: Some(m.unit.into()),
                    range_low: m.low,
                    range_high: m.high,
                    range_text: None,
                    flag,
                }
            })
            .collect();
        results::record_result(
            txn,
            NewResult {
                organization_id,
                person_id: ids[draw.who],
                test_type_id: draw.test.id,
                ordered_by: "Dr. Priya Raman".into(),
                collected_at: at_local(draw.day, 8),
                resulted_at,
                automatic_release_at: automatic,
                notified_at: automatic.filter(|at| *at <= now),
                components,
            },
            now,
        )
        .await?;
    }
    // Waiting for the provider: Alex's chest X-ray, two days ago.
    let two_days_ago = today - Duration::days(2);
    results::record_result(
        txn,
        NewResult {
            organization_id,
            person_id: ids["alex"],
            test_type_id: xray.id,
            ordered_by: "Dr. Marcus Hale".into(),
            collected_at: at_local(two_days_ago, 9),
            resulted_at: at_local(two_days_ago, 15),
            automatic_release_at: None,
            notified_at: None,
            components: vec![NewComponent {
                code: "xray-report".into(),
                name: "Report".into(),
                value_number: None,
                value_text: Some("Two views of the chest. Read by the radiologist.".into()),
                unit: None,
                range_low: None,
                range_high: None,
                range_text: None,
                flag: None,
            }],
        },
        now,
    )
    .await?;
    Ok(())
}

/// Adds `count` released metabolic panels to a demo patient, one a day back from yesterday, in
/// one transaction (the bench's patient with a long history). Refused unless the demo's test
/// types are there.
pub async fn seed_demo_results(
    db: &DatabaseConnection,
    organization_id: i32,
    person_id: i32,
    count: u32,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use super::entities::test_type;
    use super::results::{NewComponent, NewResult, record_result};
    use chrono::Duration;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let panel = test_type::Entity::find()
        .filter(test_type::Column::OrganizationId.eq(organization_id))
        .filter(test_type::Column::Name.eq("Basic metabolic panel"))
        .one(db)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound("the demo is not loaded (run `portal seed-demo` first)".into())
        })?;
    let txn = db.begin().await?;
    for i in 0..count {
        let resulted_at = now - Duration::days(i64::from(i) + 1);
        let wave = f64::from(i % 37) / 37.0;
        let components = METABOLIC
            .iter()
            .zip([90.0 + 30.0 * wave, 140.0, 4.3, 0.9 + 0.5 * wave])
            .map(|(m, v)| NewComponent {
                code: m.code.into(),
                name: m.name.into(),
                value_number: Some((v * 100.0_f64).round() / 100.0),
                value_text: None,
                unit: Some(m.unit.into()),
                range_low: m.low,
                range_high: m.high,
                range_text: None,
                flag: m.high.filter(|hi| v > *hi).map(|_| "high".to_owned()),
            })
            .collect();
        record_result(
            &txn,
            NewResult {
                organization_id,
                person_id,
                test_type_id: panel.id,
                ordered_by: "Dr. Priya Raman".into(),
                collected_at: resulted_at - Duration::hours(6),
                resulted_at,
                automatic_release_at: Some(resulted_at),
                notified_at: Some(resulted_at),
                components,
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn date_of_birth(born: &Born, today: NaiveDate) -> NaiveDate {
    match *born {
        Born::On(y, m, d) => NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today),
        Born::Ago(years, months) => today
            .checked_sub_months(Months::new(years * 12 + months))
            .unwrap_or(today),
    }
}

fn dob_of(people: &[DemoPerson], key: &str, today: NaiveDate) -> NaiveDate {
    people
        .iter()
        .find(|p| p.key == key)
        .map_or(today, |p| date_of_birth(&p.born, today))
}

fn new_person(p: &DemoPerson, today: NaiveDate) -> NewPerson {
    NewPerson {
        given_name: p.given.into(),
        family_name: p.family.into(),
        date_of_birth: date_of_birth(&p.born, today),
        email: p.email.map(Into::into),
        phone: Some("555-0100".into()),
        address_line: Some("100 River Road".into()),
        city: Some("Riverbend".into()),
        region: Some("WI".into()),
        postal_code: Some("53700".into()),
        ssn: p.ssn.and_then(|s| Ssn::parse(s).ok()),
    }
}

/// Gives the demo staff who have no authenticator yet the documented set-up code
/// ([`DEMO_STAFF_SET_UP_CODE`]) for a day. `portal serve --demo` calls this at start; nothing
/// else does, so a portal running without `--demo` never accepts it.
pub async fn grant_demo_set_up(
    db: &DatabaseConnection,
    hasher: &super::tokens::TokenHasher,
    now: DateTime<Utc>,
) -> Result<usize, sea_orm::DbErr> {
    let code = crate::domain::activation::OneTimeCode::parse(DEMO_STAFF_SET_UP_CODE)
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    let until = now + chrono::Duration::hours(super::two_step::STAFF_SET_UP_HOURS);
    let mut granted = 0;
    for (username, _, _) in DEMO_STAFF {
        let Ok(name) = StaffUsername::parse(username) else {
            continue;
        };
        if let Some(member) = store::staff_by_username(db, &name).await?
            && member.totp_confirmed_at.is_none()
        {
            super::two_step::set_staff_set_up_code(db, hasher, member.id, &code, until).await?;
            granted += 1;
        }
    }
    Ok(granted)
}

/// A one-page PDF that says it is a synthetic court order, for the demo's guardian request.
fn sample_court_order() -> Vec<u8> {
    let text = "BT /F1 14 Tf 72 720 Td (SAMPLE ONLY: a synthetic court order for the portal demo.) \
                Tj 0 -24 Td (Not a real document. Omar Haddad, guardian of Pat Morgan.) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (n, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.extend_from_slice(table.as_bytes());
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
