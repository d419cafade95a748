//! ES256 signing and verification of the OpenID provider's tokens (ID tokens
//! and RFC 9068 access tokens), and the JWKS document that publishes its keys.
//!
//! Tokens are JWS compact serialisations (RFC 7515) signed with ECDSA P-256
//! and SHA-256 (RFC 7518 §3.4): the signature is the 64 bytes `r || s`,
//! computed deterministically (RFC 6979), so signing needs no randomness from
//! the host. One algorithm only, so a token can never choose a weaker one
//! (`none`, HS256 with the public key as the secret, …).
//!
//! Keys rotate through a [`KeyRing`]: the current key signs; the previous one,
//! kept during a rotation's overlap, still verifies and is still published, so
//! tokens issued just before the rotation stay valid until they expire. Each
//! key's id is its RFC 7638 JWK thumbprint, so it is derived from the key
//! itself and never configured by hand.
//!
//! [`parse_client_jwk`] and [`verify_with_jwk`] serve `private_key_jwt`
//! client authentication (RFC 7523), where a client registers a public key.
//!
//! Everything here takes untrusted input: nothing panics, and every refusal is
//! a [`KeyError`] or [`JwtError`] that never carries key material.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey as EcSigningKey, VerifyingKey};
use p256::elliptic_curve::ops::Reduce as _;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::elliptic_curve::ALGORITHM_OID;
use p256::pkcs8::{AssociatedOid as _, DecodePrivateKey as _, PrivateKeyInfo};
use p256::{EncodedPoint, FieldBytes, NistP256, NonZeroScalar, SecretKey};
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};

/// The longest token [`KeyRing::verify`] and [`verify_with_jwk`] read; a
/// longer one is refused as [`JwtError::Malformed`] before any decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// A JSON object, as a token's header and claims are (the
/// `serde_json::Map` that [`KeyRing::verify`] and [`verify_with_jwk`]
/// return).
pub type JsonObject = Map<String, Value>;

/// The one algorithm this module signs and accepts.
const ALG: &str = "ES256";

/// The message [`SigningKey::derive_from_secret`] MACs, before the counter.
const DERIVE_LABEL: &[u8] = b"cds sso signing key v1";

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The text is not a PEM private key this module reads (PKCS#8
    /// `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`, unencrypted), or its content
    /// is not valid DER.
    NotPem,
    /// A well-formed key, but not a valid P-256 one: another curve (P-384,
    /// …), another key type (RSA, …), or a point that is not on the curve.
    NotP256,
    /// No key was given: an empty PEM, or a JWK without one of its required
    /// members (`kty`, `crv`, `x`, `y`).
    Missing,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyError::NotPem => "the key is not an unencrypted PKCS#8 or SEC1 PEM private key",
            KeyError::NotP256 => "the key is not a P-256 (ES256) key",
            KeyError::Missing => "no key was given, or a required JWK member is missing",
        })
    }
}

impl std::error::Error for KeyError {}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    /// Not a compact JWS: not three base64url parts, a header or payload that
    /// is not a JSON object, no `alg`, or longer than [`MAX_TOKEN_LEN`].
    Malformed,
    /// The header names an algorithm other than ES256 (`none`, HS256, …), or
    /// a critical extension (`crit`) this module does not implement.
    UnsupportedAlg,
    /// The header's `kid` names no key of the ring (or there is no `kid`),
    /// or the client's registered JWK is unusable.
    UnknownKey,
    /// The signature is not 64 bytes `r || s`, or does not verify.
    BadSignature,
}

impl std::fmt::Display for JwtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JwtError::Malformed => "the token is not a well-formed compact JWS",
            JwtError::UnsupportedAlg => "the token's algorithm is not ES256",
            JwtError::UnknownKey => "the token names no key known here",
            JwtError::BadSignature => "the token's signature does not verify",
        })
    }
}

impl std::error::Error for JwtError {}

/// One P-256 signing key and its key id (the RFC 7638 JWK thumbprint,
/// base64url SHA-256).
#[derive(Clone)]
pub struct SigningKey {
    key: EcSigningKey,
    kid: String,
    x: String,
    y: String,
}

