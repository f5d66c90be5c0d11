//! A person's record as a viewer acting for them sees it (issue 14): whose records the caller
//! may open and why (P4, P5, P6), personal information (C5), who can view a record with
//! revocation and renewal of adult proxies (P2, P3), and who viewed it (the access log). Every
//! function that touches a person's data passes `guard::guarded_record` with its area first;
//! `subject` is the person whose record it is (`None`: the caller's own).

use super::PortalError;
use crate::domain::contact::ContactForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A link in a record's menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuLink {
    pub title: String,
    pub href: String,
}

/// Whose record a page shows, and what else of it the viewer may open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHeading {
    /// `None` for the viewer's own record.
    pub subject: Option<i32>,
    pub name: String,
    pub given_name: String,
    /// The areas of this record the viewer may open.
    pub menu: Vec<MenuLink>,
    /// "Why can't I see this?" for what the viewer lacks, from the engine's reason.
    pub why_not: Option<String>,
}

/// One record the caller may act for (or could, once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordChoice {
    pub heading: RecordHeading,
    /// "Your own record", "Parent", "Adult proxy", "Legal guardian".
    pub relationship: String,
    /// The engine's reasons, one per grant, in sentences.
    pub explanations: Vec<String>,
    /// Whether the viewer may do anything at all with the record now.
    pub has_access: bool,
}

#[server(endpoint = "record/choices", input = leptos::server_fn::codec::GetUrl)]
pub async fn record_choices() -> Result<Vec<RecordChoice>, PortalError> {
    // The caller's own grants: a signed-in patient.
    super::guard::guarded(super::guard::Patient, server::choices).await
}

/// The personal information area (C5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDetails {
    pub heading: RecordHeading,
    pub date_of_birth: chrono::NaiveDate,
    pub medical_record_number: String,
    pub contact: ContactForm,
    pub email: Option<String>,
    /// An address waiting for its link to be followed.
    pub pending_email: Option<String>,
    /// Only the person themselves changes their email address, and which emails they get.
    pub may_change_email: bool,
    /// Which emails about new information the person gets (C6).
    pub email_choices: crate::domain::notification::EmailChoices,
}

#[server(endpoint = "record/personal-information", input = leptos::server_fn::codec::GetUrl)]
pub async fn personal_information(subject: Option<i32>) -> Result<PersonalDetails, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::PersonalInformation), |g| {
        server::personal_information(g)
    })
    .await
}

#[server(endpoint = "record/personal-information/contact")]
pub async fn update_contact(subject: Option<i32>, contact: ContactForm) -> Result<(), PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(
        RecordNeed::change(subject, Area::PersonalInformation),
        |g| server::update_contact(g, contact),
    )
    .await
}

#[server(endpoint = "record/personal-information/email")]
pub async fn change_email(subject: Option<i32>, email: String) -> Result<String, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(
        RecordNeed::change(subject, Area::PersonalInformation),
        |g| server::change_email(g, email),
    )
    .await
}

/// Which emails about new information the person gets (C6): a box per kind, unticked boxes
/// are not sent by the form, so each missing one turns that email off.
#[server(endpoint = "record/personal-information/emails")]
pub async fn save_email_choices(
    subject: Option<i32>,
    results: Option<bool>,
    appointments: Option<bool>,
    reports: Option<bool>,
) -> Result<(), PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::notification::EmailChoices;
    use crate::domain::record::Area;
    let choices = EmailChoices {
        results: results.unwrap_or(false),
        appointments: appointments.unwrap_or(false),
        reports: reports.unwrap_or(false),
    };
    guarded_record(
        RecordNeed::change(subject, Area::PersonalInformation),
        |g| server::save_email_choices(g, choices),
    )
    .await
}

/// Follows the link of an email change. Public: the token in the link is the proof.
#[server(endpoint = "account/confirm-email")]
pub async fn confirm_email(token: String) -> Result<(), PortalError> {
    super::guard::guarded(super::guard::Attempt, |g| server::confirm_email(g, token)).await
}

/// One person with access to a record, as its subject sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordViewer {
    pub grant: i32,
    pub name: String,
    pub relationship: String,
    /// What they may do now, in words; empty when nothing.
    pub scopes: String,
    pub since: chrono::NaiveDate,
    /// The last day of access, if there is an end.
    pub until: Option<chrono::NaiveDate>,
    /// "Active", "Expired on …", "Withdrawn on …", "Limited since …".
    pub status: String,
    pub may_revoke: bool,
    pub may_renew: bool,
    /// The last day of access if renewed today.
    pub renewal_until: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordViewers {
    pub heading: RecordHeading,
    pub viewers: Vec<RecordViewer>,
}

