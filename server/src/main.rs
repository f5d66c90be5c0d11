//! `portal`: parses the command line and runs one command. See `portal --help`.

use app::db::audit::{self, Actor, AuditEvent, Outcome};
use app::db::demo::{SeedOutcome, seed_demo};
use app::db::{passwords, store};
use app::domain::clock::{Clock, SystemClock};
use app::domain::staff::{StaffRole, StaffUsername, check_staff_password};
use clap::Parser;
use sea_orm::TransactionTrait;
use server::cli::{Cli, Command};
use server::config::Settings;
use server::startup;
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc rather than glibc's allocator: rendering a page allocates many small strings from
/// several threads at once, where glibc's arenas contend, and password hashing allocates 19 MiB
/// at a time, which glibc kept after a burst of sign-ins (measured with `.ci/bench`, issue 13).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("portal: {e}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portal: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("portal: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), String> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match command {
        Command::Serve { demo } => {
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            if demo {
                load_demo(&settings, &state.db, &state.vault, clock.as_ref()).await?;
                // The documented demo set-up code works only while the portal runs as a demo.
                app::db::demo::grant_demo_set_up(&state.db, &state.tokens, clock.now())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let mailer = server::mail::Mailer::new(&settings).map_err(|e| e.to_string())?;
            server::mail::spawn_worker(state.clone(), mailer);
            startup::serve(&settings, state)
                .await
                .map_err(|e| e.to_string())
        }
        Command::HashingBound { seconds } => {
            let (rate, cores) = tokio::task::spawn_blocking(move || {
                passwords::checks_per_second(std::time::Duration::from_secs(seconds.max(1)))
            })
            .await
            .map_err(|e| e.to_string())?;
            println!("{rate:.1} password checks a second on {cores} cores");
            Ok(())
        }
        Command::Migrate => {
            startup::open_database(&settings)
                .await
                .map_err(|e| e.to_string())?;
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::SeedDemo => {
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            load_demo(&settings, &state.db, &state.vault, clock.as_ref()).await
        }
        Command::SeedDemoResults { mrn, count } => {
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let org_id = state.site.organization_id;
            let patient = store::patient_by_mrn(&state.db, org_id, &mrn)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no patient has the medical record number {mrn}"))?;
            app::db::demo::seed_demo_results(
                &state.db,
                org_id,
                patient.person_id,
                count,
                clock.now(),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("Added {count} results for {mrn}.");
            Ok(())
        }
        Command::IssueActivationCode { mrn } => {
            use app::db::codes::{CodePurpose, CodeRoute, NewCode, issue_code};
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let org_id = state.site.organization_id;
            let patient = store::patient_by_mrn(&state.db, org_id, &mrn)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no patient has the medical record number {mrn}"))?;
            let policy = state.current_policy().await?;
            let now = clock.now();
            let txn = state.db.begin().await.map_err(|e| e.to_string())?;
            let (code, row) = issue_code(
                &txn,
                &state.tokens,
                NewCode {
                    organization_id: org_id,
                    person_id: patient.person_id,
                    purpose: CodePurpose::Activation,
                    route: CodeRoute::Paper,
                    issued_by_staff_id: None,
                    valid_for: app::domain::activation::activation_code_validity(&policy),
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
            audit::record(
                &txn,
                now,
                AuditEvent::new(Actor::System, "code.issued", Outcome::Success)
                    .organization(org_id)
                    .subject(patient.person_id)
                    .detail(serde_json::json!({ "code_id": row.id, "purpose": "activation", "route": "paper" })),
            )
            .await
            .map_err(|e| e.to_string())?;
            txn.commit().await.map_err(|e| e.to_string())?;
            println!("{}", code.display());
            Ok(())
        }
        Command::RunTransitions { at } => {
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let at = match at {
                Some(text) => app::api::transitions::parse_instant(&text, state.site.time_zone)?,
                None => clock.now(),
            };
            let report = app::api::transitions::run_at(&state, at)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{} changes announced, {} emails queued.",
                report.announced, report.emails
            );
            Ok(())
        }
        Command::SetPolicy {
            json,
            effective_from,
        } => {
            let changes: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&json)
                    .map_err(|e| format!("--json must be a JSON object of settings: {e}"))?;
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let org_id = state.site.organization_id;
            let today = app::domain::age::local_date(clock.now(), state.site.time_zone);
            let from = effective_from.unwrap_or(today);
            // What applied on a past day is a fact the access engine answers from (P6).
            if from < today {
                return Err(format!(
                    "--effective-from {from} is before today ({today}): what applied on past days \
                     stays as it was; give today or a later day"
                ));
            }
            let history = state.policy_history().await?;
            let current = history.in_force_on(from);
            let mut merged: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&current.to_json()).map_err(|e| e.to_string())?;
            let changed: Vec<String> = changes.keys().cloned().collect();
            merged.extend(changes);
            let policy = app::domain::policy::OrganizationPolicy::from_json(
                &serde_json::Value::Object(merged).to_string(),
            )
            .map_err(|e| e.to_string())?;
            let now = clock.now();
            let txn = state.db.begin().await.map_err(|e| e.to_string())?;
            store::set_policy_version(&txn, org_id, from, &policy, now)
                .await
                .map_err(|e| e.to_string())?;
            audit::record(
                &txn,
                now,
                AuditEvent::new(Actor::System, "policy.changed", Outcome::Success)
                    .organization(org_id)
                    .detail(serde_json::json!({ "settings": changed, "effective_from": from })),
            )
            .await
            .map_err(|e| e.to_string())?;
            txn.commit().await.map_err(|e| e.to_string())?;
            println!("{}", policy.to_json());
            Ok(())
        }
        Command::CreateStaff {
            username,
            display_name,
            role,
        } => {
            let username = StaffUsername::parse(&username)?;
            let role = StaffRole::parse(&role)?;
            let display_name = display_name.trim().to_owned();
            if display_name.is_empty() || display_name.chars().count() > 200 {
                return Err("--name must have 1 to 200 characters".into());
            }
            let password = read_new_password()?;
            check_staff_password(&password)?;
            let db = startup::open_database(&settings)
                .await
                .map_err(|e| e.to_string())?;
            let now = clock.now();
            let org = store::ensure_organization(&db, &settings.organization, now)
                .await
                .map_err(|e| e.to_string())?;
            let password_hash =
                tokio::task::spawn_blocking(move || passwords::hash_password(&password))
                    .await
                    .map_err(|e| e.to_string())?;
            let txn = db.begin().await.map_err(|e| e.to_string())?;
            let staff = store::create_staff(
                &txn,
                store::NewStaff {
                    organization_id: org.id,
                    username,
                    display_name,
                    role,
                    password_hash,
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
            audit::record(
                &txn,
                now,
                AuditEvent::new(Actor::System, "staff.created", Outcome::Success)
                    .organization(org.id)
                    .detail(serde_json::json!({ "staff_id": staff.id, "role": role.as_str() })),
            )
            .await
            .map_err(|e| e.to_string())?;
            let hasher = startup::token_hasher(&settings, &db).await?;
            let code = issue_staff_set_up_code(&txn, &hasher, staff.id, now).await?;
            txn.commit().await.map_err(|e| e.to_string())?;
            println!(
                "Created {} ({}) as {}.",
                staff.username,
                staff.display_name,
                role.as_str()
            );
            println!(
                "Set-up code for the first sign-in (works once, for 24 hours): {}",
                code.display()
            );
            Ok(())
        }
        Command::StaffSetUpCode { username } => {
            let username = StaffUsername::parse(&username)?;
            let state = startup::start(&settings, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            let member = store::staff_by_username(&state.db, &username)
                .await
                .map_err(|e| e.to_string())?
                .filter(|m| m.organization_id == state.site.organization_id && m.active)
                .ok_or_else(|| format!("no active staff member is called {}", username.as_str()))?;
            if member.totp_confirmed_at.is_some() {
                return Err(format!(
                    "{} has set up an authenticator app already; they sign in with it or a recovery code",
                    member.username
                ));
            }
            let now = clock.now();
            let txn = state.db.begin().await.map_err(|e| e.to_string())?;
            let code = issue_staff_set_up_code(&txn, &state.tokens, member.id, now).await?;
            audit::record(
                &txn,
                now,
                AuditEvent::new(Actor::System, "staff.set_up_code_issued", Outcome::Success)
                    .organization(member.organization_id)
                    .detail(serde_json::json!({ "staff_id": member.id })),
            )
            .await
            .map_err(|e| e.to_string())?;
            txn.commit().await.map_err(|e| e.to_string())?;
            println!(
                "Set-up code for {} (works once, for 24 hours): {}",
                member.username,
                code.display()
            );
            Ok(())
        }
    }
}

/// A new set-up code for a staff member's first authenticator, valid 24 hours.
async fn issue_staff_set_up_code<C: sea_orm::ConnectionTrait>(
    db: &C,
    hasher: &app::db::tokens::TokenHasher,
    staff_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<app::domain::activation::OneTimeCode, String> {
    let code = app::domain::activation::OneTimeCode::from_random(
        app::db::tokens::TokenHasher::new_code_bits(),
    );
    app::db::two_step::set_staff_set_up_code(
        db,
        hasher,
        staff_id,
        &code,
        now + chrono::Duration::hours(app::db::two_step::STAFF_SET_UP_HOURS),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(code)
}

async fn load_demo(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
    vault: &app::db::vault::SsnVault,
    clock: &dyn Clock,
) -> Result<(), String> {
    match seed_demo(db, vault, &settings.organization, clock.now())
        .await
        .map_err(|e| e.to_string())?
    {
        SeedOutcome::Loaded { people, staff } => {
            tracing::info!(people, staff, "loaded the demo health system");
            println!(
                "Loaded the demo: {people} people and {staff} staff. Staff sign-in names: {}; password: {}",
                app::db::demo::DEMO_STAFF.map(|(u, _, _)| u).join(", "),
                app::db::demo::DEMO_STAFF_PASSWORD
            );
        }
        SeedOutcome::AlreadyPresent => {
            tracing::info!("the database already holds people; the demo was not loaded");
        }
    }
    Ok(())
}

fn read_new_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("PORTAL_NEW_STAFF_PASSWORD") {
        return Ok(p);
    }
    eprintln!("Password for the new staff member (one line, at least 12 characters):");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
