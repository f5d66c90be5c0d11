//! Proxy requests and the proxy desk (issue 14, P1, P2, P5, P7). A patient asks, from their own
//! account, for access to someone's record: a parent for their child, or an adult for another
//! adult, who agrees from their own account first. Each requester files their own request, so
//! two parents make two requests and get two grants. Staff verify the requester's identity and
//! approve or deny with a reason; the requester is told by email, with no health data. Staff also
//! enter paper proxy forms, court-appointed guardians' included (they see the order on paper).
//! An approved grant takes its dates from the policy: a parent's from the day of approval
//! (the engine moves it through the stages), an adult proxy's for the policy's term, a
//! guardian's until the order's end.

use super::PortalError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A request the caller filed, as they see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRequest {
    pub id: i32,
    pub subject_name: String,
    pub relationship: String,
    pub filed_on: chrono::NaiveDate,
    pub status: String,
    /// Staff's reason, when they said no.
    pub note: Option<String>,
}

/// A request for the caller's own record, waiting for their answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRequest {
    pub id: i32,
    pub requester_name: String,
    pub filed_on: chrono::NaiveDate,
    /// How long the access would last (the policy's term, P2).
    pub years: u32,
    /// The caller agreed already; the desk has not decided yet.
    pub agreed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsOverview {
    pub mine: Vec<MyRequest>,
    pub to_answer: Vec<ConsentRequest>,
}

#[server(endpoint = "proxy/requests", input = leptos::server_fn::codec::GetUrl)]
pub async fn proxy_requests() -> Result<RequestsOverview, PortalError> {
    // The caller's own requests, and those for their own record.
    super::guard::guarded(super::guard::Patient, server::requests).await
}

/// Files a request for access to the record with this number and date of birth. `kind`:
/// `parent` or `adult-proxy`.
#[server(endpoint = "proxy/request")]
pub async fn request_access(
    kind: String,
    medical_record_number: String,
    date_of_birth: String,
) -> Result<String, PortalError> {
    // A signed-in patient; the number and date of birth are checked, so throttled.
    use super::guard::{Patient, Throttled, guarded};
    guarded(Throttled(Patient), |g| {
        server::request(g, kind, medical_record_number, date_of_birth)
    })
    .await
}

/// Files a legal guardian's request with a copy of the court order (P7). A multipart form:
/// `medical_record_number`, `date_of_birth`, `order_ends_on` (empty when the order has no end)
/// and the file `court_order`, a PDF, JPEG or PNG of 10 MB at most, its type read from its
/// bytes.
#[server(
    endpoint = "proxy/guardian-request",
    input = leptos::server_fn::codec::MultipartFormData
)]
pub async fn request_guardianship(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<String, PortalError> {
    // A signed-in patient; the number and date of birth are checked, so throttled. The body
    // is read only once the caller is known.
    use super::guard::{Patient, Throttled, guarded};
    guarded(Throttled(Patient), |g| server::guardian_request(g, data)).await
}

/// Agrees (`agree` = "yes") or says no to an adult's request for the caller's own record (P2);
/// "no" after "yes" takes the agreement back while the desk has not decided.
#[server(endpoint = "proxy/answer")]
pub async fn answer_request(request: i32, agree: String) -> Result<bool, PortalError> {
    use super::guard::{Patient, guarded};
    guarded(Patient, |g| server::answer(g, request, agree)).await
}

/// A request waiting at the proxy desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskRequest {
    pub id: i32,
    pub relationship: String,
    pub requester_name: String,
    pub requester_date_of_birth: chrono::NaiveDate,
    pub requester_record_number: Option<String>,
    pub subject_name: String,
    pub subject_date_of_birth: chrono::NaiveDate,
    pub subject_record_number: Option<String>,
    pub filed_on: chrono::NaiveDate,
    /// The other adult agreed (adult to adult).
    pub consented: bool,
    /// A legal guardian's request, which rests on a court order.
    pub guardian: bool,
    /// A guardian's court order: its end date, if it has one.
    pub order_ends_on: Option<chrono::NaiveDate>,
    /// The court order sent with an online guardian's request.
    pub court_order: Option<CourtOrderFile>,
}

/// A court order waiting at the desk: what the download link needs and says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourtOrderFile {
    /// The order's random key, for [`court_order`].
    pub key: String,
    /// "PDF, 2.4 MB".
    pub description: String,
}

#[server(endpoint = "proxy-desk/queue", input = leptos::server_fn::codec::GetUrl)]
pub async fn proxy_desk_queue() -> Result<Vec<DeskRequest>, PortalError> {
    // Front desk and administrators only.
    use super::guard::{Staff, guarded};
    guarded(Staff(super::desk::server::DESK_ROLES), server::queue).await
}