#[server(endpoint = "record/who-can-view", input = leptos::server_fn::codec::GetUrl)]
pub async fn who_can_view(subject: Option<i32>) -> Result<RecordViewers, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(
        RecordNeed::read(subject, Area::WhoCanView),
        server::who_can_view,
    )
    .await
}

/// Withdraws an adult proxy's access to the caller's own record (P3), at once.
#[server(endpoint = "record/who-can-view/revoke")]
pub async fn revoke_access(grant: i32) -> Result<(), PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::change(None, Area::WhoCanView), |g| {
        server::revoke(g, grant)
    })
    .await
}

/// Renews an adult proxy's access to the caller's own record for the policy's term from today
/// (P2). Answers the new last day of access.
#[server(endpoint = "record/who-can-view/renew")]
pub async fn renew_access(grant: i32) -> Result<chrono::NaiveDate, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::change(None, Area::WhoCanView), |g| {
        server::renew(g, grant)
    })
    .await
}

/// One entry of the access log, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogRow {
    pub when: String,
    pub who: String,
    pub acting_as: String,
    pub area: String,
    pub action: String,
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogPage {
    pub heading: RecordHeading,
    pub entries: Vec<AccessLogRow>,
    pub page: u32,
    pub more: bool,
    pub own_visits_shown: bool,
}

/// Entries per page of the access log.
pub const ACCESS_LOG_PAGE: u64 = 25;

