//! The kinds of relationship through which one person may act for another (P1, P2, P5, P7).
//! Which scopes a relationship gives on a given day is the access engine's question.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RelationshipKind {
    /// Parent of a minor (P5: full, then limited from the 13th birthday, none from the 18th).
    Parent,
    /// Court-appointed legal guardian (P7).
    LegalGuardian,
    /// An adult acting for another adult (P2: renewed every 5 years).
    AdultProxy,
}

impl RelationshipKind {
    pub const ALL: [RelationshipKind; 3] = [Self::Parent, Self::LegalGuardian, Self::AdultProxy];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::LegalGuardian => "legal-guardian",
            Self::AdultProxy => "adult-proxy",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a proxy request stands (P1). Only an approved one gives access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestStatus {
    /// An adult asked for another adult's record; that adult has not answered yet (P2).
    AwaitingConsent,
    /// Waiting for staff to verify the requester and decide.
    Pending,
    Approved,
    /// Staff said no, with a reason.
    Denied,
    /// The adult whose record it is said no.
    Declined,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        Self::AwaitingConsent,
        Self::Pending,
        Self::Approved,
        Self::Denied,
        Self::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingConsent => "awaiting-consent",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status as the requester reads it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::AwaitingConsent => "Waiting for the other person to agree",
            Self::Pending => "Waiting for the clinic to check it",
            Self::Approved => "Approved",
            Self::Denied => "Not approved",
            Self::Declined => "The other person said no",
        }
    }

    /// Whether the request is still open (a second one of the same kind is refused meanwhile).
    pub fn is_open(self) -> bool {
        matches!(self, Self::AwaitingConsent | Self::Pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_form() {
        for kind in RelationshipKind::ALL {
            assert_eq!(RelationshipKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RelationshipKind::parse("friend"), None);
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.as_str()), Some(status));
        }
    }
}
