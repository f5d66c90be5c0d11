//! The schema and the store on both backends: reversible migrations, the append-only audit log,
//! SSNs sealed at rest, uniqueness rules, and the demo loading once, all or nothing.

use crate::helpers::{BACKENDS, Backend, spawn_app};
use app::db::audit::{self, Actor, AuditEvent, Outcome};
use app::db::demo::{SeedOutcome, seed_demo};
use app::db::entities::{audit_log, person, portal_account, staff};
use app::db::migrations::Migrator;
use app::db::store;
use app::domain::clock::Clock;
use app::domain::ssn::Ssn;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};
use sea_orm_migration::MigratorTrait;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_go_down_and_up_again_on_both_backends() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let db = &app.state.db;
        Migrator::down(db, None)
            .await
            .unwrap_or_else(|e| panic!("{backend:?} down: {e}"));
        assert!(
            Migrator::get_applied_migrations(db)
                .await
                .unwrap()
                .is_empty()
        );
        Migrator::up(db, None)
            .await
            .unwrap_or_else(|e| panic!("{backend:?} up: {e}"));
        assert_eq!(Migrator::get_pending_migrations(db).await.unwrap().len(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys() {
    let app = spawn_app(Backend::Sqlite).await;
    let db = &app.state.db;
    let pragma = |name: &'static str| async move {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("PRAGMA {name}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
            .unwrap()
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("synchronous").await, "2", "FULL");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_ne!(pragma("busy_timeout").await, "0");
    // Statements keep their plan whatever is bound to them, so the prepared ones are reused
    // (`.cargo/config.toml`): without it each `LIMIT ?` query was planned again on every run.
    assert!(app::db::sqlite_plans_are_stable(db).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_refuses_updates_and_deletes_on_both_backends() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let db = &app.state.db;
        let entry = audit::record(
            db,
            app.clock.now(),
            AuditEvent::new(Actor::System, "test.event", Outcome::Success),
        )
        .await
        .unwrap();
        let mut changed: audit_log::ActiveModel = entry.clone().into();
        changed.action = Set("test.rewritten".into());
        assert!(
            changed.update(db).await.is_err(),
            "{backend:?}: update must fail"
        );
        assert!(
            audit_log::Entity::delete_by_id(entry.id)
                .exec(db)
                .await
                .is_err(),
            "{backend:?}: delete must fail"
        );
        assert_eq!(
            audit_log::Entity::find_by_id(entry.id)
                .one(db)
                .await
                .unwrap()
                .unwrap(),
            entry
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a8_an_ssn_is_stored_sealed_and_found_again_by_its_keyed_hash() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let db = &app.state.db;
        let ssn = Ssn::parse("123-45-6781").unwrap();
        let found = store::people_with_ssn(db, &app.state.vault, &ssn)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{backend:?}");
        let alex = &found[0];
        assert_eq!(alex.given_name, "Alex");
        assert_eq!(alex.ssn_last_four.as_deref(), Some("6781"));
        let sealed = alex.ssn_ciphertext.as_ref().unwrap();
        assert!(
            !sealed.windows(9).any(|w| w == b"123456781"),
            "{backend:?}: no SSN in clear"
        );
        assert!(!alex.ssn_lookup.as_ref().unwrap().contains("123456781"));
        assert_eq!(app.state.vault.open(sealed).unwrap(), ssn);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_loads_once_and_never_over_existing_people() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let db = &app.state.db;
        let people = person::Entity::find().count(db).await.unwrap();
        assert!(people >= 8, "{backend:?}");
        assert_eq!(staff::Entity::find().count(db).await.unwrap(), 3);
        let again = seed_demo(
            db,
            &app.state.vault,
            &app.settings.organization,
            app.clock.now(),
        )
        .await
        .unwrap();
        assert_eq!(again, SeedOutcome::AlreadyPresent);
        assert_eq!(person::Entity::find().count(db).await.unwrap(), people);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_demo_load_leaves_nothing_half_written() {
    let app = spawn_app(Backend::Sqlite).await;
    let db = &app.state.db;
    // A staff member with a demo username makes the load fail after the people are inserted.
    let org = store::organization_by_slug(db, &app.settings.organization.slug)
        .await
        .unwrap()
        .unwrap();
    let existing = staff::ActiveModel {
        organization_id: Set(org.id),
        username: Set("desk".into()),
        display_name: Set("Someone".into()),
        role: Set("front-desk".into()),
        password_hash: Set("x".into()),
        active: Set(true),
        created_at: Set(app.clock.now()),
        ..Default::default()
    };
    existing.insert(db).await.unwrap();
    let result = seed_demo(
        db,
        &app.state.vault,
        &app.settings.organization,
        app.clock.now(),
    )
    .await;
    assert!(result.is_err());
    assert_eq!(
        person::Entity::find().count(db).await.unwrap(),
        0,
        "rolled back"
    );
    assert_eq!(audit_log::Entity::find().count(db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_portal_ids_are_unique_regardless_of_case_on_both_backends() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let db = &app.state.db;
        let people = person::Entity::find().all(db).await.unwrap();
        let org = store::organization_by_slug(db, &app.settings.organization.slug)
            .await
            .unwrap()
            .unwrap();
        let account = |person_id: i32, portal_id: &str| portal_account::ActiveModel {
            person_id: Set(person_id),
            organization_id: Set(org.id),
            portal_id: Set(portal_id.into()),
            portal_id_key: Set(portal_id.to_lowercase()),
            password_hash: Set("x".into()),
            reset_question: Set("q".into()),
            reset_answer_hash: Set("y".into()),
            status: Set("active".into()),
            created_at: Set(app.clock.now()),
            last_sign_in_at: Set(None),
            ..Default::default()
        };
        account(people[0].id, "Alex.Rivera")
            .insert(db)
            .await
            .unwrap();
        assert!(
            account(people[1].id, "alex.rivera")
                .insert(db)
                .await
                .is_err(),
            "{backend:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relationship_must_link_two_different_existing_people() {
    let app = spawn_app(Backend::Sqlite).await.with_demo().await;
    let db = &app.state.db;
    let org = store::organization_by_slug(db, &app.settings.organization.slug)
        .await
        .unwrap()
        .unwrap();
    let today = app.clock.now().date_naive();
    let relate = |person_id, subject_person_id| store::NewRelationship {
        organization_id: org.id,
        person_id,
        subject_person_id,
        kind: app::domain::relationship::RelationshipKind::AdultProxy,
        starts_on: today,
        ends_on: None,
    };
    let someone = person::Entity::find().one(db).await.unwrap().unwrap().id;
    assert!(
        store::create_relationship(db, relate(someone, someone), app.clock.now())
            .await
            .is_err()
    );
    assert!(
        store::create_relationship(db, relate(someone, 999_999), app.clock.now())
            .await
            .is_err()
    );
}

/// Two roles of their own on the test server, and a database the first owns; all removed at the
/// end, pass or fail.
struct TwoRoles {
    owner: String,
    app: String,
    database: String,
}

impl TwoRoles {
    async fn create() -> Self {
        let name = crate::helpers::unique_name();
        let roles = Self {
            owner: format!("{name}_owner"),
            app: format!("{name}_app"),
            database: name,
        };
        let base = crate::helpers::postgres_base();
        let admin = sea_orm::Database::connect(format!("{base}/postgres"))
            .await
            .unwrap();
        for sql in [
            format!("CREATE ROLE {} LOGIN", roles.owner),
            format!("CREATE ROLE {} LOGIN", roles.app),
            format!("CREATE DATABASE {} OWNER {}", roles.database, roles.owner),
        ] {
            admin.execute_unprepared(&sql).await.unwrap();
        }
        admin.close().await.unwrap();
        // As in the README: the portal's role may use what the owner creates, no more.
        let inside = sea_orm::Database::connect(format!("{base}/{}", roles.database))
            .await
            .unwrap();
        for sql in [
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned(),
            format!("GRANT USAGE ON SCHEMA public TO {}", roles.app),
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}",
                roles.owner, roles.app
            ),
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}",
                roles.owner, roles.app
            ),
            format!("GRANT CREATE ON SCHEMA public TO {}", roles.owner),
        ] {
            inside.execute_unprepared(&sql).await.unwrap();
        }
        inside.close().await.unwrap();
        roles
    }

    fn url(&self, role: &str) -> String {
        let base = crate::helpers::postgres_base();
        let host = base.rsplit('@').next().unwrap_or("127.0.0.1:5432");
        format!("postgres://{role}@{host}/{}", self.database)
    }
}

impl Drop for TwoRoles {
    fn drop(&mut self) {
        let (owner, app, database) = (self.owner.clone(), self.app.clone(), self.database.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let base = crate::helpers::postgres_base();
                if let Ok(admin) = sea_orm::Database::connect(format!("{base}/postgres")).await {
                    for sql in [
                        format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
                        format!("DROP ROLE IF EXISTS {app}"),
                        format!("DROP ROLE IF EXISTS {owner}"),
                    ] {
                        let _ = admin.execute_unprepared(&sql).await;
                    }
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_migration_role_the_portal_role_writes_rows_but_cannot_drop_the_audit_triggers() {
    let roles = TwoRoles::create().await;
    let dir = std::env::temp_dir().join(&roles.database);
    let settings = server::config::Settings::check(server::config::RawSettings {
        database_url: roles.url(&roles.app),
        migration_database_url: roles.url(&roles.owner),
        secrets_dir: dir.join("secrets").display().to_string(),
        mail_transport: format!("file:{}", dir.join("mail").display()),
        ..server::config::RawSettings::default()
    })
    .unwrap();
    let db = server::startup::open_database(&settings).await.unwrap();
    let now = chrono::Utc::now();
    let org = store::ensure_organization(&db, &settings.organization, now)
        .await
        .expect("the portal's role writes rows");
    audit::record(
        &db,
        now,
        AuditEvent::new(Actor::System, "test.entry", Outcome::Success).organization(org.id),
    )
    .await
    .unwrap();
    for sql in [
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TABLE audit_log",
        "DELETE FROM audit_log",
    ] {
        assert!(
            db.execute_unprepared(sql).await.is_err(),
            "the portal's role could: {sql}"
        );
    }
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_migration_role_is_for_postgresql_only() {
    let message = server::config::Settings::check(server::config::RawSettings {
        migration_database_url: "postgres://owner@127.0.0.1/portal".into(),
        ..server::config::RawSettings::default()
    })
    .unwrap_err()
    .to_string();
    assert!(message.contains("`migration_database_url`"), "{message}");
}
