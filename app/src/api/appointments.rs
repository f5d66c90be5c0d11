//! Appointments (issue 15, C1, C2, P4): the upcoming and past visits of a record, the visit
//! types and open times to book, booking and cancelling. A patient, or a viewer with the
//! scheduling scope (a proxy, the parent of a 13-17-year-old), does all of it exactly as for
//! themselves; every function passes `guard::guarded_record` with [`Area::Appointments`].

use super::PortalError;
use crate::api::record::RecordHeading;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether, and how, an appointment may be cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelOption {
    /// Online, until the time given ("2 December 2026 at 9:00 AM").
    Online { until: String },
    /// Not online: the sentence that says why and whom to call.
    CallTheClinic(String),
    /// Nothing to cancel (cancelled already, or over).
    Nothing,
}

/// One appointment as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentRow {
    pub id: i32,
    /// "Tuesday 8 December 2026".
    pub day: String,
    /// "9:00 AM".
    pub time: String,
    pub visit_type: String,
    pub provider: String,
    pub department: String,
    pub cancelled: bool,
    pub cancel: CancelOption,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentList {
    pub heading: RecordHeading,
    /// Booked and not yet begun, soonest first.
    pub upcoming: Vec<AppointmentRow>,
    /// Begun, over or cancelled, newest first.
    pub past: Vec<AppointmentRow>,
}

#[server(endpoint = "record/appointments", input = leptos::server_fn::codec::GetUrl)]
pub async fn appointments(subject: Option<i32>) -> Result<AppointmentList, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::Appointments), server::list).await
}

/// A visit type as the booking page offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitTypeChoice {
    pub id: i32,
    pub name: String,
    pub minutes: i32,
    /// Why it cannot be booked online, with the number to call; `None` if it can.
    pub not_online: Option<String>,
}

/// One open time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeChoice {
    pub slot: i32,
    /// "9:00 AM".
    pub time: String,
    pub provider: String,
}

/// The open times of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayChoice {
    /// "Tuesday 8 December 2026".
    pub day: String,
    pub times: Vec<TimeChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingChoices {
    pub heading: RecordHeading,
    pub visit_types: Vec<VisitTypeChoice>,
    /// The visit type chosen, if it can be booked online.
    pub chosen: Option<VisitTypeChoice>,
    /// The chosen type's open times in the coming weeks, by day.
    pub days: Vec<DayChoice>,
    /// The department's number, for what cannot be booked online.
    pub phone: String,
}

/// How many weeks ahead the booking page offers times.
pub const WEEKS_AHEAD: i64 = 4;

#[server(endpoint = "record/appointments/options", input = leptos::server_fn::codec::GetUrl)]
pub async fn booking_options(
    subject: Option<i32>,
    visit_type: Option<i32>,
) -> Result<BookingChoices, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::Appointments), |g| {
        server::options(g, visit_type)
    })
    .await
}

/// What a booking made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booked {
    pub id: i32,
    pub day: String,
    pub time: String,
    pub provider: String,
    pub visit_type: String,
}

/// Books the open time `slot` for the subject. `several_people` and `several_caregivers` are
/// the form's two questions about the visit: either one makes it a visit for the clinic to
/// book (C1).
#[server(endpoint = "record/appointments/book")]
pub async fn book_appointment(
    subject: Option<i32>,
    slot: Option<i32>,
    several_people: Option<bool>,
    several_caregivers: Option<bool>,
) -> Result<Booked, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    use crate::domain::scheduling::BookingRequest;
    let request = BookingRequest {
        several_people: several_people.unwrap_or(false),
        several_caregivers: several_caregivers.unwrap_or(false),
    };
    guarded_record(RecordNeed::change(subject, Area::Appointments), |g| {
        server::book(g, slot, request)
    })
    .await
}