impl SigningKey {
    /// From a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey
    /// -algorithm EC -pkeyopt ec_paramgen_curve:P-256` writes) or a SEC1 PEM
    /// (`-----BEGIN EC PRIVATE KEY-----`, as `openssl ecparam -genkey`
    /// writes; an `EC PARAMETERS` block before it is skipped). Leading and
    /// trailing whitespace is ignored, and literal two-character `\n`
    /// sequences are accepted in place of newlines (Spin variables set from
    /// environment variables often carry them that way); the base64 body may
    /// be wrapped at any width.
    pub fn from_pem(pem: &str) -> Result<SigningKey, KeyError> {
        let text = Zeroizing::new(pem.trim().replace("\\n", "\n"));
        if text.trim().is_empty() {
            return Err(KeyError::Missing);
        }
        let secret = if let Some(der) = pem_block(&text, "PRIVATE KEY")? {
            pkcs8_secret(&der)?
        } else if let Some(der) = pem_block(&text, "EC PRIVATE KEY")? {
            sec1_secret(&der)?
        } else {
            return Err(KeyError::NotPem);
        };
        Ok(SigningKey::from_ec(EcSigningKey::from(secret)))
    }

    /// A key derived deterministically from `secret`, for development only
    /// (the dev-mode fallback when no key is configured): the scalar is
    /// HMAC-SHA256 keyed with `secret` over `"cds sso signing key v1"`
    /// followed by a counter (4 bytes, big-endian, from 0), taking the first
    /// counter whose MAC is a valid non-zero scalar (below the group order).
    pub fn derive_from_secret(secret: &[u8]) -> SigningKey {
        let key = (0..=u32::MAX)
            .find_map(|counter| derived_scalar(secret, counter))
            // Unreachable (each counter fails with probability below 2^-32,
            // and HMAC takes keys of any length): a scalar still derived from
            // the secret keeps the function total without a panic path.
            .unwrap_or_else(|| {
                let digest = Sha256::new()
                    .chain_update(DERIVE_LABEL)
                    .chain_update(secret)
                    .finalize();
                NonZeroScalar::reduce_bytes(&digest)
            });
        SigningKey::from_ec(EcSigningKey::from(key))
    }

    /// The key id: the RFC 7638 thumbprint of the public key, base64url
    /// (no padding) of the SHA-256 of `{"crv":"P-256","kty":"EC","x":…,"y":…}`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK object:
    /// `{"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"use":"sig","alg":"ES256"}`.
    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": self.x,
            "y": self.y,
            "kid": self.kid,
            "use": "sig",
            "alg": ALG,
        })
    }

    fn from_ec(key: EcSigningKey) -> SigningKey {
        let (x, y) = coordinates(key.verifying_key());
        let kid = thumbprint(&x, &y);
        SigningKey { key, kid, x, y }
    }

    fn verifying_key(&self) -> &VerifyingKey {
        self.key.verifying_key()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The provider's keys: the current one signs; the previous one (during a
/// rotation's overlap) only verifies and is still published.
#[derive(Debug, Clone)]
pub struct KeyRing {
    current: SigningKey,
    previous: Option<SigningKey>,
}

impl KeyRing {
    /// A ring that signs with `current` and also accepts (and publishes)
    /// `previous`. A `previous` with the same key id as `current` is the
    /// same key, and is dropped.
    pub fn new(current: SigningKey, previous: Option<SigningKey>) -> KeyRing {
        let previous = previous.filter(|p| p.kid != current.kid);
        KeyRing { current, previous }
    }

    /// Compact JWS of `claims` with header
    /// `{"alg":"ES256","typ":<typ>,"kid":<current kid>}`; `typ` is `"JWT"`
    /// for ID tokens and `"at+jwt"` for access tokens (RFC 9068).
    pub fn sign(&self, typ: &str, claims: &Value) -> String {
        let header = json!({"alg": ALG, "typ": typ, "kid": self.current.kid});
        let mut token = URL_SAFE_NO_PAD.encode(header.to_string());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature: Signature = self.current.key.sign(token.as_bytes());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        token
    }

    /// The JWKS document: `{"keys":[current jwk, previous jwk if any]}`.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .map(SigningKey::public_jwk)
            .collect();
        json!({ "keys": keys })
    }

    /// Checks the signature with the key named by the header's `kid`
    /// (current or previous) and returns `(header, claims)` as JSON objects.
    /// Refuses an `alg` other than ES256 (including `none`), an unknown
    /// `kid`, malformed input, and any signature that is not 64 bytes
    /// `r || s`. Does NOT check `exp`, `aud`, `iss` or `typ`: the caller does.
    pub fn verify(&self, token: &str) -> Result<(JsonObject, JsonObject), JwtError> {
        verify_compact(token, |header| {
            let kid = header.get("kid").and_then(Value::as_str);
            std::iter::once(&self.current)
                .chain(self.previous.as_ref())
                .find(|k| Some(k.kid.as_str()) == kid)
                .map(SigningKey::verifying_key)
                .cloned()
                .ok_or(JwtError::UnknownKey)
        })
    }
}

