//! The one guard. Server functions are public endpoints, so every one of them begins with
//! [`guarded`] (or [`authorize`]) and says what it needs of its caller:
//!
//! - [`Anyone`]: public, nothing secret is checked (what the public pages show; the caller's own
//!   session, whoever they are);
//! - [`Attempt`]: public, but a secret the caller gives is checked (a password, a code): the
//!   per-address throttle first;
//! - [`PatientSecondStep`] / [`StaffSecondStep`]: a session that has passed the password and is
//!   waiting for its second step (throttled: a code is checked);
//! - [`Patient`]: a signed-in patient, second step passed;
//! - [`Staff`]: a signed-in staff member, second step passed, whose role is one of those given;
//! - [`Throttled`]: any of these, when the function also checks the caller's password.
//!
//! What it gives back is typed: a function that needs a patient gets the patient's session and
//! account, and nothing else compiles.
//!
//! A function that reads or changes a person's data goes through [`guarded_record`] instead: a
//! signed-in patient acting for a subject (their own record, or someone else's), with the scope
//! the area needs. The access engine answers from the grants in the database at this request, so
//! a revocation refuses the very next request. Anything else (no such person, no grant, not the
//! scope) answers exactly like a missing record and is audited; what is let through leaves an
//! entry in the subject's access log.

use super::PortalError;
use super::request::{SESSION_COOKIE, clear_host_cookie, client_ip, session_token};
use crate::db::audit::{Actor, Outcome};
use crate::db::entities::{patient, person, portal_account, session, staff};
use crate::db::records::{self, AccessEntry, Viewer};
use crate::db::{audit, sessions};
use crate::domain::access::{Access, AccessQuestion};
use crate::domain::policy::OrganizationPolicy;
use crate::domain::record::{ActingAs, Area, RecordAction};
use crate::domain::sign_in::{AccountStatus, SessionState, records_activity, session_state};
use crate::domain::staff::StaffRole;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

/// The state, from inside a server function or a server-side render.
pub fn app_state() -> Result<AppState, PortalError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| PortalError::internal("app_state", "AppState missing from context"))
}

/// A patient's live session on an active account of this organization.
#[derive(Debug, Clone)]
pub struct PatientSession {
    pub session: session::Model,
    pub account: portal_account::Model,
    /// The person the account belongs to, read with the session.
    pub person: person::Model,
}

/// A staff member's live session, active and of this organization.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub session: session::Model,
    pub member: staff::Model,
    pub role: StaffRole,
}

impl StaffSession {
    /// The entry this staff member's `action` in `area` of `subject_person_id`'s record leaves
    /// in that person's access log.
    pub fn access_entry(
        &self,
        organization_id: i32,
        subject_person_id: i32,
        area: Area,
        action: RecordAction,
    ) -> AccessEntry {
        AccessEntry {
            organization_id,
            subject_person_id,
            viewer: Viewer::Staff {
                id: self.member.id,
                name: self.member.display_name.clone(),
            },
            acting_as: ActingAs::Staff(self.role),
            area,
            action,
            source_ip: super::request::source_ip(),
        }
    }
}

/// Whoever the session cookie names.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    /// Password passed, second step not yet.
    PatientPending(PatientSession),
    Patient(PatientSession),
    StaffPending(StaffSession),
    Staff(StaffSession),
}

/// What a server function has once the guard let it through.
pub struct Guarded<C> {
    pub state: AppState,
    /// The organization's policy now.
    pub policy: OrganizationPolicy,
    pub now: DateTime<Utc>,
    pub caller: C,
}

/// What a server function needs of its caller (see the module comment).
pub trait Need {
    type Caller;
    /// Whether the per-address throttle is passed first.
    const THROTTLED: bool = false;
    /// Whether the caller's session is looked up at all.
    const IDENTIFIES: bool = true;
    fn admit(self, caller: Caller) -> Result<Self::Caller, PortalError>;
}

pub struct Anyone;

impl Need for Anyone {
    type Caller = Caller;
    fn admit(self, caller: Caller) -> Result<Caller, PortalError> {
        Ok(caller)
    }
}

pub struct Attempt;

impl Need for Attempt {
    type Caller = ();
    const THROTTLED: bool = true;
    // Whoever it is, the secret decides; a sign-in ends the session it replaces by its token.
    const IDENTIFIES: bool = false;
    fn admit(self, _: Caller) -> Result<(), PortalError> {
        Ok(())
    }
}

/// A patient session waiting for its second step, or one that has passed it already.
pub struct PatientSecondStep;

