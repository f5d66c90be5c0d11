//! Emails that say something new is waiting in the portal (C6). They say only that: no test,
//! value, diagnosis, visit type, time or name, because email is not a safe place for health
//! information; the patient signs in to read it. Every one carries the junk-mail hint.

use serde::{Deserialize, Serialize};

/// What is new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NewInformation {
    /// A test result was released.
    ResultReleased,
    /// An appointment was booked or cancelled.
    AppointmentChanged,
    /// The clinic answered a report of incorrect information.
    ReportAnswered,
}

impl NewInformation {
    pub const ALL: [NewInformation; 3] = [
        Self::ResultReleased,
        Self::AppointmentChanged,
        Self::ReportAnswered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResultReleased => "result-released",
            Self::AppointmentChanged => "appointment-changed",
            Self::ReportAnswered => "report-answered",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == text)
    }

    /// The choice as the patient reads it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ResultReleased => "A test result is ready to read",
            Self::AppointmentChanged => "An appointment is booked or cancelled",
            Self::ReportAnswered => "The clinic answered a report of incorrect information",
        }
    }
}

/// Which emails a patient gets (all of them unless they turned some off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChoices {
    pub results: bool,
    pub appointments: bool,
    pub reports: bool,
}

impl EmailChoices {
    pub fn wants(self, kind: NewInformation) -> bool {
        match kind {
            NewInformation::ResultReleased => self.results,
            NewInformation::AppointmentChanged => self.appointments,
            NewInformation::ReportAnswered => self.reports,
        }
    }
}

/// The subject and body of the email for new information, for an organization whose portal is
/// `portal_name`, read at `sign_in_link`, with help on `help_line`.
pub fn new_information_email(
    portal_name: &str,
    organization_name: &str,
    sign_in_link: &str,
    help_line: &str,
) -> (String, String) {
    (
        format!("New information in {portal_name}"),
        format!(
            "There is new information for you in {portal_name}.\n\n\
             Sign in to read it:\n{sign_in_link}\n\n\
             For your privacy, this email does not say what it is.\n\n\
             Look in your junk mail folder too if you miss a message from us.\n\n\
             Questions? Call {help_line} (24 hours a day).\n\n{organization_name}\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_name_reads_back() {
        for n in NewInformation::ALL {
            assert_eq!(NewInformation::parse(n.as_str()), Some(n));
        }
    }

    #[test]
    fn c6_the_email_says_only_that_something_is_waiting_with_the_junk_mail_hint() {
        let (subject, body) = new_information_email(
            "Riverbend Patient Portal",
            "Riverbend Health",
            "https://portal.example.org/sign-in",
            "1-800-555-0199",
        );
        assert_eq!(subject, "New information in Riverbend Patient Portal");
        assert!(body.contains("https://portal.example.org/sign-in"));
        assert!(body.contains("junk mail"));
    }
}
