//! Which domains have their own error codes: the one list the error renderer
//! consults for a code that is not platform-wide.
//!
//! A domain adding codes writes a `MESSAGES` table beside its error enum and
//! adds it here; `error.rs` itself never names a domain.

use crate::error::{find, Message};

/// Every domain's message table.
const DOMAINS: &[&[Message]] = &[
    crate::identity::MESSAGES,
    crate::phone::MESSAGES,
    crate::apikey::MESSAGES,
    crate::appointments::error::MESSAGES,
    crate::documents::error::MESSAGES,
    crate::feedback::MESSAGES,
    crate::sso::MESSAGES,
    crate::notify::MESSAGES,
    crate::alerts::MESSAGES,
];

/// The `(vi, en)` messages of a domain's `code`.
pub(crate) fn lookup(code: &str) -> Option<(&'static str, &'static str)> {
    DOMAINS.iter().find_map(|table| find(table, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_code_has_two_messages() {
        let mut seen = std::collections::HashSet::new();
        for (code, _, _) in DOMAINS.iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(*code), "{code} is in two tables");
            assert!(
                crate::error::platform_message(code).is_none(),
                "{code} is also platform-wide"
            );
        }
    }
}
