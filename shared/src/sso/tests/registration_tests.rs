//! Registering a service (docs/sso.md, "Registering a service"): which
//! redirect URIs and scopes are accepted, the secret a confidential client
//! gets once, rotating it, and disabling the client.

use serde_json::json;

use super::helpers::{
    auth_params, citizen, confidential, form, live, new_client, pkce, provider, public, refresh,
    tokens, REDIRECT,
};
use crate::error::ApiError;
use crate::sso::authorize::{parse_request, Refusal};
use crate::sso::client::{disable, find_live, register, rotate_secret, NewClient, RelyingParty};
use crate::sso::client_auth::{authenticate, Presented};
use crate::sso::scope::Scope;
use crate::sso::store::clients;
use crate::sso::SsoError;
use crate::testing::World;

/// The 422 field a refused registration names.
fn refused_field(w: &World, new: NewClient) -> String {
    match register(w.ports(), new) {
        Err(e @ ApiError::Invalid { .. }) => {
            assert_eq!(e.status(), 422);
            assert_eq!(e.code(), "validation_failed");
            let ApiError::Invalid { fields, .. } = e else {
                unreachable!()
            };
            assert_eq!(fields.len(), 1, "{fields:?}");
            fields.keys().next().unwrap().clone()
        }
        other => panic!("expected 422, got {other:?}"),
    }
}

fn with_redirects(uris: &[&str]) -> NewClient {
    new_client("public", "openid", json!({ "redirect_uris": uris }))
}

/// A client_secret_post request of `client_id`.
fn post_auth(w: &World, client_id: &str, secret: &str) -> Result<RelyingParty, SsoError> {
    let body = form(&[("client_id", client_id), ("client_secret", secret)]);
    authenticate(
        w.ports(),
        &provider(),
        &Presented {
            authorization: None,
            form: &body,
        },
    )
}

#[test]
fn redirect_uris_are_https_or_loopback_http_and_a_bad_one_is_named() {
    let w = World::new();
    for good in [
        vec![REDIRECT],
        vec![
            "https://benhvien.danang.gov.vn/cb?tenant=1",
            "http://127.0.0.1:8765/cb",
        ],
        vec!["http://localhost/callback", "http://[::1]:9000/cb"],
    ] {
        let (client, _) = register(w.ports(), with_redirects(&good)).unwrap();
        assert_eq!(client.redirect_uris, good);
        let stored = find_live(&w.db, &client.id).unwrap().unwrap();
        assert_eq!(stored.redirect_uris, good, "stored as registered");
    }
    for bad in [
        vec![],
        vec!["http://dichvucong.danang.gov.vn/cb"],
        vec![REDIRECT, "http://127.0.0.1.evil.example/cb"],
        vec!["https://dichvucong.danang.gov.vn/cb#top"],
        vec!["https://user@dichvucong.danang.gov.vn/cb"],
        vec!["javascript:alert(1)"],
        vec!["/relative/cb"],
        vec![REDIRECT; 11],
    ] {
        assert_eq!(
            refused_field(&w, with_redirects(&bad)),
            "redirect_uris",
            "{bad:?}"
        );
    }
    let bad_logout = new_client(
        "public",
        "openid",
        json!({ "post_logout_redirect_uris": ["http://example.com/bye"] }),
    );
    assert_eq!(refused_field(&w, bad_logout), "post_logout_redirect_uris");
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM sso_clients"),
        3,
        "nothing refused was stored"
    );
}

