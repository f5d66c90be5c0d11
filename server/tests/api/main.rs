//! HTTP and database tests: the real router on a fresh database, once on SQLite and once on
//! PostgreSQL (127.0.0.1:5432, or PORTAL_TEST_POSTGRES_URL). One binary, so it links once.

mod access;
mod account_security;
mod accounts;
mod appointments;
mod clinical;
mod court_order;
mod database;
mod enrolment;
mod fuzz;
mod guard;
mod hardening;
mod health;
mod helpers;
mod no_script;
mod pages;
mod password_reset;
mod policy;
mod proxy;
mod results;
mod security;
mod staff;
mod transitions;
