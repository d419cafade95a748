//! Statements on `sessions`. Sliding, revoking and listing each check the
//! session is still live in the same statement, so a session that expires
//! or is revoked concurrently is never extended or listed back to life.

use super::accounts;
use crate::audit::{Tail, TAIL_COLUMNS};
use crate::identity::account::Account;
use crate::identity::kinds::{Client, Role};
use crate::identity::session::SessionInfo;
use crate::ports::{Sql, StoreError};
use crate::rows::{decode_all, first, Row};

/// A session about to be stored (the token only as its hash).
pub struct NewRow<'a> {
    /// The session's id.
    pub id: &'a str,
    /// SHA-256 of the bearer token.
    pub token_hash: Vec<u8>,
    /// The account it belongs to.
    pub citizen_id: &'a str,
    /// The kind of client.
    pub client: Client,
    /// The idle window the session keeps sliding by.
    pub idle_seconds: i64,
    /// Creation time (also the first `last_seen_at`).
    pub now: i64,
    /// The first idle expiry.
    pub idle_expires_at: i64,
    /// The absolute expiry.
    pub absolute_expires_at: i64,
}

/// What storing a session read in the same statement.
pub struct Inserted {
    /// The account it belongs to, as it is now (`None` if it is gone).
    pub account: Option<Account>,
    /// The audit chain's tail, for the login's audit entry.
    pub audit_tail: Option<Tail>,
}

/// Stores a new session, reading back its account and the audit chain's
/// tail in the same round trip.
pub fn insert(sql: &dyn Sql, s: &NewRow<'_>) -> Result<Inserted, StoreError> {
    let rows = sql.execute(
        &format!(
            "INSERT INTO sessions (id, token_hash, citizen_id, client, idle_seconds, created_at, \
             last_seen_at, idle_expires_at, absolute_expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8) RETURNING {}, {TAIL_COLUMNS}",
            accounts::columns_of("sessions.citizen_id")
        ),
        &[
            s.id.into(),
            s.token_hash.clone().into(),
            s.citizen_id.into(),
            s.client.as_str().into(),
            s.idle_seconds.into(),
            s.now.into(),
            s.idle_expires_at.into(),
            s.absolute_expires_at.into(),
        ],
    )?;
    let Some(row) = first(&rows) else {
        return Ok(Inserted {
            account: None,
            audit_tail: None,
        });
    };
    let account = match row.opt_text("id")? {
        Some(_) => Some(accounts::account(&row)?),
        None => None,
    };
    Ok(Inserted {
        account,
        audit_tail: Tail::from_row(&row),
    })
}

// Checks and slides in one statement: a session that expires or is revoked
// concurrently can never be extended back to life (on PostgreSQL the WHERE is
// re-checked on the row as the concurrent revoke left it). The CASE is the
// smaller of the two: scalar MIN(a, b) is SQLite's alone. The account's role
// and unit come back in the same round trip (every authenticated request
// needs them, and a demotion must apply at once, so they are read each time).
const SLIDE: &str = "\
UPDATE sessions SET last_seen_at = ?2, \
  idle_expires_at = CASE WHEN ?2 + idle_seconds < absolute_expires_at \
                         THEN ?2 + idle_seconds ELSE absolute_expires_at END \
WHERE token_hash = ?1 AND revoked_at IS NULL \
  AND idle_expires_at > ?2 AND absolute_expires_at > ?2 \
  AND EXISTS (SELECT 1 FROM citizens c WHERE c.id = sessions.citizen_id) \
RETURNING id, citizen_id, client, idle_expires_at, created_at, \
  (SELECT c.role FROM citizens c WHERE c.id = sessions.citizen_id) AS role, \
  (SELECT c.unit_code FROM citizens c WHERE c.id = sessions.citizen_id) AS unit_code";

/// A live session just slid by [`slide`].
pub struct Slid {
    /// The session's id.
    pub id: String,
    /// The account it belongs to.
    pub citizen_id: String,
    /// The kind of client.
    pub client: Client,
    /// The idle expiry after the slide.
    pub idle_expires_at: i64,
    /// When the session was opened: the login time.
    pub created_at: i64,
    /// The account's role now.
    pub role: Role,
    /// The official's unit, if any.
    pub unit_code: Option<String>,
}

