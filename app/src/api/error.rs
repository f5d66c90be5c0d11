//! The one error type every server function returns. Its messages are written for patients;
//! internal causes are logged on the server and never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PortalError {
    /// The input was not acceptable; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// Nothing there, or nothing the caller may see (the two answer alike).
    #[error("We could not find what you asked for.")]
    NotFound,
    #[error("Please sign in to continue.")]
    SignInRequired,
    #[error("Your role does not include this. Ask an administrator if you need it.")]
    NotAllowed,
    #[error("Something went wrong on our side. Please try again, or call the help line.")]
    Internal,
    #[error("We could not reach the portal. Check your internet connection and try again.")]
    Unreachable,
    /// The request itself was not what the form sends (a field missing, a body that cannot be
    /// read): the caller's mistake, answered 400 with [`PortalError::malformed`]'s words and
    /// nothing about what failed inside.
    #[error("{0}")]
    Malformed(String),
}

impl PortalError {
    pub fn malformed() -> Self {
        Self::Malformed(
            "The form was not filled in as expected. Please check it and try again.".into(),
        )
    }
}

impl FromServerFnError for PortalError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unreachable,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => Self::malformed(),
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl PortalError {
    /// Logs an internal failure with its cause and returns the generic answer for the browser.
    pub fn internal(context: &'static str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(context, error = %cause, "internal error");
        Self::Internal
    }

    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::Invalid(_) => http::StatusCode::UNPROCESSABLE_ENTITY,
            Self::Malformed(_) => http::StatusCode::BAD_REQUEST,
            Self::NotFound => http::StatusCode::NOT_FOUND,
            Self::SignInRequired => http::StatusCode::UNAUTHORIZED,
            Self::NotAllowed => http::StatusCode::FORBIDDEN,
            Self::Internal | Self::Unreachable => http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Gives an error answer its HTTP status (a bad date is the caller's mistake, not a server
/// failure). Every server function passes its result through here. During a server-side render
/// the status is the page's, so a page showing "Enter your date of birth" answers 422 too.
#[cfg(feature = "ssr")]
pub fn answer<T>(result: Result<T, PortalError>) -> Result<T, PortalError> {
    if let Err(e) = &result
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(e.status());
    }
    result
}
