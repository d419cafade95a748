//! `sso_grants`, `sso_codes`, `sso_refresh_tokens`, `sso_access_tokens`,
//! `sso_assertions`: what one authorization gave, and the credentials
//! issued from it. Redeeming a code or a refresh token is one `UPDATE …
//! WHERE used_at IS NULL … RETURNING`, so of two concurrent redemptions
//! exactly one gets the row, on SQLite and PostgreSQL alike.

use crate::ports::{Sql, StoreError};
use crate::rows::{first, Row};

/// A grant as the token endpoint and the resource checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// `gr_…`.
    pub id: String,
    /// The client it was given to.
    pub client_id: String,
    /// The citizen.
    pub account_id: String,
    /// The scopes granted (canonical spelling).
    pub scope: String,
    /// When the citizen authenticated.
    pub auth_time: i64,
}

/// Stores a new grant.
pub fn insert_grant(sql: &dyn Sql, g: &Grant, now: i64) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO sso_grants (id, client_id, account_id, scope, auth_time, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            g.id.as_str().into(),
            g.client_id.as_str().into(),
            g.account_id.as_str().into(),
            g.scope.as_str().into(),
            g.auth_time.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// What a code is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The grant it redeems into.
    pub grant_id: String,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// The request's nonce, for the ID token.
    pub nonce: Option<String>,
    /// The platform session the citizen authorized in.
    pub session_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Stores a new code (by its hash) for `client_id`.
pub fn insert_code(
    sql: &dyn Sql,
    code_hash: &str,
    client_id: &str,
    c: &CodeRow,
) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO sso_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, \
         nonce, session_id, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[
            code_hash.into(),
            c.grant_id.as_str().into(),
            client_id.into(),
            c.redirect_uri.as_str().into(),
            c.code_challenge.as_str().into(),
            c.nonce.as_deref().into(),
            c.session_id.as_str().into(),
            c.expires_at.into(),
        ],
    )?;
    Ok(())
}

/// Marks client `client_id`'s unused code used and returns what it is bound
/// to; `None` if it is unknown, another client's or already used. Expiry
/// is the caller's check, so an expired code is burnt all the same.
pub fn redeem_code(
    sql: &dyn Sql,
    code_hash: &str,
    client_id: &str,
    now: i64,
) -> Result<Option<CodeRow>, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_codes SET used_at = ?3 \
         WHERE code_hash = ?1 AND client_id = ?2 AND used_at IS NULL \
         RETURNING grant_id, redirect_uri, code_challenge, nonce, session_id, expires_at",
        &[code_hash.into(), client_id.into(), now.into()],
    )?;
    first(&rows)
        .map(|r| {
            Ok(CodeRow {
                grant_id: r.text("grant_id")?,
                redirect_uri: r.text("redirect_uri")?,
                code_challenge: r.text("code_challenge")?,
                nonce: r.opt_text("nonce")?,
                session_id: r.text("session_id")?,
                expires_at: r.i64("expires_at")?,
            })
        })
        .transpose()
}

/// A used code presented again: revokes the grant it was redeemed into
/// (RFC 6749 §4.1.2), and so every token issued from it. The grant's
/// citizen if this call revoked it.
pub fn revoke_grant_of_used_code(
    sql: &dyn Sql,
    code_hash: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_grants SET revoked_at = ?2 WHERE revoked_at IS NULL AND id IN \
         (SELECT grant_id FROM sso_codes WHERE code_hash = ?1 AND used_at IS NOT NULL) \
         RETURNING account_id",
        &[code_hash.into(), now.into()],
    )?;
    first(&rows).map(|r| r.text("account_id")).transpose()
}

/// The live grant `id` of client `client_id` (neither the grant revoked nor
/// the client disabled).
pub fn live_grant(sql: &dyn Sql, id: &str, client_id: &str) -> Result<Option<Grant>, StoreError> {
    let rows = sql.execute(
        "SELECT g.id AS id, g.client_id AS client_id, g.account_id AS account_id, \
         g.scope AS scope, g.auth_time AS auth_time \
         FROM sso_grants g JOIN sso_clients c ON c.id = g.client_id \
         WHERE g.id = ?1 AND g.client_id = ?2 AND g.revoked_at IS NULL \
         AND c.disabled_at IS NULL",
        &[id.into(), client_id.into()],
    )?;
    first(&rows).map(|r| grant(&r)).transpose()
}

/// Stores a refresh token (by its hash) of `grant_id`.
pub fn insert_refresh(
    sql: &dyn Sql,
    token_hash: &str,
    grant_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO sso_refresh_tokens (token_hash, grant_id, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4)",
        &[
            token_hash.into(),
            grant_id.into(),
            now.into(),
            expires_at.into(),
        ],
    )?;
    Ok(())
}

/// The scope of the grant behind client `client_id`'s unused, unexpired
/// refresh token (read without redeeming it); `None` otherwise.
pub fn scope_of_unused_refresh(
    sql: &dyn Sql,
    token_hash: &str,
    client_id: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "SELECT g.scope AS scope FROM sso_refresh_tokens t JOIN sso_grants g ON g.id = t.grant_id \
         WHERE t.token_hash = ?1 AND g.client_id = ?2 AND t.used_at IS NULL AND t.expires_at > ?3",
        &[token_hash.into(), client_id.into(), now.into()],
    )?;
    first(&rows).map(|r| r.text("scope")).transpose()
}

