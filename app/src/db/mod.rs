//! Server-only persistence: the sea-orm entities, the migrations (the same set on SQLite and
//! PostgreSQL), and store functions that take a connection. Nothing here authorizes: callers
//! (server functions, the CLI) have done that already.

pub mod access_log;
pub mod accounts;
pub mod audit;
pub mod clinical;
pub mod codes;
pub mod court_orders;
pub mod demo;
pub mod enrolment_queue;
pub mod entities;
pub mod form_answers;
pub mod lockout;
pub mod migrations;
pub mod outbox;
pub mod passwords;
pub mod records;
pub mod results;
pub mod scheduling;
pub mod sessions;
pub mod store;
pub mod tokens;
pub mod two_step;
pub mod vault;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Opens the database at `url` (`sqlite://path?mode=rwc` or `postgres://...`). SQLite gets the
/// settings a health record needs: WAL (readers don't block the writer), `synchronous=FULL` (a
/// committed write survives a power cut), foreign keys enforced, and a busy timeout instead of
/// "database is locked" errors under concurrent writes.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // A connection is checked before use only after it sat idle for a while (a server or a
        // firewall may have dropped it then), not on every query: under load that check was
        // one more round trip to the database for each query.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .create_if_missing(true)
        });
    let db = Database::connect(options).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite
        && !sqlite_plans_are_stable(&db).await
    {
        tracing::warn!(
            "SQLite was built without SQLITE_ENABLE_QPSG (.cargo/config.toml sets it): \
             statements with bound limits are planned again on every run"
        );
    }
    Ok(db)
}

/// Whether the SQLite library was built with the query planner stability guarantee on.
pub async fn sqlite_plans_are_stable(db: &DatabaseConnection) -> bool {
    let options = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA compile_options",
        ))
        .await
        .unwrap_or_default();
    options
        .iter()
        .any(|row| row.try_get_by_index::<String>(0).as_deref() == Ok("ENABLE_QPSG"))
}

/// Brings the schema up to date. Run at every start; a no-op when nothing is pending.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migrations::Migrator::up(db, None).await
}

/// Whether the database answers a trivial query (for `/readyz`).
pub async fn is_reachable(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}
