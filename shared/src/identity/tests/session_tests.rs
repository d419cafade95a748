//! Sessions: tokens, idle and absolute expiry, sliding, revocation, listing.

use super::helpers::phone;
use crate::identity::{
    authenticate, create_session, find_or_create_by_phone, list_sessions, logout, revoke_session,
    set_official, AuthError, Client, Role,
};
use crate::ports::{Clock, Sql, SqlValue};
use crate::testing::{MapSettings, World, T0};

fn account(w: &World, n: u32) -> String {
    find_or_create_by_phone(w.ports(), &phone(n), None)
        .unwrap()
        .0
        .id
}

#[test]
fn a_new_session_authenticates_and_only_its_hash_is_stored() {
    let w = World::new();
    let acc = account(&w, 1);
    let s = create_session(w.ports(), &acc, Client::Web).unwrap();
    assert_eq!(s.token.len(), 43);
    assert!(s.id.starts_with("ses_"));
    assert!(!format!("{s:?}").contains(&s.token));
    let rows = w.db.execute("SELECT * FROM sessions", &[]).unwrap();
    for v in &rows.rows[0] {
        assert_ne!(v, &SqlValue::Text(s.token.clone()));
        assert_ne!(v, &SqlValue::Blob(s.token.as_bytes().to_vec()));
    }

    let p = authenticate(w.ports(), &s.token).unwrap();
    assert_eq!(
        (p.session_id.as_str(), p.account_id.as_str()),
        (s.id.as_str(), acc.as_str())
    );
    assert_eq!(
        (p.role, p.client, p.unit_code),
        (Role::Citizen, Client::Web, None)
    );
    assert_eq!(s.expires_at, T0 + 1_800);
    assert_eq!(s.absolute_expires_at, T0 + 43_200);
}

#[test]
fn malformed_or_unknown_tokens_are_refused() {
    let w = World::new();
    for t in ["", "x", &"A".repeat(43), &"A".repeat(10_000), "Bearer abc"] {
        assert_eq!(
            authenticate(w.ports(), t),
            Err(AuthError::InvalidToken),
            "{t:.20}"
        );
    }
}

#[test]
fn a_web_session_dies_after_thirty_idle_minutes() {
    let w = World::new();
    let s = create_session(w.ports(), &account(&w, 1), Client::Web).unwrap();
    w.clock.advance(1_799);
    authenticate(w.ports(), &s.token).unwrap();
    w.clock.advance(1_799);
    let p = authenticate(w.ports(), &s.token).unwrap();
    assert_eq!(p.expires_at, T0 + 2 * 1_799 + 1_800);
    w.clock.advance(1_800);
    assert_eq!(
        authenticate(w.ports(), &s.token),
        Err(AuthError::InvalidToken)
    );
}

#[test]
fn sliding_never_passes_the_twelve_hour_absolute_limit() {
    let w = World::new();
    let s = create_session(w.ports(), &account(&w, 1), Client::Zalo).unwrap();
    let absolute = T0 + 43_200;
    while w.clock.now() + 1_000 < absolute {
        w.clock.advance(1_000);
        let p = authenticate(w.ports(), &s.token).unwrap();
        assert!(p.expires_at <= absolute);
    }
    w.clock.set(absolute - 1);
    assert_eq!(
        authenticate(w.ports(), &s.token).unwrap().expires_at,
        absolute
    );
    w.clock.set(absolute);
    assert_eq!(
        authenticate(w.ports(), &s.token),
        Err(AuthError::InvalidToken)
    );
}

#[test]
fn a_kiosk_session_is_five_minutes_idle_and_thirty_absolute() {
    let w = World::new();
    let acc = account(&w, 1);
    let idle = create_session(w.ports(), &acc, Client::Kiosk).unwrap();
    assert_eq!(
        (idle.expires_at, idle.absolute_expires_at),
        (T0 + 300, T0 + 1_800)
    );
    w.clock.advance(300);
    assert_eq!(
        authenticate(w.ports(), &idle.token),
        Err(AuthError::InvalidToken)
    );

    let busy = create_session(w.ports(), &acc, Client::Kiosk).unwrap();
    let start = w.clock.now();
    for _ in 0..6 {
        w.clock.advance(290);
        authenticate(w.ports(), &busy.token).unwrap();
    }
    w.clock.set(start + 1_800);
    assert_eq!(
        authenticate(w.ports(), &busy.token),
        Err(AuthError::InvalidToken)
    );
}

