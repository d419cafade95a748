//! RFC 7009 revocation: a refresh token ends its grant, an access token
//! ends only itself, and a client can revoke only its own tokens.

use super::helpers::{citizen, confidential, form, live, provider, public, refresh, tokens};
use crate::sso::client::RelyingParty;
use crate::sso::token::revoke;
use crate::sso::SsoError;
use crate::testing::World;

fn revoke_token(w: &World, client: &RelyingParty, token: &str) -> Result<bool, SsoError> {
    revoke(w.ports(), &provider(), client, &form(&[("token", token)]))
}

#[test]
fn revoking_a_refresh_token_ends_the_grant() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile");
    let me = citizen(&w, 1);
    let issued = tokens(&w, &client, "openid profile", &me);
    let other = tokens(&w, &client, "openid profile", &me);
    assert!(revoke_token(&w, &client, &issued.refresh_token).unwrap());
    assert!(!live(&w, &issued.access_token), "its access token stops");
    assert_eq!(
        refresh(&w, &client, &issued.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
    assert!(
        !revoke_token(&w, &client, &issued.refresh_token).unwrap(),
        "already"
    );
    assert!(live(&w, &other.access_token), "another grant is untouched");
}

#[test]
fn revoking_a_used_refresh_token_still_ends_the_grant() {
    let w = World::new();
    let client = public(&w, "openid");
    let first = tokens(&w, &client, "openid", &citizen(&w, 1));
    let second = refresh(&w, &client, &first.refresh_token, None).unwrap();
    assert!(revoke_token(&w, &client, &first.refresh_token).unwrap());
    assert!(!live(&w, &second.access_token));
}

#[test]
fn revoking_an_access_token_ends_only_it() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid");
    let issued = tokens(&w, &client, "openid", &citizen(&w, 1));
    assert!(revoke_token(&w, &client, &issued.access_token).unwrap());
    assert!(!live(&w, &issued.access_token));
    assert!(
        !revoke_token(&w, &client, &issued.access_token).unwrap(),
        "already"
    );
    let next = refresh(&w, &client, &issued.refresh_token, None).unwrap();
    assert!(live(&w, &next.access_token), "the grant lives on");
}

#[test]
fn a_client_cannot_revoke_another_clients_tokens() {
    let w = World::new();
    let (mine, _) = confidential(&w, "openid");
    let (other, _) = confidential(&w, "openid");
    let issued = tokens(&w, &mine, "openid", &citizen(&w, 1));
    assert!(!revoke_token(&w, &other, &issued.access_token).unwrap());
    assert!(!revoke_token(&w, &other, &issued.refresh_token).unwrap());
    assert!(live(&w, &issued.access_token));
    assert!(refresh(&w, &mine, &issued.refresh_token, None).is_ok());
}

#[test]
fn an_unknown_token_is_answered_like_a_known_one() {
    let w = World::new();
    let client = public(&w, "openid");
    let issued = tokens(&w, &client, "openid", &citizen(&w, 1));
    for unknown in ["no-such-token", "a.b.c", &"x".repeat(500), &issued.id_token] {
        assert_eq!(revoke_token(&w, &client, unknown), Ok(false), "{unknown}");
    }
    assert!(live(&w, &issued.access_token));
    assert!(matches!(
        revoke(w.ports(), &provider(), &client, &form(&[])),
        Err(SsoError::InvalidRequest(_))
    ));
}
