//! `sso_clients`: the registered services.

use serde_json::Value;

use crate::ports::{Sql, StoreError};
use crate::rows::{first, Row};
use crate::sso::client::{ClientKind, RelyingParty};
use crate::sso::scope::ScopeSet;

const COLUMNS: &str =
    "id, name, kind, secret_hash, jwk, redirect_uris, post_logout_redirect_uris, \
     scopes, purpose, client_uri, logo_uri, created_at, disabled_at";

/// Stores a new client.
pub fn insert(sql: &dyn Sql, c: &RelyingParty) -> Result<(), StoreError> {
    let json = |v: &Vec<String>| Value::from(v.clone()).to_string();
    sql.execute(
        "INSERT INTO sso_clients (id, name, kind, secret_hash, jwk, redirect_uris, \
         post_logout_redirect_uris, scopes, purpose, client_uri, logo_uri, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        &[
            c.id.as_str().into(),
            c.name.as_str().into(),
            c.kind.as_str().into(),
            c.secret_hash.as_deref().into(),
            c.jwk.as_ref().map(Value::to_string).into(),
            json(&c.redirect_uris).into(),
            json(&c.post_logout_redirect_uris).into(),
            c.scopes.to_string().into(),
            c.purpose.as_str().into(),
            c.client_uri.as_deref().into(),
            c.logo_uri.as_deref().into(),
            c.created_at.into(),
        ],
    )?;
    Ok(())
}

/// Client `id`, live or disabled.
pub fn by_id(sql: &dyn Sql, id: &str) -> Result<Option<RelyingParty>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {COLUMNS} FROM sso_clients WHERE id = ?1"),
        &[id.into()],
    )?;
    first(&rows).map(|r| decode(&r)).transpose()
}

/// Every client, newest first, strictly after `after` = (created_at, id).
pub fn page(
    sql: &dyn Sql,
    after: Option<&(i64, String)>,
    limit: usize,
) -> Result<Vec<RelyingParty>, StoreError> {
    let (at, id) = after.cloned().unwrap_or((i64::MAX, String::new()));
    let rows = sql.execute(
        &format!(
            "SELECT {COLUMNS} FROM sso_clients \
             WHERE created_at < ?1 OR (created_at = ?1 AND id > ?2) \
             ORDER BY created_at DESC, id ASC LIMIT ?3"
        ),
        &[
            at.into(),
            id.into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ],
    )?;
    crate::rows::all(&rows).map(|r| decode(&r)).collect()
}

/// Replaces a live confidential client's secret hash; `false` if there is
/// no such client.
pub fn set_secret(sql: &dyn Sql, id: &str, hash: &str, now: i64) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_clients SET secret_hash = ?2, secret_rotated_at = ?3 \
         WHERE id = ?1 AND kind = 'confidential' AND disabled_at IS NULL RETURNING id",
        &[id.into(), hash.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Disables a live client; `false` if there is no such client.
pub fn disable(sql: &dyn Sql, id: &str, now: i64) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE sso_clients SET disabled_at = ?2 WHERE id = ?1 AND disabled_at IS NULL RETURNING id",
        &[id.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

fn decode(r: &Row<'_>) -> Result<RelyingParty, StoreError> {
    let list = |column: &str| -> Result<Vec<String>, StoreError> {
        r.parsed(column, |s| serde_json::from_str(s).ok())
    };
    Ok(RelyingParty {
        id: r.text("id")?,
        name: r.text("name")?,
        kind: r.parsed("kind", ClientKind::parse)?,
        secret_hash: r.opt_text("secret_hash")?,
        jwk: r
            .opt_text("jwk")?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|_| crate::rows::shape("jwk", "JSON"))?,
        redirect_uris: list("redirect_uris")?,
        post_logout_redirect_uris: list("post_logout_redirect_uris")?,
        scopes: r.parsed("scopes", |s| ScopeSet::parse(s).ok())?,
        purpose: r.text("purpose")?,
        client_uri: r.opt_text("client_uri")?,
        logo_uri: r.opt_text("logo_uri")?,
        created_at: r.i64("created_at")?,
        disabled_at: r.opt_i64("disabled_at")?,
    })
}
