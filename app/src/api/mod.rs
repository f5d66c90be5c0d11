//! Server functions, one file per area. Each one passes the one guard first
//! ([`guard::guarded`]: server functions are public endpoints), parses input with a domain type,
//! calls the store and maps errors into [`PortalError`]. Nothing else lives here.

pub mod account;
pub mod appointments;
#[cfg(feature = "ssr")]
pub mod attempts;
pub mod clinical;
#[cfg(feature = "ssr")]
pub mod code_tries;
pub mod desk;
pub mod enrolment;
mod error;
pub mod form_answers;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod hashing;
#[cfg(feature = "ssr")]
pub mod notify;
#[cfg(feature = "ssr")]
pub mod password_change;
pub mod password_reset;
pub mod portal_id_recovery;
pub mod proxy;
pub mod record;
#[cfg(feature = "ssr")]
pub mod request;
pub mod results;
#[cfg(feature = "ssr")]
pub mod second_step;
pub mod security;
pub mod site;
pub mod staff_sign_in;
#[cfg(feature = "ssr")]
pub mod totp;
#[cfg(feature = "ssr")]
pub mod transitions;

pub use error::PortalError;

#[cfg(feature = "ssr")]
pub(crate) use error::answer;
