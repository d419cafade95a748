//! Making API keys: issuer / partner keys (`iss_`, scopes `documents`
//! and/or `open311`) and registered kiosks (`ksk_`, scope `kiosk`, an
//! optional unit). The plaintext is returned once and never stored.
//!
//! A key is one `issuers` row plus its `api_key_scopes` rows (and an
//! `api_key_units` row for a kiosk with a unit), written in that order. A
//! key row without scope rows may do nothing, so a create that fails half
//! way fails closed; it is then undone (`store::undo_key`) and reported as a
//! store error, the key never having been shown.

use super::store::{self, NewKeyRow};
use super::{invalid, is_constraint, normalize_text, validate_code, AdminError, NAME_MAX_CHARS};
use crate::apikey::{
    generate, parse_scope_list, Issuer, KeyInfo, Scope, ScopeListError, Scopes, ISSUER_KEY_PREFIX,
    KIOSK_KEY_PREFIX,
};
use crate::ports::{Clock, Random, Sql};

/// Scopes of a key made by `POST /api/v1/admin/issuers` without `scopes`:
/// the route makes issuers, so `documents` (docs/admin.md).
pub fn default_issuer_scopes() -> Scopes {
    Scopes::only(Scope::Documents)
}

/// Scopes an issuer / partner key may be given.
pub fn issuer_scope_choices() -> Scopes {
    Scopes::only(Scope::Documents).with(Scope::Open311)
}

/// The `scopes` of `POST /api/v1/admin/issuers`: absent → the default;
/// empty → 422 `required`; an unknown name (or `kiosk`) → 422 `unknown_value`.
pub fn issuer_scopes(requested: Option<&[String]>) -> Result<Scopes, AdminError> {
    let Some(names) = requested else {
        return Ok(default_issuer_scopes());
    };
    parse_scope_list(names, issuer_scope_choices()).map_err(|e| match e {
        ScopeListError::Empty => invalid("scopes", "required"),
        ScopeListError::Unknown => invalid("scopes", "unknown_value"),
    })
}

/// Creates an issuer key with the default scope (`documents`).
pub fn create_issuer(
    sql: &dyn Sql,
    rng: &dyn Random,
    clock: &dyn Clock,
    code: &str,
    name: &str,
) -> Result<(Issuer, String), AdminError> {
    let (key, plaintext) =
        create_issuer_with_scopes(sql, rng, clock, code, name, default_issuer_scopes())?;
    Ok((to_issuer(&key), plaintext))
}

/// Creates an issuer or partner key holding `scopes` (from [`issuer_scopes`]).
pub fn create_issuer_with_scopes(
    sql: &dyn Sql,
    rng: &dyn Random,
    clock: &dyn Clock,
    code: &str,
    name: &str,
    scopes: Scopes,
) -> Result<(KeyInfo, String), AdminError> {
    if scopes.is_empty() || scopes.contains(Scope::Kiosk) {
        return Err(invalid("scopes", "unknown_value"));
    }
    let code = validate_code("code", code)?;
    let name = normalize_text("name", name, NAME_MAX_CHARS)?;
    insert_key(
        sql,
        rng,
        clock,
        NewKey {
            code,
            name,
            prefix: ISSUER_KEY_PREFIX,
            scopes,
            unit: None,
        },
    )
}

/// Registers a kiosk: a `ksk_` key with scope `kiosk`, optionally standing
/// in an existing unit (422 on `unit` otherwise).
pub fn create_kiosk(
    sql: &dyn Sql,
    rng: &dyn Random,
    clock: &dyn Clock,
    code: &str,
    name: &str,
    unit: Option<&str>,
) -> Result<(KeyInfo, String), AdminError> {
    let code = validate_code("code", code)?;
    let name = normalize_text("name", name, NAME_MAX_CHARS)?;
    let unit = match unit {
        None => None,
        Some(u) => {
            let u = validate_code("unit", u)?;
            // Units are never deleted, so checking first leaves no gap.
            if !store::unit_exists(sql, &u)? {
                return Err(AdminError::UnknownUnit);
            }
            Some(u)
        }
    };
    let new = NewKey {
        code,
        name,
        prefix: KIOSK_KEY_PREFIX,
        scopes: Scopes::only(Scope::Kiosk),
        unit,
    };
    insert_key(sql, rng, clock, new)
}

struct NewKey {
    code: String,
    name: String,
    prefix: &'static str,
    scopes: Scopes,
    unit: Option<String>,
}

fn insert_key(
    sql: &dyn Sql,
    rng: &dyn Random,
    clock: &dyn Clock,
    new: NewKey,
) -> Result<(KeyInfo, String), AdminError> {
    let (plaintext, key) = generate(rng, new.prefix);
    let created_at = clock.now();
    let inserted = store::insert_issuer(
        sql,
        &NewKeyRow {
            code: &new.code,
            name: &new.name,
            key_hash: &key.hash,
            key_prefix: &key.display_prefix,
            created_at,
        },
    );
    let id = match inserted {
        Ok(Some(id)) => id,
        // A key_hash collision is a 2^-128 event; a taken code is the only
        // realistic reason for no row.
        Ok(None) => return Err(AdminError::Conflict { field: "code" }),
        Err(e) if is_constraint(&e) => return Err(AdminError::Conflict { field: "code" }),
        Err(e) => return Err(AdminError::Store(e)),
    };
    if let Err(e) = store::attach(sql, id, new.scopes, new.unit.as_deref()) {
        store::undo_key(sql, clock.now(), id);
        return Err(AdminError::Store(e));
    }
    let info = KeyInfo {
        id,
        code: new.code,
        name: new.name,
        key_prefix: key.display_prefix,
        scopes: new.scopes,
        unit_code: new.unit,
        created_at,
        last_used_at: None,
        revoked_at: None,
    };
    Ok((info, plaintext))
}

fn to_issuer(k: &KeyInfo) -> Issuer {
    Issuer {
        id: k.id,
        code: k.code.clone(),
        name: k.name.clone(),
        key_prefix: k.key_prefix.clone(),
        created_at: k.created_at,
        revoked_at: k.revoked_at,
    }
}
