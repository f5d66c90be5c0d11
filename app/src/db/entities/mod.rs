//! sea-orm entities, one module per table (see the migrations for what each table owns).

pub mod access_entry;
pub mod audit_log;
pub mod court_order;
pub mod email_change;
pub mod enrolment_request;
pub mod form_answer;
pub mod job_claim;
pub mod mail_message;
pub mod one_time_code;
pub mod organization;
pub mod organization_affiliation;
pub mod patient;
pub mod person;
pub mod policy_version;
pub mod portal_account;
pub mod recovery_code;
pub mod relationship;
pub mod remembered_device;
pub mod session;
pub mod sign_in_browser;
pub mod staff;
pub mod transition_notice;
