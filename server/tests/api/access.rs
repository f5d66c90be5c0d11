//! Who may see what (issue 14, P1-P7), through the real router on both databases: every server
//! function of a person's record × every kind of viewer, the midnight of a 13th birthday in the
//! organization's zone, revocation taking effect on the very next request, renewal, the access
//! log (append-only, staff included), personal information and the email link (C5).

use crate::helpers::{BACKENDS, Backend, TestApp, body_text, spawn_app};
use crate::staff::staff_session;
use app::db::entities::{access_entry, person};
use app::db::store::{self, NewPerson, NewRelationship};
use app::domain::clock::Clock;
use app::domain::relationship::RelationshipKind;
use axum::body::Body;
use chrono::{DateTime, NaiveDate, Utc};
use http::Request;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A person with a record at the organization; their id.
pub async fn person(app: &TestApp, given: &str, born: &str) -> i32 {
    let now = app.clock.now();
    let p = store::create_person(
        &app.state.db,
        &app.state.vault,
        NewPerson {
            given_name: given.into(),
            family_name: "Test".into(),
            date_of_birth: day(born),
            email: None,
            phone: Some("555-0100".into()),
            address_line: Some("1 Lake Road".into()),
            city: Some("Riverbend".into()),
            region: Some("WI".into()),
            postal_code: Some("53700".into()),
            ssn: None,
        },
        now,
    )
    .await
    .unwrap();
    let org = app.state.site.organization_id;
    store::create_patient(
        &app.state.db,
        p.id,
        org,
        &format!("TX{:06}", p.id),
        false,
        now,
    )
    .await
    .unwrap();
    p.id
}

/// An account for `person_id` and a signed-in session (second step passed): its token.
pub async fn signed_in(app: &TestApp, person_id: i32) -> String {
    use app::db::accounts::{NewAccount, create_account};
    use app::db::sessions::{NewSession, SessionOwner, create_session};
    use app::domain::portal_id::PortalId;
    let db = &app.state.db;
    let policy = app.state.current_policy().await.unwrap();
    let org = app.state.site.organization_id;
    let account = match app::db::accounts::account_of_person(db, person_id, org)
        .await
        .unwrap()
    {
        Some(account) => account,
        None => create_account(
            db,
            NewAccount {
                person_id,
                organization_id: org,
                portal_id: PortalId::parse(&format!("user{person_id}"), &policy).unwrap(),
                password_hash: "not-a-hash".into(),
                reset_question: "Test?".into(),
                reset_answer_hash: "not-a-hash".into(),
            },
            app.clock.now(),
        )
        .await
        .unwrap(),
    };
    create_session(
        db,
        &app.state.tokens,
        NewSession {
            owner: SessionOwner::Account(account.id),
            second_factor_passed: true,
            source_ip: None,
            device: None,
        },
        &policy,
        app.clock.now(),
    )
    .await
    .unwrap()
}

async fn grant(
    app: &TestApp,
    viewer: i32,
    subject: i32,
    kind: RelationshipKind,
    starts_on: &str,
    ends_on: Option<&str>,
) -> i32 {
    store::create_relationship(
        &app.state.db,
        NewRelationship {
            organization_id: app.state.site.organization_id,
            person_id: viewer,
            subject_person_id: subject,
            kind,
            starts_on: day(starts_on),
            ends_on: ends_on.map(day),
        },
        app.clock.now(),
    )
    .await
    .unwrap()
    .id
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = Request::get(path).header("accept", "application/json");
    if let Some(token) = token {
        request = request.header("cookie", format!("__Host-portal_session={token}"));
    }
    let response = app.send(request.body(Body::empty()).unwrap()).await;
    let status = response.status().as_u16();
    (status, body_text(response.into_body()).await)
}

async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    token: Option<&str>,
) -> (u16, String) {
    let (status, _, body) = app.post_form(path, fields, token).await;
    (status.as_u16(), body)
}

/// The server functions of a person's record, in the order the matrix calls them (renewing
/// before revoking, so that both find the grant live).
const RECORD_FUNCTIONS: [&str; 23] = [
    "record/choices",
    "record/personal-information",
    "record/personal-information/contact",
    "record/personal-information/email",
    "record/personal-information/emails",
    "record/who-can-view",
    "record/who-viewed",
    "record/appointments",
    "record/appointments/options",
    "record/appointments/book",
    "record/appointments/cancel",
    "record/results",
    "record/results/result",
    "record/results/trend",
    "record/results/wait",
    "record/immunizations",
    "record/health-reminders",
    "record/health-summary",
    "record/health-summary/fhir",
    "record/reports",
    "record/reports/new",
    "record/who-can-view/renew",
    "record/who-can-view/revoke",
];

