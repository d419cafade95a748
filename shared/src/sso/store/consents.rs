//! `sso_consents`: what each citizen agreed to give each service, one row
//! per scope.

use crate::ports::{Sql, StoreError};
use crate::rows::all;
use crate::sso::scope::{Scope, ScopeSet};

/// The scopes `account_id` has consented to for `client_id`.
pub fn granted(sql: &dyn Sql, account_id: &str, client_id: &str) -> Result<ScopeSet, StoreError> {
    let rows = sql.execute(
        "SELECT scope FROM sso_consents WHERE account_id = ?1 AND client_id = ?2",
        &[account_id.into(), client_id.into()],
    )?;
    // A scope that no longer parses (a document type since removed) simply
    // stops counting as consented.
    Ok(all(&rows)
        .filter_map(|r| r.text("scope").ok())
        .filter_map(|s| Scope::parse(&s))
        .collect())
}

/// Adds `scopes` to the consent; those already there keep their time.
pub fn grant(
    sql: &dyn Sql,
    account_id: &str,
    client_id: &str,
    scopes: &ScopeSet,
    now: i64,
) -> Result<(), StoreError> {
    // One statement for the whole set: each scope is a row of a VALUES list.
    let words: Vec<String> = scopes.iter().map(ToString::to_string).collect();
    if words.is_empty() {
        return Ok(());
    }
    let mut values = Vec::with_capacity(words.len());
    let mut params = vec![account_id.into(), client_id.into(), now.into()];
    for (i, word) in words.iter().enumerate() {
        values.push(format!("(?1, ?2, ?{}, ?3)", i + 4));
        params.push(word.as_str().into());
    }
    sql.execute(
        &format!(
            "INSERT INTO sso_consents (account_id, client_id, scope, granted_at) VALUES {} \
             ON CONFLICT (account_id, client_id, scope) DO NOTHING",
            values.join(", ")
        ),
        &params,
    )?;
    Ok(())
}

/// Withdraws every consent of `account_id` to `client_id`; `false` if
/// there was none.
pub fn withdraw(sql: &dyn Sql, account_id: &str, client_id: &str) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "DELETE FROM sso_consents WHERE account_id = ?1 AND client_id = ?2 RETURNING scope",
        &[account_id.into(), client_id.into()],
    )?;
    Ok(!rows.is_empty())
}

/// One service the citizen is connected to.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// The client.
    pub client_id: String,
    /// Its name.
    pub name: String,
    /// Why it asks.
    pub purpose: String,
    /// Its home page.
    pub client_uri: Option<String>,
    /// What the citizen agreed to.
    pub scopes: ScopeSet,
    /// When the first consent was given.
    pub first_granted_at: i64,
    /// When the latest was.
    pub last_granted_at: i64,
}

/// Every service `account_id` has consented to, by name.
pub fn connections(sql: &dyn Sql, account_id: &str) -> Result<Vec<Connection>, StoreError> {
    let rows = sql.execute(
        "SELECT k.client_id AS client_id, c.name AS name, c.purpose AS purpose, \
         c.client_uri AS client_uri, k.scope AS scope, k.granted_at AS granted_at \
         FROM sso_consents k JOIN sso_clients c ON c.id = k.client_id \
         WHERE k.account_id = ?1 ORDER BY c.name, k.client_id, k.scope",
        &[account_id.into()],
    )?;
    let mut out: Vec<Connection> = Vec::new();
    for r in all(&rows) {
        let client_id = r.text("client_id")?;
        let at = r.i64("granted_at")?;
        let scope = Scope::parse(&r.text("scope")?);
        match out.last_mut() {
            Some(last) if last.client_id == client_id => {
                last.scopes = last.scopes.iter().cloned().chain(scope).collect();
                last.first_granted_at = last.first_granted_at.min(at);
                last.last_granted_at = last.last_granted_at.max(at);
            }
            _ => out.push(Connection {
                client_id,
                name: r.text("name")?,
                purpose: r.text("purpose")?,
                client_uri: r.opt_text("client_uri")?,
                scopes: scope.into_iter().collect(),
                first_granted_at: at,
                last_granted_at: at,
            }),
        }
    }
    Ok(out)
}
