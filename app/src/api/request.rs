//! What a server function knows of the request it answers: its cookies (and the cookies it sets
//! on the answer), the client's address, the request id, the browser, and the audit entry that
//! names them. Cookies are `__Host-` cookies: HttpOnly, Secure, SameSite=Lax, Path=/, no
//! Domain, so only this origin over HTTPS (or localhost) ever sends them.

use crate::db::audit::{Actor, AuditEvent, Outcome};
use crate::state::AppState;
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::use_context;

/// The session cookie (see [`crate::api::guard`]).
pub const SESSION_COOKIE: &str = "__Host-portal_session";

/// The cookie of a browser a patient asked to remember (2-step verification).
pub const DEVICE_COOKIE: &str = "__Host-portal_device";

/// The request's head, from inside a server function.
fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The value of the cookie `name` among `headers`, if the browser sent one.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie(name: &str) -> Option<String> {
    cookie_in(&request_parts()?.headers, name)
}

/// The session token the browser sent, if any.
pub fn session_token() -> Option<String> {
    cookie(SESSION_COOKIE)
}

/// A `__Host-` cookie (HttpOnly, Secure, SameSite=Lax, whole site, this host only), as the value
/// of a `Set-Cookie` header. A `max_age_seconds` of 0 removes it.
pub fn host_cookie(name: &str, value: &str, max_age_seconds: i64) -> String {
    host_cookie_builder(name, value)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .build()
        .to_string()
}

/// A [`host_cookie`] that the browser forgets when it closes.
pub fn host_browser_session_cookie(name: &str, value: &str) -> String {
    host_cookie_builder(name, value).build().to_string()
}

fn host_cookie_builder<'c>(name: &'c str, value: &'c str) -> cookie::CookieBuilder<'c> {
    cookie::Cookie::build((name, value))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
}

/// Sets a [`host_cookie`] on this server function's answer.
pub fn set_host_cookie(name: &str, value: &str, max_age_seconds: i64) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = HeaderValue::from_str(&host_cookie(name, value, max_age_seconds))
    {
        response.append_header(SET_COOKIE, value);
    }
}

pub fn clear_host_cookie(name: &str) {
    set_host_cookie(name, "", 0);
}

/// The address the request came from: the socket's peer, or behind the deployment's trusted
/// proxies, the client they name in `X-Forwarded-For` (see
/// [`crate::domain::client_address`]).
pub fn client_ip() -> Option<std::net::IpAddr> {
    let parts = request_parts()?;
    let state = use_context::<AppState>()?;
    client_ip_of(&parts.headers, &parts.extensions, &state)
}

/// [`client_ip`] of a request's head, for middleware that runs outside a server function.
pub fn client_ip_of(
    headers: &http::HeaderMap,
    extensions: &http::Extensions,
    state: &AppState,
) -> Option<std::net::IpAddr> {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(crate::domain::client_address::client_address(
        peer,
        &forwarded,
        &state.site.trusted_proxies,
    ))
}

/// [`client_ip`] as text, for audit entries and the signed-in devices list.
pub fn source_ip() -> Option<String> {
    client_ip().map(|ip| ip.to_string())
}

/// The id the router gave this request (`X-Request-Id`), which its log lines carry too.
pub fn request_id() -> Option<String> {
    request_parts()?
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect())
}

/// A short description of the browser for the signed-in devices page.
pub fn device_description() -> Option<String> {
    let parts = request_parts()?;
    parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect())
}

/// An audit entry for this organization, from this request's address, with its request id.
pub fn audit_event(
    state: &AppState,
    actor: Actor,
    action: &'static str,
    outcome: Outcome,
) -> AuditEvent {
    let mut event =
        AuditEvent::new(actor, action, outcome).organization(state.site.organization_id);
    event.source_ip = source_ip();
    event.request_id = request_id();
    event
}