/// The functions a parent's limited access opens (P5): appointments (scheduling),
/// immunizations (and reporting one as wrong) and health reminders.
fn is_limited_scope(function: &str) -> bool {
    function.starts_with("record/appointments")
        || matches!(
            function,
            "record/immunizations" | "record/health-reminders" | "record/reports/new"
        )
}

/// What the matrix asks about in each subject's record: an appointment that only the clinic
/// cancels (so that a viewer the guard lets through is refused by the rule, 422, not by the
/// guard, 404) and a released result with a glucose value.
#[derive(Clone, Copy)]
struct Fixtures {
    appointment: i32,
    result: i32,
    /// The result's glucose value (its history's address).
    component: i32,
    immunization: i32,
}

async fn fixtures(app: &TestApp, person: i32) -> Fixtures {
    let known = person::Entity::find_by_id(person)
        .one(&app.state.db)
        .await
        .unwrap()
        .is_some();
    let immunization = if known {
        app::db::clinical::add_immunization(
            &app.state.db,
            app.state.site.organization_id,
            person,
            "Influenza",
            Some("140"),
            None,
            "2025-10-01".parse().unwrap(),
        )
        .await
        .unwrap()
        .id
    } else {
        0
    };
    let result = released_result(app, person).await;
    let component = app::db::entities::result_component::Entity::find()
        .filter(app::db::entities::result_component::Column::ResultId.eq(result))
        .one(&app.state.db)
        .await
        .unwrap()
        .map_or(0, |c| c.id);
    Fixtures {
        appointment: clinic_appointment(app, person).await,
        result,
        component,
        immunization,
    }
}