impl Need for PatientSecondStep {
    type Caller = PatientSession;
    const THROTTLED: bool = true;
    fn admit(self, caller: Caller) -> Result<PatientSession, PortalError> {
        match caller {
            Caller::PatientPending(p) | Caller::Patient(p) => Ok(p),
            _ => Err(PortalError::SignInRequired),
        }
    }
}

/// A staff session waiting for its second step, or one that has passed it already.
pub struct StaffSecondStep;

impl Need for StaffSecondStep {
    type Caller = StaffSession;
    const THROTTLED: bool = true;
    fn admit(self, caller: Caller) -> Result<StaffSession, PortalError> {
        match caller {
            Caller::StaffPending(s) | Caller::Staff(s) => Ok(s),
            _ => Err(PortalError::SignInRequired),
        }
    }
}

pub struct Patient;

impl Need for Patient {
    type Caller = PatientSession;
    fn admit(self, caller: Caller) -> Result<PatientSession, PortalError> {
        match caller {
            Caller::Patient(p) => Ok(p),
            _ => Err(PortalError::SignInRequired),
        }
    }
}

/// A signed-in staff member whose role is one of these.
pub struct Staff(pub &'static [StaffRole]);

impl Need for Staff {
    type Caller = StaffSession;
    fn admit(self, caller: Caller) -> Result<StaffSession, PortalError> {
        match caller {
            Caller::Staff(s) if self.0.contains(&s.role) => Ok(s),
            Caller::Staff(_) => Err(PortalError::NotAllowed),
            _ => Err(PortalError::SignInRequired),
        }
    }
}

/// `N`, for a function that also checks the caller's password: the throttle first.
pub struct Throttled<N>(pub N);

impl<N: Need> Need for Throttled<N> {
    type Caller = N::Caller;
    const THROTTLED: bool = true;
    const IDENTIFIES: bool = N::IDENTIFIES;
    fn admit(self, caller: Caller) -> Result<N::Caller, PortalError> {
        self.0.admit(caller)
    }
}

/// Lets the request through if its caller is what `need` says, and says who they are.
pub async fn authorize<N: Need>(need: N) -> Result<Guarded<N::Caller>, PortalError> {
    let state = app_state()?;
    let policy = state
        .current_policy()
        .await
        .map_err(|e| PortalError::internal("policy", e))?;
    let now = state.clock.now();
    if N::THROTTLED && !state.throttle.allow(client_ip(), now, &policy) {
        tracing::warn!("attempts throttled for one address");
        return Err(PortalError::Invalid(format!(
            "Too many attempts from your network. Please wait {} minutes and try again.",
            policy.attempt_window_minutes
        )));
    }
    let caller = if N::IDENTIFIES {
        caller_of_request(&state, &policy, now).await?
    } else {
        Caller::Anonymous
    };
    Ok(Guarded {
        caller: need.admit(caller)?,
        state,
        policy,
        now,
    })
}

/// [`authorize`], then `work` with what it gave, and the answer's HTTP status set from its
/// error: the whole body of a server function.
pub async fn guarded<N, T, F, Fut>(need: N, work: F) -> Result<T, PortalError>
where
    N: Need,
    F: FnOnce(Guarded<N::Caller>) -> Fut,
    Fut: Future<Output = Result<T, PortalError>>,
{
    let result = match authorize(need).await {
        Ok(guarded) => work(guarded).await,
        Err(e) => Err(e),
    };
    super::answer(result)
}

fn internal(e: impl std::fmt::Display) -> PortalError {
    PortalError::internal("guard", e)
}

/// What a function needs to touch a person's data: the subject (`None`: the caller's own
/// record), the area (which says the scope), and whether it reads or changes it.
#[derive(Debug, Clone, Copy)]
pub struct RecordNeed {
    pub subject: Option<i32>,
    pub area: Area,
    pub action: RecordAction,
}

impl RecordNeed {
    pub fn read(subject: Option<i32>, area: Area) -> Self {
        Self {
            subject,
            area,
            action: RecordAction::Viewed,
        }
    }

    pub fn change(subject: Option<i32>, area: Area) -> Self {
        Self {
            subject,
            area,
            action: RecordAction::Changed,
        }
    }
}

/// A signed-in patient let through to a subject's record.
#[derive(Debug, Clone)]
pub struct ActingFor {
    pub patient: PatientSession,
    /// The caller's own person.
    pub viewer: person::Model,
    /// Whose record it is (the viewer's own when `is_self`).
    pub subject: person::Model,
    /// The subject's record at this organization.
    pub record: patient::Model,
    pub is_self: bool,
    /// The engine's whole answer, for what the page shows beside the area.
    pub access: Access,
    /// This request's access-log entry. A read is recorded by [`guarded_record`] once the
    /// function has answered (and the answer withheld if it cannot be); a change records
    /// `entry.doing(RecordAction::Changed)` in the transaction that makes it.
    pub entry: AccessEntry,
}

impl ActingFor {
    /// The subject as a link's `?for=` names them (`None` for the viewer's own record).
    pub fn subject_param(&self) -> Option<i32> {
        (!self.is_self).then_some(self.subject.id)
    }
}

/// [`authorize`] for a patient, then the access engine for the subject and the area's scope.
pub async fn authorize_record(need: RecordNeed) -> Result<Guarded<ActingFor>, PortalError> {
    let Guarded {
        state,
        policy,
        now,
        caller,
    } = authorize(Patient).await?;
    let db = &state.db;
    let org = state.site.organization_id;
    let viewer = caller.person.clone();
    let viewer_id = viewer.id;
    let subject_id = need.subject.unwrap_or(viewer_id);
    let is_self = subject_id == viewer_id;
    // The same queries whether or not the subject exists, so that the answer's timing does not
    // tell a stranger's record from no record.
    let found = records::record_of_person(db, org, subject_id)
        .await
        .map_err(internal)?;
    let grants = if is_self {
        Vec::new()
    } else {
        records::grants_between(db, org, viewer_id, subject_id)
            .await
            .map_err(internal)?
    };
    let history = state.policy_history().await.map_err(internal)?;
    let account_id = caller.account.id;
    let Some((record, subject)) = found else {
        return Err(deny(&state, account_id, subject_id, None, need, now).await);
    };
    let access = AccessQuestion {
        viewer: i64::from(viewer_id),
        subject: i64::from(subject_id),
        subject_date_of_birth: subject.date_of_birth,
        grants: &grants,
        policies: &history,
        zone: state.site.time_zone,
        at: now,
    }
    .answer();
    let scope = need.area.scope();
    let acting_as = if is_self {
        Some(ActingAs::Self_)
    } else {
        access
            .answers
            .iter()
            .filter(|a| a.scopes.contains(scope))
            .find_map(|a| grants.iter().find(|g| Some(g.id) == a.grant_id))
            .map(|g| ActingAs::Relationship(g.kind))
    };
    let Some(acting_as) = acting_as else {
        return Err(deny(&state, account_id, subject_id, Some(subject_id), need, now).await);
    };
    let entry = AccessEntry {
        organization_id: org,
        subject_person_id: subject_id,
        viewer: Viewer::Account {
            id: account_id,
            name: format!("{} {}", viewer.given_name, viewer.family_name),
        },
        acting_as,
        area: need.area,
        action: need.action,
        source_ip: super::request::source_ip(),
    };
    Ok(Guarded {
        state,
        policy,
        now,
        caller: ActingFor {
            patient: caller,
            viewer,
            subject,
            record,
            is_self,
            access,
            entry,
        },
    })
}

/// Audits a refused access to someone's record and answers as for a missing one. `tried`
/// is the person id asked for; `subject` the same when that person exists.
async fn deny(
    state: &AppState,
    account_id: i32,
    tried: i32,
    subject: Option<i32>,
    need: RecordNeed,
    now: DateTime<Utc>,
) -> PortalError {
    let detail = serde_json::json!({
        "area": need.area.as_str(),
        "action": need.action.as_str(),
    });
    refuse(state, account_id, Some(tried), subject, detail, now).await
}

/// "Not found", for a refused access to a record (someone else's, or one that does not exist),
/// audited as `record.access_denied` with `detail` within the account's hourly allowance of
/// refusals audited one by one, and beyond it as a run (see [`crate::state::RefusalLog`]).
/// `tried` is the person id asked for, if any; `subject` the person, when they exist.
pub(crate) async fn refuse(
    state: &AppState,
    account_id: i32,
    tried: Option<i32>,
    subject: Option<i32>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> PortalError {
    use crate::state::RefusalAudit;
    let refusal = state.refusals.count(account_id, tried, now);
    let event = |name: &'static str, detail: serde_json::Value| {
        super::request::audit_event(state, Actor::Account(account_id), name, Outcome::Denied)
            .detail(detail)
    };
    if let Some(run) = refusal.run_ended {
        let ended = super::request::audit_event(
            state,
            Actor::Account(run.account),
            "record.access_denied_run",
            Outcome::Denied,
        )
        .detail(serde_json::json!({
            "from": run.since,
            "refusals": run.refusals,
            "ids_tried": run.ids_tried,
            "ids_kept_at_most": crate::state::RefusalLog::IDS_KEPT,
        }));
        if let Err(e) = audit::record(&state.db, now, ended).await {
            if refusal.audit == RefusalAudit::StartOfRun {
                state.refusals.run_start_written(account_id, false);
            }
            return internal(e);
        }
    }
    let mut entry = match refusal.audit {
        RefusalAudit::Entry => event("record.access_denied", detail),
        RefusalAudit::StartOfRun => event(
            "record.access_denied_repeatedly",
            serde_json::json!({
                "note": "this account's further refusals this hour are counted, and audited \
                         together when the hour is over",
                "last": detail,
            }),
        ),
        RefusalAudit::Counted => return PortalError::NotFound,
    };
    if let Some(subject) = subject {
        entry = entry.subject(subject);
    }
    let written = audit::record(&state.db, now, entry).await;
    if refusal.audit == RefusalAudit::StartOfRun {
        state
            .refusals
            .run_start_written(account_id, written.is_ok());
    }
    match written {
        Ok(_) => PortalError::NotFound,
        Err(e) => internal(e),
    }
}

/// [`authorize_record`], then `work`: the whole body of a server function that touches a
/// person's data.
pub async fn guarded_record<T, F, Fut>(need: RecordNeed, work: F) -> Result<T, PortalError>
where
    F: FnOnce(Guarded<ActingFor>) -> Fut,
    Fut: Future<Output = Result<T, PortalError>>,
{
    let result = match authorize_record(need).await {
        Ok(guarded) => {
            let read = (need.action == RecordAction::Viewed).then(|| {
                (
                    guarded.state.clone(),
                    guarded.caller.entry.clone(),
                    guarded.now,
                )
            });
            match work(guarded).await {
                // What was read is logged before anyone sees it.
                Ok(answer) => match read {
                    Some((state, entry, now)) => state
                        .access_log
                        .write(&state.db, entry, now)
                        .await
                        .map(|()| answer)
                        .map_err(internal),
                    None => Ok(answer),
                },
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    super::answer(result)
}

/// The caller of the request being answered, found at most once: a page's render asks several
/// server functions (the header's and the page's own), and each passes the guard. The router
/// provides a new one for every request (`provide_context(RequestCaller::default())`).
#[derive(Clone, Default)]
pub struct RequestCaller(std::sync::Arc<tokio::sync::OnceCell<Caller>>);

/// Who the session cookie names, from this request's [`RequestCaller`] once it has been
/// found (without one in context, as in a unit test, it is looked up every time).
async fn caller_of_request(
    state: &AppState,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<Caller, PortalError> {
    match leptos::prelude::use_context::<RequestCaller>() {
        Some(cell) => cell
            .0
            .get_or_try_init(|| identify(state, policy, now))
            .await
            .cloned(),
        None => identify(state, policy, now).await,
    }
}

/// Who the session cookie names. An idle or expired session is ended here (and its cookie
/// cleared); a live one is marked as seen.
async fn identify(
    state: &AppState,
    policy: &OrganizationPolicy,
    now: DateTime<Utc>,
) -> Result<Caller, PortalError> {
    let Some(token) = session_token() else {
        return Ok(Caller::Anonymous);
    };
    let db = &state.db;
    let Some(sessions::FoundSession { session, patient }) =
        sessions::find_session(db, &state.tokens, &token)
            .await
            .map_err(internal)?
    else {
        return Ok(Caller::Anonymous);
    };
    if session_state(session.last_seen_at, session.expires_at, now, policy) != SessionState::Active
    {
        sessions::end_session(db, &session.id_hash)
            .await
            .map_err(internal)?;
        clear_host_cookie(SESSION_COOKIE);
        return Ok(Caller::Anonymous);
    }
    if records_activity(session.last_seen_at, now) {
        sessions::touch_session(db, &session.id_hash, now)
            .await
            .map_err(internal)?;
    }
    let org = state.site.organization_id;
    if session.account_id.is_some() {
        let patient = patient.filter(|(a, _)| {
            AccountStatus::parse(&a.status) == AccountStatus::Active && a.organization_id == org
        });
        return Ok(match patient {
            Some((account, person)) => {
                let patient = PatientSession {
                    session,
                    account,
                    person,
                };
                if patient.session.second_factor_passed {
                    Caller::Patient(patient)
                } else {
                    Caller::PatientPending(patient)
                }
            }
            None => Caller::Anonymous,
        });
    }
    if let Some(staff_id) = session.staff_id {
        let member = staff::Entity::find_by_id(staff_id)
            .one(db)
            .await
            .map_err(internal)?
            .filter(|m| m.active && m.organization_id == org);
        let Some(member) = member else {
            return Ok(Caller::Anonymous);
        };
        let role = StaffRole::parse(&member.role).map_err(internal)?;
        let staff = StaffSession {
            session,
            member,
            role,
        };
        return Ok(if staff.session.second_factor_passed {
            Caller::Staff(staff)
        } else {
            Caller::StaffPending(staff)
        });
    }
    Ok(Caller::Anonymous)
}
