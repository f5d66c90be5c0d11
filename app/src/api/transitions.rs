//! The daily transitions job (issue 14, point 8): every grant's coming and recent changes (13th
//! and 18th birthdays, adult proxy expiry, a court order's end) are announced by email to both
//! sides, once, through the outbox, with no names and no health information. Each announcement
//! is one transaction: the notice row (unique per grant, change and day) and its emails.
//!
//! [`run_daily`] runs it at most once a day per organization across every portal instance (the
//! first to claim the day in the database); [`run_at`] runs it at any instant (the CLI and
//! tests), which is safe to repeat because announcements are remembered.

use crate::api::request::audit_event;
use crate::db::audit::{self, Actor, Outcome};
use crate::db::entities::person;
use crate::db::outbox::{self, OutgoingMail};
use crate::db::records;
use crate::domain::access::PolicyHistory;
use crate::domain::age::{age_on, local_date};
use crate::domain::dates::long_date;
use crate::domain::transitions::{Change, Transition, When, transitions};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DbErr, TransactionTrait};

/// The job's name in `job_claims`.
pub const JOB: &str = "transitions";

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Changes announced for the first time.
    pub announced: usize,
    /// Emails queued.
    pub emails: usize,
}

/// Runs the job for today unless an instance already has. `None` if it had.
pub async fn run_daily(state: &AppState) -> Result<Option<Report>, DbErr> {
    let now = state.clock.now();
    let today = local_date(now, state.site.time_zone);
    if !records::claim_job_day(&state.db, JOB, today, now).await? {
        return Ok(None);
    }
    match run_at(state, now).await {
        Ok(report) => Ok(Some(report)),
        Err(e) => {
            // Let a later round (here or on another instance) try the day again; what was
            // announced before the failure stays announced once.
            records::release_job_day(&state.db, JOB, today).await?;
            Err(e)
        }
    }
}

/// Announces what changes within the coming days, or changed within the last days, at `at`.
pub async fn run_at(state: &AppState, at: DateTime<Utc>) -> Result<Report, DbErr> {
    let org = state.site.organization_id;
    let zone = state.site.time_zone;
    let history = state.policy_history().await.map_err(DbErr::Custom)?;
    let mut report = Report::default();
    for (row, viewer, subject) in records::all_grants(&state.db, org).await? {
        let Some(grant) = records::grant_of(&row) else {
            continue;
        };
        for t in transitions(&grant, subject.date_of_birth, &history, zone, at) {
            let txn = state.db.begin().await?;
            if !records::note_transition(&txn, row.id, t.key(), t.on, at).await? {
                continue;
            }
            let mut emails = 0;
            for mail in mails(state, &history, &t, &viewer, &subject) {
                outbox::enqueue(&txn, &state.vault, org, mail, at).await?;
                emails += 1;
            }
            audit::record(
                &txn,
                at,
                audit_event(
                    state,
                    Actor::System,
                    "relationship.transition_announced",
                    Outcome::Success,
                )
                .subject(subject.id)
                .detail(serde_json::json!({
                    "relationship_id": row.id,
                    "kind": t.key(),
                    "on": t.on.to_string(),
                    "emails": emails,
                })),
            )
            .await?;
            txn.commit().await?;
            report.announced += 1;
            report.emails += emails;
        }
    }
    Ok(report)
}

/// The emails of one announcement: to the viewer, and to the subject if they are an adult on
/// the day with an email address. No names (an email can be read by others), no health data.
fn mails(
    state: &AppState,
    history: &PolicyHistory,
    t: &Transition,
    viewer: &person::Model,
    subject: &person::Model,
) -> Vec<OutgoingMail> {
    let branding = &state.site.branding;
    let portal = &branding.portal_name;
    let url = &state.site.public_url;
    let day = long_date(t.on);
    let will = t.when == When::Coming;
    let footer = format!(
        "Look in your junk mail folder if you miss a message from us. Questions: call {} \
         (24 hours a day).\n\n{}\n",
        branding.help_line.display(),
        branding.organization_name
    );
    let viewer_says = match (t.change, will) {
        (Change::Limited, true) => format!(
            "On {day}, your access to the record of a child you act for becomes limited: from \
             then on you can schedule their appointments, view and print their immunizations \
             and get their health topic alerts, but not see the rest of the record."
        ),
        (Change::Limited, false) => format!(
            "Since {day}, your access to the record of a child you act for is limited to \
             scheduling, immunizations and health topic alerts."
        ),
        (Change::Ends, true) => {
            format!("On {day}, your access to the record of someone you act for ends.")
        }
        (Change::Ends, false) => format!(
            "Since {day}, you no longer have access to the record of someone you acted for."
        ),
        (Change::Expires, true) => format!(
            "Your proxy access to another adult's record expires on {day}. They can renew it \
             from their \"Who can view my record\" page."
        ),
        (Change::Expires, false) => format!(
            "Your proxy access to another adult's record expired on {day}. They can renew it \
             from their \"Who can view my record\" page."
        ),
    };
    let mut mails = Vec::new();
    if let Some(to) = &viewer.email {
        mails.push(OutgoingMail {
            to: to.clone(),
            subject: format!("A change to your access to a record at {portal}"),
            body: format!(
                "{viewer_says}\n\nSign in and open Records to see whose record and what you can \
                 still do: {url}/records\n\n{footer}"
            ),
        });
    }
    let adult_age = history.in_force_on(t.on).adult_age;
    let subject_is_adult = age_on(subject.date_of_birth, t.on) >= adult_age;
    if let Some(to) = subject.email.as_ref().filter(|_| subject_is_adult) {
        let subject_says = match (t.change, will) {
            (Change::Expires, true) => format!(
                "Someone's proxy access to your record expires on {day}. You can renew it, or \
                 let it end, on your \"Who can view my record\" page."
            ),
            (Change::Expires, false) => format!(
                "Someone's proxy access to your record expired on {day}. You can renew it on \
                 your \"Who can view my record\" page."
            ),
            (_, true) => format!("On {day}, someone's access to your record ends."),
            (_, false) => format!("Since {day}, someone's access to your record has ended."),
        };
        mails.push(OutgoingMail {
            to: to.clone(),
            subject: format!("A change to who can see your record at {portal}"),
            body: format!(
                "{subject_says}\n\nSee who can view your record: {url}/record/who-can-view\n\n\
                 {footer}"
            ),
        });
    }
    mails
}

/// The instant a CLI argument names: an RFC 3339 instant, or a day (noon in the zone).
pub fn parse_instant(text: &str, zone: chrono_tz::Tz) -> Result<DateTime<Utc>, String> {
    use chrono::TimeZone;
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.with_timezone(&Utc));
    }
    let day: NaiveDate = text.trim().parse().map_err(|_| {
        format!("\"{text}\" is neither a day (2026-07-01) nor an instant (2026-07-01T09:00:00Z)")
    })?;
    let noon = day.and_hms_opt(12, 0, 0).ok_or("no noon that day")?;
    zone.from_local_datetime(&noon)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| "no such local time".to_owned())
}