#[server(endpoint = "record/who-viewed", input = leptos::server_fn::codec::GetUrl)]
pub async fn who_viewed(
    subject: Option<i32>,
    page: Option<u32>,
    mine: Option<bool>,
) -> Result<AccessLogPage, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::WhoViewed), |g| {
        server::who_viewed(g, page.unwrap_or(0), mine.unwrap_or(false))
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::api::guard::{ActingFor, Guarded, PatientSession};
    use crate::api::request::audit_event;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::entities::{person, relationship};
    use crate::db::outbox::{self, OutgoingMail};
    use crate::db::records::{self, ContactDetails};
    use crate::domain::access::{
        Access, AccessQuestion, GrantAccess, Reason, Scope, renewal_ends_on,
    };
    use crate::domain::age::{birthday, local_date};
    use crate::domain::dates::{date_and_time, long_date};
    use crate::domain::record::{ActingAs, Area, RecordAction};
    use crate::domain::registration::parse_email;
    use crate::domain::relationship::RelationshipKind;
    use crate::state::AppState;
    use chrono::{Duration, NaiveDate};
    use sea_orm::TransactionTrait;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("record", e)
    }

    /// How long the link of an email change works.
    const EMAIL_LINK_HOURS: i64 = 24;
    const EMAIL_CHANGE: &str = "email-change";

    fn full_name(p: &person::Model) -> String {
        format!("{} {}", p.given_name, p.family_name)
    }

    pub fn relationship_name(kind: RelationshipKind) -> &'static str {
        match kind {
            RelationshipKind::Parent => "Parent",
            RelationshipKind::LegalGuardian => "Legal guardian",
            RelationshipKind::AdultProxy => "Adult proxy",
        }
    }

    /// The heading of `subject`'s record for a viewer whose access is `access`.
    pub fn heading(subject: &person::Model, param: Option<i32>, access: &Access) -> RecordHeading {
        let menu = Area::MENU
            .into_iter()
            .filter(|area| access.allows(area.scope()))
            .map(|area| MenuLink {
                title: area.title().to_owned(),
                href: area.link(param),
            })
            .collect();
        RecordHeading {
            subject: param,
            name: full_name(subject),
            given_name: subject.given_name.clone(),
            menu,
            why_not: access.why_not(Scope::FullRecord, &subject.given_name),
        }
    }

    pub fn heading_of(acting: &ActingFor) -> RecordHeading {
        heading(&acting.subject, acting.subject_param(), &acting.access)
    }

    pub async fn choices(g: Guarded<PatientSession>) -> Result<Vec<RecordChoice>, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let db = &state.db;
        let org = state.site.organization_id;
        let own = caller.person;
        let me = own.id;
        let mut choices = vec![RecordChoice {
            heading: heading(&own, None, &Access::own()),
            relationship: "Your own record".into(),
            explanations: Vec::new(),
            has_access: true,
        }];
        let history = state.policy_history().await.map_err(internal)?;
        let rows = records::grants_from(db, org, me).await.map_err(internal)?;
        // One entry per person, in the order their first grant was made.
        let mut subjects: Vec<&person::Model> = Vec::new();
        for (_, p) in &rows {
            if !subjects.iter().any(|s| s.id == p.id) {
                subjects.push(p);
            }
        }
        for subject in subjects {
            let mine: Vec<&relationship::Model> = rows
                .iter()
                .filter(|(_, p)| p.id == subject.id)
                .map(|(r, _)| r)
                .collect();
            let grants: Vec<_> = mine.iter().filter_map(|r| records::grant_of(r)).collect();
            let access = AccessQuestion {
                viewer: i64::from(me),
                subject: i64::from(subject.id),
                subject_date_of_birth: subject.date_of_birth,
                grants: &grants,
                policies: &history,
                zone: state.site.time_zone,
                at: now,
            }
            .answer();
            let kinds: Vec<&str> = {
                let mut k: Vec<&str> = grants.iter().map(|g| relationship_name(g.kind)).collect();
                k.dedup();
                k
            };
            choices.push(RecordChoice {
                heading: heading(subject, Some(subject.id), &access),
                relationship: kinds.join(", "),
                explanations: access
                    .answers
                    .iter()
                    .map(|a| a.reason.explain(&subject.given_name))
                    .collect(),
                has_access: !access.scopes().is_empty(),
            });
        }
        Ok(choices)
    }

    pub async fn personal_information(
        g: Guarded<ActingFor>,
    ) -> Result<PersonalDetails, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let pending = records::pending_email_change(&state.db, caller.subject.id, now)
            .await
            .map_err(internal)?;
        let p = &caller.subject;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok(PersonalDetails {
            heading: heading_of(&caller),
            date_of_birth: p.date_of_birth,
            medical_record_number: caller.record.medical_record_number.clone(),
            contact: ContactForm {
                address_line: text(&p.address_line),
                city: text(&p.city),
                region: text(&p.region),
                postal_code: text(&p.postal_code),
                phone: text(&p.phone),
            },
            email: p.email.clone(),
            pending_email: pending.map(|c| c.new_email),
            may_change_email: caller.is_self,
            email_choices: crate::domain::notification::EmailChoices {
                results: caller.record.email_results,
                appointments: caller.record.email_appointments,
                reports: caller.record.email_reports,
            },
        })
    }

    /// Asks the engine again inside the transaction that writes, with the grants locked, so a
    /// revocation committed since the guard let the request in wins over the change.
    pub(crate) async fn still_allowed(
        state: &AppState,
        txn: &sea_orm::DatabaseTransaction,
        caller: &ActingFor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), PortalError> {
        if caller.is_self {
            return Ok(());
        }
        let grants = records::grants_between_locked(
            txn,
            state.site.organization_id,
            caller.viewer.id,
            caller.subject.id,
        )
        .await
        .map_err(internal)?;
        let history = state.policy_history().await.map_err(internal)?;
        let access = AccessQuestion {
            viewer: i64::from(caller.viewer.id),
            subject: i64::from(caller.subject.id),
            subject_date_of_birth: caller.subject.date_of_birth,
            grants: &grants,
            policies: &history,
            zone: state.site.time_zone,
            at: now,
        }
        .answer();
        if access.allows(caller.entry.area.scope()) {
            Ok(())
        } else {
            Err(PortalError::NotFound)
        }
    }

    pub(crate) fn entry_for(
        state: &AppState,
        acting: &ActingFor,
        action: &'static str,
    ) -> crate::db::audit::AuditEvent {
        audit_event(
            state,
            Actor::Account(acting.patient.account.id),
            action,
            Outcome::Success,
        )
        .subject(acting.subject.id)
    }

    pub async fn update_contact(
        g: Guarded<ActingFor>,
        contact: ContactForm,
    ) -> Result<(), PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let c = contact
            .check()
            .map_err(|e| PortalError::Invalid(e.to_string()))?;
        let txn = state.db.begin().await.map_err(internal)?;
        still_allowed(&state, &txn, &caller, now).await?;
        records::update_contact_details(
            &txn,
            caller.subject.id,
            ContactDetails {
                address_line: c.address_line,
                city: c.city,
                region: c.region,
                postal_code: c.postal_code,
                phone: c.phone,
            },
            now,
        )
        .await
        .map_err(internal)?;
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "record.contact_changed"),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    pub async fn save_email_choices(
        g: Guarded<ActingFor>,
        choices: crate::domain::notification::EmailChoices,
    ) -> Result<(), PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        if !caller.is_self {
            return Err(PortalError::Invalid(format!(
                "Only {} can choose which emails they get, from their own account.",
                caller.subject.given_name
            )));
        }
        let txn = state.db.begin().await.map_err(internal)?;
        records::set_email_choices(&txn, caller.record.id, choices)
            .await
            .map_err(internal)?;
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "record.email_choices_changed").detail(serde_json::json!({
                "results": choices.results,
                "appointments": choices.appointments,
                "reports": choices.reports,
            })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    /// Sends a link to the new address; the address takes effect when it is followed. Answers
    /// the address the link went to.
    pub async fn change_email(g: Guarded<ActingFor>, email: String) -> Result<String, PortalError> {
        let Guarded {
            state,
            now,
            caller,
            policy,
        } = g;
        // The email address proves who someone is (online enrolment sends codes to it), so only
        // the person themselves changes it; someone acting for them is told to ask the clinic.
        if !caller.is_self {
            return Err(PortalError::Invalid(format!(
                "Only {} can change their own email address. The clinic can change it at a visit.",
                caller.subject.given_name
            )));
        }
        let since = now - Duration::hours(24);
        let sent = records::email_changes_since(&state.db, caller.subject.id, since)
            .await
            .map_err(internal)?;
        if sent >= u64::from(policy.online_codes_per_day) {
            return Err(PortalError::Invalid(
                "We have sent enough links for today. Please use one of them, or try again tomorrow."
                    .into(),
            ));
        }
        let email = parse_email(&email).map_err(|_| {
            PortalError::Invalid("Enter an email address like name@example.org.".into())
        })?;
        if caller.subject.email.as_deref() == Some(email.as_str()) {
            return Err(PortalError::Invalid(
                "That is already the email address on the record.".into(),
            ));
        }
        let token = crate::db::tokens::TokenHasher::new_token();
        let txn = state.db.begin().await.map_err(internal)?;
        records::start_email_change(
            &txn,
            caller.subject.id,
            &email,
            state.tokens.hash(EMAIL_CHANGE, &token),
            caller.patient.account.id,
            now,
            now + Duration::hours(EMAIL_LINK_HOURS),
        )
        .await
        .map_err(internal)?;
        let mail = email_change_mail(&state, &email, &token);
        outbox::enqueue(&txn, &state.vault, state.site.organization_id, mail, now)
            .await
            .map_err(internal)?;
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "record.email_change_requested"),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(email)
    }

    /// The link email: no name, no health information; the token only in the link.
    fn email_change_mail(state: &AppState, to: &str, token: &str) -> OutgoingMail {
        let branding = &state.site.branding;
        let link = format!("{}/confirm-email?token={token}", state.site.public_url);
        OutgoingMail {
            to: to.to_owned(),
            subject: format!("Confirm your email address for {}", branding.portal_name),
            body: format!(
                "Someone asked to use this email address for a record at {portal}.\n\n\
                 To confirm it, open this link within {EMAIL_LINK_HOURS} hours and press \
                 \"Confirm this email address\":\n{link}\n\n\
                 Until then, email from {portal} keeps going to the address it went to before. \
                 Look in your junk mail folder if you miss a message from us.\n\n\
                 If you did not ask for this, you can ignore this email, or call {phone} \
                 (24 hours a day).\n\n{org}\n",
                portal = branding.portal_name,
                phone = branding.help_line.display(),
                org = branding.organization_name,
            ),
        }
    }

    /// The notice to the address that was replaced: no name, no new address, no health data.
    fn email_changed_mail(state: &AppState, to: &str) -> OutgoingMail {
        let branding = &state.site.branding;
        OutgoingMail {
            to: to.to_owned(),
            subject: format!(
                "Your email address for {} was changed",
                branding.portal_name
            ),
            body: format!(
                "The email address of a record at {portal} was changed, and email from us no \
                 longer comes to this address.\n\n\
                 If you did not expect this, call {phone} (24 hours a day).\n\n{org}\n",
                portal = branding.portal_name,
                phone = branding.help_line.display(),
                org = branding.organization_name,
            ),
        }
    }

    pub async fn confirm_email(g: Guarded<()>, token: String) -> Result<(), PortalError> {
        let Guarded { state, now, .. } = g;
        let not_valid = || {
            PortalError::Invalid(
                "This link does not work any more: it was used already, replaced by a newer one, \
                 or is more than a day old. Ask for a new one on the personal information page."
                    .into(),
            )
        };
        let token = token.trim();
        if token.is_empty() || token.len() > 100 {
            return Err(not_valid());
        }
        let txn = state.db.begin().await.map_err(internal)?;
        let Some((change, before)) =
            records::confirm_email_change(&txn, &state.tokens.hash(EMAIL_CHANGE, token), now)
                .await
                .map_err(internal)?
        else {
            return Err(not_valid());
        };
        // The old address hears of it, in case someone else made the change.
        if let Some(old) = before.filter(|old| *old != change.new_email) {
            let mail = email_changed_mail(&state, &old);
            outbox::enqueue(&txn, &state.vault, state.site.organization_id, mail, now)
                .await
                .map_err(internal)?;
        }
        audit::record(
            &txn,
            now,
            audit_event(
                &state,
                Actor::Account(change.requested_by_account_id),
                "record.email_changed",
                Outcome::Success,
            )
            .subject(change.person_id),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    /// How the subject reads one grant's state.
    fn status(reason: &Reason) -> String {
        match reason {
            Reason::Self_ => "Your own record".into(),
            Reason::ParentFull { full_until, .. } if *full_until == NaiveDate::MAX => {
                "Full access".into()
            }
            Reason::ParentFull { full_until, .. } => {
                format!("Full access until {}", long_date(*full_until))
            }
            Reason::ParentLimited { since, .. }
            | Reason::ParentLimitedUnderOldRule { since, .. } => {
                format!("Limited since {}", long_date(*since))
            }
            Reason::ParentEnded { on, .. } => format!("Ended on {}", long_date(*on)),
            Reason::AdultProxyValid { until } => {
                format!("Full access, expires on {}", long_date(*until))
            }
            Reason::Expired { on } => format!("Expired on {}", long_date(*on)),
            Reason::Revoked { on } => format!("Withdrawn on {}", long_date(*on)),
            Reason::Guardian { until: Some(until) } => {
                format!(
                    "Full access until the court order ends on {}",
                    long_date(*until)
                )
            }
            Reason::Guardian { until: None } => "Full access by court order".into(),
            Reason::NotYetStarted { starts_on } => format!("Starts on {}", long_date(*starts_on)),
        }
    }

    pub async fn who_can_view(g: Guarded<ActingFor>) -> Result<RecordViewers, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let history = state.policy_history().await.map_err(internal)?;
        let zone = state.site.time_zone;
        let today = local_date(now, zone);
        let rows = records::grants_to(&state.db, org, caller.subject.id)
            .await
            .map_err(internal)?;
        let viewers = rows
            .iter()
            .filter_map(|(row, viewer)| {
                let grant = records::grant_of(row)?;
                let GrantAccess { scopes, reason, .. } = crate::domain::access::grant_access(
                    &grant,
                    caller.subject.date_of_birth,
                    &history,
                    zone,
                    now,
                );
                let adult_proxy = grant.kind == RelationshipKind::AdultProxy;
                let revoked = grant.revoked_at.is_some();
                let adulthood = || {
                    birthday(
                        caller.subject.date_of_birth,
                        history.in_force_on(today).adult_age,
                    )
                };
                // The first day without access, while there is access.
                let ends_on = match &reason {
                    Reason::AdultProxyValid { until } => Some(*until),
                    Reason::Guardian { until } => *until,
                    Reason::ParentFull { .. }
                    | Reason::ParentLimited { .. }
                    | Reason::ParentLimitedUnderOldRule { .. }
                    | Reason::NotYetStarted { .. } => match (adulthood(), grant.ends_on) {
                        (Some(a), Some(e)) => Some(a.min(e)),
                        (a, e) => a.or(e),
                    },
                    _ => None,
                };
                Some(RecordViewer {
                    grant: row.id,
                    name: full_name(viewer),
                    relationship: relationship_name(grant.kind).into(),
                    scopes: scopes.describe(),
                    since: grant.starts_on,
                    until: ends_on.and_then(|d| d.pred_opt()),
                    status: status(&reason),
                    may_revoke: caller.is_self && adult_proxy && !revoked,
                    may_renew: caller.is_self && adult_proxy && !revoked,
                    renewal_until: (caller.is_self && adult_proxy && !revoked)
                        .then(|| renewal_ends_on(today, &history).pred_opt())
                        .flatten(),
                })
            })
            .collect();
        Ok(RecordViewers {
            heading: heading_of(&caller),
            viewers,
        })
    }

    /// The caller's own adult proxy grant `grant`, not revoked, or "not found".
    async fn own_adult_proxy(
        state: &AppState,
        caller: &ActingFor,
        grant: i32,
    ) -> Result<relationship::Model, PortalError> {
        let found = if caller.is_self {
            records::grant_to(
                &state.db,
                state.site.organization_id,
                caller.subject.id,
                grant,
            )
            .await
            .map_err(internal)?
            .filter(|r| {
                RelationshipKind::parse(&r.kind) == Some(RelationshipKind::AdultProxy)
                    && r.revoked_at.is_none()
            })
        } else {
            None
        };
        match found {
            Some(row) => Ok(row),
            // Someone else's grant, or none: refused like any access to another's record.
            None => Err(crate::api::guard::refuse(
                state,
                caller.patient.account.id,
                None,
                None,
                serde_json::json!({
                    "area": caller.entry.area.as_str(),
                    "action": "changed",
                    "relationship_id": grant,
                }),
                state.clock.now(),
            )
            .await),
        }
    }

    fn live_grant(row: &relationship::Model) -> records::LiveGrant {
        records::LiveGrant {
            organization_id: row.organization_id,
            subject_person_id: row.subject_person_id,
            id: row.id,
        }
    }

    pub async fn revoke(g: Guarded<ActingFor>, grant: i32) -> Result<(), PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let row = own_adult_proxy(&state, &caller, grant).await?;
        let txn = state.db.begin().await.map_err(internal)?;
        if !records::revoke_grant(&txn, live_grant(&row), now)
            .await
            .map_err(internal)?
        {
            return Err(PortalError::NotFound);
        }
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "relationship.revoked")
                .detail(serde_json::json!({ "relationship_id": row.id })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    pub async fn renew(g: Guarded<ActingFor>, grant: i32) -> Result<NaiveDate, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let row = own_adult_proxy(&state, &caller, grant).await?;
        let history = state.policy_history().await.map_err(internal)?;
        let today = local_date(now, state.site.time_zone);
        let ends_on = renewal_ends_on(today, &history);
        let txn = state.db.begin().await.map_err(internal)?;
        if !records::extend_grant(&txn, live_grant(&row), ends_on)
            .await
            .map_err(internal)?
        {
            return Err(PortalError::NotFound);
        }
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "relationship.renewed").detail(
                serde_json::json!({ "relationship_id": row.id, "ends_on": ends_on.to_string() }),
            ),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        ends_on
            .pred_opt()
            .ok_or_else(|| internal("renewal ends at the start of time"))
    }

    pub async fn who_viewed(
        g: Guarded<ActingFor>,
        page: u32,
        mine: bool,
    ) -> Result<AccessLogPage, PortalError> {
        let Guarded { state, caller, .. } = g;
        let me = caller.patient.account.id;
        let (rows, more) = records::access_log_page(
            &state.db,
            state.site.organization_id,
            caller.subject.id,
            (!mine).then_some(me),
            u64::from(page),
            ACCESS_LOG_PAGE,
        )
        .await
        .map_err(internal)?;
        let zone = state.site.time_zone;
        let entries = rows
            .into_iter()
            .map(|r| AccessLogRow {
                when: date_and_time(r.occurred_at.with_timezone(&zone).naive_local()),
                who: if r.viewer_account_id == Some(me) {
                    "You".into()
                } else {
                    r.viewer_name
                },
                acting_as: ActingAs::parse(&r.acting_as)
                    .map_or("", ActingAs::describe)
                    .to_owned(),
                area: Area::parse(&r.area).map_or("", Area::title).to_owned(),
                action: RecordAction::parse(&r.action)
                    .map_or("", RecordAction::as_str)
                    .to_owned(),
                // Where staff work is the clinic's business, not an address to publish; and
                // where people were is shown only to the record's own patient.
                from: if r.viewer_staff_id.is_some() {
                    Some("The clinic".into())
                } else if caller.is_self {
                    r.source_ip
                } else {
                    None
                },
            })
            .collect();
        Ok(AccessLogPage {
            heading: heading_of(&caller),
            entries,
            page,
            more,
            own_visits_shown: mine,
        })
    }
}
