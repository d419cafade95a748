//! The citizen's consents (docs/sso.md, "Consent"): one row per scope, so
//! consents given in several tabs at once add up; the connected services as
//! the citizen sees them; and disconnecting one (consent withdrawn, then
//! every grant revoked) ends its tokens at once.

use super::helpers::{
    citizen, confidential, live, new_client, public, race, refresh, tokens, Shared,
};
use crate::ports::Clock;
use crate::sso::client::{register, RelyingParty};
use crate::sso::scope::ScopeSet;
use crate::sso::store::consents::{connections, grant, granted, withdraw};
use crate::sso::store::grants::revoke_grants_of;
use crate::testing::World;

fn scopes(s: &str) -> ScopeSet {
    ScopeSet::parse(s).unwrap()
}

fn named(w: &World, name: &str) -> RelyingParty {
    let mut new = new_client(
        "public",
        "openid profile phone address",
        serde_json::json!({}),
    );
    new.name = name.to_owned();
    register(w.ports(), new).unwrap().0
}

#[test]
fn consents_add_up_and_repeat_harmlessly() {
    let w = World::new();
    let client = public(&w, "openid profile phone");
    let me = citizen(&w, 1);
    assert!(granted(&w.db, &me, &client.id).unwrap().is_empty());
    grant(
        &w.db,
        &me,
        &client.id,
        &scopes("openid profile"),
        w.clock.now(),
    )
    .unwrap();
    grant(
        &w.db,
        &me,
        &client.id,
        &scopes("openid profile"),
        w.clock.now(),
    )
    .unwrap();
    grant(
        &w.db,
        &me,
        &client.id,
        &scopes("openid phone"),
        w.clock.now(),
    )
    .unwrap();
    grant(&w.db, &me, &client.id, &ScopeSet::default(), w.clock.now()).unwrap();
    assert_eq!(
        granted(&w.db, &me, &client.id).unwrap().to_string(),
        "openid profile phone"
    );
    // Only this citizen and this service.
    let other = public(&w, "openid profile");
    assert!(granted(&w.db, &me, &other.id).unwrap().is_empty());
    assert!(granted(&w.db, &citizen(&w, 2), &client.id)
        .unwrap()
        .is_empty());
}

#[test]
fn withdrawing_removes_every_scope_of_that_service_only() {
    let w = World::new();
    let portal = public(&w, "openid profile");
    let hospital = public(&w, "openid profile");
    let me = citizen(&w, 1);
    let now = w.clock.now();
    grant(&w.db, &me, &portal.id, &scopes("openid profile"), now).unwrap();
    grant(&w.db, &me, &hospital.id, &scopes("openid"), now).unwrap();
    assert!(withdraw(&w.db, &me, &portal.id).unwrap());
    assert!(granted(&w.db, &me, &portal.id).unwrap().is_empty());
    assert!(!withdraw(&w.db, &me, &portal.id).unwrap(), "nothing left");
    assert_eq!(
        granted(&w.db, &me, &hospital.id).unwrap().to_string(),
        "openid"
    );
}

#[test]
fn connections_list_each_service_by_name_with_what_it_was_given() {
    let w = World::new();
    let portal = named(&w, "Cổng dịch vụ công");
    let hospital = named(&w, "Bệnh viện Đà Nẵng");
    let me = citizen(&w, 1);
    let someone = citizen(&w, 2);
    let t0 = w.clock.now();
    grant(&w.db, &me, &portal.id, &scopes("openid profile"), t0).unwrap();
    w.clock.advance(3600);
    grant(
        &w.db,
        &me,
        &portal.id,
        &scopes("openid phone"),
        w.clock.now(),
    )
    .unwrap();
    grant(
        &w.db,
        &me,
        &hospital.id,
        &scopes("openid address"),
        w.clock.now(),
    )
    .unwrap();
    grant(
        &w.db,
        &someone,
        &portal.id,
        &scopes("openid phone address"),
        t0,
    )
    .unwrap();

    let mine = connections(&w.db, &me).unwrap();
    let seen: Vec<(&str, String)> = mine
        .iter()
        .map(|c| (c.name.as_str(), c.scopes.to_string()))
        .collect();
    assert_eq!(
        seen,
        [
            ("Bệnh viện Đà Nẵng", "openid address".to_owned()),
            ("Cổng dịch vụ công", "openid profile phone".to_owned()),
        ]
    );
    let p = mine.iter().find(|c| c.client_id == portal.id).unwrap();
    assert_eq!((p.first_granted_at, p.last_granted_at), (t0, t0 + 3600));
    assert_eq!(p.purpose, portal.purpose);

    withdraw(&w.db, &me, &portal.id).unwrap();
    let left: Vec<String> = connections(&w.db, &me)
        .unwrap()
        .into_iter()
        .map(|c| c.client_id)
        .collect();
    assert_eq!(left, [hospital.id.as_str()]);
    assert_eq!(
        connections(&w.db, &someone).unwrap().len(),
        1,
        "theirs stays"
    );
}

#[test]
fn disconnecting_a_service_ends_its_live_tokens_and_no_others() {
    let w = World::new();
    let (portal, _) = confidential(&w, "openid profile");
    let hospital = public(&w, "openid profile");
    let me = citizen(&w, 1);
    let someone = citizen(&w, 2);
    let a = tokens(&w, &portal, "openid profile", &me);
    let b = tokens(&w, &portal, "openid", &me);
    let kept = tokens(&w, &hospital, "openid profile", &me);
    let theirs = tokens(&w, &portal, "openid profile", &someone);
    grant(
        &w.db,
        &me,
        &portal.id,
        &scopes("openid profile"),
        w.clock.now(),
    )
    .unwrap();

    // The order DELETE /api/v1/me/connections/{id} runs them in.
    assert!(withdraw(&w.db, &me, &portal.id).unwrap());
    assert_eq!(
        revoke_grants_of(&w.db, &me, &portal.id, w.clock.now()).unwrap(),
        2
    );
    for t in [&a, &b] {
        assert!(!live(&w, &t.access_token));
        assert_eq!(
            refresh(&w, &portal, &t.refresh_token, None)
                .unwrap_err()
                .code(),
            "invalid_grant"
        );
    }
    assert!(live(&w, &kept.access_token), "another service's grant");
    assert!(live(&w, &theirs.access_token), "another citizen's grant");
    assert_eq!(
        revoke_grants_of(&w.db, &me, &portal.id, w.clock.now()).unwrap(),
        0
    );
    // A new login asks again: no consent is left.
    assert!(granted(&w.db, &me, &portal.id).unwrap().is_empty());
}

#[test]
fn parallel_consents_in_several_tabs_add_up_without_errors() {
    const N: usize = 8;
    let (db, w) = Shared::new("sso-consent-race");
    let client = public(&w, "openid profile phone address level");
    let me = citizen(&w, 1);
    let words = ["profile", "phone", "address", "level"];
    let (c, who) = (client.id.clone(), me.clone());
    let results = race(&db.0, N, move |i, w| {
        // Every tab asks openid and two more, overlapping its neighbours.
        let asked = format!("openid {} {}", words[i % 4], words[(i + 1) % 4]);
        grant(&w.db, &who, &c, &scopes(&asked), w.clock.now())
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        granted(&w.db, &me, &client.id).unwrap().to_string(),
        "openid profile phone address level"
    );
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM sso_consents"),
        5,
        "one row per scope"
    );
}
