//! The claims released for a grant's scopes (docs/sso.md, "Scopes and
//! claims"): only what the citizen consented to, and `id_number` only once
//! an official has verified it.

use serde_json::{json, Map, Value};

use super::scope::{Scope, ScopeSet};
use crate::documents::profile::Profile;
use crate::identity::Level;

/// The UserInfo claims of `profile` for `scopes`, with `sub`; and the names
/// of the claims released, for the audit entry.
pub fn userinfo(profile: &Profile, scopes: &ScopeSet, sub: &str) -> (Value, Vec<&'static str>) {
    let mut out = Map::new();
    out.insert("sub".into(), Value::from(sub));
    let mut released = Vec::new();
    let mut put = |name: &'static str, value: Value, out: &mut Map<String, Value>| {
        if !value.is_null() {
            out.insert(name.into(), value);
            released.push(name);
        }
    };
    if scopes.contains(&Scope::Profile) {
        put("name", json!(profile.full_name), &mut out);
        put("birthdate", json!(profile.date_of_birth), &mut out);
        put("gender", json!(profile.gender), &mut out);
    }
    if scopes.contains(&Scope::Phone) {
        put("phone_number", json!(profile.phone), &mut out);
        // The phone is how the citizen logs in: a correct code proved it.
        put("phone_number_verified", json!(true), &mut out);
    }
    if scopes.contains(&Scope::Address) {
        if let Some(address) = &profile.address {
            put("address", json!({"formatted": address}), &mut out);
        }
    }
    if scopes.contains(&Scope::IdNumber) && profile.level == Level::Verified {
        put("id_number", json!(profile.id_number), &mut out);
    }
    if scopes.contains(&Scope::Level) {
        put("level", json!(profile.level.as_str()), &mut out);
    }
    (Value::Object(out), released)
}