/// Marks client `client_id`'s unused, unexpired refresh token used and
/// returns its grant id; `None` otherwise.
pub fn redeem_refresh(
    sql: &dyn Sql,
    token_hash: &str,
    client_id: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_refresh_tokens SET used_at = ?3 \
         WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?3 \
         AND grant_id IN (SELECT id FROM sso_grants WHERE client_id = ?2) \
         RETURNING grant_id",
        &[token_hash.into(), client_id.into(), now.into()],
    )?;
    first(&rows).map(|r| r.text("grant_id")).transpose()
}

/// A used refresh token presented again (by client `client_id`): revokes its
/// grant, the whole family of tokens. The grant's citizen if this call
/// revoked it.
pub fn revoke_grant_of_used_refresh(
    sql: &dyn Sql,
    token_hash: &str,
    client_id: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_grants SET revoked_at = ?3 \
         WHERE revoked_at IS NULL AND client_id = ?2 AND id IN \
         (SELECT grant_id FROM sso_refresh_tokens WHERE token_hash = ?1 AND used_at IS NOT NULL) \
         RETURNING account_id",
        &[token_hash.into(), client_id.into(), now.into()],
    )?;
    first(&rows).map(|r| r.text("account_id")).transpose()
}

/// Revokes the grant of client `client_id`'s refresh token, used or not
/// (RFC 7009 revocation of a refresh token).
pub fn revoke_grant_of_refresh(
    sql: &dyn Sql,
    token_hash: &str,
    client_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_grants SET revoked_at = ?3 \
         WHERE revoked_at IS NULL AND client_id = ?2 AND id IN \
         (SELECT grant_id FROM sso_refresh_tokens WHERE token_hash = ?1) RETURNING id",
        &[token_hash.into(), client_id.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Records an issued access token.
pub fn insert_access(
    sql: &dyn Sql,
    jti: &str,
    grant_id: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO sso_access_tokens (jti, grant_id, expires_at) VALUES (?1, ?2, ?3)",
        &[jti.into(), grant_id.into(), expires_at.into()],
    )?;
    Ok(())
}

/// The grant behind access token `jti`, if the token, its grant and its
/// client are all still live at `now`.
pub fn live_access(sql: &dyn Sql, jti: &str, now: i64) -> Result<Option<Grant>, StoreError> {
    let rows = sql.execute(
        "SELECT g.id AS id, g.client_id AS client_id, g.account_id AS account_id, \
         g.scope AS scope, g.auth_time AS auth_time \
         FROM sso_access_tokens t JOIN sso_grants g ON g.id = t.grant_id \
         JOIN sso_clients c ON c.id = g.client_id \
         WHERE t.jti = ?1 AND t.revoked_at IS NULL AND t.expires_at > ?2 \
         AND g.revoked_at IS NULL AND c.disabled_at IS NULL",
        &[jti.into(), now.into()],
    )?;
    first(&rows).map(|r| grant(&r)).transpose()
}

/// Revokes client `client_id`'s access token `jti` (RFC 7009).
pub fn revoke_access(
    sql: &dyn Sql,
    jti: &str,
    client_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_access_tokens SET revoked_at = ?3 WHERE jti = ?1 AND revoked_at IS NULL \
         AND grant_id IN (SELECT id FROM sso_grants WHERE client_id = ?2) RETURNING jti",
        &[jti.into(), client_id.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Revokes every live grant of `account_id` to `client_id` (the citizen
/// disconnecting the service); how many.
pub fn revoke_grants_of(
    sql: &dyn Sql,
    account_id: &str,
    client_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_grants SET revoked_at = ?3 \
         WHERE account_id = ?1 AND client_id = ?2 AND revoked_at IS NULL RETURNING id",
        &[account_id.into(), client_id.into(), now.into()],
    )?;
    Ok(rows.rows.len())
}

/// Records client assertion `jti` of `client_id` until `expires_at`;
/// `false` if it was already recorded (a replayed assertion).
pub fn record_assertion(
    sql: &dyn Sql,
    client_id: &str,
    jti: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "INSERT INTO sso_assertions (client_id, jti, expires_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (client_id, jti) DO NOTHING RETURNING jti",
        &[client_id.into(), jti.into(), expires_at.into()],
    )?;
    Ok(!rows.is_empty())
}

fn grant(r: &Row<'_>) -> Result<Grant, StoreError> {
    Ok(Grant {
        id: r.text("id")?,
        client_id: r.text("client_id")?,
        account_id: r.text("account_id")?,
        scope: r.text("scope")?,
        auth_time: r.i64("auth_time")?,
    })
}

/// Deletes up to [`crate::purge::BATCH`] client assertions that expired
/// before `cutoff`, oldest first.
pub fn purge_assertions_before(sql: &dyn Sql, cutoff: i64) -> Result<usize, StoreError> {
    let rows = sql.execute(
        "DELETE FROM sso_assertions WHERE (client_id, jti) IN \
         (SELECT client_id, jti FROM sso_assertions WHERE expires_at < ?1 \
          ORDER BY expires_at LIMIT ?2) RETURNING jti",
        &[cutoff.into(), crate::purge::BATCH.into()],
    )?;
    Ok(rows.rows.len())
}
