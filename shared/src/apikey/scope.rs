//! What an API key may do. Every key holds a set of scopes fixed when it is
//! made; a use outside them is refused with 403 `key_scope` (docs/admin.md).

use std::fmt;

/// One thing a key may be used for. Stored as its `as_str` spelling in
/// `api_key_scopes.scope`, so spellings never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// An issuer agency pushing and revoking documents.
    Documents,
    /// A partner app posting Open311 service requests.
    Open311,
    /// A registered kiosk (its own per-kiosk allowances).
    Kiosk,
}

impl Scope {
    /// Every scope, in the order lists show them.
    pub const ALL: [Scope; 3] = [Scope::Documents, Scope::Open311, Scope::Kiosk];

    /// The stored and requested spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Documents => "documents",
            Scope::Open311 => "open311",
            Scope::Kiosk => "kiosk",
        }
    }

    /// The scope a spelling names.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    fn bit(self) -> u8 {
        match self {
            Scope::Documents => 1,
            Scope::Open311 => 2,
            Scope::Kiosk => 4,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes (possibly empty: a key with no scopes may do nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Scopes(u8);

impl Scopes {
    /// No scope at all.
    pub const NONE: Scopes = Scopes(0);

    /// The set holding just `scope`.
    pub fn only(scope: Scope) -> Scopes {
        Scopes(scope.bit())
    }

    /// The set with `scope` added.
    pub fn with(self, scope: Scope) -> Scopes {
        Scopes(self.0 | scope.bit())
    }

    /// Whether `scope` is in the set.
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// Whether the set holds no scope.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes held, in [`Scope::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The spellings, for JSON answers and audit details.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Scopes {
        iter.into_iter().fold(Scopes::NONE, Scopes::with)
    }
}

/// Why a requested scope list was refused (422 on field `scopes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeListError {
    /// The list was empty: a key that may do nothing is a mistake.
    Empty,
    /// A name is not a scope, or not one this kind of key may hold.
    Unknown,
}

/// Reads the scopes asked for at creation, keeping only those in `allowed`
/// (issuer keys may hold `documents` and `open311`, never `kiosk`).
/// Repeated names count once; order does not matter.
pub fn parse_scope_list<S: AsRef<str>>(
    names: &[S],
    allowed: Scopes,
) -> Result<Scopes, ScopeListError> {
    let mut scopes = Scopes::NONE;
    for name in names {
        match Scope::parse(name.as_ref()) {
            Some(scope) if allowed.contains(scope) => scopes = scopes.with(scope),
            _ => return Err(ScopeListError::Unknown),
        }
    }
    if scopes.is_empty() {
        return Err(ScopeListError::Empty);
    }
    Ok(scopes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn issuer_scopes() -> Scopes {
        Scopes::only(Scope::Documents).with(Scope::Open311)
    }

    #[test]
    fn spellings_round_trip() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::parse("Documents"), None);
        assert_eq!(Scope::parse(""), None);
    }

    #[test]
    fn a_list_of_known_scopes_is_read_as_a_set() {
        let both = parse_scope_list(&["open311", "documents", "open311"], issuer_scopes()).unwrap();
        assert_eq!(both.names(), ["documents", "open311"]);
        assert!(both.contains(Scope::Documents) && both.contains(Scope::Open311));
        assert!(!both.contains(Scope::Kiosk));
        let one = parse_scope_list(&["open311"], issuer_scopes()).unwrap();
        assert!(!one.contains(Scope::Documents));
    }

    #[test]
    fn unknown_disallowed_and_empty_lists_are_refused() {
        assert_eq!(
            parse_scope_list(&["admin"], issuer_scopes()),
            Err(ScopeListError::Unknown)
        );
        assert_eq!(
            parse_scope_list(&["documents", "DOCUMENTS"], issuer_scopes()),
            Err(ScopeListError::Unknown)
        );
        // Kiosk keys are made by their own route, never by the issuer one.
        assert_eq!(
            parse_scope_list(&["kiosk"], issuer_scopes()),
            Err(ScopeListError::Unknown)
        );
        assert_eq!(
            parse_scope_list::<&str>(&[], issuer_scopes()),
            Err(ScopeListError::Empty)
        );
    }

    #[test]
    fn the_empty_set_contains_nothing() {
        for s in Scope::ALL {
            assert!(!Scopes::NONE.contains(s));
            assert!(Scopes::only(s).contains(s));
        }
        assert_eq!(
            Scope::ALL.into_iter().collect::<Scopes>().names(),
            ["documents", "open311", "kiosk"]
        );
    }
}
