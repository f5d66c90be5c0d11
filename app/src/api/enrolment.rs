//! Online enrolment (A2's second route): a patient whose email address is on file proves who they
//! are with their name, date of birth and that address, and the activation code is emailed to
//! them through the outbox. The answer is the same whether or not anything matched, and so is
//! the work behind it: the request is queued, and a worker looks at it later
//! ([`process_queued`]). So the form cannot be used to find out who is a patient, by its words
//! or its timing; only an under-age date of birth (A1) is answered at once, since that needs no
//! record. A new code replaces the patient's older unused ones, and a patient gets at most the
//! policy's number of such emails a day.

use super::PortalError;
use leptos::prelude::*;

#[server(endpoint = "enrolment/request-code")]
pub async fn request_activation_code(
    given_name: String,
    family_name: String,
    date_of_birth: String,
    email: String,
) -> Result<(), PortalError> {
    // Public: the details themselves are the proof, and the code only goes to the address on file.
    super::guard::guarded(super::guard::Attempt, |g| {
        server::request(g, given_name, family_name, date_of_birth, email)
    })
    .await
}

#[cfg(feature = "ssr")]
pub use server::process_queued;

#[cfg(feature = "ssr")]
mod server {
    use super::PortalError;
    use crate::api::guard::Guarded;
    use crate::api::request::audit_event as event;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::codes::{self, CodePurpose, CodeRoute, NewCode};
    use crate::db::enrolment_queue::{self, ClaimedRequest};
    use crate::db::entities::person;
    use crate::db::outbox::{self, OutgoingMail};
    use crate::db::{accounts, store};
    use crate::domain::activation::activation_code_validity;
    use crate::domain::age::{
        AccountEligibility, account_eligibility, local_date, parse_date_of_birth,
    };
    use crate::domain::dates::long_date;
    use crate::domain::registration::{parse_email, parse_name};
    use crate::state::AppState;
    use sea_orm::TransactionTrait;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("enrolment", e)
    }

    fn invalid(e: impl std::fmt::Display) -> PortalError {
        PortalError::Invalid(e.to_string())
    }

    pub async fn request(
        g: Guarded<()>,
        given_name: String,
        family_name: String,
        date_of_birth: String,
        email: String,
    ) -> Result<(), PortalError> {
        let Guarded {
            state, policy, now, ..
        } = g;
        let given_name = parse_name(&given_name, "given name").map_err(invalid)?;
        let family_name = parse_name(&family_name, "family name").map_err(invalid)?;
        let date_of_birth = parse_date_of_birth(&date_of_birth).map_err(invalid)?;
        let email = parse_email(&email).map_err(invalid)?;
        match account_eligibility(
            date_of_birth,
            local_date(now, state.site.time_zone),
            policy.adult_age,
        ) {
            AccountEligibility::Eligible => {}
            AccountEligibility::TooYoung {
                adult_age,
                adult_on,
            } => {
                return Err(PortalError::Invalid(format!(
                    "Only people aged {adult_age} or over can have an account, even if they are emancipated. You can enrol from {}. Until then, a parent or guardian can ask for proxy access.",
                    long_date(adult_on)
                )));
            }
            AccountEligibility::BornInFuture => {
                return Err(PortalError::Invalid(
                    "That date of birth is in the future. Check the year.".into(),
                ));
            }
        }

        // From here on the caller hears the same thing whatever is found, after the same work.
        let details = serde_json::to_vec(&Details {
            given_name,
            family_name,
            date_of_birth,
            email,
        })
        .map_err(internal)?;
        let txn = state.db.begin().await.map_err(internal)?;
        enrolment_queue::enqueue(
            &txn,
            &state.vault,
            state.site.organization_id,
            &details,
            crate::api::request::source_ip(),
            now,
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            now,
            event(
                &state,
                Actor::Anonymous,
                "enrolment.online_request",
                Outcome::Success,
            ),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(())
    }

    /// What the person typed, kept sealed in the queue.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Details {
        given_name: String,
        family_name: String,
        date_of_birth: chrono::NaiveDate,
        email: String,
    }

    /// The audit action of an email sent in answer to an online request; the daily limit
    /// counts these.
    const EMAIL_SENT: &str = "enrolment.email_sent";

    /// Handles the queued online requests that are due; returns how many were handled. The
    /// portal runs this in the background on every instance (claims keep them apart).
    pub async fn process_queued(state: &AppState) -> Result<usize, PortalError> {
        let now = state.clock.now();
        let claimed = enrolment_queue::claim_due(&state.db, &state.vault, now, 20)
            .await
            .map_err(internal)?;
        let mut handled = 0;
        for request in claimed {
            handle(state, request, now).await?;
            handled += 1;
        }
        Ok(handled)
    }

    async fn handle(
        state: &AppState,
        request: ClaimedRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), PortalError> {
        let db = &state.db;
        let org = request.organization_id;
        let policy = state.current_policy().await.map_err(internal)?;
        let entry = |action, outcome| {
            let mut entry = event(state, Actor::System, action, outcome);
            entry.source_ip = request.source_ip.clone();
            entry.organization(org)
        };
        let details = request
            .details
            .as_deref()
            .and_then(|d| serde_json::from_slice::<Details>(d).ok());
        let found = match &details {
            Some(d) => {
                store::patients_by_name_and_birth(db, org, &d.family_name, d.date_of_birth, 20)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .map(|(_, person)| person)
                    .find(|p| {
                        p.given_name.to_lowercase() == d.given_name.to_lowercase()
                            && p.email.as_deref().map(str::to_lowercase).as_deref()
                                == Some(d.email.as_str())
                    })
            }
            None => None,
        };
        let txn = db.begin().await.map_err(internal)?;
        // Removed first: the write that makes this transaction the request's only handler.
        if !enrolment_queue::finish(&txn, request.id)
            .await
            .map_err(internal)?
        {
            return Ok(());
        }
        let (Some(person), Some(details)) = (found, details) else {
            audit::record(
                &txn,
                now,
                entry("enrolment.online_request.handled", Outcome::Failure)
                    .detail(serde_json::json!({ "reason": "no_match" })),
            )
            .await
            .map_err(internal)?;
            txn.commit().await.map_err(internal)?;
            return Ok(());
        };
        // Nobody can flood a patient's mailbox: at most so many emails a day. The person's row is
        // locked first, so two workers handling requests for one person count one after the other.
        store::lock_person(&txn, person.id)
            .await
            .map_err(internal)?;
        let sent_today = audit::count_about_since(
            &txn,
            person.id,
            EMAIL_SENT,
            now - chrono::Duration::hours(24),
        )
        .await
        .map_err(internal)?;
        if sent_today >= u64::from(policy.online_codes_per_day) {
            audit::record(
                &txn,
                now,
                entry("enrolment.online_request.handled", Outcome::Denied)
                    .subject(person.id)
                    .detail(serde_json::json!({ "reason": "daily_limit" })),
            )
            .await
            .map_err(internal)?;
            txn.commit().await.map_err(internal)?;
            return Ok(());
        }
        let has_account = accounts::person_has_account(&txn, person.id, org)
            .await
            .map_err(internal)?;
        let (mail, detail) = if has_account {
            (
                already_enrolled_mail(state, &person, &details.email),
                serde_json::json!({ "sent": "already_enrolled" }),
            )
        } else {
            let (code, row) = codes::issue_code(
                &txn,
                &state.tokens,
                NewCode {
                    organization_id: org,
                    person_id: person.id,
                    purpose: CodePurpose::Activation,
                    route: CodeRoute::Online,
                    issued_by_staff_id: None,
                    valid_for: activation_code_validity(&policy),
                },
                now,
            )
            .await
            .map_err(internal)?;
            let expires_on = local_date(row.expires_at, state.site.time_zone);
            (
                code_mail(state, &person, &details.email, &code.display(), expires_on),
                serde_json::json!({ "sent": "activation_code", "code_id": row.id }),
            )
        };
        outbox::enqueue(&txn, &state.vault, org, mail, now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry(EMAIL_SENT, Outcome::Success)
                .subject(person.id)
                .detail(detail),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(())
    }

    fn signature(state: &AppState) -> String {
        let branding = &state.site.branding;
        format!(
            "If you did not ask for this, you can ignore this email, or call {} (24 hours a day).\n\n{}\n",
            branding.help_line.display(),
            branding.organization_name
        )
    }

    /// The activation code email. No health information: a name, the code and how to use it.
    fn code_mail(
        state: &AppState,
        person: &person::Model,
        to: &str,
        code: &str,
        expires_on: chrono::NaiveDate,
    ) -> OutgoingMail {
        let portal = &state.site.branding.portal_name;
        let link = format!("{}/activate", state.site.public_url);
        OutgoingMail {
            to: to.to_owned(),
            subject: format!("Your activation code for {portal}"),
            body: format!(
                "Hello {},\n\nHere is your activation code for {portal}:\n\n    {code}\n\nTo activate your account, open\n\n    {link}\n\nand enter the code with your date of birth, then choose your portal ID and password. The code works once, until {}.\n\n{}",
                person.given_name,
                long_date(expires_on),
                signature(state)
            ),
        }
    }

    fn already_enrolled_mail(state: &AppState, person: &person::Model, to: &str) -> OutgoingMail {
        let portal = &state.site.branding.portal_name;
        let sign_in = format!("{}/sign-in", state.site.public_url);
        OutgoingMail {
            to: to.to_owned(),
            subject: format!("You already have a {portal} account"),
            body: format!(
                "Hello {},\n\nSomeone asked for an activation code for {portal} with your details. You already have an account, so no code was made.\n\nSign in at\n\n    {sign_in}\n\nForgot your password? Choose \"Forgot password?\" on the sign-in page. Forgot your portal ID? Call the help line and ask for an access code.\n\n{}",
                person.given_name,
                signature(state)
            ),
        }
    }
}
