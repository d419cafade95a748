//! Redeeming an authorization code (RFC 6749 §4.1.3, OIDC Core §3.1.3):
//! the tokens a service gets and checks, and every way a code is refused —
//! wrong verifier, redirect URI or client, expired, replayed, or redeemed by
//! many requests at once.

use serde_json::{json, Value};

use super::helpers::{
    approve, citizen, confidential, exchange, exchange_with, live, new_client, provider, public,
    race, refresh, tokens, Shared, ISSUER, NONCE, REDIRECT,
};
use crate::identity::secret::{b64url, sha256};
use crate::sso::client::register;
use crate::sso::jwt::verify_with_jwk;
use crate::sso::provider::{ACCESS_TTL, CODE_TTL, ID_TOKEN_TTL};
use crate::sso::scope::Scope;
use crate::sso::token::Issued;
use crate::sso::{resource, SsoError};
use crate::testing::{World, T0};

/// The ID token's claims, checked against the provider's published keys
/// the way a service checks them (JWKS, ES256, `typ` JWT).
fn id_claims(issued: &Issued) -> serde_json::Map<String, Value> {
    let p = provider();
    let (header, claims) = p.keys.verify(&issued.id_token).unwrap();
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "JWT");
    let jwks = p.keys.jwks();
    let published = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the signing key is in the JWKS");
    assert_eq!(
        verify_with_jwk(&issued.id_token, published).unwrap(),
        claims
    );
    claims
}

fn sub(issued: &Issued) -> String {
    id_claims(issued)["sub"].as_str().unwrap().to_owned()
}

#[test]
fn a_code_exchanges_for_tokens_a_service_can_verify() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile phone");
    let me = citizen(&w, 1);
    let issued = tokens(&w, &client, "openid profile", &me);

    let claims = id_claims(&issued);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], client.id.as_str());
    assert_eq!(claims["azp"], client.id.as_str());
    assert_eq!(claims["nonce"], NONCE);
    assert_eq!(claims["iat"], T0);
    assert_eq!(claims["exp"], T0 + ID_TOKEN_TTL);
    assert_eq!(claims["auth_time"], T0);
    assert_eq!(claims["amr"], json!(["otp"]));
    let sub = claims["sub"].as_str().unwrap();
    assert!(!sub.contains(&me) && sub.len() >= 43, "{sub}");
    // at_hash: the left half of the access token's SHA-256 (OIDC §3.3.2.11).
    let digest = sha256(issued.access_token.as_bytes());
    assert_eq!(claims["at_hash"], b64url(&digest[..16]));
    let sid = claims["sid"].as_str().unwrap();
    assert!(
        !sid.contains("se_test_session"),
        "the session id stays inside"
    );

    let body = issued.to_json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], ACCESS_TTL);
    assert_eq!(body["scope"], "openid profile");
    assert!(body["refresh_token"]
        .as_str()
        .is_some_and(|t| t.len() >= 40));

    // The access token opens UserInfo as the same `sub`, with the scopes.
    let bearer = resource::check(w.ports(), &provider(), &issued.access_token).unwrap();
    assert_eq!(bearer.sub, sub);
    assert_eq!(bearer.grant.account_id, me);
    assert_eq!(bearer.scopes.to_string(), "openid profile");
    assert_eq!(
        bearer.require(&Scope::Phone),
        Err(SsoError::InsufficientScope)
    );
    // It lives ACCESS_TTL seconds.
    w.clock.advance(ACCESS_TTL - 1);
    assert!(live(&w, &issued.access_token));
    w.clock.advance(1);
    assert!(!live(&w, &issued.access_token));
}

#[test]
fn an_id_token_is_not_an_access_token() {
    let w = World::new();
    let client = public(&w, "openid");
    let issued = tokens(&w, &client, "openid", &citizen(&w, 1));
    assert!(live(&w, &issued.access_token));
    assert!(!live(&w, &issued.id_token));
    assert!(!live(&w, "not.a.token"));
    let foreign = crate::sso::jwt::KeyRing::new(
        crate::sso::jwt::SigningKey::derive_from_secret(b"another provider"),
        None,
    );
    let (_, claims) = provider().keys.verify(&issued.access_token).unwrap();
    let forged = foreign.sign("at+jwt", &Value::Object(claims));
    assert!(!live(&w, &forged), "signed by another key");
}

#[test]
fn the_sub_is_pairwise_per_service_and_stable_for_one() {
    let w = World::new();
    let portal = public(&w, "openid");
    let hospital = public(&w, "openid");
    let an = citizen(&w, 1);
    let binh = citizen(&w, 2);
    let first = sub(&tokens(&w, &portal, "openid", &an));
    let again = sub(&tokens(&w, &portal, "openid", &an));
    assert_eq!(first, again, "one service sees one sub for a citizen");
    assert_ne!(first, sub(&tokens(&w, &hospital, "openid", &an)));
    assert_ne!(first, sub(&tokens(&w, &portal, "openid", &binh)));
}

