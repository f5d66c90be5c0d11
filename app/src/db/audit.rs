//! The append-only audit log: one function writes to it, inside the caller's transaction when
//! there is one, so an action and its audit entry are committed together or not at all.

use super::entities::audit_log;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The portal itself (start-up, jobs) or an operator at the command line.
    System,
    Staff(i32),
    Account(i32),
    /// Someone not signed in (a failed sign-in, an enrolment request).
    Anonymous,
}

impl Actor {
    fn kind_and_id(self) -> (&'static str, Option<i32>) {
        match self {
            Actor::System => ("system", None),
            Actor::Staff(id) => ("staff", Some(id)),
            Actor::Account(id) => ("account", Some(id)),
            Actor::Anonymous => ("anonymous", None),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// One entry. `detail` must hold no health information, SSN or secret: ids and codes only.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub organization_id: Option<i32>,
    pub actor: Actor,
    pub subject_person_id: Option<i32>,
    pub action: &'static str,
    pub outcome: Outcome,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(actor: Actor, action: &'static str, outcome: Outcome) -> Self {
        Self {
            organization_id: None,
            actor,
            subject_person_id: None,
            action,
            outcome,
            source_ip: None,
            request_id: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn organization(mut self, id: i32) -> Self {
        self.organization_id = Some(id);
        self
    }

    pub fn subject(mut self, person_id: i32) -> Self {
        self.subject_person_id = Some(person_id);
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    event: AuditEvent,
) -> Result<audit_log::Model, DbErr> {
    let (actor_kind, actor_id) = event.actor.kind_and_id();
    audit_log::ActiveModel {
        occurred_at: Set(at),
        organization_id: Set(event.organization_id),
        actor_kind: Set(actor_kind.to_owned()),
        actor_id: Set(actor_id),
        subject_person_id: Set(event.subject_person_id),
        action: Set(event.action.to_owned()),
        outcome: Set(event.outcome.as_str().to_owned()),
        source_ip: Set(event.source_ip),
        request_id: Set(event.request_id),
        detail: Set(event.detail.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// How many `action` entries about `person_id` were recorded at or after `since`.
pub async fn count_about_since<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    action: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    audit_log::Entity::find()
        .filter(audit_log::Column::SubjectPersonId.eq(person_id))
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::OccurredAt.gte(since))
        .count(db)
        .await
}

/// How many `action` entries by `actor` were recorded at or after `since`.
pub async fn count_by_actor_since<C: ConnectionTrait>(
    db: &C,
    actor: Actor,
    action: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let (kind, id) = actor.kind_and_id();
    let mut query = audit_log::Entity::find()
        .filter(audit_log::Column::ActorKind.eq(kind))
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::OccurredAt.gte(since));
    if let Some(id) = id {
        query = query.filter(audit_log::Column::ActorId.eq(id));
    }
    query.count(db).await
}