/// For `private_key_jwt` client authentication (RFC 7523): a client
/// registers a public JWK. Accepts only `{"kty":"EC","crv":"P-256","x","y"}`
/// whose point is on the curve (each coordinate exactly 32 bytes, base64url);
/// returns the normalised JWK: only `kty`, `crv`, `x`, `y`, and `kid` if
/// given. Anything else, a private `d` included, is dropped.
pub fn parse_client_jwk(jwk: &Value) -> Result<Value, KeyError> {
    let (key, kid) = client_key(jwk)?;
    let (x, y) = coordinates(&key);
    let mut out = json!({"kty": "EC", "crv": "P-256", "x": x, "y": y});
    if let (Some(kid), Some(obj)) = (kid, out.as_object_mut()) {
        obj.insert("kid".to_owned(), Value::String(kid));
    }
    Ok(out)
}

/// Verifies an ES256 compact JWS with a client's public JWK (as
/// [`parse_client_jwk`] accepts; `alg` must be ES256) and returns its claims.
/// The header's `kid`, if any, is not compared: the signature decides. An
/// unusable JWK is [`JwtError::UnknownKey`].
pub fn verify_with_jwk(token: &str, jwk: &Value) -> Result<JsonObject, JwtError> {
    let (key, _) = client_key(jwk).map_err(|_| JwtError::UnknownKey)?;
    verify_compact(token, |_| Ok(key)).map(|(_, claims)| claims)
}

/// The common verification: shape, header, algorithm, key (chosen by `key`
/// from the header), signature, then the payload.
fn verify_compact(
    token: &str,
    key: impl FnOnce(&JsonObject) -> Result<VerifyingKey, JwtError>,
) -> Result<(JsonObject, JsonObject), JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header = json_object(header_b64)?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ALG => {}
        Some(Value::String(_)) => return Err(JwtError::UnsupportedAlg),
        _ => return Err(JwtError::Malformed),
    }
    if header.contains_key("crit") {
        return Err(JwtError::UnsupportedAlg);
    }
    let key = key(&header)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|_| JwtError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| JwtError::Malformed)?;
    if signature.len() != 64 {
        return Err(JwtError::BadSignature);
    }
    let signature = Signature::from_slice(&signature).map_err(|_| JwtError::BadSignature)?;
    // The signing input is the two parts exactly as received (RFC 7515 §5.2).
    let signed_len = header_b64.len() + 1 + payload_b64.len();
    let signing_input = token
        .get(..signed_len)
        .ok_or(JwtError::Malformed)?
        .as_bytes();
    key.verify(signing_input, &signature)
        .map_err(|_| JwtError::BadSignature)?;
    let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(&payload) else {
        return Err(JwtError::Malformed);
    };
    Ok((header, claims))
}

/// A base64url part that must hold a JSON object.
fn json_object(part: &str) -> Result<JsonObject, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Malformed),
    }
}

