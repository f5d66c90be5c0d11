//! Booking and cancelling appointments online (C1, C2, P4). Only some visit types may be booked
//! online; a visit for several people at once, or with several caregivers, never can; and an
//! appointment may be cancelled online only if it says so, and only until its deadline. The
//! deadline is fixed when the appointment is made, from the visit type's notice, so a later
//! change of the visit type does not move it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a visit type says about booking and cancelling online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitTypeRules {
    /// Whether patients may book it online at all.
    pub self_schedulable: bool,
    /// How many caregivers the visit needs.
    pub caregivers: u8,
    /// How many hours before the start an online cancellation must come; `None`: never online.
    pub cancel_notice_hours: Option<u32>,
}

/// What a booking asks for besides the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BookingRequest {
    /// The visit is for more than one person at once (two children, say).
    pub several_people: bool,
    /// The visit needs more than one caregiver.
    pub several_caregivers: bool,
}

/// Why a visit cannot be booked online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotBookable {
    /// The visit type is booked by the clinic only.
    ByTheClinicOnly,
    /// The visit needs several caregivers.
    SeveralCaregivers,
    /// The visit is for several people at once.
    SeveralPeople,
    /// The time has begun or passed.
    Started,
}

impl NotBookable {
    /// The sentence the patient reads, with the clinic's number.
    pub fn message(self, clinic_phone: &str) -> String {
        match self {
            Self::ByTheClinicOnly => format!(
                "This kind of visit cannot be booked online. Please call the clinic at {clinic_phone} to book it."
            ),
            Self::SeveralCaregivers => format!(
                "A visit with more than one caregiver cannot be booked online. Please call the clinic at {clinic_phone} to book it."
            ),
            Self::SeveralPeople => format!(
                "A visit for more than one person at once cannot be booked online. Please call the clinic at {clinic_phone}, or book a visit for each person."
            ),
            Self::Started => "That time has already begun. Please choose a later time.".to_owned(),
        }
    }
}

/// Whether a visit type may be booked online at all, before any time is chosen.
pub fn bookable_online(rules: VisitTypeRules) -> Result<(), NotBookable> {
    if !rules.self_schedulable {
        Err(NotBookable::ByTheClinicOnly)
    } else if rules.caregivers > 1 {
        Err(NotBookable::SeveralCaregivers)
    } else {
        Ok(())
    }
}

/// Whether this booking may be made online at `now` for a time starting at `starts_at`.
pub fn check_booking(
    rules: VisitTypeRules,
    request: BookingRequest,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), NotBookable> {
    bookable_online(rules)?;
    if request.several_people {
        return Err(NotBookable::SeveralPeople);
    }
    if request.several_caregivers {
        return Err(NotBookable::SeveralCaregivers);
    }
    if starts_at <= now {
        return Err(NotBookable::Started);
    }
    Ok(())
}

/// The last moment an appointment of this type starting at `starts_at` may be cancelled
/// online; `None` when it may not be cancelled online at all.
pub fn cancel_deadline(rules: VisitTypeRules, starts_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    rules
        .cancel_notice_hours
        .map(|hours| starts_at - Duration::hours(i64::from(hours)))
}

/// Whether an appointment may be cancelled online now (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cancelling {
    /// Yes, until this instant (inclusive).
    Until(DateTime<Utc>),
    /// This appointment is never cancelled online.
    NotOnline,
    /// It could have been until this instant.
    TooLate(DateTime<Utc>),
    /// It is cancelled already, or over.
    Nothing,
}

impl Cancelling {
    /// What an appointment with this deadline allows at `now`.
    pub fn at(
        deadline: Option<DateTime<Utc>>,
        cancelled: bool,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        if cancelled || starts_at <= now {
            return Self::Nothing;
        }
        match deadline {
            None => Self::NotOnline,
            Some(until) if now <= until => Self::Until(until),
            Some(until) => Self::TooLate(until),
        }
    }

