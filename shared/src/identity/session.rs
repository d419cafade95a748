//! Server-side sessions behind bearer tokens (docs/identity.md).
//!
//! A token is 32 random bytes in base64url; only its SHA-256 is stored, so a
//! copy of the database does not hold usable tokens, and revoking is a row
//! update. Each session keeps the idle window of its profile, so sliding the
//! expiry needs no knowledge of how the session was created.

use super::account::Account;
use super::error::AuthError;
use super::kinds::{Client, Role};
use super::policy::SessionPolicy;
use super::secret::sha256;
use super::store::sessions;
use super::Ports;
use crate::ids::random_id;
use crate::ports::StoreError;

const TOKEN_BYTES: usize = 32;
/// base64url without padding of [`TOKEN_BYTES`].
const TOKEN_CHARS: usize = 43;

/// A session just created. `token` is shown to the client once and never
/// stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The session's id (not secret).
    pub id: String,
    /// The bearer token (shown once, stored hashed).
    pub token: String,
    /// When it ends if unused (idle expiry, never past the absolute one).
    pub expires_at: i64,
    /// When it ends however much it is used.
    pub absolute_expires_at: i64,
    /// The audit chain's tail as the insert saw it, for the login's entry.
    pub audit_tail: Option<crate::audit::Tail>,
}

// Hand-written so a `{:?}` in a log line cannot leak the token.
impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &self.id)
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("absolute_expires_at", &self.absolute_expires_at)
            .finish()
    }
}

/// Who is calling, as established by [`authenticate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The session's id.
    pub session_id: String,
    /// The account's id.
    pub account_id: String,
    /// Read from the account on every call, so a role change applies at once.
    pub role: Role,
    /// The official's unit; `None` for citizens.
    pub unit_code: Option<String>,
    /// The kind of client (decides the session's lifetimes).
    pub client: Client,
    /// The idle expiry after this call slid it.
    pub expires_at: i64,
    /// When the session was opened (the login time: an ID token's
    /// `auth_time`).
    pub logged_in_at: i64,
}

/// One active session, as listed to its owner. Never carries the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Its id.
    pub id: String,
    /// The kind of client (decides the session's lifetimes).
    pub client: Client,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// When it was last used (Unix seconds).
    pub last_seen_at: i64,
    /// When it expires if left idle (Unix seconds).
    pub expires_at: i64,
    /// When it expires at the latest (Unix seconds).
    pub absolute_expires_at: i64,
}

/// Opens a session for `account_id` with the profile of `client`.
pub fn create_session(
    ports: Ports<'_>,
    account_id: &str,
    client: Client,
) -> Result<NewSession, StoreError> {
    Ok(create_session_reading_account(ports, account_id, client)?.0)
}

/// [`create_session`], with the account as the same statement read it
/// (`None` if there is no account `account_id`).
pub fn create_session_reading_account(
    ports: Ports<'_>,
    account_id: &str,
    client: Client,
) -> Result<(NewSession, Option<Account>), StoreError> {
    let policy = SessionPolicy::for_client(ports.settings, client);
    let now = ports.clock.now();
    let id = random_id(ports.random, "ses_", 16);
    let token = random_id(ports.random, "", TOKEN_BYTES);
    let absolute = now + i64::from(policy.absolute_seconds);
    let idle = (now + i64::from(policy.idle_seconds)).min(absolute);
    let inserted = sessions::insert(
        ports.sql,
        &sessions::NewRow {
            id: &id,
            token_hash: sha256(token.as_bytes()).to_vec(),
            citizen_id: account_id,
            client,
            idle_seconds: i64::from(policy.idle_seconds),
            now,
            idle_expires_at: idle,
            absolute_expires_at: absolute,
        },
    )?;
    let session = NewSession {
        id,
        token,
        expires_at: idle,
        absolute_expires_at: absolute,
        audit_tail: inserted.audit_tail,
    };
    Ok((session, inserted.account))
}

/// Resolves a bearer token to its caller and extends the idle expiry (never
/// past the absolute one).
pub fn authenticate(ports: Ports<'_>, token: &str) -> Result<Principal, AuthError> {
    let hash = token_hash(token).ok_or(AuthError::InvalidToken)?;
    let now = ports.clock.now();
    let slid = sessions::slide(ports.sql, hash, now)?.ok_or(AuthError::InvalidToken)?;
    Ok(Principal {
        session_id: slid.id,
        account_id: slid.citizen_id,
        role: slid.role,
        unit_code: slid.unit_code,
        client: slid.client,
        expires_at: slid.idle_expires_at,
        logged_in_at: slid.created_at,
    })
}

/// Ends one of the account's own active sessions. `false` when there is no
/// such active session of this account (so another's id looks unknown).
pub fn revoke_session(
    ports: Ports<'_>,
    account_id: &str,
    session_id: &str,
) -> Result<bool, StoreError> {
    sessions::revoke_own(ports.sql, account_id, session_id, ports.clock.now())
}

/// Ends the session the token belongs to. `false` if it was not active.
pub fn logout(ports: Ports<'_>, token: &str) -> Result<bool, StoreError> {
    let Some(hash) = token_hash(token) else {
        return Ok(false);
    };
    sessions::revoke_by_token(ports.sql, hash, ports.clock.now())
}

/// The account's active sessions, newest first. Bounded in practice: each
/// needs a fresh one-time code, and those are capped per phone per day.
pub fn list_sessions(ports: Ports<'_>, account_id: &str) -> Result<Vec<SessionInfo>, StoreError> {
    sessions::list_active(ports.sql, account_id, ports.clock.now())
}

/// One page of [`list_sessions`], in its order (`created_at` DESC, `id`
/// ASC): at most `limit` sessions after the one whose key is `after`.
///
/// A citizen has a handful of sessions (each needs a fresh code, and codes
/// are capped per day), so the page is cut from the full list rather than
/// in SQL; the cursor is the order's key.
pub fn sessions_page(
    ports: Ports<'_>,
    account_id: &str,
    after: Option<&(i64, String)>,
    limit: usize,
) -> Result<Vec<SessionInfo>, StoreError> {
    Ok(list_sessions(ports, account_id)?
        .into_iter()
        .filter(|s| match after {
            Some((at, id)) => s.created_at < *at || (s.created_at == *at && s.id > *id),
            None => true,
        })
        .take(limit)
        .collect())
}

/// The stored hash of a well-formed token; malformed ones never reach SQL.
fn token_hash(token: &str) -> Option<Vec<u8>> {
    let well_formed = token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| sha256(token.as_bytes()).to_vec())
}