/// The court order sent with a request waiting at the desk, for the staff reviewing it: the
/// file as it was sent, to download. Any other key, or a request already decided, is not found.
#[server(
    endpoint = "proxy-desk/court-order",
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::Streaming
)]
pub async fn court_order(
    order: String,
) -> Result<leptos::server_fn::codec::ByteStream<PortalError>, PortalError> {
    use super::guard::{Staff, guarded};
    guarded(Staff(super::desk::server::DESK_ROLES), |g| {
        server::court_order(g, order)
    })
    .await
}

/// Approves (`decision` = "approve", with the requester's identity verified) or denies (with a
/// reason) a request.
#[server(endpoint = "proxy-desk/decide")]
pub async fn decide_request(
    request: i32,
    decision: String,
    identity_verified: Option<String>,
    note: String,
    order_ends_on: Option<String>,
) -> Result<String, PortalError> {
    // `order_ends_on`: for a guardian's request, the end date staff read on the order (empty:
    // none), which the grant takes; the requester's own claim is not taken on trust.
    use super::guard::{Staff, guarded};
    guarded(Staff(super::desk::server::DESK_ROLES), |g| {
        server::decide(
            g,
            request,
            decision,
            identity_verified.is_some(),
            note,
            order_ends_on,
        )
    })
    .await
}

/// A paper proxy form, entered by staff: approved at once, since staff checked it in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperForm {
    /// `parent`, `legal-guardian` or `adult-proxy`.
    pub kind: String,
    pub requester_record_number: String,
    pub requester_date_of_birth: String,
    pub subject_record_number: String,
    pub subject_date_of_birth: String,
    /// The court order's end date, for a guardian (empty: none).
    pub order_ends_on: String,
}