/// Extends the live session holding `token_hash` (never past its absolute
/// expiry), with its account's role and unit; `None` when there is no live
/// one, or its account is gone.
pub fn slide(sql: &dyn Sql, token_hash: Vec<u8>, now: i64) -> Result<Option<Slid>, StoreError> {
    let rows = sql.execute(SLIDE, &[token_hash.into(), now.into()])?;
    first(&rows)
        .map(|r| {
            Ok(Slid {
                id: r.text("id")?,
                citizen_id: r.text("citizen_id")?,
                client: r.parsed("client", Client::parse)?,
                idle_expires_at: r.i64("idle_expires_at")?,
                created_at: r.i64("created_at")?,
                role: r.parsed("role", Role::parse)?,
                unit_code: r.opt_text("unit_code")?,
            })
        })
        .transpose()
}

// Revoking also pulls idle_expires_at down to now: that column alone then
// says when a session stopped being usable, which the purge relies on.
const REVOKE_OWN: &str = "\
UPDATE sessions SET revoked_at = ?3, idle_expires_at = CASE WHEN idle_expires_at < ?3 THEN idle_expires_at ELSE ?3 END \
WHERE id = ?1 AND citizen_id = ?2 AND revoked_at IS NULL \
  AND idle_expires_at > ?3 AND absolute_expires_at > ?3 \
RETURNING id";

const REVOKE_BY_TOKEN: &str = "\
UPDATE sessions SET revoked_at = ?2, idle_expires_at = CASE WHEN idle_expires_at < ?2 THEN idle_expires_at ELSE ?2 END \
WHERE token_hash = ?1 AND revoked_at IS NULL \
  AND idle_expires_at > ?2 AND absolute_expires_at > ?2 \
RETURNING id";

const LIST_ACTIVE: &str = "\
SELECT id, client, created_at, last_seen_at, idle_expires_at, absolute_expires_at \
FROM sessions \
WHERE citizen_id = ?1 AND revoked_at IS NULL \
  AND idle_expires_at > ?2 AND absolute_expires_at > ?2 \
ORDER BY created_at DESC, id";

/// Revokes the live session `session_id` of `citizen_id`; `false` when
/// there is none.
pub fn revoke_own(
    sql: &dyn Sql,
    citizen_id: &str,
    session_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        REVOKE_OWN,
        &[session_id.into(), citizen_id.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Revokes the live session holding `token_hash`; `false` when there is none.
pub fn revoke_by_token(sql: &dyn Sql, token_hash: Vec<u8>, now: i64) -> Result<bool, StoreError> {
    let rows = sql.execute(REVOKE_BY_TOKEN, &[token_hash.into(), now.into()])?;
    Ok(!rows.is_empty())
}

/// The live sessions of `citizen_id`, newest first (`created_at` DESC, `id`).
pub fn list_active(
    sql: &dyn Sql,
    citizen_id: &str,
    now: i64,
) -> Result<Vec<SessionInfo>, StoreError> {
    let rows = sql.execute(LIST_ACTIVE, &[citizen_id.into(), now.into()])?;
    decode_all(&rows, session_info)
}

/// Deletes up to a batch of sessions whose idle expiry (pulled down on
/// revoke) is before `before` (crate::purge).
pub fn purge_ended(sql: &dyn Sql, before: i64) -> Result<(), StoreError> {
    crate::purge::older_than(sql, "sessions", "id", "idle_expires_at", false, before)?;
    Ok(())
}

fn session_info(r: &Row<'_>) -> Result<SessionInfo, StoreError> {
    Ok(SessionInfo {
        id: r.text("id")?,
        client: r.parsed("client", Client::parse)?,
        created_at: r.i64("created_at")?,
        last_seen_at: r.i64("last_seen_at")?,
        expires_at: r.i64("idle_expires_at")?,
        absolute_expires_at: r.i64("absolute_expires_at")?,
    })
}
