//! Server functions, one file per area. Each one authorizes its caller first (server functions
//! are public endpoints), parses input with a domain type, calls the store and maps errors into
//! [`PortalError`]. Nothing else lives here.

pub mod account;
#[cfg(feature = "ssr")]
pub mod attempts;
#[cfg(feature = "ssr")]
pub mod code_tries;
pub mod enrolment;
mod error;
pub mod password_reset;
pub mod portal_id_recovery;
pub mod security;
#[cfg(feature = "ssr")]
pub mod session;
pub mod site;
pub mod staff;
#[cfg(feature = "ssr")]
pub mod throttle;

pub use error::PortalError;

#[cfg(feature = "ssr")]
pub(crate) use crate::state::app_state;
#[cfg(feature = "ssr")]
pub(crate) use error::answer;
