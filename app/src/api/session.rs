//! The session cookie and who is signed in, for server functions. The cookie is
//! `__Host-portal_session`: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, so only this
//! origin over HTTPS (or localhost) ever sends it.

use super::PortalError;
use crate::db::entities::{portal_account, session, staff};
use crate::db::sessions;
use crate::domain::sign_in::{SessionState, session_state};
use crate::state::AppState;
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::use_context;
use sea_orm::EntityTrait;

pub const SESSION_COOKIE: &str = "__Host-portal_session";

/// An audit entry for this organization, from this request's address, with its request id.
pub fn audit_event(
    state: &AppState,
    actor: crate::db::audit::Actor,
    action: &'static str,
    outcome: crate::db::audit::Outcome,
) -> crate::db::audit::AuditEvent {
    let mut event = crate::db::audit::AuditEvent::new(actor, action, outcome)
        .organization(state.site.organization_id);
    event.source_ip = source_ip();
    event.request_id = request_id();
    event
}

/// The id the router gave this request (`X-Request-Id`), which its log lines carry too.
pub fn request_id() -> Option<String> {
    request_parts()?
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect())
}

/// The request's headers, from inside a server function.
fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The session token the browser sent, if any.
pub fn session_token() -> Option<String> {
    cookie(SESSION_COOKIE)
}

/// The address the request came from: the socket's peer, or behind the deployment's trusted
/// proxies, the client they name in `X-Forwarded-For` (see
/// [`crate::domain::client_address`]).
pub fn client_ip() -> Option<std::net::IpAddr> {
    let parts = request_parts()?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    let trusted = crate::state::app_state().ok()?.site.trusted_proxies.clone();
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(crate::domain::client_address::client_address(
        peer, &forwarded, &trusted,
    ))
}

/// [`client_ip`] as text, for audit entries and the signed-in devices list.
pub fn source_ip() -> Option<String> {
    client_ip().map(|ip| ip.to_string())
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

fn set_cookie(value: String) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = HeaderValue::from_str(&value)
    {
        response.append_header(SET_COOKIE, value);
    }
}

/// Sets a `__Host-` cookie: HttpOnly, Secure, SameSite=Lax, whole site, this host only.
pub fn set_host_cookie(name: &str, value: &str, max_age_seconds: i64) {
    set_cookie(format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}"
    ));
}

pub fn clear_host_cookie(name: &str) {
    set_host_cookie(name, "", 0);
}

/// The cookie of a browser a patient asked to remember (2-step verification).
pub const DEVICE_COOKIE: &str = "__Host-portal_device";

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie(name: &str) -> Option<String> {
    let parts = request_parts()?;
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

/// The live session the cookie names: an idle or expired one is ended here (and its cookie
/// cleared), an active one is marked as seen.
async fn live_session(state: &AppState) -> Result<Option<session::Model>, PortalError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let db = &state.db;
    let fail = |e| PortalError::internal("live_session", e);
    let Some(session) = sessions::find_session(db, &state.tokens, &token)
        .await
        .map_err(fail)?
    else {
        return Ok(None);
    };
    let policy = super::site::home_policy(state).await?;
    let now = state.clock.now();
    if session_state(session.last_seen_at, session.expires_at, now, &policy) != SessionState::Active
    {
        sessions::end_session(db, &session.id_hash)
            .await
            .map_err(fail)?;
        clear_host_cookie(SESSION_COOKIE);
        return Ok(None);
    }
    sessions::touch_session(db, &session.id_hash, now)
        .await
        .map_err(fail)?;
    Ok(Some(session))
}

/// The patient whose live session the cookie names, on an active account, whether or not they
/// have passed the second step yet (for that step itself, and for sign-out).
pub async fn account_session(
    state: &AppState,
) -> Result<Option<(session::Model, portal_account::Model)>, PortalError> {
    let Some(session) = live_session(state).await? else {
        return Ok(None);
    };
    let Some(account_id) = session.account_id else {
        return Ok(None);
    };
    let account = portal_account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await
        .map_err(|e| PortalError::internal("account_session", e))?
        .filter(|a| a.status == "active" && a.organization_id == state.site.organization_id);
    Ok(account.map(|a| (session, a)))
}

/// The signed-in patient: a live session on an active account that has passed 2-step
/// verification if the account has it on. Everything a patient does goes through this.
pub async fn signed_in_account(
    state: &AppState,
) -> Result<Option<(session::Model, portal_account::Model)>, PortalError> {
    Ok(account_session(state)
        .await?
        .filter(|(session, _)| session.second_factor_passed))
}

/// The staff member whose live session the cookie names, whether or not they have passed the
/// second step yet (callers check `second_factor_passed`).
pub async fn signed_in_staff(
    state: &AppState,
) -> Result<Option<(session::Model, staff::Model)>, PortalError> {
    let Some(session) = live_session(state).await? else {
        return Ok(None);
    };
    let Some(staff_id) = session.staff_id else {
        return Ok(None);
    };
    let member = staff::Entity::find_by_id(staff_id)
        .one(&state.db)
        .await
        .map_err(|e| PortalError::internal("signed_in_staff", e))?
        .filter(|m| m.active && m.organization_id == state.site.organization_id);
    Ok(member.map(|m| (session, m)))
}
