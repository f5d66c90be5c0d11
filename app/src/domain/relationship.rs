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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_form() {
        for kind in RelationshipKind::ALL {
            assert_eq!(RelationshipKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RelationshipKind::parse("friend"), None);
    }
}
