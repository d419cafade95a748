//! Requests a service makes with an access token (UserInfo and the
//! document pull): the token checked (signature, issuer, type, expiry) and
//! then its row, so a revoked token, grant or client stops at once.

use serde_json::Value;

use super::error::SsoError;
use super::provider::Provider;
use super::scope::{Scope, ScopeSet};
use super::store::grants::{self, Grant};
use crate::identity::Ports;

/// A live access token.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// Its grant: client, citizen and scopes.
    pub grant: Grant,
    /// The scopes the token carries.
    pub scopes: ScopeSet,
    /// The `sub` the client knows the citizen by.
    pub sub: String,
}

impl Bearer {
    /// `insufficient_scope` unless the token carries `scope`.
    pub fn require(&self, scope: &Scope) -> Result<(), SsoError> {
        if self.scopes.contains(scope) {
            Ok(())
        } else {
            Err(SsoError::InsufficientScope)
        }
    }
}

/// Checks access token `token`.
pub fn check(ports: Ports<'_>, provider: &Provider, token: &str) -> Result<Bearer, SsoError> {
    let (header, claims) = provider
        .keys
        .verify(token)
        .map_err(|_| SsoError::InvalidToken)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let now = ports.clock.now();
    let live = header.get("typ").and_then(Value::as_str) == Some("at+jwt")
        && text("iss") == Some(provider.issuer.as_str())
        && claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|exp| exp > now);
    if !live {
        return Err(SsoError::InvalidToken);
    }
    let jti = text("jti").ok_or(SsoError::InvalidToken)?;
    let sub = text("sub").ok_or(SsoError::InvalidToken)?.to_owned();
    let grant = grants::live_access(ports.sql, jti, now)?.ok_or(SsoError::InvalidToken)?;
    let scopes =
        ScopeSet::parse(text("scope").unwrap_or_default()).map_err(|_| SsoError::InvalidToken)?;
    Ok(Bearer { grant, scopes, sub })
}