/// A result of `person` released by a provider a day ago (0 for no one).
async fn released_result(app: &TestApp, person: i32) -> i32 {
    use app::db::results::{NewComponent, NewResult, record_result};
    use sea_orm::{ActiveModelTrait, Set};
    let db = &app.state.db;
    if person::Entity::find_by_id(person)
        .one(db)
        .await
        .unwrap()
        .is_none()
    {
        return 0;
    }
    let test = app::db::entities::test_type::Entity::find()
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let day_ago = app.clock.now() - chrono::Duration::days(1);
    let made = record_result(
        db,
        NewResult {
            organization_id: app.state.site.organization_id,
            person_id: person,
            test_type_id: test.id,
            ordered_by: "Dr. Test".into(),
            collected_at: day_ago,
            resulted_at: day_ago,
            automatic_release_at: None,
            notified_at: None,
            components: vec![NewComponent {
                code: "glucose".into(),
                name: "Glucose".into(),
                value_number: Some(90.0),
                value_text: None,
                unit: Some("mg/dL".into()),
                range_low: Some(70.0),
                range_high: Some(99.0),
                range_text: None,
                flag: None,
            }],
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let mut released: app::db::entities::test_result::ActiveModel = made.into();
    released.released_at = Set(Some(day_ago));
    released.update(db).await.unwrap().id
}

/// An appointment of `person` that only the clinic cancels (0 for no one).
async fn clinic_appointment(app: &TestApp, person: i32) -> i32 {
    use app::db::entities::{provider, visit_type};
    let db = &app.state.db;
    let Some(subject) = person::Entity::find_by_id(person).one(db).await.unwrap() else {
        return 0;
    };
    let consult = visit_type::Entity::find()
        .filter(visit_type::Column::SelfSchedulable.eq(false))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let provider = provider::Entity::find().one(db).await.unwrap().unwrap();
    let starts_at = app.clock.now() + chrono::Duration::days(30);
    app::db::scheduling::insert_appointment(
        db,
        app::db::scheduling::NewAppointment {
            organization_id: app.state.site.organization_id,
            person_id: subject.id,
            slot_id: None,
            provider_id: provider.id,
            visit_type_id: consult.id,
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(45),
            cancel_until: None,
            booked_online: false,
            booked_by_account_id: None,
        },
        app.clock.now(),
    )
    .await
    .unwrap()
    .id
}

/// Calls `function` about `subject` (`None`: the caller's own record), with `grant` and the
/// subject's `fixtures` for the functions that take them. Valid input throughout, so that only
/// the guard can refuse, but for booking without a time and cancelling what only the clinic
/// cancels: those answer 422 once the guard has let the caller through.
async fn call(
    app: &TestApp,
    function: &str,
    subject: Option<i32>,
    grant: i32,
    fixtures: Fixtures,
    token: Option<&str>,
) -> (u16, String) {
    let s = subject.map(|s| s.to_string());
    let mut fields: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = &s {
        fields.push(("subject", s));
    }
    let query = s
        .as_ref()
        .map(|s| format!("?subject={s}"))
        .unwrap_or_default();
    let grant = grant.to_string();
    let path = format!("/api/{function}");
    match function {
        "record/choices" => get(app, &path, token).await,
        "record/personal-information"
        | "record/who-can-view"
        | "record/who-viewed"
        | "record/appointments"
        | "record/appointments/options" => get(app, &format!("{path}{query}"), token).await,
        "record/appointments/book" => post(app, &path, &fields, token).await,
        "record/appointments/cancel" => {
            let appointment = fixtures.appointment.to_string();
            fields.push(("appointment", &appointment));
            post(app, &path, &fields, token).await
        }
        "record/results" => get(app, &format!("{path}{query}"), token).await,
        "record/results/result" => {
            let sep = if query.is_empty() { "?" } else { "&" };
            let uri = format!("{path}{query}{sep}id={}", fixtures.result);
            get(app, &uri, token).await
        }
        "record/results/trend" => {
            let sep = if query.is_empty() { "?" } else { "&" };
            let uri = format!("{path}{query}{sep}component={}", fixtures.component);
            get(app, &uri, token).await
        }
        "record/results/wait" => {
            fields.push(("wait", "false"));
            post(app, &path, &fields, token).await
        }
        "record/immunizations"
        | "record/health-reminders"
        | "record/health-summary"
        | "record/health-summary/fhir"
        | "record/reports" => get(app, &format!("{path}{query}"), token).await,
        "record/reports/new" => {
            let item = fixtures.immunization.to_string();
            fields.extend([
                ("kind", "immunization"),
                ("item", item.as_str()),
                ("note", "The date is wrong."),
            ]);
            post(app, &path, &fields, token).await
        }
        "record/personal-information/contact" => {
            fields.extend([
                ("contact[address_line]", "2 Mill Street"),
                ("contact[city]", "Riverbend"),
                ("contact[region]", "WI"),
                ("contact[postal_code]", "53701"),
                ("contact[phone]", "608-555-0142"),
            ]);
            post(app, &path, &fields, token).await
        }
        "record/personal-information/email" => {
            fields.push(("email", "new.address@example.org"));
            post(app, &path, &fields, token).await
        }
        "record/personal-information/emails" => {
            fields.extend([
                ("results", "true"),
                ("appointments", "true"),
                ("reports", "true"),
            ]);
            post(app, &path, &fields, token).await
        }
        "record/who-can-view/renew" | "record/who-can-view/revoke" => {
            post(app, &path, &[("grant", &grant)], token).await
        }
        other => panic!("no call written for {other}"),
    }
}

/// The token of the email-change link last queued for `to` (the mail's body holds no name).
async fn link_sent_to(app: &TestApp, to: &str) -> String {
    let claimed = app::db::outbox::claim_due(&app.state.db, &app.state.vault, app.clock.now(), 50)
        .await
        .unwrap();
    let mail = claimed.iter().rev().find(|m| m.mail.to == to).unwrap();
    assert!(!mail.mail.body.contains("Test"), "no name in the email");
    let link = mail
        .mail
        .body
        .lines()
        .find(|l| l.contains("/confirm-email?token="))
        .unwrap();
    link.split("token=").nth(1).unwrap().trim().to_owned()
}

/// What a viewer may do with a subject's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Their own record: everything.
    Own,
    /// Someone else's, with full access: everything but revoking and renewing (which only the
    /// subject does, on their own record) and changing the email address (which proves who the
    /// subject is: refused with a message).
    Full,
    /// The parent's limited access (P5): appointments, and "not found" from the rest.
    Limited,
    /// No access: "not found" from everything about the subject.
    Nothing,
    /// Not a signed-in patient: "sign in" from everything.
    NotAPatient,
}

fn expected(expect: Expect, function: &str) -> u16 {
    let own_only = function.starts_with("record/who-can-view/");
    // Let through, booking without a time and cancelling what only the clinic cancels are
    // refused by the rule.
    let let_through = match function {
        "record/appointments/book" | "record/appointments/cancel" => 422,
        _ => 200,
    };
    match expect {
        Expect::NotAPatient => 401,
        _ if function == "record/choices" => 200,
        Expect::Own => let_through,
        Expect::Full if own_only => 404,
        // Only the patient changes their email address, or chooses to wait for results.
        Expect::Full
            if function == "record/personal-information/email"
                || function == "record/personal-information/emails"
                || function == "record/results/wait" =>
        {
            422
        }
        Expect::Full => let_through,
        Expect::Limited if is_limited_scope(function) => let_through,
        Expect::Limited | Expect::Nothing => 404,
    }
}

struct Case {
    label: &'static str,
    token: Option<String>,
    subject: Option<i32>,
    grant: i32,
    expect: Expect,
}

/// Runs every function for every case; `me` is the person of the cases about their own record.
async fn run_cases(app: &TestApp, cases: &[Case], me: i32, wrong: &mut Vec<String>) {
    for case in cases {
        let made = fixtures(app, case.subject.unwrap_or(me)).await;
        for function in RECORD_FUNCTIONS {
            let (status, body) = call(
                app,
                function,
                case.subject,
                case.grant,
                made,
                case.token.as_deref(),
            )
            .await;
            let want = expected(case.expect, function);
            if status != want {
                wrong.push(format!(
                    "{} / {function}: {status}, expected {want}: {body}",
                    case.label
                ));
            }
        }
    }
}

async fn access_entries_about(app: &TestApp, subject: i32) -> Vec<access_entry::Model> {
    access_entry::Entity::find()
        .filter(access_entry::Column::SubjectPersonId.eq(subject))
        .all(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_function_answers_each_viewer_as_the_engine_says_on_both_databases() {
    for backend in BACKENDS {
        authorization_matrix(backend).await;
    }
}

async fn authorization_matrix(backend: Backend) {
    // The demo's policy history: limited from 10 before 2009-10-06, from 13 since (P6).
    let app = spawn_app(backend).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
    // 2026-06-15 10:00 in Chicago.
    let parent = person(&app, "Parent", "1980-01-01").await;
    let parent_token = signed_in(&app, parent).await;
    let mut cases = Vec::new();
    let mut wrong = Vec::new();
    use RelationshipKind::*;

    // Self, with an adult proxy to renew and then revoke.
    let me = person(&app, "Self", "1950-01-01").await;
    let my_proxy = person(&app, "Proxy", "1975-01-01").await;
    let my_grant = grant(
        &app,
        my_proxy,
        me,
        AdultProxy,
        "2024-01-01",
        Some("2029-01-01"),
    )
    .await;
    cases.push(Case {
        label: "self",
        token: Some(signed_in(&app, me).await),
        subject: None,
        grant: my_grant,
        expect: Expect::Own,
    });

    // The parent's children (P5), each with the parent's grant from birth.
    for (label, born, expect) in [
        ("parent of a 5-year-old", "2021-03-01", Expect::Full),
        (
            "parent the day before the 13th birthday",
            "2013-06-16",
            Expect::Full,
        ),
        ("parent on the 13th birthday", "2013-06-15", Expect::Limited),
        ("parent of a 17-year-old", "2009-01-10", Expect::Limited),
        ("parent on the 18th birthday", "2008-06-15", Expect::Nothing),
    ] {
        let child = person(&app, "Child", born).await;
        let g = grant(&app, parent, child, Parent, born, None).await;
        cases.push(Case {
            label,
            token: Some(parent_token.clone()),
            subject: Some(child),
            grant: g,
            expect,
        });
    }

    // Adults acting for adults (P2, P3, P7), each viewer with an account of their own.
    let revoked_at = instant("2026-06-01T12:00:00Z");
    for (label, kind, ends_on, revoked, expect) in [
        (
            "guardian of an adult",
            LegalGuardian,
            Some("2027-01-01"),
            false,
            Expect::Full,
        ),
        (
            "adult proxy the day before expiry",
            AdultProxy,
            Some("2026-06-16"),
            false,
            Expect::Full,
        ),
        (
            "adult proxy on the day of expiry",
            AdultProxy,
            Some("2026-06-15"),
            false,
            Expect::Nothing,
        ),
        (
            "revoked adult proxy",
            AdultProxy,
            Some("2029-01-01"),
            true,
            Expect::Nothing,
        ),
    ] {
        let viewer = person(&app, "Viewer", "1970-05-05").await;
        let subject = person(&app, "Subject", "1945-05-05").await;
        let g = grant(&app, viewer, subject, kind, "2025-01-01", ends_on).await;
        if revoked {
            let live = app::db::records::LiveGrant {
                organization_id: app.state.site.organization_id,
                subject_person_id: subject,
                id: g,
            };
            // Named with another subject, the grant is not touched.
            let elsewhere = app::db::records::LiveGrant {
                subject_person_id: viewer,
                ..live
            };
            assert!(
                !app::db::records::revoke_grant(&app.state.db, elsewhere, revoked_at)
                    .await
                    .unwrap()
            );
            assert!(
                app::db::records::revoke_grant(&app.state.db, live, revoked_at)
                    .await
                    .unwrap()
            );
        }
        cases.push(Case {
            label,
            token: Some(signed_in(&app, viewer).await),
            subject: Some(subject),
            grant: g,
            expect,
        });
    }

    // An unrelated patient, and someone who is no patient here at all.
    let stranger = person(&app, "Stranger", "1990-01-01").await;
    cases.push(Case {
        label: "unrelated patient",
        token: Some(parent_token.clone()),
        subject: Some(stranger),
        grant: my_grant,
        expect: Expect::Nothing,
    });
    cases.push(Case {
        label: "a person id that does not exist",
        token: Some(parent_token.clone()),
        subject: Some(999_999),
        grant: my_grant,
        expect: Expect::Nothing,
    });

    // Staff (their access to a patient is the desk's, audited there) and no one.
    for role in ["desk", "clinician", "admin"] {
        cases.push(Case {
            label: role,
            token: Some(staff_session(&app, role).await),
            subject: Some(stranger),
            grant: my_grant,
            expect: Expect::NotAPatient,
        });
    }
    cases.push(Case {
        label: "anonymous",
        token: None,
        subject: Some(stranger),
        grant: my_grant,
        expect: Expect::NotAPatient,
    });
    let denied_before = app.audit_entries("record.access_denied").await.len();
    run_cases(&app, &cases, me, &mut wrong).await;

    // P6: in 2010, a parent moved to limited at 10 under the old rule, who has not reapplied,
    // and one who has (full again until the 13th birthday).
    let child = person(&app, "Older", "1998-08-20").await;
    let reapplied_child = person(&app, "Sibling", "1998-09-01").await;
    let old = grant(&app, parent, child, Parent, "2004-01-01", None).await;
    grant(&app, parent, reapplied_child, Parent, "2004-01-01", None).await;
    let new = grant(&app, parent, reapplied_child, Parent, "2010-06-01", None).await;
    app.clock.set(instant("2010-06-15T15:00:00Z"));
    let token_2010 = signed_in(&app, parent).await;
    let cases_2010 = [
        Case {
            label: "parent limited under the old rule, not reapplied (2010)",
            token: Some(token_2010.clone()),
            subject: Some(child),
            grant: old,
            expect: Expect::Limited,
        },
        Case {
            label: "parent who reapplied after the change (2010)",
            token: Some(token_2010),
            subject: Some(reapplied_child),
            grant: new,
            expect: Expect::Full,
        },
    ];
    run_cases(&app, &cases_2010, me, &mut wrong).await;
    app.clock.set(crate::helpers::default_now());
    assert!(wrong.is_empty(), "{backend:?}: {wrong:#?}");

    // Every refusal was audited: each function that answered "not found" (all of them are the
    // guard's: cancelling answers 422 once let through); one by one up to an account's hourly
    // allowance, then once as a run (each token here is one account within one hour: the
    // parent's 2010 session is in another hour).
    let mut refusals: std::collections::BTreeMap<&str, u32> = Default::default();
    for case in cases.iter().chain(&cases_2010) {
        let refused = RECORD_FUNCTIONS
            .iter()
            .filter(|f| expected(case.expect, f) == 404)
            .count() as u32;
        if let (Some(token), true) = (&case.token, refused > 0) {
            *refusals.entry(token.as_str()).or_default() += refused;
        }
    }
    let allowance = app::state::RefusalLog::AUDITED_PER_HOUR;
    let one_by_one: u32 = refusals.values().map(|&n| n.min(allowance)).sum();
    let runs = refusals.values().filter(|&&n| n > allowance).count();
    assert!(runs > 0, "the parent's account goes past the allowance");
    let denied = app.audit_entries("record.access_denied").await.len() - denied_before;
    assert_eq!(denied as u32, one_by_one, "{backend:?}");
    let repeated = app.audit_entries("record.access_denied_repeatedly").await;
    assert_eq!(repeated.len(), runs, "{backend:?}");

    // What was let through left entries in the subjects' logs, as what the viewer acted.
    let five = cases[1].subject.unwrap();
    let entries = access_entries_about(&app, five).await;
    assert_eq!(
        entries.len(),
        15,
        "{backend:?}: 13 reads and 2 changes (contact details, a report) (the email is the child's own to change; booking \
         without a time and cancelling what the clinic cancels change nothing): {entries:?}"
    );
    assert!(entries.iter().all(|e| e.acting_as == "parent"));
    let refused = cases[5].subject.unwrap(); // the parent on the 18th birthday
    assert!(access_entries_about(&app, refused).await.is_empty());
}

/// Every server function under `record/` is in the matrix above.
#[tokio::test]
async fn the_matrix_names_every_record_function() {
    let missing: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .filter(|p| p.starts_with("record/") && !RECORD_FUNCTIONS.contains(&p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "record functions missing from the matrix: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_access_ends_at_local_midnight_of_the_13th_birthday_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let parent = person(&app, "Parent", "1980-01-01").await;
        let child = person(&app, "Child", "2013-06-16").await;
        grant(
            &app,
            parent,
            child,
            RelationshipKind::Parent,
            "2013-06-16",
            None,
        )
        .await;
        let path = format!("/api/record/personal-information?subject={child}");
        // 23:59:59 on 15 June in Chicago (CDT, UTC-5), then midnight.
        app.clock.set(instant("2026-06-16T04:59:59Z"));
        let token = signed_in(&app, parent).await;
        assert_eq!(get(&app, &path, Some(&token)).await.0, 200, "{backend:?}");
        app.clock.set(instant("2026-06-16T05:00:00Z"));
        let (status, body) = get(&app, &path, Some(&token)).await;
        assert_eq!(status, 404, "{backend:?}: {body}");
        // Answered exactly like a record that does not exist.
        let (_, missing) = get(
            &app,
            "/api/record/personal-information?subject=424242",
            Some(&token),
        )
        .await;
        assert_eq!(body, missing);
        // Scheduling and immunizations remain, and the picker says why the rest went.
        let (status, choices) = get(&app, "/api/record/choices", Some(&token)).await;
        assert_eq!(status, 200);
        assert!(choices.contains("13th birthday"), "{choices}");
        assert!(choices.contains("schedule their appointments"), "{choices}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trying_id_after_id_is_refused_every_time_without_filling_the_audit_log_on_both_databases()
{
    use app::state::RefusalLog;
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let prober = person(&app, "Prober", "1980-01-01").await;
        let stranger = person(&app, "Stranger", "1981-01-01").await;
        let token = signed_in(&app, prober).await;
        let path = |id: i32| format!("/api/record/personal-information?subject={id}");
        let (_, missing) = get(&app, &path(stranger + 1000), Some(&token)).await;
        let tries = RefusalLog::AUDITED_PER_HOUR + 10;
        // Strangers' records and missing ones alike, every time.
        let subject_of = |id: u32| {
            if id.is_multiple_of(2) {
                stranger
            } else {
                stranger + 1000 + id as i32
            }
        };
        for id in 0..tries {
            let subject = subject_of(id);
            let (status, body) = get(&app, &path(subject), Some(&token)).await;
            assert_eq!(
                (status, body.as_str()),
                (404, missing.as_str()),
                "{backend:?}"
            );
        }
        let one_by_one = app.audit_entries("record.access_denied").await;
        assert_eq!(
            one_by_one.len() as u32,
            RefusalLog::AUDITED_PER_HOUR,
            "{backend:?}"
        );
        let run = app.audit_entries("record.access_denied_repeatedly").await;
        assert_eq!(
            run.len(),
            1,
            "{backend:?}: the rest of the hour is counted, not logged"
        );
        // An hour on, refusals are audited one by one again, and the run's total and the
        // ids it tried are audited with the first of them.
        app.clock.advance(chrono::Duration::minutes(61));
        let token = signed_in(&app, prober).await;
        assert_eq!(get(&app, &path(stranger), Some(&token)).await.0, 404);
        let one_by_one = app.audit_entries("record.access_denied").await;
        assert_eq!(
            one_by_one.len() as u32,
            RefusalLog::AUDITED_PER_HOUR + 1,
            "{backend:?}"
        );
        let run = app.audit_entries("record.access_denied_run").await;
        assert_eq!(run.len(), 1, "{backend:?}");
        let detail: serde_json::Value = serde_json::from_str(&run[0].detail).unwrap();
        assert_eq!(detail["refusals"], tries + 1, "{backend:?}: {detail}");
        // The first refusal was the missing record above; then the loop's, in order.
        let mut beyond: Vec<i32> = Vec::new();
        for id in RefusalLog::AUDITED_PER_HOUR - 1..tries {
            let subject = subject_of(id);
            if !beyond.contains(&subject) {
                beyond.push(subject);
            }
        }
        assert_eq!(
            detail["ids_tried"],
            serde_json::json!(beyond),
            "{backend:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_proxy_is_refused_on_the_very_next_request_on_both_databases() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let walter = person(&app, "Walter", "1941-11-02").await;
        let erin = person(&app, "Erin", "1972-05-21").await;
        let g = grant(
            &app,
            erin,
            walter,
            RelationshipKind::AdultProxy,
            "2022-01-01",
            Some("2027-01-01"),
        )
        .await;
        let erin_token = signed_in(&app, erin).await;
        let walter_token = signed_in(&app, walter).await;
        let path = format!("/api/record/personal-information?subject={walter}");
        assert_eq!(get(&app, &path, Some(&erin_token)).await.0, 200);

        // Walter sees Erin, with the expiry date, and renews for 5 years from today.
        let (status, body) = get(&app, "/api/record/who-can-view", Some(&walter_token)).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("Erin Test") && body.contains("\"2026-12-31\""),
            "{body}"
        );
        let (status, body) = post(
            &app,
            "/api/record/who-can-view/renew",
            &[("grant", &g.to_string())],
            Some(&walter_token),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (200, "\"2031-06-14\""),
            "{backend:?}"
        );
        // Erin sees the new expiry on her side.
        let (_, choices) = get(&app, "/api/record/choices", Some(&erin_token)).await;
        assert!(choices.contains("15 June 2031"), "{choices}");

        // Erin cannot revoke her own access to Walter's record, nor anyone else's.
        let (status, _) = post(
            &app,
            "/api/record/who-can-view/revoke",
            &[("grant", &g.to_string())],
            Some(&erin_token),
        )
        .await;
        assert_eq!(status, 404);

        let (status, body) = post(
            &app,
            "/api/record/who-can-view/revoke",
            &[("grant", &g.to_string())],
            Some(&walter_token),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        // Erin's session is still open; her next request is refused.
        assert_eq!(
            get(&app, &path, Some(&erin_token)).await.0,
            404,
            "{backend:?}"
        );
        let (_, choices) = get(&app, "/api/record/choices", Some(&erin_token)).await;
        assert!(choices.contains("withdrawn on 15 June 2026"), "{choices}");
        // Revoking twice finds nothing to revoke; renewing a revoked grant neither.
        for f in ["revoke", "renew"] {
            let (status, _) = post(
                &app,
                &format!("/api/record/who-can-view/{f}"),
                &[("grant", &g.to_string())],
                Some(&walter_token),
            )
            .await;
            assert_eq!(status, 404, "{f}");
        }
        assert_eq!(app.audit_entries("relationship.revoked").await.len(), 1);
        assert_eq!(app.audit_entries("relationship.renewed").await.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_viewed_lists_proxies_and_desk_staff_newest_first_and_is_append_only_on_both_databases()
{
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let walter = app.demo_person("Walter").await;
        let erin = app.demo_person("Erin").await;
        let walter_token = signed_in(&app, walter).await;
        let erin_token = signed_in(&app, erin).await;
        // Erin looks (the demo's proxy expires in 20 days), then the desk finds Walter.
        let (status, _) = get(
            &app,
            &format!("/api/record/personal-information?subject={walter}"),
            Some(&erin_token),
        )
        .await;
        assert_eq!(status, 200);
        app.clock.advance(chrono::Duration::minutes(5));
        let desk = staff_session(&app, "desk").await;
        let (status, _) = post(
            &app,
            "/api/desk/find-patient",
            &[("medical_record_number", "RB100007")],
            Some(&desk),
        )
        .await;
        assert_eq!(status, 200);
        app.clock.advance(chrono::Duration::minutes(5));

        let (status, body) = get(&app, "/api/record/who-viewed", Some(&walter_token)).await;
        assert_eq!(status, 200, "{body}");
        let log: serde_json::Value = serde_json::from_str(&body).unwrap();
        let entries = log["entries"].as_array().unwrap();
        // Walter's own visit (this one) is left out unless asked for.
        assert_eq!(entries.len(), 2, "{body}");
        assert_eq!(entries[0]["who"], "Dana Whitfield (front desk)");
        assert_eq!(entries[0]["acting_as"], "clinic staff (front desk)");
        assert_eq!(entries[0]["area"], "Enrolment desk");
        assert_eq!(entries[1]["who"], "Erin Brooks");
        assert_eq!(entries[1]["acting_as"], "adult proxy");
        assert_eq!(entries[1]["action"], "viewed");
        let (_, mine) = get(
            &app,
            "/api/record/who-viewed?mine=true",
            Some(&walter_token),
        )
        .await;
        let mine: serde_json::Value = serde_json::from_str(&mine).unwrap();
        assert_eq!(
            mine["entries"].as_array().unwrap().len(),
            3,
            "a read is logged once answered"
        );
        assert_eq!(mine["entries"][0]["who"], "You");

        // Pages of 25, newest first.
        for _ in 0..30 {
            app.clock.advance(chrono::Duration::seconds(1));
            get(&app, "/api/record/who-can-view", Some(&walter_token)).await;
        }
        let (_, first) = get(
            &app,
            "/api/record/who-viewed?mine=true",
            Some(&walter_token),
        )
        .await;
        let (_, second) = get(
            &app,
            "/api/record/who-viewed?mine=true&page=1",
            Some(&walter_token),
        )
        .await;
        let first: serde_json::Value = serde_json::from_str(&first).unwrap();
        let second: serde_json::Value = serde_json::from_str(&second).unwrap();
        assert_eq!(first["entries"].as_array().unwrap().len(), 25);
        assert_eq!(first["more"], true);
        assert_eq!(second["more"], false);
        assert_eq!(
            second["entries"].as_array().unwrap().last().unwrap()["who"],
            "Erin Brooks"
        );

        // Append-only in the database itself.
        let db = &app.state.db;
        for sql in [
            "UPDATE access_log SET viewer_name = 'someone else'",
            "DELETE FROM access_log",
        ] {
            assert!(
                db.execute_unprepared(sql).await.is_err(),
                "{backend:?}: {sql}"
            );
        }
        assert!(access_entries_about(&app, walter).await.len() > 30);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_information_changes_contact_details_and_email_only_by_the_link_on_both_databases()
{
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        app.set_policy(r#"{"attempts_per_address": 100000}"#).await;
        let me = person(&app, "Ada", "1985-02-03").await;
        let token = signed_in(&app, me).await;
        let (status, body) = get(&app, "/api/record/personal-information", Some(&token)).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("1 Lake Road") && body.contains(&format!("TX{me:06}")),
            "{body}"
        );

        // Bad input: a clear message, nothing changed.
        let (status, body) = post(
            &app,
            "/api/record/personal-information/contact",
            &[
                ("contact[address_line]", "3 New Street"),
                ("contact[city]", "Riverbend"),
                ("contact[region]", "WI"),
                ("contact[postal_code]", "53700"),
                ("contact[phone]", "call me"),
            ],
            Some(&token),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body.contains("phone number"), "{body}");
        let stored = person::Entity::find_by_id(me)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.address_line.as_deref(), Some("1 Lake Road"));

        let (status, body) = post(
            &app,
            "/api/record/personal-information/contact",
            &[
                ("contact[address_line]", "3 New Street"),
                ("contact[city]", "Lakeside"),
                ("contact[region]", "WI"),
                ("contact[postal_code]", "53701"),
                ("contact[phone]", "(608) 555-0199"),
            ],
            Some(&token),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let stored = person::Entity::find_by_id(me)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.address_line.as_deref(), Some("3 New Street"));
        assert_eq!(stored.phone.as_deref(), Some("(608) 555-0199"));

        // A new email: a link to the new address, and no change until it is followed.
        let (status, body) = post(
            &app,
            "/api/record/personal-information/email",
            &[("email", "Ada.New@Example.org")],
            Some(&token),
        )
        .await;
        assert_eq!((status, body.as_str()), (200, "\"ada.new@example.org\""));
        let stored = person::Entity::find_by_id(me)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.email, None);
        let token_in_link = link_sent_to(&app, "ada.new@example.org").await;
        let token_in_link = token_in_link.as_str();
        // A wrong token changes nothing; the right one works once.
        let (status, _) = post(
            &app,
            "/api/account/confirm-email",
            &[("token", "guess")],
            None,
        )
        .await;
        assert_eq!(status, 422);
        let (status, body) = post(
            &app,
            "/api/account/confirm-email",
            &[("token", token_in_link)],
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let stored = person::Entity::find_by_id(me)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.email.as_deref(), Some("ada.new@example.org"));
        let (status, _) = post(
            &app,
            "/api/account/confirm-email",
            &[("token", token_in_link)],
            None,
        )
        .await;
        assert_eq!(status, 422, "{backend:?}: a link works once");

        // A link older than a day does not work.
        post(
            &app,
            "/api/record/personal-information/email",
            &[("email", "ada.third@example.org")],
            Some(&token),
        )
        .await;
        let later = link_sent_to(&app, "ada.third@example.org").await;
        app.clock.advance(chrono::Duration::hours(25));
        let (status, _) = post(
            &app,
            "/api/account/confirm-email",
            &[("token", &later)],
            None,
        )
        .await;
        assert_eq!(status, 422, "{backend:?}: a day-old link");
        let stored = person::Entity::find_by_id(me)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.email.as_deref(), Some("ada.new@example.org"));

        // At most `online_codes_per_day` (3) links in 24 hours: mail is not a free relay.
        // (A day later the session has timed out: a new one.)
        let token = signed_in(&app, me).await;
        for n in 0..3 {
            let address = format!("ada.{n}@example.org");
            let (status, body) = post(
                &app,
                "/api/record/personal-information/email",
                &[("email", &address)],
                Some(&token),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
        let (status, body) = post(
            &app,
            "/api/record/personal-information/email",
            &[("email", "ada.4@example.org")],
            Some(&token),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body.contains("enough links for today"), "{body}");
    }
}
