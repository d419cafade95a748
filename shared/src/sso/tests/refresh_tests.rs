//! Refresh tokens (RFC 6749 §6, OAuth 2.0 Security BCP §4.14): rotated at
//! every use, a reuse revokes the whole family, the scope may narrow but
//! never widen, and parallel uses of one token issue tokens at most once.

use super::helpers::{
    citizen, confidential, live, provider, public, race, refresh, tokens, Shared,
};
use crate::sso::scope::Scope;
use crate::sso::{resource, SsoError};
use crate::testing::World;

#[test]
fn a_refresh_token_is_rotated_at_each_use() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile");
    let first = tokens(&w, &client, "openid profile", &citizen(&w, 1));
    w.clock.advance(3600);
    assert!(!live(&w, &first.access_token), "expired by now");
    let second = refresh(&w, &client, &first.refresh_token, None).unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.grant_type, "refresh_token");
    assert_eq!(second.to_json()["scope"], "openid profile");
    assert!(live(&w, &second.access_token));
    // The ID token of a refresh names the same citizen to the same client.
    let p = provider();
    let sub = |t: &str| p.keys.verify(t).unwrap().1["sub"].clone();
    assert_eq!(sub(&second.id_token), sub(&first.id_token));

    let third = refresh(&w, &client, &second.refresh_token, None).unwrap();
    assert!(live(&w, &third.access_token));
    assert!(
        live(&w, &second.access_token),
        "rotation alone revokes nothing"
    );
}

#[test]
fn reusing_a_used_refresh_token_revokes_the_whole_family() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile");
    let me = citizen(&w, 1);
    let first = tokens(&w, &client, "openid profile", &me);
    let second = refresh(&w, &client, &first.refresh_token, None).unwrap();
    let newest = refresh(&w, &client, &second.refresh_token, None).unwrap();
    let elsewhere = tokens(&w, &client, "openid profile", &me);

    // Someone presents the first token again (a stolen copy, say).
    let reuse = refresh(&w, &client, &first.refresh_token, None).unwrap_err();
    assert_eq!(reuse.code(), "invalid_grant");
    assert_eq!(
        reuse,
        SsoError::Replayed {
            account_id: me.clone()
        }
    );
    assert!(
        !live(&w, &newest.access_token),
        "the newest access token is dead"
    );
    assert!(!live(&w, &first.access_token));
    assert_eq!(
        refresh(&w, &client, &newest.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant",
        "the newest refresh token is dead"
    );
    // Another login (another grant) of the same citizen is untouched.
    assert!(live(&w, &elsewhere.access_token));
    assert!(refresh(&w, &client, &elsewhere.refresh_token, None).is_ok());
}

#[test]
fn another_clients_refresh_token_is_refused_without_revoking_it() {
    let w = World::new();
    let mine = public(&w, "openid");
    let thief = public(&w, "openid");
    let issued = tokens(&w, &mine, "openid", &citizen(&w, 1));
    assert_eq!(
        refresh(&w, &thief, &issued.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
    assert!(live(&w, &issued.access_token));
    assert!(refresh(&w, &mine, &issued.refresh_token, None).is_ok());
    assert_eq!(
        refresh(&w, &mine, "no-such-refresh-token", None)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
}

#[test]
fn a_refresh_token_lives_thirty_days() {
    let w = World::new();
    let client = public(&w, "openid");
    let issued = tokens(&w, &client, "openid", &citizen(&w, 1));
    w.clock.advance(crate::sso::provider::REFRESH_TTL);
    assert_eq!(
        refresh(&w, &client, &issued.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
}

#[test]
fn a_narrower_scope_is_issued_and_a_wider_one_is_invalid_scope() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile phone address");
    let first = tokens(&w, &client, "openid profile phone", &citizen(&w, 1));

    let narrow = refresh(&w, &client, &first.refresh_token, Some("openid phone")).unwrap();
    assert_eq!(narrow.to_json()["scope"], "openid phone");
    let bearer = resource::check(w.ports(), &provider(), &narrow.access_token).unwrap();
    assert!(bearer.require(&Scope::Phone).is_ok());
    assert_eq!(
        bearer.require(&Scope::Profile),
        Err(SsoError::InsufficientScope),
        "the narrower token does not carry profile"
    );
    // The refresh token keeps the scope the citizen granted (RFC 6749 §6).
    let full = refresh(&w, &client, &narrow.refresh_token, None).unwrap();
    assert_eq!(full.to_json()["scope"], "openid profile phone");

    assert!(live(&w, &full.access_token));
    for wider in [
        "openid profile phone address",
        "openid email",
        "openid profile phone level",
    ] {
        let next = refresh(&w, &client, &full.refresh_token, Some(wider));
        assert_eq!(next.unwrap_err(), SsoError::InvalidScope, "{wider}");
    }
    // The refused requests redeemed nothing: the same token still rotates.
    let after = refresh(&w, &client, &full.refresh_token, None).unwrap();
    assert!(live(&w, &after.access_token));
    assert!(live(&w, &full.access_token), "and nothing was revoked");
}

#[test]
fn a_reused_refresh_token_asking_a_scope_still_revokes_the_family() {
    let w = World::new();
    let (client, _) = confidential(&w, "openid profile phone address");
    let me = citizen(&w, 1);
    let first = tokens(&w, &client, "openid profile phone", &me);
    let second = refresh(&w, &client, &first.refresh_token, None).unwrap();
    for scope in ["openid phone", "openid address", "openid email"] {
        // Whatever scope the reuse asks, it is a reuse first.
        let reuse = refresh(&w, &client, &first.refresh_token, Some(scope)).unwrap_err();
        assert_eq!(reuse.code(), "invalid_grant", "{scope}");
    }
    assert!(!live(&w, &second.access_token));
    assert_eq!(
        refresh(&w, &client, &second.refresh_token, None)
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
}

#[test]
fn parallel_refreshes_of_one_token_issue_tokens_at_most_once_and_end_the_family() {
    const N: usize = 8;
    let (db, w) = Shared::new("sso-refresh-race");
    let client = public(&w, "openid");
    let issued = tokens(&w, &client, "openid", &citizen(&w, 1));
    let (c, token) = (client.clone(), issued.refresh_token.clone());
    let results = race(&db.0, N, move |_, w| refresh(w, &c, &token, None));
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert!(won.len() <= 1, "{} refreshes got tokens", won.len());
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.code(), "invalid_grant");
        }
    }
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM sso_refresh_tokens WHERE used_at IS NOT NULL"),
        1,
        "the token was used once"
    );
    // The other uses were reuses: the family is revoked, whatever was won.
    assert!(!live(&w, &issued.access_token));
    for issued in won {
        assert!(!live(&w, &issued.access_token));
        assert_eq!(
            refresh(&w, &client, &issued.refresh_token, None)
                .unwrap_err()
                .code(),
            "invalid_grant"
        );
    }
}
