//! The email that tells a person something new waits in the portal (C6), queued in the
//! transaction that made the news, so that there is no email without the news, nor news
//! without its email. The body comes from `domain::notification`: it names nothing.

use super::PortalError;
use crate::db::entities::person;
use crate::db::outbox::{self, OutgoingMail};
use crate::domain::notification::{NewInformation, new_information_email};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Queues the email for `kind` to `person`'s address, unless they turned that kind off. A
/// person without an address (a young child) gets none.
pub async fn new_information<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    person: &person::Model,
    kind: NewInformation,
    now: DateTime<Utc>,
) -> Result<(), PortalError> {
    let Some(to) = person.email.clone() else {
        return Ok(());
    };
    let record = crate::db::entities::patient::Entity::find()
        .filter(crate::db::entities::patient::Column::PersonId.eq(person.id))
        .filter(crate::db::entities::patient::Column::OrganizationId.eq(state.site.organization_id))
        .one(db)
        .await
        .map_err(|e| PortalError::internal("notify", e))?;
    let wanted = record.is_none_or(|r| {
        crate::domain::notification::EmailChoices {
            results: r.email_results,
            appointments: r.email_appointments,
            reports: r.email_reports,
        }
        .wants(kind)
    });
    if !wanted {
        return Ok(());
    }
    let branding = &state.site.branding;
    let (subject, body) = new_information_email(
        &branding.portal_name,
        &branding.organization_name,
        &format!("{}/sign-in", state.site.public_url),
        branding.help_line.display(),
    );
    tracing::debug!(kind = kind.as_str(), "new information email queued");
    outbox::enqueue(
        db,
        &state.vault,
        state.site.organization_id,
        OutgoingMail { to, subject, body },
        now,
    )
    .await
    .map(|_| ())
    .map_err(|e| PortalError::internal("notify", e))
}
