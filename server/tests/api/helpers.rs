//! `spawn_app(Backend::Sqlite)` gives a portal on a database of its own, with a clock the test
//! controls. The database is dropped when the app is.

use app::db::demo::{SeedOutcome, seed_demo};
use app::domain::clock::{Clock, FixedClock};
use app::state::AppState;
use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Utc};
use http::{Request, Response};
use sea_orm::{ConnectionTrait, Database};
use server::config::{RawSettings, Settings};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: FixedClock,
    pub settings: Settings,
    _database: DatabaseGuard,
}

/// A moment well away from any boundary, unless a test moves the clock.
pub fn default_now() -> DateTime<Utc> {
    "2026-06-15T15:00:00Z".parse().unwrap()
}

pub fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "portal_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

pub fn postgres_base() -> String {
    std::env::var("PORTAL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Removes the test's database (and scratch directory) when the test ends, pass or fail.
pub struct DatabaseGuard {
    postgres_name: Option<String>,
    dir: PathBuf,
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        if let Some(name) = self.postgres_name.take() {
            // Drop cannot be async: do it on a thread with a runtime of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) =
                        Database::connect(format!("{}/postgres", postgres_base())).await
                    {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed by `change` first.
pub async fn spawn_app_with(backend: Backend, change: impl FnOnce(&mut RawSettings)) -> TestApp {
    let name = unique_name();
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    let (database_url, postgres_name) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}/portal.db?mode=rwc", dir.display()),
            None,
        ),
        Backend::Postgres => {
            let admin = Database::connect(format!("{}/postgres", postgres_base()))
                .await
                .expect("PostgreSQL must run at 127.0.0.1:5432 (the test command starts it)");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            (format!("{}/{name}", postgres_base()), Some(name.clone()))
        }
    };
    let guard = DatabaseGuard {
        postgres_name,
        dir: dir.clone(),
    };
    let mut raw = RawSettings {
        database_url,
        database_max_connections: 4,
        secrets_dir: dir.join("secrets").display().to_string(),
        leptos_config: concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml").to_owned(),
        mail_transport: format!("file:{}", dir.join("mail").display()),
        ..RawSettings::default()
    };
    change(&mut raw);
    let settings = Settings::check(raw).unwrap();
    let clock = FixedClock::at(default_now());
    let db = server::startup::open_database(&settings).await.unwrap();
    let mut options = server::startup::leptos_options(&settings).unwrap();
    options.site_root = dir.join("site").display().to_string().into();
    let state = server::startup::build_state(&settings, db, options, Arc::new(clock.clone()))
        .await
        .unwrap();
    let router = server::router::router(state.clone(), &settings);
    TestApp {
        router,
        state,
        clock,
        settings,
        _database: guard,
    }
}

impl TestApp {
    pub async fn with_demo(self) -> Self {
        let outcome = seed_demo(
            &self.state.db,
            &self.state.vault,
            &self.settings.organization,
            self.clock.now(),
        )
        .await
        .unwrap();
        assert!(matches!(outcome, SeedOutcome::Loaded { .. }));
        // As `portal serve --demo` does.
        app::db::demo::grant_demo_set_up(&self.state.db, &self.state.tokens, self.clock.now())
            .await
            .unwrap();
        self
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    pub async fn get(&self, uri: &str) -> Response<Body> {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// GET, then the body as text, without the empty comments Leptos leaves between text nodes
    /// for hydration (`<!>`), so tests can look for sentences.
    pub async fn get_text(&self, uri: &str) -> (http::StatusCode, http::HeaderMap, String) {
        let response = self.get(uri).await;
        let (parts, body) = response.into_parts();
        (
            parts.status,
            parts.headers,
            body_text(body).await.replace("<!>", ""),
        )
    }
}

/// `application/x-www-form-urlencoded`, as a browser encodes a form.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the session cookie a response sets, if any.
pub fn session_cookie(headers: &http::HeaderMap) -> Option<String> {
    set_cookie_value(headers, "__Host-portal_session")
}

/// The value a response sets for the cookie `name`, if it sets it.
pub fn set_cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    set_cookie_header(headers, name)
        .map(|header| header.split(';').next().unwrap_or_default()[name.len() + 1..].to_owned())
}

/// The whole `Set-Cookie` header a response sends for the cookie `name` (with its attributes).
pub fn set_cookie_header(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl TestApp {
    /// POSTs a form to a server function the way our own pages do (same-origin), optionally with
    /// a session cookie. Returns status, headers and body text.
    pub async fn post_form(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (http::StatusCode, http::HeaderMap, String) {
        let cookies = cookie.map(|token| format!("__Host-portal_session={token}"));
        self.post_form_with_cookies(uri, fields, cookies.as_deref())
            .await
    }

    /// [`Self::post_form`] with a whole `Cookie` header.
    pub async fn post_form_with_cookies(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        cookies: Option<&str>,
    ) -> (http::StatusCode, http::HeaderMap, String) {
        let mut request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookies) = cookies {
            request = request.header("cookie", cookies);
        }
        let response = self
            .send(request.body(Body::from(form_body(fields))).unwrap())
            .await;
        let (parts, body) = response.into_parts();
        (parts.status, parts.headers, body_text(body).await)
    }

    /// The id of the demo person with this given name.
    pub async fn demo_person(&self, given_name: &str) -> i32 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        app::db::entities::person::Entity::find()
            .filter(app::db::entities::person::Column::GivenName.eq(given_name))
            .one(&self.state.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no demo person {given_name}"))
            .id
    }

    /// Alex Rivera (born 1988-07-14) activates as `alex.rivera` / `riverbend7`, reset answer
    /// "Biscuit".
    pub async fn activate_alex(&self) {
        let code = self.activation_code_for("Alex").await;
        let (status, _, body) = self
            .post_form(
                "/api/account/activate",
                &[
                    ("code", &code),
                    ("date_of_birth", "1988-07-14"),
                    ("portal_id", "alex.rivera"),
                    ("password", "riverbend7"),
                    ("reset_question", "Name of my first pet?"),
                    ("reset_answer", "Biscuit"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Issues an activation code for a demo person, as the enrolment desk will.
    pub async fn activation_code_for(&self, given_name: &str) -> String {
        use app::db::codes::{CodePurpose, CodeRoute, NewCode, issue_code};
        let person_id = self.demo_person(given_name).await;
        let (code, _) = issue_code(
            &self.state.db,
            &self.state.tokens,
            NewCode {
                organization_id: self.state.site.organization_id,
                person_id,
                purpose: CodePurpose::Activation,
                route: CodeRoute::Visit,
                issued_by_staff_id: None,
                valid_for: chrono::Duration::days(90),
            },
            self.clock.now(),
        )
        .await
        .unwrap();
        code.display()
    }
}

pub async fn body_text(body: Body) -> String {
    let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

impl TestApp {
    /// Changes settings of the organization's policy in every version of its history, so they
    /// hold whatever day the clock shows (the demo has two versions, P6).
    pub async fn set_policy(&self, json: &str) {
        use app::db::store;
        let org = self.state.site.organization_id;
        let history = store::policy_history(&self.state.db, org).await.unwrap();
        for version in history.versions() {
            let mut policy: serde_json::Value =
                serde_json::from_str(&version.policy.to_json()).unwrap();
            for (key, value) in serde_json::from_str::<serde_json::Map<_, _>>(json).unwrap() {
                policy[key] = value;
            }
            let policy =
                app::domain::policy::OrganizationPolicy::from_json(&policy.to_string()).unwrap();
            store::set_policy_version(
                &self.state.db,
                org,
                version.effective_from,
                &policy,
                self.clock.now(),
            )
            .await
            .unwrap();
        }
        self.state.policy.forget();
    }

    /// Audit entries with this action, oldest first.
    pub async fn audit_entries(&self, action: &str) -> Vec<app::db::entities::audit_log::Model> {
        use app::db::entities::audit_log;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq(action))
            .order_by_asc(audit_log::Column::Id)
            .all(&self.state.db)
            .await
            .unwrap()
    }
}