#[test]
fn a_wrong_verifier_is_invalid_grant() {
    let w = World::new();
    let client = public(&w, "openid");
    let code = approve(&w, &client, "openid", &citizen(&w, 1));
    let mut wrong = code.verifier.clone();
    wrong.replace_range(..1, "W");
    assert_eq!(
        exchange_with(&w, &client, &code.code, &wrong, REDIRECT)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
    assert_eq!(
        exchange_with(&w, &client, &code.code, "short", REDIRECT)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM sso_access_tokens"),
        0,
        "nothing was issued"
    );
}

#[test]
fn a_wrong_redirect_uri_is_invalid_grant() {
    let w = World::new();
    let other = "https://dichvucong.danang.gov.vn/other";
    let (client, _) = register(
        w.ports(),
        new_client(
            "public",
            "openid",
            json!({ "redirect_uris": [REDIRECT, other] }),
        ),
    )
    .unwrap();
    let code = approve(&w, &client, "openid", &citizen(&w, 1));
    assert_eq!(
        exchange_with(&w, &client, &code.code, &code.verifier, other)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM sso_access_tokens"), 0);
}

#[test]
fn missing_parameters_are_invalid_request() {
    let w = World::new();
    let client = public(&w, "openid");
    let code = approve(&w, &client, "openid", &citizen(&w, 1));
    assert!(matches!(
        exchange_with(&w, &client, &code.code, "", REDIRECT),
        Err(SsoError::InvalidRequest(_))
    ));
    assert!(matches!(
        exchange_with(&w, &client, &code.code, &code.verifier, ""),
        Err(SsoError::InvalidRequest(_))
    ));
    // Refused before the code was looked at: it still works.
    assert!(exchange(&w, &client, &code).is_ok());
}

#[test]
fn another_clients_code_is_invalid_grant_and_still_works_for_its_own_client() {
    let w = World::new();
    let mine = public(&w, "openid");
    let thief = public(&w, "openid");
    let code = approve(&w, &mine, "openid", &citizen(&w, 1));
    assert_eq!(
        exchange(&w, &thief, &code).unwrap_err().code(),
        "invalid_grant"
    );
    let issued = exchange(&w, &mine, &code).unwrap();
    assert!(live(&w, &issued.access_token), "the thief revoked nothing");
    assert_eq!(id_claims(&issued)["aud"], mine.id.as_str());
}

#[test]
fn a_code_lives_sixty_seconds() {
    let w = World::new();
    let client = public(&w, "openid");
    let me = citizen(&w, 1);
    let young = approve(&w, &client, "openid", &me);
    w.clock.advance(CODE_TTL - 1);
    assert!(exchange(&w, &client, &young).is_ok());

    let old = approve(&w, &client, "openid", &me);
    w.clock.advance(CODE_TTL);
    assert_eq!(
        exchange(&w, &client, &old).unwrap_err().code(),
        "invalid_grant"
    );
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM sso_access_tokens"),
        1,
        "only the young code issued tokens"
    );
}

#[test]
fn a_replayed_code_is_refused_and_revokes_what_the_first_exchange_issued() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile");
    let me = citizen(&w, 1);
    let code = approve(&w, &client, "openid profile", &me);
    let first = exchange(&w, &client, &code).unwrap();
    assert!(live(&w, &first.access_token));

    w.clock.advance(5);
    let replay = exchange(&w, &client, &code).unwrap_err();
    assert_eq!(replay.code(), "invalid_grant");
    assert_eq!(
        replay,
        SsoError::Replayed {
            account_id: me.clone()
        },
        "the citizen whose grant was revoked is named for the audit"
    );
    assert!(
        !live(&w, &first.access_token),
        "the first access token stops"
    );
    assert_eq!(
        refresh(&w, &client, &first.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant",
        "so does its refresh token"
    );
    // Another login of the same citizen is untouched.
    let other = tokens(&w, &client, "openid profile", &me);
    assert!(live(&w, &other.access_token));
}

#[test]
fn parallel_redemptions_of_one_code_issue_tokens_at_most_once_and_none_survive() {
    const N: usize = 12;
    let (db, w) = Shared::new("sso-code-race");
    let client = public(&w, "openid profile");
    let code = approve(&w, &client, "openid profile", &citizen(&w, 1));
    let (c, code_text, verifier) = (client.clone(), code.code.clone(), code.verifier.clone());
    let results = race(&db.0, N, move |_, w| {
        exchange_with(w, &c, &code_text, &verifier, REDIRECT)
    });
    let won: Vec<&Issued> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert!(won.len() <= 1, "{} requests got tokens", won.len());
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.code(), "invalid_grant");
        }
    }
    assert!(
        w.db.scalar("SELECT count(*) FROM sso_access_tokens") <= 1,
        "one redemption issued at most one set of tokens"
    );
    // Every other redemption was a replay: what was issued is revoked.
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM sso_grants WHERE revoked_at IS NULL"),
        0
    );
    for issued in won {
        assert!(!live(&w, &issued.access_token));
        assert_eq!(
            refresh(&w, &client, &issued.refresh_token, None)
                .unwrap_err()
                .code(),
            "invalid_grant"
        );
    }
    assert_eq!(
        exchange(&w, &client, &code).unwrap_err().code(),
        "invalid_grant"
    );
}
