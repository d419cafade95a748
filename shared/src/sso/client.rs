//! The city services registered to log citizens in (relying parties): what
//! the admin registers, the checks on it, and the client's credentials
//! (docs/sso.md, "Registering a service").

use serde::Deserialize;
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::jwt::parse_client_jwk;
use super::scope::{Scope, ScopeSet};
use super::store::clients as store;
use crate::error::ApiError;
use crate::identity::secret::{b64url, sha256};
use crate::identity::Ports;
use crate::ids::{plausible_id, random_id};
use crate::ports::{Sql, StoreError};
use crate::text::clean_line;

/// Whether the client keeps a secret (a server) or cannot (an app in the
/// citizen's browser or phone, which proves itself by PKCE alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    /// Holds a client secret and/or a registered key.
    Confidential,
    /// PKCE only.
    Public,
}

impl ClientKind {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Confidential => "confidential",
            ClientKind::Public => "public",
        }
    }

    /// From its stored spelling.
    pub fn parse(s: &str) -> Option<ClientKind> {
        match s {
            "confidential" => Some(ClientKind::Confidential),
            "public" => Some(ClientKind::Public),
            _ => None,
        }
    }
}

/// A registered service.
#[derive(Debug, Clone, PartialEq)]
pub struct RelyingParty {
    /// `rp_…`: the OAuth `client_id`.
    pub id: String,
    /// The name the citizen sees on the consent page and in their log.
    pub name: String,
    /// Confidential or public.
    pub kind: ClientKind,
    /// SHA-256 of the client secret (base64url), for confidential clients.
    pub secret_hash: Option<String>,
    /// The public key of `private_key_jwt` authentication.
    pub jwk: Option<Value>,
    /// Exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Exact URIs RP-initiated logout may return to.
    pub post_logout_redirect_uris: Vec<String>,
    /// What it may ask for.
    pub scopes: ScopeSet,
    /// Why the service asks, shown on the consent page.
    pub purpose: String,
    /// The service's home page.
    pub client_uri: Option<String>,
    /// Its logo.
    pub logo_uri: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// When the admin disabled it: every login and token is refused.
    pub disabled_at: Option<i64>,
}

impl RelyingParty {
    /// Whether `secret` is this client's secret.
    pub fn secret_matches(&self, secret: &str) -> bool {
        let Some(stored) = &self.secret_hash else {
            return false;
        };
        hash_secret(secret)
            .as_bytes()
            .ct_eq(stored.as_bytes())
            .into()
    }

    /// The client's metadata as the admin API shows it (never the secret).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "client_id": self.id,
            "name": self.name,
            "kind": self.kind.as_str(),
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "scopes": self.scopes.to_string(),
            "purpose": self.purpose,
            "client_uri": self.client_uri,
            "logo_uri": self.logo_uri,
            "has_secret": self.secret_hash.is_some(),
            "jwk": self.jwk,
            "created_at": crate::local_time::rfc3339_vn(self.created_at),
            "disabled_at": self.disabled_at.map(crate::local_time::rfc3339_vn),
        })
    }
}

/// `POST /api/v1/admin/clients`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Shown to citizens.
    pub name: String,
    /// `confidential` or `public`.
    pub kind: ClientKind,
    /// At least one.
    pub redirect_uris: Vec<String>,
    /// Where logout may return to.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Space-separated; `openid` is always allowed.
    pub scopes: String,
    /// Why the service asks for the citizen's data.
    pub purpose: String,
    /// Home page.
    #[serde(default)]
    pub client_uri: Option<String>,
    /// Logo.
    #[serde(default)]
    pub logo_uri: Option<String>,
    /// A P-256 public JWK for `private_key_jwt` (confidential clients).
    #[serde(default)]
    pub jwk: Option<Value>,
}

/// Most redirect URIs of one client.
const MAX_REDIRECT_URIS: usize = 10;
/// Longest URI accepted.
const MAX_URI_CHARS: usize = 2000;