#[test]
fn unknown_scopes_are_refused_and_openid_is_always_allowed() {
    let w = World::new();
    for scopes in [
        "openid email",
        "openid documents:passport",
        "offline_access",
    ] {
        assert_eq!(
            refused_field(&w, new_client("public", scopes, json!({}))),
            "scopes",
            "{scopes}"
        );
    }
    let client = public(&w, "profile documents:birth_certificate");
    assert!(client.scopes.contains(&Scope::OpenId));
    assert_eq!(
        client.scopes.to_string(),
        "openid profile documents:birth_certificate"
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM sso_clients"), 1);
}

#[test]
fn a_public_client_has_no_secret_and_cannot_register_a_key() {
    let w = World::new();
    let client = public(&w, "openid profile");
    let stored = find_live(&w.db, &client.id).unwrap().unwrap();
    assert_eq!(stored.secret_hash, None);
    assert!(!stored.secret_matches(""));
    assert_eq!(stored.to_json()["has_secret"], false);
    // It cannot log in with any secret at the token endpoint.
    assert_eq!(
        post_auth(&w, &client.id, "cs_anything").unwrap_err(),
        SsoError::InvalidClient
    );
    let key = crate::sso::jwt::SigningKey::derive_from_secret(b"app key").public_jwk();
    assert_eq!(
        refused_field(&w, new_client("public", "openid", json!({ "jwk": key }))),
        "jwk"
    );
    // Neither can a secret be rotated into it.
    assert_eq!(rotate_secret(w.ports(), &client.id).unwrap(), None);
    assert_eq!(
        find_live(&w.db, &client.id).unwrap().unwrap().secret_hash,
        None
    );
}

#[test]
fn a_confidential_client_gets_a_secret_once_that_matches_and_is_stored_hashed() {
    let w = World::new();
    let (client, secret) = confidential(&w, "openid profile");
    assert!(client.id.starts_with("rp_"));
    let stored = find_live(&w.db, &client.id).unwrap().unwrap();
    assert!(stored.secret_matches(&secret));
    assert!(!stored.secret_matches(&format!("{secret}x")));
    assert!(!stored.secret_matches(""));
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT count(*) FROM sso_clients WHERE secret_hash = '{secret}'"
        )),
        0,
        "the secret is not stored in the clear"
    );
    let shown = stored.to_json();
    assert_eq!(shown["has_secret"], true);
    assert!(!shown.to_string().contains(&secret), "{shown}");
    assert_eq!(post_auth(&w, &client.id, &secret).unwrap().id, client.id);
    // Two clients never share a secret.
    let (_, other) = confidential(&w, "openid");
    assert_ne!(other, secret);
}

#[test]
fn rotating_the_secret_makes_the_old_one_fail_and_the_new_one_work() {
    let w = World::new();
    let (client, old) = confidential(&w, "openid");
    let new = rotate_secret(w.ports(), &client.id).unwrap().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        post_auth(&w, &client.id, &old).unwrap_err(),
        SsoError::InvalidClient
    );
    assert_eq!(post_auth(&w, &client.id, &new).unwrap().id, client.id);
    let stored = find_live(&w.db, &client.id).unwrap().unwrap();
    assert!(stored.secret_matches(&new) && !stored.secret_matches(&old));
    // Unknown and implausible ids have nothing to rotate.
    assert_eq!(rotate_secret(w.ports(), "rp_unknown").unwrap(), None);
    assert_eq!(rotate_secret(w.ports(), "x' OR '1'='1").unwrap(), None);
}

#[test]
fn a_disabled_client_is_not_found_live_and_everything_it_holds_stops() {
    let w = World::new();
    let (client, secret) = confidential(&w, "openid profile");
    let me = citizen(&w, 1);
    let issued = tokens(&w, &client, "openid profile", &me);
    assert!(live(&w, &issued.access_token));

    assert!(disable(w.ports(), &client.id).unwrap());
    assert!(!disable(w.ports(), &client.id).unwrap(), "already disabled");
    assert_eq!(find_live(&w.db, &client.id).unwrap(), None);
    let kept = clients::by_id(&w.db, &client.id).unwrap().unwrap();
    assert!(kept.disabled_at.is_some(), "kept, marked disabled");

    assert!(!live(&w, &issued.access_token), "its access token stops");
    assert_eq!(
        post_auth(&w, &client.id, &secret).unwrap_err(),
        SsoError::InvalidClient
    );
    assert_eq!(
        refresh(&w, &client, &issued.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant",
        "a refresh token it still holds stops"
    );
    let params = auth_params(&client.id, "openid", &pkce(1).challenge);
    assert_eq!(
        parse_request(&w.db, &params).unwrap_err(),
        Refusal::Page(SsoError::InvalidClient)
    );
    assert_eq!(rotate_secret(w.ports(), &client.id).unwrap(), None);
}
