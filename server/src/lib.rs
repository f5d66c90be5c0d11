//! The `portal` server: configuration, start-up, the HTTP router and its middleware, and the
//! command line. The binary (`main.rs`) only parses arguments and calls into here, so the
//! integration tests run exactly the router production runs.

pub mod assets;
pub mod cli;
pub mod config;
pub mod forms;
pub mod mail;
pub mod router;
pub mod secrets;
pub mod startup;
pub mod telemetry;