/// Cancels the subject's appointment, where it allows that online (C2). Answers what was
/// cancelled, in words.
#[server(endpoint = "record/appointments/cancel")]
pub async fn cancel_appointment(
    subject: Option<i32>,
    appointment: Option<i32>,
) -> Result<String, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::change(subject, Area::Appointments), |g| {
        server::cancel(g, appointment)
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::guard::{ActingFor, Guarded};
    use crate::api::record::server::{entry_for, heading_of, still_allowed};
    use crate::db::audit;
    use crate::db::entities::appointment;
    use crate::db::records;
    use crate::db::scheduling::{self as store, AppointmentView, CANCELLED};
    use crate::domain::dates::{date_and_time, time_of_day, weekday_date};
    use crate::domain::notification::NewInformation;
    use crate::domain::record::RecordAction;
    use crate::domain::scheduling::{BookingRequest, Cancelling, bookable_online, check_booking};
    use chrono::{DateTime, Duration, NaiveDateTime, Utc};
    use chrono_tz::Tz;
    use sea_orm::TransactionTrait;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("appointments", e)
    }

    fn local(at: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
        at.with_timezone(&zone).naive_local()
    }

    const TAKEN: &str = "Someone else has just booked that time. Please choose another time.";

    fn call_the_clinic(view: &AppointmentView, why: &str) -> String {
        format!(
            "{why} To cancel or change it, please call {} at {}.",
            view.department, view.phone
        )
    }

    fn cancelling(a: &appointment::Model, now: DateTime<Utc>) -> Cancelling {
        Cancelling::at(a.cancel_until, a.status == CANCELLED, a.starts_at, now)
    }

    fn row(view: AppointmentView, now: DateTime<Utc>, zone: Tz) -> AppointmentRow {
        let a = &view.appointment;
        let starts = local(a.starts_at, zone);
        let cancel = match cancelling(a, now) {
            Cancelling::Until(until) => CancelOption::Online {
                until: date_and_time(local(until, zone)),
            },
            Cancelling::NotOnline => CancelOption::CallTheClinic(call_the_clinic(
                &view,
                "This appointment cannot be cancelled online.",
            )),
            Cancelling::TooLate(until) => CancelOption::CallTheClinic(call_the_clinic(
                &view,
                &format!(
                    "It could be cancelled online until {}.",
                    date_and_time(local(until, zone))
                ),
            )),
            Cancelling::Nothing => CancelOption::Nothing,
        };
        AppointmentRow {
            id: a.id,
            day: weekday_date(starts.date()),
            time: time_of_day(starts),
            cancelled: a.status == CANCELLED,
            cancel,
            visit_type: view.visit_type,
            provider: view.provider,
            department: view.department,
        }
    }

    /// What every booking and cancelling ends with, in its transaction: the access log's entry,
    /// the audit event, the email that something is new (C6), and the commit.
    async fn finish_change(
        txn: sea_orm::DatabaseTransaction,
        state: &crate::state::AppState,
        caller: &ActingFor,
        event: &'static str,
        appointment: i32,
        now: DateTime<Utc>,
    ) -> Result<(), PortalError> {
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(state, caller, event)
                .detail(serde_json::json!({ "appointment": appointment })),
        )
        .await
        .map_err(internal)?;
        super::super::notify::new_information(
            &txn,
            state,
            &caller.subject,
            NewInformation::AppointmentChanged,
            now,
        )
        .await?;
        txn.commit().await.map_err(internal)
    }

    pub async fn list(g: Guarded<ActingFor>) -> Result<AppointmentList, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let zone = state.site.time_zone;
        let all = store::appointments_of(&state.db, state.site.organization_id, caller.subject.id)
            .await
            .map_err(internal)?;
        let (upcoming, mut past): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|v| v.appointment.status != CANCELLED && v.appointment.starts_at > now);
        past.reverse();
        Ok(AppointmentList {
            heading: heading_of(&caller),
            upcoming: upcoming.into_iter().map(|v| row(v, now, zone)).collect(),
            past: past.into_iter().map(|v| row(v, now, zone)).collect(),
        })
    }

    pub async fn options(
        g: Guarded<ActingFor>,
        visit_type: Option<i32>,
    ) -> Result<BookingChoices, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let zone = state.site.time_zone;
        let types = store::visit_types(&state.db, org).await.map_err(internal)?;
        let phone = types
            .first()
            .map(|(_, d)| d.phone.clone())
            .unwrap_or_else(|| state.site.branding.help_line.display().to_owned());
        let visit_types: Vec<VisitTypeChoice> = types
            .iter()
            .map(|(t, d)| VisitTypeChoice {
                id: t.id,
                name: t.name.clone(),
                minutes: t.minutes,
                not_online: bookable_online(store::rules_of(t))
                    .err()
                    .map(|why| why.message(&d.phone)),
            })
            .collect();
        let chosen = visit_type
            .and_then(|id| visit_types.iter().find(|t| t.id == id))
            .filter(|t| t.not_online.is_none())
            .cloned();
        let mut days: Vec<DayChoice> = Vec::new();
        if let Some(chosen) = &chosen {
            let times = store::open_times(
                &state.db,
                org,
                chosen.id,
                now,
                now + Duration::weeks(WEEKS_AHEAD),
                200,
            )
            .await
            .map_err(internal)?;
            for open in times {
                let starts = local(open.slot.starts_at, zone);
                let day = weekday_date(starts.date());
                let time = TimeChoice {
                    slot: open.slot.id,
                    time: time_of_day(starts),
                    provider: open.provider.name,
                };
                match days.last_mut() {
                    Some(last) if last.day == day => last.times.push(time),
                    _ => days.push(DayChoice {
                        day,
                        times: vec![time],
                    }),
                }
            }
        }
        Ok(BookingChoices {
            heading: heading_of(&caller),
            visit_types,
            chosen,
            days,
            phone,
        })
    }

    pub async fn book(
        g: Guarded<ActingFor>,
        slot: Option<i32>,
        request: BookingRequest,
    ) -> Result<Booked, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let zone = state.site.time_zone;
        let Some(slot) = slot else {
            return Err(PortalError::Invalid("Choose a time for the visit.".into()));
        };
        let Some(time) = store::time_to_book(&state.db, org, slot)
            .await
            .map_err(internal)?
        else {
            return Err(PortalError::Invalid(
                "That time is not open. Please choose another time.".into(),
            ));
        };
        check_booking(
            store::rules_of(&time.visit_type),
            request,
            time.slot.starts_at,
            now,
        )
        .map_err(|why| PortalError::Invalid(why.message(&time.department.phone)))?;
        if time.slot.taken {
            return Err(PortalError::Invalid(TAKEN.into()));
        }
        let txn = state.db.begin().await.map_err(internal)?;
        // First: take the time (the write lock on SQLite; the row's on PostgreSQL).
        if !store::take_time(&txn, slot).await.map_err(internal)? {
            return Err(PortalError::Invalid(TAKEN.into()));
        }
        still_allowed(&state, &txn, &caller, now).await?;
        let subject = &caller.subject;
        store::lock_person(&txn, subject.id)
            .await
            .map_err(internal)?;
        let whose = if caller.is_self {
            "You already have".to_owned()
        } else {
            format!("{} already has", subject.given_name)
        };
        if let Some(other) = store::overlapping_appointment(
            &txn,
            org,
            subject.id,
            time.slot.starts_at,
            time.slot.ends_at,
        )
        .await
        .map_err(internal)?
        {
            return Err(PortalError::Invalid(format!(
                "{whose} an appointment at that time ({}). Please choose another time.",
                date_and_time(local(other.starts_at, zone)),
            )));
        }
        if let Some(other) =
            store::upcoming_online_booking(&txn, org, subject.id, time.visit_type.id, now)
                .await
                .map_err(internal)?
        {
            return Err(PortalError::Invalid(format!(
                "{whose} this kind of visit booked on {}. Cancel that appointment first to book another time, or call the clinic at {}.",
                date_and_time(local(other.starts_at, zone)),
                time.department.phone
            )));
        }
        let made = store::insert_appointment(
            &txn,
            store::NewAppointment {
                organization_id: org,
                person_id: subject.id,
                slot_id: Some(slot),
                provider_id: time.provider.id,
                visit_type_id: time.visit_type.id,
                starts_at: time.slot.starts_at,
                ends_at: time.slot.ends_at,
                cancel_until: crate::domain::scheduling::cancel_deadline(
                    store::rules_of(&time.visit_type),
                    time.slot.starts_at,
                ),
                booked_online: true,
                booked_by_account_id: Some(caller.patient.account.id),
            },
            now,
        )
        .await;
        let made = match made {
            Ok(made) => made,
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                return Err(PortalError::Invalid(TAKEN.into()));
            }
            Err(e) => return Err(internal(e)),
        };
        finish_change(txn, &state, &caller, "appointment.booked", made.id, now).await?;
        let starts = local(made.starts_at, zone);
        Ok(Booked {
            id: made.id,
            day: weekday_date(starts.date()),
            time: time_of_day(starts),
            provider: time.provider.name,
            visit_type: time.visit_type.name,
        })
    }

    pub async fn cancel(g: Guarded<ActingFor>, id: Option<i32>) -> Result<String, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let Some(id) = id else {
            return Err(PortalError::NotFound);
        };
        let org = state.site.organization_id;
        let zone = state.site.time_zone;
        let subject = &caller.subject;
        let views = store::appointments_of(&state.db, org, subject.id)
            .await
            .map_err(internal)?;
        // Someone else's appointment answers like one that does not exist.
        let Some(view) = views.into_iter().find(|v| v.appointment.id == id) else {
            return Err(PortalError::NotFound);
        };
        let a = &view.appointment;
        match cancelling(a, now) {
            Cancelling::Until(_) => {}
            Cancelling::Nothing if a.status == CANCELLED => {
                return Err(PortalError::Invalid(
                    "This appointment is already cancelled.".into(),
                ));
            }
            Cancelling::Nothing => {
                return Err(PortalError::Invalid(
                    "This appointment has already begun or is over.".into(),
                ));
            }
            Cancelling::NotOnline => {
                return Err(PortalError::Invalid(call_the_clinic(
                    &view,
                    "This appointment cannot be cancelled online.",
                )));
            }
            Cancelling::TooLate(until) => {
                return Err(PortalError::Invalid(call_the_clinic(
                    &view,
                    &format!(
                        "It is too late to cancel online: that was possible until {}.",
                        date_and_time(local(until, zone))
                    ),
                )));
            }
        }
        let txn = state.db.begin().await.map_err(internal)?;
        if !store::mark_cancelled(&txn, id, caller.patient.account.id, now)
            .await
            .map_err(internal)?
        {
            return Err(PortalError::Invalid(
                "This appointment is already cancelled.".into(),
            ));
        }
        still_allowed(&state, &txn, &caller, now).await?;
        if let Some(slot) = a.slot_id {
            store::free_time(&txn, slot, now).await.map_err(internal)?;
        }
        finish_change(txn, &state, &caller, "appointment.cancelled", id, now).await?;
        let starts = local(a.starts_at, zone);
        Ok(format!(
            "{} on {} at {}",
            view.visit_type,
            weekday_date(starts.date()),
            time_of_day(starts)
        ))
    }
}
