//! From settings to a running portal: open and migrate the database, make sure the configured
//! organization exists, load secrets, build the shared state, serve until SIGTERM.

use crate::config::Settings;
use crate::secrets::Secrets;
use app::db::{self, store, tokens::TokenHasher, vault::SsnVault};
use app::domain::clock::Clock;
use app::state::{AppState, Shared, Site};
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("cannot open the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot read {path}: {message}")]
    LeptosConfig { path: String, message: String },
    #[error("cannot listen on {addr}: {cause}")]
    Listen {
        addr: std::net::SocketAddr,
        cause: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] store::StoreError),
}

/// Opens the database and brings its schema up to date.
pub async fn open_database(settings: &Settings) -> Result<DatabaseConnection, StartupError> {
    if let Some(path) = sqlite_file(&settings.database_url)
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            sea_orm::DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    // With a separate role for migrations (PostgreSQL), the schema is changed as its owner and
    // the portal's own connections cannot drop what protects the audit log.
    if let Some(owner_url) = &settings.migration_database_url {
        let owner = db::connect(owner_url, 1).await?;
        db::migrate(&owner).await?;
        owner.close().await?;
        return Ok(db::connect(&settings.database_url, settings.database_max_connections).await?);
    }
    let db = db::connect(&settings.database_url, settings.database_max_connections).await?;
    db::migrate(&db).await?;
    Ok(db)
}

/// The file path of a `sqlite:` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

pub fn leptos_options(settings: &Settings) -> Result<LeptosOptions, StartupError> {
    let path = settings.leptos_config.display().to_string();
    let conf =
        leptos::config::get_configuration(Some(&path)).map_err(|e| StartupError::LeptosConfig {
            path: path.clone(),
            message: e.to_string(),
        })?;
    let mut options = conf.leptos_options;
    options.site_addr = settings.listen;
    // Hashed asset names come from the hash file cargo-leptos writes beside the binary; a binary
    // without one (a test binary, or one built by plain cargo) links the plain names.
    options.hash_files = options.hash_files && hash_file_beside_binary(&options.hash_file);
    Ok(options)
}

/// Whether the hash file Leptos reads (beside the running binary) is there.
fn hash_file_beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|path| path.is_file())
}

/// Everything `serve` needs before it listens: the migrated database, LeptosOptions, secrets and
/// the configured organization, as the shared state.
pub async fn start(settings: &Settings, clock: Arc<dyn Clock>) -> Result<AppState, StartupError> {
    let db = open_database(settings).await?;
    let options = leptos_options(settings)?;
    build_state(settings, db, options, clock).await
}

/// The keyed hasher for codes and tokens, from the secrets directory (for commands that need
/// no more of the state).
pub async fn token_hasher(
    settings: &Settings,
    db: &DatabaseConnection,
) -> Result<TokenHasher, String> {
    let sealed = store::holds_sealed_data(db)
        .await
        .map_err(|e| e.to_string())?;
    let secrets =
        Secrets::load_or_create(&settings.secrets_dir, sealed).map_err(|e| e.to_string())?;
    Ok(TokenHasher::new(secrets.session_key))
}

/// Builds the shared state on an open, migrated database.
pub async fn build_state(
    settings: &Settings,
    db: DatabaseConnection,
    leptos_options: LeptosOptions,
    clock: Arc<dyn Clock>,
) -> Result<AppState, StartupError> {
    let sealed = store::holds_sealed_data(&db).await?;
    let secrets = Secrets::load_or_create(&settings.secrets_dir, sealed)?;
    app::api::attempts::share_the_pool(settings.database_max_connections);
    let org = store::ensure_organization(&db, &settings.organization, clock.now()).await?;
    Ok(AppState::new(Shared {
        leptos_options,
        db,
        site: Arc::new(Site {
            organization_id: org.id,
            time_zone: settings.organization.time_zone,
            branding: settings.branding.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            public_url: settings.public_url.clone(),
        }),
        clock,
        vault: Arc::new(SsnVault::new(
            secrets.ssn_encryption_key,
            secrets.ssn_lookup_key,
        )),
        tokens: Arc::new(TokenHasher::new(secrets.session_key)),
        throttle: Default::default(),
        form_throttle: Default::default(),
        policy: Default::default(),
        refusals: Default::default(),
        access_log: Default::default(),
        histories: Default::default(),
    }))
}

/// Serves until SIGTERM or Ctrl-C, then stops taking connections and lets requests in flight
/// finish.
pub async fn serve(settings: &Settings, state: AppState) -> Result<(), StartupError> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|cause| StartupError::Listen {
            addr: settings.listen,
            cause,
        })?;
    tracing::info!(address = %settings.listen, "the portal is listening");
    // Answers go out as soon as they are written: without TCP_NODELAY, a small answer on a
    // kept-alive connection waits for the browser's delayed ACK (about 40 ms a request).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        if let Err(cause) = tcp.set_nodelay(true) {
            tracing::warn!(%cause, "could not set TCP_NODELAY on a connection");
        }
    });
    let db = state.db.clone();
    let app = crate::router::router(state, settings);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|cause| StartupError::Listen {
        addr: settings.listen,
        cause,
    })?;
    tracing::info!("stopped taking requests; closing the database");
    // Pages still rendering for browsers that went away end first (see `run_to_the_end`).
    crate::router::page_renders_finished(std::time::Duration::from_secs(10)).await;
    let _ = db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn the_sqlite_file_is_found_in_its_url() {
        assert_eq!(
            sqlite_file("sqlite://data/portal.db?mode=rwc"),
            Some("data/portal.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/portal"), None);
    }
}
