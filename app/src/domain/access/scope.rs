//! What a viewer may do with someone's record: the scopes of access (P5) and sets of them.
//!
//! A new scope is a new [`Scope`] variant plus its line in [`Scope::ALL`] and in each `match`
//! below; the compiler points at every `match`, and [`Scopes`] needs no change up to 32 scopes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing a viewer may do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Test results and everything else in the record.
    FullRecord,
    /// Booking and cancelling appointments (P4).
    Scheduling,
    /// Viewing and printing immunizations.
    Immunizations,
    /// Health topic alerts.
    HealthAlerts,
}

impl Scope {
    /// Every scope, in the order people read them.
    pub const ALL: [Scope; 4] = [
        Self::FullRecord,
        Self::Scheduling,
        Self::Immunizations,
        Self::HealthAlerts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullRecord => "full-record",
            Self::Scheduling => "scheduling",
            Self::Immunizations => "immunizations",
            Self::HealthAlerts => "health-alerts",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The scope as a noun phrase: "viewing and printing immunizations".
    pub fn describe(self) -> &'static str {
        match self {
            Self::FullRecord => "test results and the whole record",
            Self::Scheduling => "scheduling appointments",
            Self::Immunizations => "viewing and printing immunizations",
            Self::HealthAlerts => "health topic alerts",
        }
    }

    /// The scope as what a viewer does, about the record of `whose` ("Lily's", "their"):
    /// "view and print their immunizations".
    pub fn action(self, whose: &str) -> String {
        match self {
            Self::FullRecord => format!("see {whose} test results and whole record"),
            Self::Scheduling => format!("schedule {whose} appointments"),
            Self::Immunizations => format!("view and print {whose} immunizations"),
            Self::HealthAlerts => format!("get {whose} health topic alerts"),
        }
    }

    const fn bit(self) -> u32 {
        1 << self as u32
    }
}

const _: () = assert!(
    Scope::ALL.len() <= 32,
    "Scopes keeps one bit per scope in a u32"
);

/// A set of scopes, one bit each. Serialized as the list of its scopes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "Vec<Scope>", from = "Vec<Scope>")]
pub struct Scopes(u32);

impl Scopes {
    pub const NONE: Self = Self(0);
    /// Everything: a patient's own record, a parent of a young child, an adult proxy.
    pub const FULL: Self = Self::of(&Scope::ALL);
    /// What a parent keeps from the child's 13th birthday (P5).
    pub const LIMITED: Self =
        Self::of(&[Scope::Scheduling, Scope::Immunizations, Scope::HealthAlerts]);

    pub const fn of(scopes: &[Scope]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < scopes.len() {
            bits |= scopes[i].bit();
            i += 1;
        }
        Self(bits)
    }

    pub const fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub const fn is_subset_of(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn union(self, other: Scopes) -> Self {
        Self(self.0 | other.0)
    }

    /// The scopes of `self` that `other` lacks.
    pub const fn without(self, other: Scopes) -> Self {
        Self(self.0 & !other.0)
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The scopes in the order of [`Scope::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The scopes as noun phrases in a list: "scheduling appointments, viewing and printing
    /// immunizations and health topic alerts". Empty for no scopes.
    pub fn describe(self) -> String {
        and_list(self.iter().map(|s| s.describe().to_owned()).collect())
    }

    /// The scopes as what a viewer does with the record of `whose`: "schedule their appointments
    /// and view and print their immunizations". Empty for no scopes.
    pub fn actions(self, whose: &str) -> String {
        and_list(self.iter().map(|s| s.action(whose)).collect())
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(mut items: Vec<String>) -> String {
    match items.pop() {
        None => String::new(),
        Some(last) if items.is_empty() => last,
        Some(last) => format!("{} and {last}", items.join(", ")),
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        iter.into_iter()
            .fold(Self::NONE, |set, s| set.union(Self(s.bit())))
    }
}

impl From<Scope> for Scopes {
    fn from(scope: Scope) -> Self {
        Self(scope.bit())
    }
}

impl From<Vec<Scope>> for Scopes {
    fn from(scopes: Vec<Scope>) -> Self {
        scopes.into_iter().collect()
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(scopes: Scopes) -> Self {
        scopes.iter().collect()
    }
}

impl std::ops::BitOr for Scopes {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        self.union(other)
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_reads_back_from_its_stored_form() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            assert_eq!(
                serde_json::to_string(&scope).unwrap(),
                format!("\"{}\"", scope.as_str())
            );
        }
        assert_eq!(Scope::parse("Scheduling"), None);
        assert_eq!(Scope::parse("billing"), None);
    }

    #[test]
    fn limited_access_is_everything_but_the_whole_record() {
        assert!(Scopes::LIMITED.is_subset_of(Scopes::FULL));
        assert!(!Scopes::FULL.is_subset_of(Scopes::LIMITED));
        assert!(Scopes::NONE.is_subset_of(Scopes::LIMITED));
        assert_eq!(
            Scopes::FULL.without(Scopes::LIMITED),
            Scopes::from(Scope::FullRecord)
        );
        assert_eq!(Scopes::FULL.len(), Scope::ALL.len());
        assert_eq!(
            Scopes::LIMITED.iter().collect::<Vec<_>>(),
            [Scope::Scheduling, Scope::Immunizations, Scope::HealthAlerts]
        );
        assert!(Scopes::NONE.is_empty());
    }

    #[test]
    fn a_set_of_scopes_is_stored_as_a_list_of_their_names() {
        let json = serde_json::to_string(&Scopes::LIMITED).unwrap();
        assert_eq!(json, r#"["scheduling","immunizations","health-alerts"]"#);
        assert_eq!(
            serde_json::from_str::<Scopes>(&json).unwrap(),
            Scopes::LIMITED
        );
        assert_eq!(format!("{:?}", Scopes::NONE), "{}");
    }

    #[test]
    fn scopes_read_as_plain_english_lists() {
        assert_eq!(
            Scopes::LIMITED.describe(),
            "scheduling appointments, viewing and printing immunizations and health topic alerts"
        );
        assert_eq!(
            Scopes::of(&[Scope::Scheduling, Scope::Immunizations]).actions("Lily's"),
            "schedule Lily's appointments and view and print Lily's immunizations"
        );
        assert_eq!(
            Scopes::from(Scope::FullRecord).actions("their"),
            "see their test results and whole record"
        );
        assert_eq!(Scopes::NONE.describe(), "");
    }
}