#[test]
fn session_lifetimes_come_from_settings() {
    let w = World::with_settings(
        MapSettings::default()
            .with("session_idle_seconds", "60")
            .with("session_absolute_seconds", "100")
            .with("kiosk_idle_seconds", "10")
            .with("kiosk_absolute_seconds", "bogus"),
    );
    let acc = account(&w, 1);
    let web = create_session(w.ports(), &acc, Client::Web).unwrap();
    assert_eq!(
        (web.expires_at, web.absolute_expires_at),
        (T0 + 60, T0 + 100)
    );
    let kiosk = create_session(w.ports(), &acc, Client::Kiosk).unwrap();
    assert_eq!(
        (kiosk.expires_at, kiosk.absolute_expires_at),
        (T0 + 10, T0 + 1_800)
    );
}

#[test]
fn only_the_owner_can_revoke_and_revoked_sessions_stop_working() {
    let w = World::new();
    let (a, b) = (account(&w, 1), account(&w, 2));
    let s = create_session(w.ports(), &a, Client::Web).unwrap();
    assert!(!revoke_session(w.ports(), &b, &s.id).unwrap());
    authenticate(w.ports(), &s.token).unwrap();
    assert!(revoke_session(w.ports(), &a, &s.id).unwrap());
    assert!(!revoke_session(w.ports(), &a, &s.id).unwrap());
    assert_eq!(
        authenticate(w.ports(), &s.token),
        Err(AuthError::InvalidToken)
    );
}

#[test]
fn logout_ends_the_session_of_the_token() {
    let w = World::new();
    let acc = account(&w, 1);
    let s = create_session(w.ports(), &acc, Client::Web).unwrap();
    let other = create_session(w.ports(), &acc, Client::Web).unwrap();
    assert!(logout(w.ports(), &s.token).unwrap());
    assert!(!logout(w.ports(), &s.token).unwrap());
    assert!(!logout(w.ports(), "garbage").unwrap());
    assert_eq!(
        authenticate(w.ports(), &s.token),
        Err(AuthError::InvalidToken)
    );
    authenticate(w.ports(), &other.token).unwrap();
}

#[test]
fn listing_shows_only_the_owners_active_sessions_newest_first() {
    let w = World::new();
    let (a, b) = (account(&w, 1), account(&w, 2));
    let old = create_session(w.ports(), &a, Client::Web).unwrap();
    w.clock.advance(10);
    let kiosk = create_session(w.ports(), &a, Client::Kiosk).unwrap();
    w.clock.advance(10);
    let revoked = create_session(w.ports(), &a, Client::Web).unwrap();
    w.clock.advance(10);
    let newest = create_session(w.ports(), &a, Client::Zalo).unwrap();
    create_session(w.ports(), &b, Client::Web).unwrap();
    revoke_session(w.ports(), &a, &revoked.id).unwrap();

    let ids: Vec<String> = list_sessions(w.ports(), &a)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        ids,
        vec![newest.id.clone(), kiosk.id.clone(), old.id.clone()]
    );

    w.clock.advance(300); // the kiosk session idles out
    let listed = list_sessions(w.ports(), &a).unwrap();
    assert_eq!(
        listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [newest.id.as_str(), old.id.as_str()]
    );
    assert_eq!(listed[0].client, Client::Zalo);
    assert_eq!(listed[0].created_at, T0 + 30);
}

#[test]
fn a_role_change_applies_to_existing_sessions() {
    let w = World::new();
    let acc = account(&w, 1);
    let s = create_session(w.ports(), &acc, Client::Web).unwrap();
    set_official(w.ports(), &phone(1), None, "UBND-HC").unwrap();
    let p = authenticate(w.ports(), &s.token).unwrap();
    assert_eq!(
        (p.role, p.unit_code.as_deref()),
        (Role::Official, Some("UBND-HC"))
    );
}

#[test]
fn purge_drops_old_challenges_and_ended_sessions_only() {
    let w = World::new();
    let acc = account(&w, 1);
    let ended = create_session(w.ports(), &acc, Client::Kiosk).unwrap();
    super::helpers::start(&w, &phone(1)).unwrap();
    w.clock.advance(86_400 + 400);
    let live = create_session(w.ports(), &acc, Client::Web).unwrap();
    let (fresh, _) = super::helpers::start(&w, &phone(1)).unwrap();
    crate::identity::purge_stale(w.ports()).unwrap();
    assert_eq!(w.db.scalar("SELECT count(*) FROM otp_challenges"), 1);
    assert_eq!(
        crate::identity::challenge_phone(w.ports(), &fresh)
            .unwrap()
            .as_deref(),
        Some("+84900000001")
    );
    let ids: Vec<String> = list_sessions(w.ports(), &acc)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, [live.id]);
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT count(*) FROM sessions WHERE id = '{}'",
            ended.id
        )),
        0
    );
}
