//! The command line of the `portal` binary.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The patient portal server.
///
/// Settings come from a TOML config file (default: ./portal.toml if it exists) and from PORTAL_*
/// environment variables, e.g. PORTAL_DATABASE_URL=postgres://... or PORTAL_LISTEN=0.0.0.0:3000.
/// Without any, the portal keeps its data in ./data (a SQLite database and the secrets directory)
/// and listens on 127.0.0.1:3000.
#[derive(Debug, Parser)]
#[command(name = "portal", version, about, long_about)]
pub struct Cli {
    /// Path of the TOML config file.
    #[arg(long, global = true, env = "PORTAL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal: migrate the database, then serve web pages until stopped (SIGTERM or Ctrl-C
    /// finish the requests in flight first).
    Serve {
        /// Load the fictional demo health system the first time (when the database has no people).
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date, then exit. `serve` does this too.
    Migrate,
    /// Load the fictional demo health system (people, family links, staff) into an empty
    /// database, then exit. Does nothing if the database already holds people.
    SeedDemo,
    /// Add synthetic released lab results to a patient of the demo (one basic metabolic panel
    /// a day, going back from yesterday), for the bench's long-history figures. Refused unless
    /// the demo is loaded.
    SeedDemoResults {
        /// The patient's medical record number, e.g. RB100001.
        #[arg(long)]
        mrn: String,
        /// How many results to add.
        #[arg(long, default_value_t = 10_000)]
        count: u32,
    },
    /// Issue a one-time activation code (A2, paper sign-up route) for a patient, found by their
    /// medical record number, and print it once. Only its hash is kept.
    IssueActivationCode {
        /// The patient's medical record number at this organization, e.g. RB100001.
        #[arg(long)]
        mrn: String,
    },
    /// Change settings of the organization's policy (the numbers the rules name: ages, code
    /// validity, lockout and session limits...) from a day on: the policy is a history of
    /// versions, each in force from its day. Settings not given keep their value; a misspelt or
    /// inconsistent one is refused. Prints the version afterwards. Running portals see the change
    /// within 5 seconds.
    SetPolicy {
        /// The settings to change, as JSON, e.g. '{"attempts_per_address": 100}'.
        #[arg(long, value_name = "JSON")]
        json: String,
        /// The first day (YYYY-MM-DD, in the organization's time zone) the changed policy is in
        /// force: a new version of the policy history from that day, made from the version in
        /// force that day. Versions of later days keep their settings. Today or later (past
        /// days keep what applied then). Default: today.
        #[arg(long, value_name = "DATE")]
        effective_from: Option<chrono::NaiveDate>,
    },
    /// Create a staff account. The password is read from the PORTAL_NEW_STAFF_PASSWORD
    /// environment variable, or else from standard input (one line), never from the command
    /// line, where other users could see it. Prints a one-time set-up code (valid 24 hours) that
    /// the staff member enters at their first sign-in, before adding the portal to their
    /// authenticator app: give it to them in person.
    CreateStaff {
        /// Sign-in name: 3 to 64 lower-case letters, digits, '.', '-' or '_'.
        #[arg(long)]
        username: String,
        /// Name shown to colleagues, e.g. "Dana Whitfield".
        #[arg(long = "name")]
        display_name: String,
        /// What the staff member may do: front-desk, clinician or administrator.
        #[arg(long)]
        role: String,
    },
    /// Print a new one-time set-up code for a staff member who has not set up their
    /// authenticator app yet (the one from create-staff expired or was lost). Valid 24 hours;
    /// any earlier code stops working.
    StaffSetUpCode {
        #[arg(long)]
        username: String,
    },
    /// Measure how many password checks a second this machine can do on all its cores (the
    /// most sign-ins a second it can answer), then exit. Run it with the portal stopped.
    HashingBound {
        /// How long to measure, in seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Announce the coming and recent changes of access (13th and 18th birthdays, adult proxy
    /// expiry, court orders ending) by email, as the daily job does. Each change is announced
    /// once, however often this runs.
    RunTransitions {
        /// The instant to run at: a day (2026-07-01, noon in the organization's zone) or an
        /// instant (2026-07-01T09:00:00Z). Default: now.
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
}