    pub fn allowed(self) -> bool {
        matches!(self, Self::Until(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    const OFFICE: VisitTypeRules = VisitTypeRules {
        self_schedulable: true,
        caregivers: 1,
        cancel_notice_hours: Some(24),
    };

    #[test]
    fn c1_only_self_schedulable_types_with_one_caregiver_are_booked_online() {
        assert_eq!(bookable_online(OFFICE), Ok(()));
        let by_clinic = VisitTypeRules {
            self_schedulable: false,
            ..OFFICE
        };
        assert_eq!(
            bookable_online(by_clinic),
            Err(NotBookable::ByTheClinicOnly)
        );
        let team = VisitTypeRules {
            caregivers: 2,
            ..OFFICE
        };
        assert_eq!(bookable_online(team), Err(NotBookable::SeveralCaregivers));
    }

    #[test]
    fn c1_a_visit_for_two_children_at_once_is_not_booked_online() {
        let now = at("2026-06-15T15:00:00Z");
        let later = at("2026-06-16T15:00:00Z");
        let two = BookingRequest {
            several_people: true,
            ..Default::default()
        };
        assert_eq!(
            check_booking(OFFICE, two, later, now),
            Err(NotBookable::SeveralPeople)
        );
        let team = BookingRequest {
            several_caregivers: true,
            ..Default::default()
        };
        assert_eq!(
            check_booking(OFFICE, team, later, now),
            Err(NotBookable::SeveralCaregivers)
        );
        assert_eq!(
            check_booking(OFFICE, BookingRequest::default(), later, now),
            Ok(())
        );
        assert!(
            NotBookable::SeveralPeople
                .message("608-555-0100")
                .contains("608-555-0100")
        );
    }

    #[test]
    fn a_time_that_has_begun_is_not_booked() {
        let now = at("2026-06-15T15:00:00Z");
        let request = BookingRequest::default();
        assert_eq!(
            check_booking(OFFICE, request, now, now),
            Err(NotBookable::Started)
        );
        assert_eq!(
            check_booking(OFFICE, request, now + Duration::minutes(1), now),
            Ok(())
        );
    }

    #[test]
    fn c2_cancelling_online_ends_at_the_deadline_to_the_second() {
        let starts = at("2026-06-20T14:00:00Z");
        let deadline = cancel_deadline(OFFICE, starts);
        assert_eq!(deadline, Some(at("2026-06-19T14:00:00Z")));
        let until = deadline.unwrap();
        assert_eq!(
            Cancelling::at(deadline, false, starts, until),
            Cancelling::Until(until)
        );
        assert!(Cancelling::at(deadline, false, starts, until).allowed());
        let late = Cancelling::at(deadline, false, starts, until + Duration::seconds(1));
        assert_eq!(late, Cancelling::TooLate(until));
        assert!(!late.allowed());
    }

    #[test]
    fn c2_an_appointment_without_online_cancelling_never_allows_it() {
        let starts = at("2026-06-20T14:00:00Z");
        let rules = VisitTypeRules {
            cancel_notice_hours: None,
            ..OFFICE
        };
        let deadline = cancel_deadline(rules, starts);
        assert_eq!(deadline, None);
        let long_before = at("2026-05-01T00:00:00Z");
        assert_eq!(
            Cancelling::at(deadline, false, starts, long_before),
            Cancelling::NotOnline
        );
    }

    #[test]
    fn cancelled_and_past_appointments_have_nothing_to_cancel() {
        let starts = at("2026-06-20T14:00:00Z");
        let deadline = cancel_deadline(OFFICE, starts);
        let before = at("2026-06-01T00:00:00Z");
        assert_eq!(
            Cancelling::at(deadline, true, starts, before),
            Cancelling::Nothing
        );
        assert_eq!(
            Cancelling::at(deadline, false, starts, starts),
            Cancelling::Nothing
        );
    }
}
