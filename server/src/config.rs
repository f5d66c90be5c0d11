//! Portal settings: built-in defaults, then a TOML config file, then `PORTAL_*` environment
//! variables (each key below, upper-cased: `time_zone` is `PORTAL_TIME_ZONE`). Every value is
//! checked at start-up; a bad one stops the portal with a message naming the setting.

use app::db::store::OrganizationSpec;
use app::domain::branding::{Branding, HexColor, PhoneNumber};
use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The settings as written: strings and numbers, not yet checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub database_url: String,
    /// PostgreSQL only, optional: the role that owns the schema and runs the migrations.
    pub migration_database_url: String,
    pub database_max_connections: u32,
    pub listen: String,
    /// The address people reach the portal at, for links in emails.
    pub public_url: String,
    pub organization_slug: String,
    pub organization_name: String,
    pub portal_name: String,
    pub accent_color: String,
    pub time_zone: String,
    pub help_line_phone: String,
    pub mail_transport: String,
    pub mail_from: String,
    pub secrets_dir: String,
    pub leptos_config: String,
    pub log_format: String,
    pub request_timeout_seconds: u64,
    pub max_request_body_bytes: usize,
    /// Comma-separated addresses or CIDR ranges of the proxies in front of the portal.
    pub trusted_proxies: String,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/portal.db?mode=rwc".into(),
            migration_database_url: String::new(),
            database_max_connections: 8,
            listen: "127.0.0.1:3000".into(),
            public_url: "http://localhost:3000".into(),
            organization_slug: "riverbend".into(),
            organization_name: "Riverbend Health".into(),
            portal_name: "Riverbend MyHealth".into(),
            accent_color: "#1a5f7a".into(),
            time_zone: "America/Chicago".into(),
            help_line_phone: "1-800-555-0199".into(),
            mail_transport: "file:data/mail".into(),
            mail_from: "myhealth@riverbend.example".into(),
            secrets_dir: "data/secrets".into(),
            leptos_config: "Leptos.toml".into(),
            log_format: "text".into(),
            request_timeout_seconds: 30,
            max_request_body_bytes: 256 * 1024,
            trusted_proxies: String::new(),
        }
    }
}

/// Where outgoing email goes (see [`crate::mail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// Each message is written as a file into this directory (development and demos).
    File(PathBuf),
    /// An SMTP relay: `smtps://host:port` (TLS from the start), `smtp://host:port` (STARTTLS,
    /// required: delivery fails if the relay cannot do it), or `smtp://host:port?tls=none`
    /// (plain text, for a relay on the same machine; the portal warns at start).
    Smtp { url: String, tls: SmtpTls },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: the connection must be upgraded with STARTTLS.
    StartTls,
    /// `smtp://…?tls=none`: no encryption, by explicit choice.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    /// Where migrations run, when not as `database_url` (PostgreSQL: the owning role).
    pub migration_database_url: Option<String>,
    pub database_max_connections: u32,
    pub listen: SocketAddr,
    /// The address people reach the portal at (`https://myhealth.example.org`), without a
    /// trailing slash: links in emails start with it.
    pub public_url: String,
    pub organization: OrganizationSpec,
    pub branding: Branding,
    pub mail_transport: MailTransport,
    /// The address email is sent from (with the portal's name as the sender's name).
    pub mail_from: String,
    pub secrets_dir: PathBuf,
    pub leptos_config: PathBuf,
    pub log_format: LogFormat,
    pub request_timeout: std::time::Duration,
    pub max_request_body_bytes: usize,
    /// The proxies (load balancers) in front of the portal. A request from one of them has its
    /// client's address read from X-Forwarded-For, from the right, up to the first address that
    /// is not one of them; from anyone else the header is ignored (anyone could send it).
    pub trusted_proxies: app::domain::client_address::TrustedProxies,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration: {0}")]
    Read(String),
    #[error("setting `{key}` (environment variable PORTAL_{env}): {message}")]
    Invalid {
        key: &'static str,
        env: String,
        message: String,
    },
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        env: key.to_uppercase(),
        message: message.into(),
    }
}