/// The public key and `kid` of a client's JWK.
fn client_key(jwk: &Value) -> Result<(VerifyingKey, Option<String>), KeyError> {
    let Value::Object(jwk) = jwk else {
        return Err(KeyError::NotP256);
    };
    let member = |name: &str| match jwk.get(name) {
        None | Some(Value::Null) => Err(KeyError::Missing),
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(KeyError::NotP256),
    };
    if member("kty")? != "EC" || member("crv")? != "P-256" {
        return Err(KeyError::NotP256);
    }
    let x = coordinate(member("x")?)?;
    let y = coordinate(member("y")?)?;
    let point = EncodedPoint::from_affine_coordinates(&x, &y, false);
    let key = VerifyingKey::from_encoded_point(&point).map_err(|_| KeyError::NotP256)?;
    let kid = match jwk.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(KeyError::NotP256),
    };
    Ok((key, kid))
}

/// One JWK coordinate: base64url of exactly 32 bytes (RFC 7518 §6.2.1.2).
fn coordinate(b64: &str) -> Result<FieldBytes, KeyError> {
    let bytes = URL_SAFE_NO_PAD.decode(b64).map_err(|_| KeyError::NotP256)?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::NotP256)?;
    Ok(bytes.into())
}

/// The base64url `x` and `y` of a public key.
fn coordinates(key: &VerifyingKey) -> (String, String) {
    let point = key.to_encoded_point(false);
    // A public key is never the identity, so its uncompressed encoding always
    // has both coordinates; the defaults keep this total.
    let x = point.x().map(|x| URL_SAFE_NO_PAD.encode(x));
    let y = point.y().map(|y| URL_SAFE_NO_PAD.encode(y));
    (x.unwrap_or_default(), y.unwrap_or_default())
}

/// RFC 7638 thumbprint: the required members in lexicographic order, no
/// whitespace, SHA-256, base64url.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The scalar `derive_from_secret` takes for one counter, if valid.
fn derived_scalar(secret: &[u8], counter: u32) -> Option<NonZeroScalar> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(DERIVE_LABEL);
    mac.update(&counter.to_be_bytes());
    let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
    NonZeroScalar::try_from(bytes.as_slice()).ok()
}

/// The DER inside the first `-----BEGIN <label>-----` … `-----END <label>-----`
/// block of `text`, or `None` if there is no such block.
fn pem_block(text: &str, label: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = text.find(&begin) else {
        return Ok(None);
    };
    let rest = text.get(start + begin.len()..).ok_or(KeyError::NotPem)?;
    let Some(stop) = rest.find(&end) else {
        return Err(KeyError::NotPem);
    };
    let body = rest.get(..stop).ok_or(KeyError::NotPem)?;
    let body: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    if body.is_empty() {
        return Err(KeyError::NotPem);
    }
    let der = STANDARD
        .decode(body.as_bytes())
        .map_err(|_| KeyError::NotPem)?;
    Ok(Some(Zeroizing::new(der)))
}

/// A PKCS#8 `PrivateKeyInfo` that must hold an EC key on P-256.
fn pkcs8_secret(der: &[u8]) -> Result<SecretKey, KeyError> {
    let info = PrivateKeyInfo::try_from(der).map_err(|_| KeyError::NotPem)?;
    if info.algorithm.oid != ALGORITHM_OID
        || info.algorithm.parameters_oid().ok() != Some(NistP256::OID)
    {
        return Err(KeyError::NotP256);
    }
    SecretKey::from_pkcs8_der(der).map_err(|_| KeyError::NotP256)
}

/// A SEC1 `ECPrivateKey` that must be on P-256 (by its named curve if it
/// gives one, else by the size of its scalar).
fn sec1_secret(der: &[u8]) -> Result<SecretKey, KeyError> {
    let key = sec1::EcPrivateKey::try_from(der).map_err(|_| KeyError::NotPem)?;
    if let Some(params) = key.parameters {
        if params.named_curve() != Some(NistP256::OID) {
            return Err(KeyError::NotP256);
        }
    }
    if key.private_key.len() != 32 {
        return Err(KeyError::NotP256);
    }
    SecretKey::from_sec1_der(der).map_err(|_| KeyError::NotP256)
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
