//! The second step of sign-in, for patients and staff alike: a code from the authenticator app
//! or one of the single-use recovery codes, used up as it is checked.

use super::PortalError;
use super::totp;
use crate::db::two_step::{self, TwoStepOwner};
use crate::domain::two_step::SecondStepCode;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

fn internal(e: impl std::fmt::Display) -> PortalError {
    PortalError::internal("second_step", e)
}

/// Which kind of second-step code was used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeUsed {
    Authenticator,
    Recovery,
}

impl CodeUsed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authenticator => "authenticator",
            Self::Recovery => "recovery_code",
        }
    }
}

/// Checks a second-step code against `owner`'s authenticator secret or recovery codes and
/// uses it up on `txn` (each works once). `None` when it is not right.
pub async fn use_second_step_code<C: ConnectionTrait>(
    txn: &C,
    state: &AppState,
    owner: TwoStepOwner,
    sealed_secret: Option<&[u8]>,
    last_step: Option<i64>,
    code: &SecondStepCode,
    now: DateTime<Utc>,
) -> Result<Option<CodeUsed>, PortalError> {
    match code {
        SecondStepCode::Authenticator(digits) => {
            let Some(sealed) = sealed_secret else {
                return Ok(None);
            };
            let secret = state.vault.open_secret(sealed).map_err(internal)?;
            let Some(step) = totp::verify(&secret, digits, now, last_step) else {
                return Ok(None);
            };
            let used = two_step::use_step(txn, owner, sealed, step, now)
                .await
                .map_err(internal)?;
            Ok(used.then_some(CodeUsed::Authenticator))
        }
        SecondStepCode::Recovery(code) => {
            let used = two_step::use_recovery_code(txn, &state.tokens, owner, code, now)
                .await
                .map_err(internal)?;
            Ok(used.then_some(CodeUsed::Recovery))
        }
    }
}

/// What a person needs to add a new authenticator secret to their app.
pub fn authenticator_setup(
    portal_name: &str,
    account_name: &str,
    secret: &[u8],
) -> crate::api::security::AuthenticatorSetup {
    let uri = totp::otpauth_uri(portal_name, account_name, secret).unwrap_or_default();
    let qr_svg = (!uri.is_empty())
        .then(|| qrcode::QrCode::new(uri.as_bytes()).ok())
        .flatten()
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    // Inline in the page: no XML declaration.
    let qr_svg = match qr_svg.find("<svg") {
        Some(start) => qr_svg[start..].to_owned(),
        None => String::new(),
    };
    crate::api::security::AuthenticatorSetup {
        secret: totp::key_for_typing(secret),
        uri,
        qr_svg,
    }
}
