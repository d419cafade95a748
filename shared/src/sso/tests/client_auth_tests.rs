//! Client authentication at the token and revocation endpoints (RFC 6749
//! §2.3, OIDC Core §9, RFC 7523): exactly one method per request, and a
//! `private_key_jwt` assertion accepted once, only with the right claims.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::helpers::{confidential, form, new_client, provider, public, ISSUER};
use crate::ports::Clock;
use crate::sso::client::{register, RelyingParty};
use crate::sso::client_auth::{authenticate, Presented, JWT_BEARER};
use crate::sso::jwt::{KeyRing, SigningKey};
use crate::sso::provider::paths;
use crate::sso::SsoError;
use crate::testing::World;

fn auth(
    w: &World,
    authorization: Option<&str>,
    body: &[(&str, &str)],
) -> Result<RelyingParty, SsoError> {
    let body = form(body);
    authenticate(
        w.ports(),
        &provider(),
        &Presented {
            authorization,
            form: &body,
        },
    )
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[test]
fn client_secret_basic_authenticates_the_client() {
    let w = World::new();
    let (client, secret) = confidential(&w, "openid");
    let header = basic(&client.id, &secret);
    assert_eq!(auth(&w, Some(&header), &[]).unwrap().id, client.id);
    assert_eq!(
        auth(&w, Some(&header), &[("client_id", &client.id)])
            .unwrap()
            .id,
        client.id,
        "a matching client_id in the form is fine"
    );
    let lower = header.replacen("Basic", "basic", 1);
    assert_eq!(auth(&w, Some(&lower), &[]).unwrap().id, client.id);
    let (other, _) = confidential(&w, "openid");
    assert_eq!(
        auth(&w, Some(&header), &[("client_id", &other.id)]).unwrap_err(),
        SsoError::InvalidClient,
        "the form names another client"
    );
}

#[test]
fn client_secret_post_authenticates_the_client() {
    let w = World::new();
    let (client, secret) = confidential(&w, "openid");
    let got = auth(
        &w,
        None,
        &[("client_id", &client.id), ("client_secret", &secret)],
    );
    assert_eq!(got.unwrap().id, client.id);
    assert_eq!(
        auth(&w, None, &[("client_secret", &secret)]).unwrap_err(),
        SsoError::InvalidClient,
        "a secret without a client_id"
    );
}

#[test]
fn a_wrong_secret_or_unknown_client_is_invalid_client() {
    let w = World::new();
    let (client, secret) = confidential(&w, "openid");
    let (other, other_secret) = confidential(&w, "openid");
    let wrong = format!("{secret}0");
    for (id, s) in [
        (client.id.as_str(), wrong.as_str()),
        (client.id.as_str(), other_secret.as_str()),
        (other.id.as_str(), secret.as_str()),
        ("rp_NoSuchService", secret.as_str()),
    ] {
        assert_eq!(
            auth(&w, Some(&basic(id, s)), &[]).unwrap_err(),
            SsoError::InvalidClient
        );
        assert_eq!(
            auth(&w, None, &[("client_id", id), ("client_secret", s)]).unwrap_err(),
            SsoError::InvalidClient
        );
    }
    assert_eq!(
        auth(&w, Some("Basic !!!not-base64"), &[]).unwrap_err(),
        SsoError::InvalidClient
    );
}

#[test]
fn two_methods_at_once_are_invalid_request() {
    let w = World::new();
    let (client, secret) = confidential(&w, "openid");
    let header = basic(&client.id, &secret);
    let both = auth(
        &w,
        Some(&header),
        &[("client_id", &client.id), ("client_secret", &secret)],
    );
    assert!(matches!(both, Err(SsoError::InvalidRequest(_))), "{both:?}");
    let with_assertion = auth(
        &w,
        None,
        &[
            ("client_id", &client.id),
            ("client_secret", &secret),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", "a.b.c"),
        ],
    );
    assert!(matches!(with_assertion, Err(SsoError::InvalidRequest(_))));
    let repeated = auth(
        &w,
        None,
        &[
            ("client_id", &client.id),
            ("client_secret", &secret),
            ("client_secret", &secret),
        ],
    );
    assert!(matches!(repeated, Err(SsoError::InvalidRequest(_))));
}

#[test]
fn a_public_client_needs_only_its_id_and_a_confidential_one_needs_credentials() {
    let w = World::new();
    let app = public(&w, "openid");
    assert_eq!(
        auth(&w, None, &[("client_id", &app.id)]).unwrap().id,
        app.id
    );
    let (server, _) = confidential(&w, "openid");
    assert_eq!(
        auth(&w, None, &[("client_id", &server.id)]).unwrap_err(),
        SsoError::InvalidClient
    );
    assert_eq!(auth(&w, None, &[]).unwrap_err(), SsoError::InvalidClient);
    assert_eq!(
        auth(&w, None, &[("client_id", "rp_NoSuchApp")]).unwrap_err(),
        SsoError::InvalidClient
    );
}

/// A confidential client registered with the public half of `key`.
fn keyed(w: &World, key: &SigningKey) -> RelyingParty {
    let (client, _) = register(
        w.ports(),
        new_client("confidential", "openid", json!({ "jwk": key.public_jwk() })),
    )
    .unwrap();
    client
}

/// A compact ES256 JWS of `claims` signed by `key`.
fn sign(key: &SigningKey, claims: &Value) -> String {
    KeyRing::new(key.clone(), None).sign("JWT", claims)
}

/// The claims of a good assertion of `client` at `now`.
fn claims(client: &RelyingParty, jti: &str, now: i64) -> Value {
    json!({
        "iss": client.id,
        "sub": client.id,
        "aud": provider().url(paths::TOKEN),
        "jti": jti,
        "iat": now,
        "exp": now + 60,
    })
}

fn by_assertion(w: &World, client_id: Option<&str>, jwt: &str) -> Result<RelyingParty, SsoError> {
    let mut body = vec![
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", jwt),
    ];
    if let Some(id) = client_id {
        body.push(("client_id", id));
    }
    auth(w, None, &body)
}

#[test]
fn a_signed_client_assertion_works_once_and_its_replay_is_refused() {
    let w = World::new();
    let key = SigningKey::derive_from_secret(b"the portal's own key");
    let client = keyed(&w, &key);
    let now = w.clock.now();
    let jwt = sign(&key, &claims(&client, "jti-0001", now));
    assert_eq!(
        by_assertion(&w, Some(&client.id), &jwt).unwrap().id,
        client.id
    );
    assert_eq!(
        by_assertion(&w, Some(&client.id), &jwt).unwrap_err(),
        SsoError::InvalidClient,
        "the same assertion again"
    );
    // A new assertion with the same jti, even minutes later, is a replay.
    w.clock.advance(120);
    let again = sign(&key, &claims(&client, "jti-0001", w.clock.now()));
    assert_eq!(
        by_assertion(&w, None, &again).unwrap_err(),
        SsoError::InvalidClient
    );
    // A fresh jti works, without client_id, and with the issuer as audience.
    let mut fresh = claims(&client, "jti-0002", w.clock.now());
    fresh["aud"] = json!(ISSUER);
    assert_eq!(
        by_assertion(&w, None, &sign(&key, &fresh)).unwrap().id,
        client.id
    );
    let mut listed = claims(&client, "jti-0003", w.clock.now());
    listed["aud"] = json!(["https://other.example", provider().url(paths::TOKEN)]);
    assert_eq!(
        by_assertion(&w, None, &sign(&key, &listed)).unwrap().id,
        client.id
    );
}

#[test]
fn an_assertion_with_a_wrong_claim_key_or_type_is_refused() {
    let w = World::new();
    let key = SigningKey::derive_from_secret(b"the portal's own key");
    let client = keyed(&w, &key);
    let (other, _) = confidential(&w, "openid");
    let now = w.clock.now();
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut with = |why: &'static str, name: &str, value: Value| {
        let mut c = claims(&client, &format!("jti-{why}"), now);
        if value.is_null() {
            c.as_object_mut().unwrap().remove(name);
        } else {
            c[name] = value;
        }
        cases.push((why, c));
    };
    with(
        "aud of another server",
        "aud",
        json!("https://id.example.vn/sso/token"),
    );
    with(
        "aud the userinfo endpoint",
        "aud",
        json!(provider().url(paths::USERINFO)),
    );
    with("no aud", "aud", Value::Null);
    with("expired", "exp", json!(now - 1));
    with("expiring now", "exp", json!(now));
    with("more than an hour ahead", "exp", json!(now + 3601));
    with("no exp", "exp", Value::Null);
    with("sub another client", "sub", json!(other.id));
    with("sub missing", "sub", Value::Null);
    with("no jti", "jti", Value::Null);
    with("empty jti", "jti", json!(""));
    for (why, c) in &cases {
        assert_eq!(
            by_assertion(&w, Some(&client.id), &sign(&key, c)).unwrap_err(),
            SsoError::InvalidClient,
            "{why}"
        );
    }
    // iss another keyed client, signed with its key, sub this one.
    let key2 = SigningKey::derive_from_secret(b"the hospital's own key");
    let hospital = keyed(&w, &key2);
    let mut c = claims(&client, "jti-iss", now);
    c["iss"] = json!(hospital.id);
    assert_eq!(
        by_assertion(&w, None, &sign(&key2, &c)).unwrap_err(),
        SsoError::InvalidClient
    );
    c["sub"] = json!(hospital.id);
    assert_eq!(
        by_assertion(&w, None, &sign(&key2, &c)).unwrap().id,
        hospital.id,
        "the same assertion with iss = sub is the hospital's"
    );
    // Signed by another key.
    let thief = SigningKey::derive_from_secret(b"not the portal's key");
    let forged = sign(&thief, &claims(&client, "jti-forged", now));
    assert_eq!(
        by_assertion(&w, None, &forged).unwrap_err(),
        SsoError::InvalidClient
    );
    // The form names another client than the assertion.
    let good = sign(&key, &claims(&client, "jti-form", now));
    assert_eq!(
        by_assertion(&w, Some(&other.id), &good).unwrap_err(),
        SsoError::InvalidClient
    );
    // Without its type.
    assert_eq!(
        auth(&w, None, &[("client_assertion", &good)]).unwrap_err(),
        SsoError::InvalidClient
    );
    // A client with no registered key cannot use assertions at all.
    let c = claims(&other, "jti-nokey", now);
    assert_eq!(
        by_assertion(&w, None, &sign(&key, &c)).unwrap_err(),
        SsoError::InvalidClient
    );
    // An hour ahead exactly is the limit; the refusals above recorded
    // no jti, so the one of a refused form is still usable.
    let mut limit = claims(&client, "jti-form", now);
    limit["exp"] = json!(now + 3600);
    assert_eq!(
        by_assertion(&w, None, &sign(&key, &limit)).unwrap().id,
        client.id
    );
}
