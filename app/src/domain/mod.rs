//! Pure rules and types of the portal: no Leptos, no database, no `cfg`. Compiled into the WASM
//! (forms validate with it) and into the server (which enforces it). Every rule takes the instant
//! or the day it is asked about, so tests can ask it about any moment.

pub mod access;
pub mod activation;
pub mod age;
pub mod branding;
pub mod client_address;
pub mod clock;
pub mod contact;
pub mod court_order;
pub mod dates;
pub mod device;
pub mod notification;
pub mod password;
pub mod policy;
pub mod portal_id;
pub mod record;
pub mod registration;
pub mod relationship;
pub mod results;
pub mod scheduling;
pub mod sign_in;
pub mod ssn;
pub mod staff;
pub mod summary;
pub mod transitions;
pub mod two_step;
