//! Named, reversible migrations. The same set runs on SQLite and PostgreSQL; where the two need
//! different SQL (triggers), the migration asks the connection which backend it is on.

use sea_orm_migration::prelude::*;

mod m20261125_000001_create_core_model;
mod m20261125_000002_make_audit_log_append_only;
mod m20261125_000003_create_codes_and_sessions;
mod m20261125_000004_add_two_step_verification;
mod m20261125_000005_create_recovery_codes_and_remembered_devices;
mod m20261125_000006_create_mail_outbox;
mod m20261129_000007_harden_accounts;
mod m20261129_000008_create_form_answers;
mod m20261202_000009_create_policy_versions;
mod m20261202_000010_create_access_log;
mod m20261202_000011_create_transition_notices;
mod m20261202_000012_add_proxy_requests;
mod m20261202_000013_create_court_orders;
mod m20261204_000014_create_scheduling;
mod m20261204_000015_create_results;
mod m20261204_000016_create_clinical_lists;
mod m20261204_000017_add_email_choices;
mod m20261204_000018_add_results_version;
mod m20261206_000019_admit_attempts_in_one_write;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_core_model::Migration),
            Box::new(m20261125_000002_make_audit_log_append_only::Migration),
            Box::new(m20261125_000003_create_codes_and_sessions::Migration),
            Box::new(m20261125_000004_add_two_step_verification::Migration),
            Box::new(m20261125_000005_create_recovery_codes_and_remembered_devices::Migration),
            Box::new(m20261125_000006_create_mail_outbox::Migration),
            Box::new(m20261129_000007_harden_accounts::Migration),
            Box::new(m20261129_000008_create_form_answers::Migration),
            Box::new(m20261202_000009_create_policy_versions::Migration),
            Box::new(m20261202_000010_create_access_log::Migration),
            Box::new(m20261202_000011_create_transition_notices::Migration),
            Box::new(m20261202_000012_add_proxy_requests::Migration),
            Box::new(m20261202_000013_create_court_orders::Migration),
            Box::new(m20261204_000014_create_scheduling::Migration),
            Box::new(m20261204_000015_create_results::Migration),
            Box::new(m20261204_000016_create_clinical_lists::Migration),
            Box::new(m20261204_000017_add_email_choices::Migration),
            Box::new(m20261204_000018_add_results_version::Migration),
            Box::new(m20261206_000019_admit_attempts_in_one_write::Migration),
        ]
    }
}