#[server(endpoint = "proxy-desk/paper-form")]
pub async fn enter_paper_form(
    form: PaperForm,
    identity_verified: Option<String>,
) -> Result<String, PortalError> {
    use super::guard::{Staff, guarded};
    guarded(Staff(super::desk::server::DESK_ROLES), |g| {
        server::paper_form(g, form, identity_verified.is_some())
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::api::guard::{Guarded, PatientSession, StaffSession};
    use crate::api::request::audit_event;
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::court_orders;
    use crate::db::entities::{patient, person};
    use crate::db::outbox::{self, OutgoingMail};
    use crate::db::records::{self, Decision, NewRequest};
    use crate::db::store;
    use crate::domain::access::adult_proxy_ends_on;
    use crate::domain::age::{age_on, local_date, parse_date_of_birth};
    use crate::domain::record::{Area, RecordAction};
    use crate::domain::relationship::{RelationshipKind, RequestStatus};
    use crate::state::AppState;
    use chrono::NaiveDate;
    use sea_orm::TransactionTrait;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("proxy", e)
    }

    fn invalid(text: &str) -> PortalError {
        PortalError::Invalid(text.to_owned())
    }

    /// The audit action of a record number and date of birth that did not match.
    const LOOKUP_MISSED: &str = "proxy.lookup_missed";
    const LOOKUP_MISSES_PER_DAY: u64 = 5;
    /// After the person said no, the same requester may ask again after this many days.
    const DAYS_AFTER_NO: i64 = 30;

    async fn caller_person(state: &AppState, id: i32) -> Result<person::Model, PortalError> {
        records::people_by_ids(&state.db, &[id])
            .await
            .map_err(internal)?
            .pop()
            .ok_or_else(|| internal("the signed-in account's person is missing"))
    }

    /// Who may ask for what, on `today` (checked when the request is filed, and again when it
    /// is approved): a requester who is an adult; a parent for a minor, an adult proxy for an
    /// adult; a guardian's order that has not ended.
    fn check_kind(
        policy: &crate::domain::policy::OrganizationPolicy,
        kind: RelationshipKind,
        requester: &person::Model,
        subject: &person::Model,
        today: NaiveDate,
    ) -> Result<(), PortalError> {
        if age_on(requester.date_of_birth, today) < policy.adult_age {
            return Err(invalid(
                "Proxy access is for adults: the requester is under 18.",
            ));
        }
        let subject_adult = age_on(subject.date_of_birth, today) >= policy.adult_age;
        match kind {
            RelationshipKind::Parent if subject_adult => Err(invalid(
                "Parents' access ends at 18. An adult can agree to adult proxy access instead.",
            )),
            RelationshipKind::AdultProxy if !subject_adult => Err(invalid(
                "A child's record is for their parents or a legal guardian, not an adult proxy.",
            )),
            _ => Ok(()),
        }
    }

    fn full_name(p: &person::Model) -> String {
        format!("{} {}", p.given_name, p.family_name)
    }

    fn kind_name(kind: &str) -> String {
        RelationshipKind::parse(kind)
            .map(crate::api::record::server::relationship_name)
            .unwrap_or("Proxy")
            .to_owned()
    }

    pub async fn requests(g: Guarded<PatientSession>) -> Result<RequestsOverview, PortalError> {
        let Guarded {
            state,
            caller,
            policy,
            ..
        } = g;
        let org = state.site.organization_id;
        let me = caller.account.person_id;
        let zone = state.site.time_zone;
        let mine = records::requests_by(&state.db, org, me)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(r, subject)| MyRequest {
                id: r.id,
                // Whose record it is shows once the request is approved, not before: a request
                // alone must not tell whose a record number is.
                subject_name: format!(
                    "The patient born {}",
                    crate::domain::dates::long_date(subject.date_of_birth)
                ),
                relationship: kind_name(&r.kind),
                filed_on: local_date(r.created_at, zone),
                status: RequestStatus::parse(&r.status)
                    .map_or("", RequestStatus::describe)
                    .to_owned(),
                note: r.decision_note,
            })
            .collect();
        let waiting =
            records::requests_with_status(&state.db, org, RequestStatus::AwaitingConsent, Some(me))
                .await
                .map_err(internal)?;
        // Those the caller agreed to and the desk has not decided: the agreement can be taken
        // back until then.
        let agreed =
            records::requests_with_status(&state.db, org, RequestStatus::Pending, Some(me))
                .await
                .map_err(internal)?
                .into_iter()
                .filter(|(r, _, _)| {
                    r.kind == RelationshipKind::AdultProxy.as_str() && r.consented_at.is_some()
                });
        let to_answer = waiting
            .into_iter()
            .chain(agreed)
            .map(|(r, requester, _)| ConsentRequest {
                id: r.id,
                requester_name: full_name(&requester),
                filed_on: local_date(r.created_at, zone),
                years: policy.adult_proxy_years,
                agreed: r.consented_at.is_some(),
            })
            .collect();
        Ok(RequestsOverview { mine, to_answer })
    }

    /// The patient with this record number and date of birth, or the same refusal whichever
    /// of the two is wrong.
    async fn find_subject(
        state: &AppState,
        mrn: &str,
        date_of_birth: &str,
    ) -> Result<(patient::Model, person::Model), PortalError> {
        let not_found = || {
            invalid(
                "We could not find a patient with that record number and date of birth. Check \
                 both, or ask the front desk.",
            )
        };
        let date_of_birth =
            parse_date_of_birth(date_of_birth).map_err(|e| PortalError::Invalid(e.to_string()))?;
        let mrn = mrn.trim();
        if mrn.is_empty() || mrn.len() > 32 {
            return Err(not_found());
        }
        match records::record_by_number(&state.db, state.site.organization_id, mrn)
            .await
            .map_err(internal)?
        {
            Some((patient, person)) if person.date_of_birth == date_of_birth => {
                Ok((patient, person))
            }
            _ => Err(not_found()),
        }
    }

    /// Refuses a second request while one of the same kind is open or a grant is live.
    #[allow(clippy::too_many_arguments)]
    async fn check_no_duplicate<C: sea_orm::ConnectionTrait>(
        db: &C,
        org: i32,
        viewer: i32,
        subject: i32,
        kind: RelationshipKind,
        today: NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
        zone: chrono_tz::Tz,
    ) -> Result<(), PortalError> {
        let rows = records::rows_between(db, org, viewer, subject)
            .await
            .map_err(internal)?;
        let same = |r: &&crate::db::entities::relationship::Model| r.kind == kind.as_str();
        let status = |r: &crate::db::entities::relationship::Model| RequestStatus::parse(&r.status);
        if rows
            .iter()
            .filter(same)
            .any(|r| status(r).is_some_and(RequestStatus::is_open))
        {
            return Err(invalid(
                "There is already a request for this record waiting. You will hear from us by email.",
            ));
        }
        // An adult proxy's access is renewed by the person, not asked for again while it runs
        // (a parent may reapply at any time: P6).
        if kind == RelationshipKind::AdultProxy
            && rows.iter().filter(same).any(|r| {
                status(r) == Some(RequestStatus::Approved)
                    && r.revoked_at.is_none()
                    && r.ends_on.is_none_or(|end| end > today)
            })
        {
            return Err(invalid(
                "You have access to this record already. The person renews it from their \
                 \"Who can view my record\" page.",
            ));
        }
        let cool_down = chrono::Duration::days(DAYS_AFTER_NO);
        if let Some(no) = rows
            .iter()
            .filter(same)
            .filter(|r| status(r) == Some(RequestStatus::Declined))
            .filter_map(|r| r.decided_at)
            .max()
            && now < no + cool_down
        {
            return Err(invalid(&format!(
                "The person said no to your request. You can ask again from {}.",
                crate::domain::dates::long_date(local_date(no + cool_down, zone))
            )));
        }
        Ok(())
    }

    pub async fn request(
        g: Guarded<PatientSession>,
        kind: String,
        mrn: String,
        date_of_birth: String,
    ) -> Result<String, PortalError> {
        let kind = match RelationshipKind::parse(kind.trim()) {
            Some(k @ (RelationshipKind::Parent | RelationshipKind::AdultProxy)) => k,
            Some(RelationshipKind::LegalGuardian) => {
                return Err(invalid(
                    "A legal guardian sends a copy of the court order with the request: use the \
                     form for legal guardians.",
                ));
            }
            None => return Err(invalid("Choose whether you are a parent or another adult.")),
        };
        let subject = requested_subject(&g, &mrn, &date_of_birth).await?;
        let status = match kind {
            RelationshipKind::AdultProxy => RequestStatus::AwaitingConsent,
            _ => RequestStatus::Pending,
        };
        file_request(&g, &subject, kind, status, None, None).await?;
        Ok(match status {
            RequestStatus::AwaitingConsent => "Your request was sent. The person needs to agree \
                 from their own account, then the clinic checks it. We will email you."
                .to_owned(),
            _ => "Your request was sent. The clinic checks it and will email you. They may ask \
                  you to show proof of identity at your next visit."
                .to_owned(),
        })
    }

    /// The fields of a guardian's request, read from its multipart form.
    #[derive(Default)]
    struct GuardianForm {
        mrn: String,
        date_of_birth: String,
        order_ends_on: String,
        order: Vec<u8>,
        /// More than one file was sent.
        files: usize,
    }

    /// The longest text field read from a multipart form.
    const LONGEST_FIELD: usize = 256;

    async fn read_guardian_form(
        data: leptos::server_fn::codec::MultipartData,
    ) -> Result<GuardianForm, PortalError> {
        use crate::domain::court_order::{MAX_BYTES, OrderProblem};
        let unreadable = || {
            invalid(
                "The form could not be read in full. Try again; a court order must be a PDF, \
                 JPEG or PNG of 10 MB at most.",
            )
        };
        let mut data = data
            .into_inner()
            .ok_or_else(|| internal("a multipart form without its data"))?;
        let mut form = GuardianForm::default();
        while let Some(mut field) = data.next_field().await.map_err(|_| unreadable())? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "court_order" {
                form.files += 1;
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    if form.order.len() + chunk.len() > MAX_BYTES {
                        return Err(invalid(&OrderProblem::TooLarge.to_string()));
                    }
                    form.order.extend_from_slice(&chunk);
                }
                continue;
            }
            let slot = match name.as_str() {
                "medical_record_number" => &mut form.mrn,
                "date_of_birth" => &mut form.date_of_birth,
                "order_ends_on" => &mut form.order_ends_on,
                // The page's own field (`__page`) and anything else: skipped.
                _ => continue,
            };
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                if bytes.len() + chunk.len() > LONGEST_FIELD {
                    return Err(unreadable());
                }
                bytes.extend_from_slice(&chunk);
            }
            *slot = String::from_utf8(bytes).map_err(|_| unreadable())?;
        }
        if form.files > 1 {
            return Err(invalid("Send the court order as one file."));
        }
        Ok(form)
    }

    pub async fn guardian_request(
        g: Guarded<PatientSession>,
        data: leptos::server_fn::codec::MultipartData,
    ) -> Result<String, PortalError> {
        let form = read_guardian_form(data).await?;
        let order = crate::domain::court_order::check(&form.order)
            .map_err(|problem| invalid(&problem.to_string()))?;
        let today = local_date(g.now, g.state.site.time_zone);
        let order_ends_on = match form.order_ends_on.trim() {
            "" => None,
            text => Some(text.parse::<NaiveDate>().map_err(|_| {
                invalid("Enter the date the court order ends, or leave it empty if it has none.")
            })?),
        };
        if order_ends_on.is_some_and(|end| end <= today) {
            return Err(invalid(
                "That court order has ended. Only an order still in force gives access.",
            ));
        }
        let subject = requested_subject(&g, &form.mrn, &form.date_of_birth).await?;
        let vault = std::sync::Arc::clone(&g.state.vault);
        let sealed =
            tokio::task::spawn_blocking(move || court_orders::seal(&vault, order, &form.order))
                .await
                .map_err(internal)?;
        file_request(
            &g,
            &subject,
            RelationshipKind::LegalGuardian,
            RequestStatus::Pending,
            order_ends_on,
            Some(sealed),
        )
        .await?;
        Ok(
            "Your request and the court order were sent. The clinic reviews the order, checks \
             your identity and will email you. They may ask you to show proof of identity at \
             your next visit."
                .to_owned(),
        )
    }

    /// The person a request names by record number and date of birth. Misses are counted
    /// against the account (kept in the audit log, so across instances): guessing one from the
    /// other stops after a few tries a day.
    async fn requested_subject(
        g: &Guarded<PatientSession>,
        mrn: &str,
        date_of_birth: &str,
    ) -> Result<person::Model, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let since = *now - chrono::Duration::hours(24);
        let misses = audit::count_by_actor_since(
            &state.db,
            Actor::Account(caller.account.id),
            LOOKUP_MISSED,
            since,
        )
        .await
        .map_err(internal)?;
        if misses >= LOOKUP_MISSES_PER_DAY {
            return Err(invalid(
                "Too many record numbers and dates of birth did not match today. Please check \
                 them on the clinic's papers and try again tomorrow, or ask the front desk.",
            ));
        }
        let subject = match find_subject(state, mrn, date_of_birth).await {
            Ok((_, subject)) => subject,
            Err(e) => {
                if matches!(e, PortalError::Invalid(_)) {
                    audit::record(
                        &state.db,
                        *now,
                        audit_event(
                            state,
                            Actor::Account(caller.account.id),
                            LOOKUP_MISSED,
                            Outcome::Failure,
                        ),
                    )
                    .await
                    .map_err(internal)?;
                }
                return Err(e);
            }
        };
        if subject.id == caller.account.person_id {
            return Err(invalid("That is your own record: you can open it already."));
        }
        Ok(subject)
    }

    /// Files the caller's request for `subject`'s record, with a guardian's court order: the
    /// kind checked on the day, one request at a time per requester, no duplicate, the order
    /// sealed in the same transaction.
    async fn file_request(
        g: &Guarded<PatientSession>,
        subject: &person::Model,
        kind: RelationshipKind,
        status: RequestStatus,
        ends_on: Option<NaiveDate>,
        order: Option<court_orders::SealedOrder>,
    ) -> Result<(), PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller,
        } = g;
        let org = state.site.organization_id;
        let me = caller.account.person_id;
        let now = *now;
        let today = local_date(now, state.site.time_zone);
        check_kind(
            policy,
            kind,
            &caller_person(state, me).await?,
            subject,
            today,
        )?;
        let txn = state.db.begin().await.map_err(internal)?;
        // One requester's requests are made one at a time.
        store::lock_person(&txn, me).await.map_err(internal)?;
        check_no_duplicate(
            &txn,
            org,
            me,
            subject.id,
            kind,
            today,
            now,
            state.site.time_zone,
        )
        .await?;
        let row = records::create_request(
            &txn,
            NewRequest {
                organization_id: org,
                person_id: me,
                subject_person_id: subject.id,
                kind,
                status,
                requested_by_person_id: Some(me),
                starts_on: today,
                ends_on,
                identity_verified: false,
                decided_by_staff_id: None,
            },
            now,
        )
        .await
        .map_err(internal)?;
        if let Some(order) = order {
            court_orders::store(&txn, org, row.id, order, now)
                .await
                .map_err(internal)?;
        }
        audit::record(
            &txn,
            now,
            audit_event(
                state,
                Actor::Account(caller.account.id),
                "proxy.requested",
                Outcome::Success,
            )
            .subject(subject.id)
            .detail(serde_json::json!({ "relationship_id": row.id, "kind": kind.as_str() })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    pub async fn answer(
        g: Guarded<PatientSession>,
        request: i32,
        agree: String,
    ) -> Result<bool, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let agree = agree == "yes";
        let to = if agree {
            RequestStatus::Pending
        } else {
            RequestStatus::Declined
        };
        let me = caller.account.person_id;
        let txn = state.db.begin().await.map_err(internal)?;
        // Only a request for the caller's own record, still waiting: otherwise not found.
        let org = state.site.organization_id;
        let answered = records::move_request(
            &txn,
            org,
            request,
            RequestStatus::AwaitingConsent,
            to,
            Some(me),
            None,
            now,
        )
        .await
        .map_err(internal)?;
        // "No" after a "yes", while the desk has not decided: the agreement is taken back.
        let withdrawn = !answered
            && !agree
            && records::withdraw_consent(&txn, org, request, me, now)
                .await
                .map_err(internal)?;
        if !answered && !withdrawn {
            return Err(PortalError::NotFound);
        }
        audit::record(
            &txn,
            now,
            audit_event(
                &state,
                Actor::Account(caller.account.id),
                if agree {
                    "proxy.consented"
                } else {
                    "proxy.declined"
                },
                Outcome::Success,
            )
            .subject(me)
            .detail(serde_json::json!({ "relationship_id": request })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(agree)
    }

    pub async fn queue(g: Guarded<StaffSession>) -> Result<Vec<DeskRequest>, PortalError> {
        let Guarded { state, caller, .. } = g;
        let org = state.site.organization_id;
        let zone = state.site.time_zone;
        let rows = records::requests_with_status(&state.db, org, RequestStatus::Pending, None)
            .await
            .map_err(internal)?;
        let ids = rows.iter().map(|(r, _, _)| r.id).collect::<Vec<_>>();
        let orders = court_orders::listings(&state.db, org, &ids)
            .await
            .map_err(internal)?;
        let mut queue = Vec::with_capacity(rows.len());
        for (r, requester, subject) in rows {
            let court_order =
                orders
                    .iter()
                    .find(|o| o.relationship_id == r.id)
                    .map(|o| CourtOrderFile {
                        key: o.key.clone(),
                        description: format!(
                            "{}, {}",
                            o.kind.label(),
                            crate::domain::court_order::readable_size(o.size_bytes)
                        ),
                    });
            let guardian = r.kind == RelationshipKind::LegalGuardian.as_str();
            let mrn = |person_id| {
                let state = state.clone();
                async move {
                    store::patient_of_person(&state.db, org, person_id)
                        .await
                        .map(|p| p.map(|p| p.medical_record_number))
                }
            };
            // Staff see the subject's identity: the queue is a desk lookup of their record.
            desk_entry(&state, &state.db, &caller, subject.id, RecordAction::Viewed).await?;
            queue.push(DeskRequest {
                id: r.id,
                relationship: kind_name(&r.kind),
                requester_name: full_name(&requester),
                requester_date_of_birth: requester.date_of_birth,
                requester_record_number: mrn(requester.id).await.map_err(internal)?,
                subject_name: full_name(&subject),
                subject_date_of_birth: subject.date_of_birth,
                subject_record_number: mrn(subject.id).await.map_err(internal)?,
                filed_on: local_date(r.created_at, zone),
                consented: r.consented_at.is_some(),
                guardian,
                order_ends_on: r.ends_on.filter(|_| guardian),
                court_order,
            });
        }
        Ok(queue)
    }

    /// The longest order key looked up (keys are 43 characters).
    const LONGEST_KEY: usize = 64;

    pub async fn court_order(
        g: Guarded<StaffSession>,
        key: String,
    ) -> Result<leptos::server_fn::codec::ByteStream<PortalError>, PortalError> {
        use http::{HeaderValue, header};
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        if key.is_empty() || key.len() > LONGEST_KEY {
            return Err(PortalError::NotFound);
        }
        let opened = court_orders::open_pending(&state.db, &state.vault, org, &key)
            .await
            .map_err(internal)?
            .ok_or(PortalError::NotFound)?;
        let subject = opened.request.subject_person_id;
        // Opening the order is a look at the patient's record (P7), written before it is sent.
        let txn = state.db.begin().await.map_err(internal)?;
        desk_entry(&state, &txn, &caller, subject, RecordAction::Viewed).await?;
        audit::record(
            &txn,
            now,
            audit_event(
                &state,
                Actor::Staff(caller.member.id),
                "proxy.court_order_opened",
                Outcome::Success,
            )
            .subject(subject)
            .detail(serde_json::json!({ "relationship_id": opened.request.id })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        response.insert_header(
            header::CONTENT_TYPE,
            HeaderValue::from_static(opened.kind.media_type()),
        );
        if let Ok(disposition) = HeaderValue::from_str(&format!(
            "attachment; filename=\"court-order-{}.{}\"",
            opened.request.id,
            opened.kind.extension()
        )) {
            response.insert_header(header::CONTENT_DISPOSITION, disposition);
        }
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        let bytes = leptos::server_fn::Bytes::from(opened.bytes);
        Ok(leptos::server_fn::codec::ByteStream::new(
            futures::stream::once(async move { Ok::<_, PortalError>(bytes) }),
        ))
    }

    async fn desk_entry(
        state: &AppState,
        db: &impl sea_orm::ConnectionTrait,
        caller: &StaffSession,
        subject: i32,
        action: RecordAction,
    ) -> Result<(), PortalError> {
        let entry =
            caller.access_entry(state.site.organization_id, subject, Area::ProxyDesk, action);
        records::record_access(db, &entry, state.clock.now())
            .await
            .map_err(internal)
    }

    /// The grant's dates from the policy on the day of approval.
    fn dates(
        kind: RelationshipKind,
        today: NaiveDate,
        order_ends_on: Option<NaiveDate>,
        history: &crate::domain::access::PolicyHistory,
    ) -> (NaiveDate, Option<NaiveDate>) {
        match kind {
            RelationshipKind::AdultProxy => (today, Some(adult_proxy_ends_on(today, history))),
            RelationshipKind::LegalGuardian => (today, order_ends_on),
            RelationshipKind::Parent => (today, None),
        }
    }

    pub async fn decide(
        g: Guarded<StaffSession>,
        request: i32,
        decision: String,
        identity_verified: bool,
        note: String,
        order_ends_on: Option<String>,
    ) -> Result<String, PortalError> {
        let Guarded {
            state,
            now,
            caller,
            policy,
        } = g;
        let org = state.site.organization_id;
        let approve = match decision.as_str() {
            "approve" => true,
            "deny" => false,
            _ => return Err(invalid("Choose whether to approve or deny the request.")),
        };
        let note = note.trim().chars().take(500).collect::<String>();
        if approve && !identity_verified {
            return Err(invalid(
                "Check the requester's identity (photo ID, or the proof on the form) and tick the \
                 box before approving.",
            ));
        }
        if !approve && note.is_empty() {
            return Err(invalid(
                "Give the reason for denying the request: the requester will read it.",
            ));
        }
        let row = records::relationship_by_id(&state.db, org, request)
            .await
            .map_err(internal)?
            .ok_or(PortalError::NotFound)?;
        let kind = RelationshipKind::parse(&row.kind).ok_or_else(|| internal("unknown kind"))?;
        let history = state.policy_history().await.map_err(internal)?;
        let today = local_date(now, state.site.time_zone);
        // A guardian's grant ends with the order, as staff read it on the order.
        let mut order_ends = row.ends_on;
        if approve && kind == RelationshipKind::LegalGuardian {
            order_ends = match order_ends_on.as_deref().map(str::trim) {
                None => {
                    return Err(invalid(
                        "Enter the court order's end date as the order gives it, or leave it \
                         empty if it has none.",
                    ));
                }
                Some("") => None,
                Some(text) => Some(text.parse::<NaiveDate>().map_err(|_| {
                    invalid("Enter the court order's end date as a date, or leave it empty.")
                })?),
            };
        }
        if approve {
            // What held when the request was filed may not hold today (a child turned 18, an
            // order ended).
            let people = records::people_by_ids(&state.db, &[row.person_id, row.subject_person_id])
                .await
                .map_err(internal)?;
            let find = |id| people.iter().find(|p: &&person::Model| p.id == id);
            let (Some(requester), Some(subject)) =
                (find(row.person_id), find(row.subject_person_id))
            else {
                return Err(internal("a request without its people"));
            };
            check_kind(&policy, kind, requester, subject, today)?;
            if order_ends.is_some_and(|end| end <= today) {
                return Err(invalid("The court order has ended: deny the request."));
            }
        }
        let (starts_on, ends_on) = dates(kind, today, order_ends, &history);
        let txn = state.db.begin().await.map_err(internal)?;
        let moved = records::move_request(
            &txn,
            org,
            request,
            RequestStatus::Pending,
            if approve {
                RequestStatus::Approved
            } else {
                RequestStatus::Denied
            },
            None,
            Some(Decision {
                staff_id: caller.member.id,
                identity_verified,
                note: (!note.is_empty()).then(|| note.clone()),
                starts_on,
                ends_on,
            }),
            now,
        )
        .await
        .map_err(internal)?;
        if !moved {
            return Err(invalid(
                "This request was already decided, or is no longer waiting. Reload the queue.",
            ));
        }
        desk_entry(
            &state,
            &txn,
            &caller,
            row.subject_person_id,
            RecordAction::Changed,
        )
        .await?;
        audit::record(
            &txn,
            now,
            audit_event(
                &state,
                Actor::Staff(caller.member.id),
                if approve {
                    "proxy.approved"
                } else {
                    "proxy.denied"
                },
                Outcome::Success,
            )
            .subject(row.subject_person_id)
            .detail(serde_json::json!({ "relationship_id": request })),
        )
        .await
        .map_err(internal)?;
        if let Some(requester) = row.requested_by_person_id {
            let people = records::people_by_ids(&txn, &[requester])
                .await
                .map_err(internal)?;
            if let Some(to) = people.first().and_then(|p| p.email.clone()) {
                outbox::enqueue(
                    &txn,
                    &state.vault,
                    org,
                    decision_mail(&state, &to, approve),
                    now,
                )
                .await
                .map_err(internal)?;
            }
        }
        txn.commit().await.map_err(internal)?;
        Ok(if approve {
            "Approved. The requester has access from today, and is told by email.".to_owned()
        } else {
            "Denied. The requester is told by email, and reads your reason in the portal."
                .to_owned()
        })
    }

    /// The decision email: no names, no reason (it may say something about someone's health):
    /// the portal shows the rest after sign-in.
    fn decision_mail(state: &AppState, to: &str, approved: bool) -> OutgoingMail {
        let branding = &state.site.branding;
        let url = &state.site.public_url;
        let outcome = if approved {
            format!(
                "Your request for access to a record at {} was approved. Sign in and open Records \
                 to see it: {url}/records",
                branding.portal_name
            )
        } else {
            format!(
                "Your request for access to a record at {} was not approved. Sign in and open \
                 Records to read why: {url}/records",
                branding.portal_name
            )
        };
        OutgoingMail {
            to: to.to_owned(),
            subject: format!("Your proxy request at {}", branding.portal_name),
            body: format!(
                "{outcome}\n\nLook in your junk mail folder if you miss a message from us. \
                 Questions: call {} (24 hours a day).\n\n{}\n",
                branding.help_line.display(),
                branding.organization_name
            ),
        }
    }

    pub async fn paper_form(
        g: Guarded<StaffSession>,
        form: PaperForm,
        identity_verified: bool,
    ) -> Result<String, PortalError> {
        let Guarded {
            state,
            policy,
            now,
            caller,
        } = g;
        let org = state.site.organization_id;
        let kind = RelationshipKind::parse(form.kind.trim())
            .ok_or_else(|| invalid("Choose the kind of proxy form."))?;
        if !identity_verified {
            return Err(invalid(
                "Check the requester's identity and tick the box before entering the form.",
            ));
        }
        let order_ends_on = match form.order_ends_on.trim() {
            "" => None,
            text => Some(text.parse::<NaiveDate>().map_err(|_| {
                invalid("Enter the court order's end date as a date, or leave it empty.")
            })?),
        };
        // A record number and the date of birth on the form, so a slip of one digit finds no
        // one rather than someone else.
        let requester = find_subject(
            &state,
            &form.requester_record_number,
            &form.requester_date_of_birth,
        )
        .await
        .map_err(|_| {
            invalid(
                "The requester's record number and date of birth do not match a patient. Check \
                 the form.",
            )
        })?
        .1;
        let subject = find_subject(
            &state,
            &form.subject_record_number,
            &form.subject_date_of_birth,
        )
        .await
        .map_err(|_| {
            invalid("The patient's record number and date of birth do not match. Check the form.")
        })?
        .1;
        if requester.id == subject.id {
            return Err(invalid(
                "The requester and the patient are the same person.",
            ));
        }
        let today = local_date(now, state.site.time_zone);
        check_kind(&policy, kind, &requester, &subject, today)?;
        if order_ends_on.is_some_and(|d| d <= today) {
            return Err(invalid("That court order has ended already."));
        }
        let history = state.policy_history().await.map_err(internal)?;
        let (starts_on, ends_on) = dates(kind, today, order_ends_on, &history);
        let txn = state.db.begin().await.map_err(internal)?;
        store::lock_person(&txn, requester.id)
            .await
            .map_err(internal)?;
        check_no_duplicate(
            &txn,
            org,
            requester.id,
            subject.id,
            kind,
            today,
            now,
            state.site.time_zone,
        )
        .await?;
        let row = records::create_request(
            &txn,
            NewRequest {
                organization_id: org,
                person_id: requester.id,
                subject_person_id: subject.id,
                kind,
                status: RequestStatus::Approved,
                requested_by_person_id: None,
                starts_on,
                ends_on,
                identity_verified: true,
                decided_by_staff_id: Some(caller.member.id),
            },
            now,
        )
        .await
        .map_err(internal)?;
        desk_entry(&state, &txn, &caller, subject.id, RecordAction::Changed).await?;
        audit::record(
            &txn,
            now,
            audit_event(
                &state,
                Actor::Staff(caller.member.id),
                "proxy.paper_form_entered",
                Outcome::Success,
            )
            .subject(subject.id)
            .detail(serde_json::json!({ "relationship_id": row.id, "kind": kind.as_str() })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(format!(
            "Entered: {} has {} access to {}'s record from today.",
            full_name(&requester),
            kind_name(kind.as_str()).to_lowercase(),
            full_name(&subject)
        ))
    }
}