/// Registers `new`: the client, and its secret (shown once) when it is
/// confidential. 422 `validation_failed` naming each bad field.
pub fn register(
    ports: Ports<'_>,
    new: NewClient,
) -> Result<(RelyingParty, Option<String>), ApiError> {
    let name = clean_line(&new.name, 120).map_err(|why| ApiError::invalid_field("name", why))?;
    let purpose =
        clean_line(&new.purpose, 500).map_err(|why| ApiError::invalid_field("purpose", why))?;
    if new.redirect_uris.is_empty() || new.redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(ApiError::invalid_field("redirect_uris", "1 to 10 URIs"));
    }
    for uri in &new.redirect_uris {
        check_redirect_uri(uri).map_err(|why| ApiError::invalid_field("redirect_uris", why))?;
    }
    if new.post_logout_redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(ApiError::invalid_field(
            "post_logout_redirect_uris",
            "at most 10 URIs",
        ));
    }
    for uri in &new.post_logout_redirect_uris {
        check_redirect_uri(uri)
            .map_err(|why| ApiError::invalid_field("post_logout_redirect_uris", why))?;
    }
    let mut scopes = ScopeSet::parse(&new.scopes)
        .map_err(|_| ApiError::invalid_field("scopes", "unknown scope"))?;
    if !scopes.contains(&Scope::OpenId) {
        scopes = scopes.iter().cloned().chain([Scope::OpenId]).collect();
    }
    for (field, uri) in [("client_uri", &new.client_uri), ("logo_uri", &new.logo_uri)] {
        if let Some(uri) = uri {
            if !is_https(uri) {
                return Err(ApiError::invalid_field(field, "an https:// URL"));
            }
        }
    }
    let jwk = match (&new.jwk, new.kind) {
        (None, _) => None,
        (Some(_), ClientKind::Public) => {
            return Err(ApiError::invalid_field("jwk", "public clients have no key"))
        }
        (Some(jwk), ClientKind::Confidential) => Some(
            parse_client_jwk(jwk)
                .map_err(|_| ApiError::invalid_field("jwk", "a P-256 public JWK"))?,
        ),
    };
    let secret = (new.kind == ClientKind::Confidential).then(|| new_secret(ports));
    let client = RelyingParty {
        id: random_id(ports.random, "rp_", 16),
        name,
        kind: new.kind,
        secret_hash: secret.as_deref().map(hash_secret),
        jwk,
        redirect_uris: new.redirect_uris,
        post_logout_redirect_uris: new.post_logout_redirect_uris,
        scopes,
        purpose,
        client_uri: new.client_uri,
        logo_uri: new.logo_uri,
        created_at: ports.clock.now(),
        disabled_at: None,
    };
    store::insert(ports.sql, &client)?;
    Ok((client, secret))
}

/// A new secret for confidential client `id` (shown once; the old one stops
/// working at once). `None` for an unknown, public or disabled client.
pub fn rotate_secret(ports: Ports<'_>, id: &str) -> Result<Option<String>, StoreError> {
    if !plausible_client_id(id) {
        return Ok(None);
    }
    let secret = new_secret(ports);
    let changed = store::set_secret(ports.sql, id, &hash_secret(&secret), ports.clock.now())?;
    Ok(changed.then_some(secret))
}

/// Disables client `id`: its logins, codes and tokens stop working (every
/// check joins the client). `false` if there is no such live client.
pub fn disable(ports: Ports<'_>, id: &str) -> Result<bool, StoreError> {
    if !plausible_client_id(id) {
        return Ok(false);
    }
    store::disable(ports.sql, id, ports.clock.now())
}

/// The live client `id`, if there is one.
pub fn find_live(sql: &dyn Sql, id: &str) -> Result<Option<RelyingParty>, StoreError> {
    if !plausible_client_id(id) {
        return Ok(None);
    }
    Ok(store::by_id(sql, id)?.filter(|c| c.disabled_at.is_none()))
}

/// Whether `id` could be a client id (checked before any query).
pub fn plausible_client_id(id: &str) -> bool {
    plausible_id(id, "rp_", 40)
}

/// The stored form of a client secret.
pub(crate) fn hash_secret(secret: &str) -> String {
    b64url(&sha256(secret.as_bytes()))
}

fn new_secret(ports: Ports<'_>) -> String {
    random_id(ports.random, "cs_", 32)
}

/// A redirect URI must be absolute, without a fragment, and either https or
/// http on the loopback interface (apps on the citizen's own machine,
/// RFC 8252 §7.3).
pub fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri.len() > MAX_URI_CHARS || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("an absolute URI of at most 2000 characters, without spaces");
    }
    if uri.contains('#') {
        return Err("no fragment");
    }
    if is_https(uri) || is_loopback_http(uri) {
        Ok(())
    } else {
        Err("https://, or http:// on 127.0.0.1, [::1] or localhost")
    }
}

fn is_https(uri: &str) -> bool {
    uri.strip_prefix("https://")
        .and_then(|rest| rest.split(['/', '?']).next())
        .is_some_and(|host| !host.is_empty() && !host.contains('@'))
}

fn is_loopback_http(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match authority.strip_prefix("[::1]") {
        Some(port) => return port.is_empty() || is_port(port),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let port = &authority[host.len()..];
    matches!(host, "127.0.0.1" | "localhost") && (port.is_empty() || is_port(port))
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_loopback_http() {
        assert!(check_redirect_uri("https://dichvucong.danang.gov.vn/cb").is_ok());
        assert!(check_redirect_uri("https://app.example/cb?x=1").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1:8765/callback").is_ok());
        assert!(check_redirect_uri("http://localhost/callback").is_ok());
        assert!(check_redirect_uri("http://[::1]:9000/cb").is_ok());
        assert!(check_redirect_uri("http://example.com/cb").is_err());
        assert!(check_redirect_uri("http://127.0.0.1.evil.example/cb").is_err());
        assert!(check_redirect_uri("http://localhost:80x/cb").is_err());
        assert!(check_redirect_uri("https://a.example/cb#frag").is_err());
        assert!(check_redirect_uri("https://user@a.example/cb").is_err());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
        assert!(check_redirect_uri("https:///cb").is_err());
        assert!(check_redirect_uri("https://a.example/c b").is_err());
    }
}