impl Settings {
    /// Defaults, then the file at `path` (when given, it must exist; otherwise `portal.toml` is
    /// read if present), then `PORTAL_*` variables.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawSettings::default()));
        match path {
            Some(p) if !p.exists() => {
                return Err(ConfigError::Read(format!(
                    "the config file {} does not exist",
                    p.display()
                )));
            }
            Some(p) => figment = figment.merge(Toml::file(p)),
            None => figment = figment.merge(Toml::file("portal.toml")),
        }
        // These PORTAL_ variables are not settings: the config file's name, the password for
        // `create-staff`, and what the test suites read. Any other unknown one is refused, so
        // a misspelt setting is noticed.
        figment = figment.merge(Env::prefixed("PORTAL_").ignore(&[
            "CONFIG",
            "NEW_STAFF_PASSWORD",
            "TEST_POSTGRES_URL",
            "BASE_URL",
        ]));
        let raw: RawSettings = figment
            .extract()
            .map_err(|e| ConfigError::Read(e.to_string()))?;
        Self::check(raw)
    }

    pub fn check(raw: RawSettings) -> Result<Self, ConfigError> {
        let database_url = raw.database_url.trim().to_owned();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database_url",
                "must start with sqlite: or postgres://",
            ));
        }
        let migration_database_url = match raw.migration_database_url.trim() {
            "" => None,
            url if (url.starts_with("postgres://") || url.starts_with("postgresql://"))
                && !database_url.starts_with("sqlite:") =>
            {
                Some(url.to_owned())
            }
            _ => {
                return Err(invalid(
                    "migration_database_url",
                    "must be a postgres:// address, used only with a PostgreSQL database_url",
                ));
            }
        };
        if !(1..=512).contains(&raw.database_max_connections) {
            return Err(invalid(
                "database_max_connections",
                "must be between 1 and 512",
            ));
        }
        let listen = raw.listen.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "listen",
                format!("\"{}\" is not an address like 127.0.0.1:3000", raw.listen),
            )
        })?;
        let public_url = raw.public_url.trim().trim_end_matches('/').to_owned();
        let host = public_url
            .strip_prefix("https://")
            .or_else(|| public_url.strip_prefix("http://"))
            .unwrap_or_default();
        if host.is_empty()
            || host.contains(['/', '?', '#', '@', ' '])
            || public_url.chars().any(char::is_control)
        {
            return Err(invalid(
                "public_url",
                "must be the portal's address, like https://myhealth.example.org",
            ));
        }
        let slug = raw.organization_slug.trim().to_owned();
        if slug.is_empty()
            || slug.len() > 64
            || !slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(
                "organization_slug",
                "use 1 to 64 lower-case letters, digits and dashes",
            ));
        }
        let name = non_empty("organization_name", &raw.organization_name)?;
        let portal_name = non_empty("portal_name", &raw.portal_name)?;
        if portal_name.to_lowercase().contains("mychart") {
            return Err(invalid(
                "portal_name",
                "\"MyChart\" is a vendor's trademark; choose your own name",
            ));
        }
        let accent_color =
            HexColor::parse(&raw.accent_color).map_err(|m| invalid("accent_color", m))?;
        let time_zone: Tz = raw.time_zone.trim().parse().map_err(|_| {
            invalid(
                "time_zone",
                format!(
                    "\"{}\" is not a time zone name like America/Chicago",
                    raw.time_zone
                ),
            )
        })?;
        let help_line =
            PhoneNumber::parse(&raw.help_line_phone).map_err(|m| invalid("help_line_phone", m))?;
        let mail_transport = parse_mail_transport(&raw.mail_transport)?;
        let mail_from = app::domain::registration::parse_email(&raw.mail_from).map_err(|_| {
            invalid(
                "mail_from",
                "must be an email address like myhealth@example.org",
            )
        })?;
        let log_format = match raw.log_format.trim() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log_format",
                    format!("\"{other}\" is neither text nor json"),
                ));
            }
        };
        if !(1..=600).contains(&raw.request_timeout_seconds) {
            return Err(invalid(
                "request_timeout_seconds",
                "must be between 1 and 600",
            ));
        }
        if !(1024..=64 * 1024 * 1024).contains(&raw.max_request_body_bytes) {
            return Err(invalid(
                "max_request_body_bytes",
                "must be between 1024 and 67108864",
            ));
        }
        let secrets_dir = PathBuf::from(non_empty("secrets_dir", &raw.secrets_dir)?);
        Ok(Settings {
            database_url,
            migration_database_url,
            database_max_connections: raw.database_max_connections,
            listen,
            public_url,
            organization: OrganizationSpec {
                slug,
                name: name.clone(),
                portal_name: portal_name.clone(),
                time_zone,
            },
            branding: Branding {
                portal_name,
                organization_name: name,
                accent_color,
                help_line,
            },
            mail_transport,
            mail_from,
            secrets_dir,
            leptos_config: PathBuf::from(non_empty("leptos_config", &raw.leptos_config)?),
            log_format,
            request_timeout: std::time::Duration::from_secs(raw.request_timeout_seconds),
            max_request_body_bytes: raw.max_request_body_bytes,
            trusted_proxies: app::domain::client_address::TrustedProxies::parse(
                &raw.trusted_proxies,
            )
            .map_err(|m| invalid("trusted_proxies", m))?,
        })
    }
}

fn non_empty(key: &'static str, value: &str) -> Result<String, ConfigError> {
    let v = value.trim();
    if v.is_empty() {
        Err(invalid(key, "must not be empty"))
    } else if v.chars().count() > 200 {
        Err(invalid(key, "must be at most 200 characters"))
    } else {
        Ok(v.to_owned())
    }
}

