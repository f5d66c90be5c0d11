//! The patient portal's shared crate: compiled to WebAssembly for the browser (`hydrate`) and to
//! native code for the server (`ssr`), so pages and rules live in one place.

pub mod api;
mod app;
pub mod domain;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod state;

pub use app::App;
#[cfg(feature = "ssr")]
pub use app::shell;
