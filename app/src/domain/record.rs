//! The areas of a person's record that the guard protects, what each needs, and as what a
//! viewer acts. The access log stores these by their `as_str` names.

use super::access::Scope;
use super::relationship::RelationshipKind;
use super::staff::StaffRole;
use serde::{Deserialize, Serialize};

/// One area of a person's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Area {
    /// Name, date of birth, record number, address, phone and email (C5).
    PersonalInformation,
    /// Who has access to the record (P3).
    WhoCanView,
    /// The access log: who viewed or changed the record.
    WhoViewed,
    /// The enrolment desk looking the patient up or changing their account (staff).
    EnrolmentDesk,
    /// The proxy desk reviewing a request for access to the record (staff).
    ProxyDesk,
    /// Appointments: the lists, booking and cancelling (C1, C2, P4).
    Appointments,
    /// Test results and their history (C3, C8).
    Results,
    /// Clinicians reviewing and releasing results (staff).
    ResultsDesk,
    /// Immunizations, to view and print.
    Immunizations,
    /// Health topic alerts (reminders such as a vaccine that is due).
    HealthAlerts,
    /// The health summary: allergies, medications, problems, immunizations, recent results
    /// (P8), on a page and as a FHIR document.
    HealthSummary,
    /// Reports of incorrect information the patient sent (C4), and their answers.
    Reports,
    /// Staff reading and answering reports of incorrect information.
    ReportsDesk,
}

impl Area {
    pub const ALL: [Area; 13] = [
        Self::PersonalInformation,
        Self::WhoCanView,
        Self::WhoViewed,
        Self::EnrolmentDesk,
        Self::ProxyDesk,
        Self::Appointments,
        Self::Results,
        Self::ResultsDesk,
        Self::Immunizations,
        Self::HealthAlerts,
        Self::HealthSummary,
        Self::Reports,
        Self::ReportsDesk,
    ];

    /// Areas a patient's menu links to, in menu order.
    pub const MENU: [Area; 9] = [
        Self::Results,
        Self::Appointments,
        Self::Immunizations,
        Self::HealthAlerts,
        Self::HealthSummary,
        Self::Reports,
        Self::PersonalInformation,
        Self::WhoCanView,
        Self::WhoViewed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PersonalInformation => "personal-information",
            Self::WhoCanView => "who-can-view",
            Self::WhoViewed => "who-viewed",
            Self::EnrolmentDesk => "enrolment-desk",
            Self::ProxyDesk => "proxy-desk",
            Self::Appointments => "appointments",
            Self::Results => "results",
            Self::ResultsDesk => "results-desk",
            Self::Immunizations => "immunizations",
            Self::HealthAlerts => "health-alerts",
            Self::HealthSummary => "health-summary",
            Self::Reports => "reports",
            Self::ReportsDesk => "reports-desk",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The scope a viewer needs for this area.
    pub fn scope(self) -> Scope {
        match self {
            Self::Appointments => Scope::Scheduling,
            Self::Immunizations => Scope::Immunizations,
            Self::HealthAlerts => Scope::HealthAlerts,
            _ => Scope::FullRecord,
        }
    }

    /// The page's title, as a menu shows it.
    pub fn title(self) -> &'static str {
        match self {
            Self::PersonalInformation => "Personal information",
            Self::WhoCanView => "Who can view the record",
            Self::WhoViewed => "Who viewed the record",
            Self::EnrolmentDesk => "Enrolment desk",
            Self::ProxyDesk => "Proxy desk",
            Self::Appointments => "Appointments",
            Self::Results => "Test results",
            Self::ResultsDesk => "Results to release",
            Self::Immunizations => "Immunizations",
            Self::HealthAlerts => "Health reminders",
            Self::HealthSummary => "Health summary",
            Self::Reports => "Reports of incorrect information",
            Self::ReportsDesk => "Reports to answer",
        }
    }

    /// The page's path (without the `?for=` of someone else's record).
    pub fn path(self) -> &'static str {
        match self {
            Self::PersonalInformation => "/record/personal-information",
            Self::WhoCanView => "/record/who-can-view",
            Self::WhoViewed => "/record/who-viewed",
            Self::Appointments => "/record/appointments",
            Self::Results => "/record/results",
            Self::ResultsDesk => "/staff/results",
            Self::Immunizations => "/record/immunizations",
            Self::HealthAlerts => "/record/health-reminders",
            Self::HealthSummary => "/record/health-summary",
            Self::Reports => "/record/reports",
            Self::ReportsDesk => "/staff/reports",
            Self::EnrolmentDesk | Self::ProxyDesk => "/staff/desk",
        }
    }

    /// The link to this area of `subject`'s record (`None`: the viewer's own).
    pub fn link(self, subject: Option<i32>) -> String {
        match subject {
            Some(id) => format!("{}?for={id}", self.path()),
            None => self.path().to_owned(),
        }
    }
}

/// As what a viewer reached a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActingAs {
    /// Their own record.
    Self_,
    /// Through a relationship.
    Relationship(RelationshipKind),
    /// A staff member, in their role.
    Staff(StaffRole),
}

impl ActingAs {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Self_ => "self",
            Self::Relationship(kind) => kind.as_str(),
            Self::Staff(StaffRole::FrontDesk) => "staff:front-desk",
            Self::Staff(StaffRole::Clinician) => "staff:clinician",
            Self::Staff(StaffRole::Administrator) => "staff:administrator",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        if text == "self" {
            return Some(Self::Self_);
        }
        if let Some(role) = text.strip_prefix("staff:") {
            return StaffRole::parse(role).ok().map(Self::Staff);
        }
        RelationshipKind::parse(text).map(Self::Relationship)
    }

    /// How the access log page names it: "parent", "clinic staff (front desk)".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Self_ => "themselves",
            Self::Relationship(RelationshipKind::Parent) => "parent",
            Self::Relationship(RelationshipKind::LegalGuardian) => "legal guardian",
            Self::Relationship(RelationshipKind::AdultProxy) => "adult proxy",
            Self::Staff(StaffRole::FrontDesk) => "clinic staff (front desk)",
            Self::Staff(StaffRole::Clinician) => "clinic staff (clinician)",
            Self::Staff(StaffRole::Administrator) => "clinic staff (administrator)",
        }
    }
}

/// What the viewer did in the area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordAction {
    Viewed,
    Changed,
}

impl RecordAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewed => "viewed",
            Self::Changed => "changed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Viewed, Self::Changed]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_name_reads_back() {
        for area in Area::ALL {
            assert_eq!(Area::parse(area.as_str()), Some(area));
        }
        let mut acting = vec![ActingAs::Self_];
        acting.extend(RelationshipKind::ALL.map(ActingAs::Relationship));
        acting.extend(StaffRole::ALL.map(ActingAs::Staff));
        for a in acting {
            assert_eq!(ActingAs::parse(a.as_str()), Some(a), "{a:?}");
        }
        for action in [RecordAction::Viewed, RecordAction::Changed] {
            assert_eq!(RecordAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(ActingAs::parse("staff:janitor"), None);
    }

    #[test]
    fn links_to_someone_elses_record_name_them() {
        assert_eq!(
            Area::PersonalInformation.link(Some(7)),
            "/record/personal-information?for=7"
        );
        assert_eq!(Area::WhoViewed.link(None), "/record/who-viewed");
    }
}
