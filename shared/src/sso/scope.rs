//! The scopes a city service may ask for (docs/sso.md, "Scopes and claims"),
//! and a set of them in one canonical spelling, so that consent stored for
//! "openid profile" covers a later request for "profile openid".

use std::collections::BTreeSet;
use std::fmt;

use crate::documents::kinds::DOC_TYPES;

/// One scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// `openid`: the request is an OpenID Connect login (an ID token).
    OpenId,
    /// `profile`: name, date of birth, gender.
    Profile,
    /// `phone`: the verified phone number.
    Phone,
    /// `address`: the address the citizen gave.
    Address,
    /// `id_number`: the citizen-ID number, only for verified citizens and
    /// only to clients the admin allowed it.
    IdNumber,
    /// `level`: provisional or verified, as the ID token's `acr`.
    Level,
    /// `documents:<type>`: pulling the citizen's current documents of that
    /// type.
    Documents(String),
}

impl Scope {
    /// The scope as spelled in a request; `None` for an unknown one.
    pub fn parse(word: &str) -> Option<Scope> {
        Some(match word {
            "openid" => Scope::OpenId,
            "profile" => Scope::Profile,
            "phone" => Scope::Phone,
            "address" => Scope::Address,
            "id_number" => Scope::IdNumber,
            "level" => Scope::Level,
            other => {
                let kind = other.strip_prefix("documents:")?;
                if !DOC_TYPES.contains(&kind) {
                    return None;
                }
                Scope::Documents(kind.to_owned())
            }
        })
    }

    /// The document type of a `documents:<type>` scope.
    pub fn document_type(&self) -> Option<&str> {
        match self {
            Scope::Documents(kind) => Some(kind),
            _ => None,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::OpenId => f.write_str("openid"),
            Scope::Profile => f.write_str("profile"),
            Scope::Phone => f.write_str("phone"),
            Scope::Address => f.write_str("address"),
            Scope::IdNumber => f.write_str("id_number"),
            Scope::Level => f.write_str("level"),
            Scope::Documents(kind) => write!(f, "documents:{kind}"),
        }
    }
}

/// A set of scopes, sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

/// Longest `scope` parameter read.
const MAX_SCOPE_CHARS: usize = 1024;

impl ScopeSet {
    /// Parses a space-separated `scope` parameter. `Err` names the first
    /// unknown scope (RFC 6749 `invalid_scope`).
    pub fn parse(raw: &str) -> Result<ScopeSet, String> {
        if raw.len() > MAX_SCOPE_CHARS {
            return Err("scope is too long".into());
        }
        let mut set = BTreeSet::new();
        for word in raw.split(' ').filter(|w| !w.is_empty()) {
            let scope = Scope::parse(word).ok_or_else(|| format!("unknown scope `{word}`"))?;
            set.insert(scope);
        }
        Ok(ScopeSet(set))
    }

    /// Whether it holds `scope`.
    pub fn contains(&self, scope: &Scope) -> bool {
        self.0.contains(scope)
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes of `self` that are not in `other`.
    pub fn minus(&self, other: &ScopeSet) -> ScopeSet {
        ScopeSet(self.0.difference(&other.0).cloned().collect())
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The document types of its `documents:<type>` scopes.
    pub fn document_types(&self) -> Vec<&str> {
        self.0.iter().filter_map(Scope::document_type).collect()
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> ScopeSet {
        ScopeSet(iter.into_iter().collect())
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{scope}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_whatever_the_order_or_repeats() {
        let a = ScopeSet::parse("profile openid  profile").expect("valid in the test");
        let b = ScopeSet::parse("openid profile").expect("valid in the test");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "openid profile");
    }

    #[test]
    fn unknown_scopes_and_document_types_are_named() {
        assert_eq!(
            ScopeSet::parse("openid email").expect_err("refused"),
            "unknown scope `email`"
        );
        assert!(ScopeSet::parse("documents:nonsense").is_err());
        assert!(ScopeSet::parse(&"a".repeat(2000)).is_err());
        let kind = DOC_TYPES[0];
        let set = ScopeSet::parse(&format!("openid documents:{kind}")).expect("valid in the test");
        assert_eq!(set.document_types(), vec![kind]);
    }

    #[test]
    fn subsets_and_differences() {
        let granted = ScopeSet::parse("openid profile phone").expect("valid in the test");
        let asked = ScopeSet::parse("openid phone").expect("valid in the test");
        assert!(asked.is_subset(&granted));
        assert!(!granted.is_subset(&asked));
        assert_eq!(granted.minus(&asked).to_string(), "profile");
    }
}