fn parse_mail_transport(text: &str) -> Result<MailTransport, ConfigError> {
    let t = text.trim();
    if let Some(dir) = t.strip_prefix("file:") {
        if dir.is_empty() {
            return Err(invalid(
                "mail_transport",
                "file: needs a directory, like file:data/mail",
            ));
        }
        return Ok(MailTransport::File(PathBuf::from(dir)));
    }
    let implicit = t.starts_with("smtps://");
    if let Some(rest) = t
        .strip_prefix("smtp://")
        .or_else(|| t.strip_prefix("smtps://"))
    {
        let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
        let host_port = address
            .trim_end_matches('/')
            .rsplit('@')
            .next()
            .unwrap_or_default();
        let valid = host_port.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        let tls = match (implicit, query) {
            (true, "") => Some(SmtpTls::Implicit),
            (false, "" | "tls=required") => Some(SmtpTls::StartTls),
            (false, "tls=none") => Some(SmtpTls::None),
            _ => None,
        };
        if let (true, Some(tls)) = (valid, tls) {
            // What lettre reads: STARTTLS is its `tls=required`, plain text its default.
            let scheme = if implicit { "smtps" } else { "smtp" };
            let url = match tls {
                SmtpTls::StartTls => format!("{scheme}://{address}?tls=required"),
                SmtpTls::Implicit | SmtpTls::None => format!("{scheme}://{address}"),
            };
            return Ok(MailTransport::Smtp { url, tls });
        }
    }
    Err(invalid(
        "mail_transport",
        // Not echoed: an SMTP address can hold a password.
        "must be file:<directory>, smtps://host:port (TLS), smtp://host:port (STARTTLS) or smtp://host:port?tls=none (plain text)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_describe_the_demo_organization() {
        let s = Settings::check(RawSettings::default()).unwrap();
        assert_eq!(s.branding.organization_name, "Riverbend Health");
        assert_eq!(s.organization.time_zone, chrono_tz::America::Chicago);
        assert_eq!(s.mail_transport, MailTransport::File("data/mail".into()));
    }

    #[test]
    fn a_bad_value_is_refused_with_a_message_naming_the_setting() {
        type Spoil = Box<dyn Fn(&mut RawSettings)>;
        let cases: Vec<(&str, Spoil)> = vec![
            (
                "time_zone",
                Box::new(|r| r.time_zone = "Mars/Olympus".into()),
            ),
            ("listen", Box::new(|r| r.listen = "localhost".into())),
            (
                "public_url",
                Box::new(|r| r.public_url = "myhealth.example.org".into()),
            ),
            ("accent_color", Box::new(|r| r.accent_color = "red".into())),
            (
                "help_line_phone",
                Box::new(|r| r.help_line_phone = "call us".into()),
            ),
            (
                "database_url",
                Box::new(|r| r.database_url = "mysql://x".into()),
            ),
            (
                "mail_transport",
                Box::new(|r| r.mail_transport = "smtp://relay".into()),
            ),
            ("log_format", Box::new(|r| r.log_format = "xml".into())),
            (
                "portal_name",
                Box::new(|r| r.portal_name = "Riverbend MyChart".into()),
            ),
            (
                "organization_slug",
                Box::new(|r| r.organization_slug = "Has Spaces".into()),
            ),
        ];
        for (key, spoil) in cases {
            let mut raw = RawSettings::default();
            spoil(&mut raw);
            let message = Settings::check(raw).unwrap_err().to_string();
            assert!(message.contains(&format!("`{key}`")), "{message}");
            assert!(
                message.contains(&format!("PORTAL_{}", key.to_uppercase())),
                "{message}"
            );
        }
    }

    #[test]
    fn smtp_relays_use_tls_unless_plain_text_is_asked_for_by_name() {
        let tls_of = |url: &str| match parse_mail_transport(url) {
            Ok(MailTransport::Smtp { tls, url }) => Some((tls, url)),
            _ => None,
        };
        assert_eq!(
            tls_of("smtp://relay.example.org:587"),
            Some((
                SmtpTls::StartTls,
                "smtp://relay.example.org:587?tls=required".into()
            ))
        );
        assert_eq!(
            tls_of("smtps://user@relay.example.org:465").map(|t| t.0),
            Some(SmtpTls::Implicit)
        );
        assert_eq!(
            tls_of("smtp://127.0.0.1:25?tls=none"),
            Some((SmtpTls::None, "smtp://127.0.0.1:25".into()))
        );
        assert_eq!(
            tls_of("smtp://relay.example.org:587?tls=opportunistic"),
            None
        );
        assert_eq!(tls_of("smtps://relay.example.org:465?tls=none"), None);
    }
}
