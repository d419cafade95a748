//! Who is calling the token and revocation endpoints (RFC 6749 §2.3, OIDC
//! Core §9): `client_secret_basic`, `client_secret_post`, `private_key_jwt`
//! (RFC 7523) or, for a public client, its `client_id` alone. Exactly one
//! method per request; anything else is `invalid_client`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use super::client::{find_live, ClientKind, RelyingParty};
use super::error::SsoError;
use super::jwt::verify_with_jwk;
use super::provider::{paths, Provider};
use super::store::grants::record_assertion;
use crate::identity::Ports;

/// The client assertion type of RFC 7523.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Longest a client assertion may live (its `exp` after now): an hour, what
/// common client libraries sign by default (Authlib's `PrivateKeyJWT` has
/// no shorter setting). Its `jti` is kept until then, so it cannot be
/// replayed meanwhile.
const MAX_ASSERTION_SECONDS: i64 = 3600;

/// The client's credentials as the request carries them.
pub struct Presented<'a> {
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The form body.
    pub form: &'a [(String, String)],
}

/// The one value of form field `name`; a repeated field is `invalid_request`.
pub fn field<'f>(form: &'f [(String, String)], name: &str) -> Result<Option<&'f str>, SsoError> {
    let mut found = form
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(SsoError::InvalidRequest("a parameter is repeated"));
    }
    Ok(first.filter(|v| !v.is_empty()))
}

/// The authenticated client, or `invalid_client`.
pub fn authenticate(
    ports: Ports<'_>,
    provider: &Provider,
    presented: &Presented<'_>,
) -> Result<RelyingParty, SsoError> {
    let form = presented.form;
    let basic = presented.authorization.and_then(|h| {
        h.strip_prefix("Basic ")
            .or_else(|| h.strip_prefix("basic "))
    });
    let form_id = field(form, "client_id")?;
    let form_secret = field(form, "client_secret")?;
    let assertion = field(form, "client_assertion")?;
    let methods = usize::from(basic.is_some())
        + usize::from(form_secret.is_some())
        + usize::from(assertion.is_some());
    if methods > 1 {
        return Err(SsoError::InvalidRequest(
            "use one client authentication method",
        ));
    }
    if let Some(encoded) = basic {
        let (id, secret) = decode_basic(encoded).ok_or(SsoError::InvalidClient)?;
        if form_id.is_some_and(|f| f != id) {
            return Err(SsoError::InvalidClient);
        }
        return by_secret(ports, &id, &secret);
    }
    if let Some(secret) = form_secret {
        let id = form_id.ok_or(SsoError::InvalidClient)?;
        return by_secret(ports, id, secret);
    }
    if let Some(jwt) = assertion {
        if field(form, "client_assertion_type")? != Some(JWT_BEARER) {
            return Err(SsoError::InvalidClient);
        }
        return by_assertion(ports, provider, form_id, jwt);
    }
    // No credentials: only a public client, which proves itself by PKCE.
    let id = form_id.ok_or(SsoError::InvalidClient)?;
    let client = find_live(ports.sql, id)?.ok_or(SsoError::InvalidClient)?;
    if client.kind != ClientKind::Public {
        return Err(SsoError::InvalidClient);
    }
    Ok(client)
}

fn by_secret(ports: Ports<'_>, id: &str, secret: &str) -> Result<RelyingParty, SsoError> {
    let client = find_live(ports.sql, id)?.ok_or(SsoError::InvalidClient)?;
    if client.kind != ClientKind::Confidential || !client.secret_matches(secret) {
        return Err(SsoError::InvalidClient);
    }
    Ok(client)
}

fn by_assertion(
    ports: Ports<'_>,
    provider: &Provider,
    form_id: Option<&str>,
    jwt: &str,
) -> Result<RelyingParty, SsoError> {
    // The claims say who the client claims to be; nothing is trusted until
    // that client's registered key verifies the signature.
    let claimed = unverified_issuer(jwt).ok_or(SsoError::InvalidClient)?;
    if form_id.is_some_and(|f| f != claimed) {
        return Err(SsoError::InvalidClient);
    }
    let client = find_live(ports.sql, &claimed)?.ok_or(SsoError::InvalidClient)?;
    let jwk = client.jwk.as_ref().ok_or(SsoError::InvalidClient)?;
    let claims = verify_with_jwk(jwt, jwk).map_err(|_| SsoError::InvalidClient)?;
    let now = ports.clock.now();
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(SsoError::InvalidClient)?;
    let token_url = provider.url(paths::TOKEN);
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => *a == token_url || *a == provider.issuer,
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| a == token_url || a == provider.issuer),
        _ => false,
    };
    let fresh = exp > now && exp - now <= MAX_ASSERTION_SECONDS;
    let jti = text("jti").filter(|j| !j.is_empty() && j.len() <= 256);
    if text("iss") != Some(client.id.as_str())
        || text("sub") != Some(client.id.as_str())
        || !aud_ok
        || !fresh
    {
        return Err(SsoError::InvalidClient);
    }
    let jti = jti.ok_or(SsoError::InvalidClient)?;
    // The insert is the replay check: a second use of the jti finds its row.
    if !record_assertion(ports.sql, &client.id, jti, exp)? {
        return Err(SsoError::InvalidClient);
    }
    Ok(client)
}

/// The `iss` of a compact JWS, read without checking it.
fn unverified_issuer(jwt: &str) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// `client_id:client_secret`, each form-urlencoded (RFC 6749 §2.3.1).
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let raw = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        // One pair: a raw `&` must not split it (`+` already means space).
        let one = s.replace('&', "%26");
        form_urlencoded::parse(format!("x={one}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = STANDARD.encode("rp_abc:s%2Fe%3Acret&x+y");
        assert_eq!(
            decode_basic(&header),
            Some(("rp_abc".to_owned(), "s/e:cret&x y".to_owned()))
        );
        assert_eq!(decode_basic("!!!"), None);
        assert_eq!(decode_basic(&STANDARD.encode("no-colon")), None);
    }
}
