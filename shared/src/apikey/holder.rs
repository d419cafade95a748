//! Who holds a presented key: the one lookup every key-authenticated route
//! uses (issuer pushes, Open311 posts, registered kiosks), and the
//! last-used stamp.

use super::scope::{Scope, Scopes};
use super::store;
use super::{hash_key, is_well_formed, key_matches, Issuer, ISSUER_KEY_PREFIX, KIOSK_KEY_PREFIX};
use crate::error::ApiError;
use crate::ports::{Clock, Sql, StoreError};

/// How stale `last_used_at` may get before a use writes it again. Writing
/// on every request would turn each authenticated read into a write.
pub const LAST_USED_GRANULARITY_SECONDS: i64 = 60;

/// The holder of a key: an issuer agency, a partner app or a kiosk. The
/// same record is what a request authenticates as ([`find_key`], always
/// active) and what the admin lists (`KeyInfo`, possibly revoked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    /// `issuers.id`.
    pub id: i64,
    /// Its code (`[a-z0-9_-]`).
    pub code: String,
    /// Its display name.
    pub name: String,
    /// Non-secret display prefix, e.g. `ksk_Ab3dEf9h`.
    pub key_prefix: String,
    /// What the key may be used for.
    pub scopes: Scopes,
    /// The unit a kiosk key stands in, if it was given one.
    pub unit_code: Option<String>,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// To the minute (see [`LAST_USED_GRANULARITY_SECONDS`]); `None` if never.
    pub last_used_at: Option<i64>,
    /// When it was revoked (Unix seconds); `None` while active, so always
    /// `None` from [`find_key`].
    pub revoked_at: Option<i64>,
}

impl KeyHolder {
    /// Whether the key may be used for `scope`.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(scope)
    }

    /// The issuer view the documents domain works with.
    pub fn to_issuer(&self) -> Issuer {
        Issuer {
            id: self.id,
            code: self.code.clone(),
            name: self.name.clone(),
            key_prefix: self.key_prefix.clone(),
            created_at: self.created_at,
            revoked_at: None,
        }
    }
}

/// The outcome of presenting a key for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// Missing, malformed, unknown or revoked: 401 (403 in Open311).
    Unknown,
    /// A real, active key without this scope: 403 `key_scope`.
    OutOfScope(KeyHolder),
    /// A real, active key with the scope.
    Allowed(KeyHolder),
}

/// The active (not revoked) holder of any key — issuer, partner or kiosk —
/// with its scopes. Malformed keys are refused before touching the database;
/// a revoked key is `None` from the moment it is revoked (nothing caches).
pub fn find_key(sql: &dyn Sql, plaintext: &str) -> Result<Option<KeyHolder>, StoreError> {
    if !is_well_formed(plaintext, ISSUER_KEY_PREFIX) && !is_well_formed(plaintext, KIOSK_KEY_PREFIX)
    {
        return Ok(None);
    }
    let Some((stored_hash, holder)) = store::find_active_by_hash(sql, &hash_key(plaintext))? else {
        return Ok(None);
    };
    // The index lookup already matched; re-checking in constant time keeps
    // the decision itself independent of how the engine compares strings.
    if !key_matches(plaintext, &stored_hash) {
        return Ok(None);
    }
    Ok(Some(holder))
}

/// [`find_key`] and the scope decision in one call, for routes that need
/// one scope. Does not stamp the use; call [`record_use`] after.
pub fn check_key(sql: &dyn Sql, plaintext: &str, scope: Scope) -> Result<KeyCheck, StoreError> {
    Ok(match find_key(sql, plaintext)? {
        None => KeyCheck::Unknown,
        Some(holder) if holder.allows(scope) => KeyCheck::Allowed(holder),
        Some(holder) => KeyCheck::OutOfScope(holder),
    })
}

/// Stamps `last_used_at` when the stamp read with the key is missing or
/// older than a minute; otherwise no statement runs at all. The write
/// itself re-checks the age, so racing requests write at most once a
/// minute per key between them. `true` when a stamp was written.
///
/// Best effort by design: callers log a failure and carry on, since a
/// missed stamp must not refuse a valid key.
pub fn record_use(
    sql: &dyn Sql,
    clock: &dyn Clock,
    holder: &KeyHolder,
) -> Result<bool, StoreError> {
    let now = clock.now();
    if holder
        .last_used_at
        .is_some_and(|at| now - at < LAST_USED_GRANULARITY_SECONDS)
    {
        return Ok(false);
    }
    store::stamp_use(sql, holder.id, now, LAST_USED_GRANULARITY_SECONDS)
}

/// Why [`authorize`] refused a key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyRefused {
    /// Missing, malformed, unknown or revoked.
    Unknown,
    /// A real, active key without the scope the route needs.
    OutOfScope,
    /// The store failed (503).
    Store(StoreError),
}

impl KeyRefused {
    /// docs/api.md: 401 `unauthorized`, 403 `key_scope`, 503 for the store
    /// (log the store error first).
    pub fn to_api(&self) -> ApiError {
        match self {
            KeyRefused::Unknown => ApiError::Unauthorized,
            KeyRefused::OutOfScope => ApiError::Denied { code: KEY_SCOPE },
            KeyRefused::Store(e) => ApiError::from(e.clone()),
        }
    }
}

impl From<KeyRefused> for ApiError {
    /// See [`KeyRefused::to_api`].
    fn from(refused: KeyRefused) -> ApiError {
        refused.to_api()
    }
}

/// The error code of a key used outside its scopes.
pub const KEY_SCOPE: &str = "key_scope";

/// What a route needing `scope` calls with the presented key: the holder,
/// or why not. Any real key presented (in scope or not) has its use
/// stamped, so the admin list shows a leaked key still being tried; a
/// failed stamp goes to `on_stamp_error` (to be logged) and does not
/// refuse the key.
pub fn authorize(
    sql: &dyn Sql,
    clock: &dyn Clock,
    plaintext: &str,
    scope: Scope,
    on_stamp_error: &dyn Fn(StoreError),
) -> Result<KeyHolder, KeyRefused> {
    let check = check_key(sql, plaintext, scope).map_err(KeyRefused::Store)?;
    let (KeyCheck::Allowed(holder) | KeyCheck::OutOfScope(holder)) = &check else {
        return Err(KeyRefused::Unknown);
    };
    if let Err(e) = record_use(sql, clock, holder) {
        on_stamp_error(e);
    }
    match check {
        KeyCheck::Allowed(holder) => Ok(holder),
        _ => Err(KeyRefused::OutOfScope),
    }
}

/// The messages (vi, en) of the codes of API keys; see
/// `crate::messages`.
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "key_scope",
        "Khóa API này không được cấp quyền cho thao tác này.",
        "This API key is not allowed to do this.",
    ),
    (
        "key_not_found",
        "Không tìm thấy khóa API.",
        "API key not found.",
    ),
];
