//! Behaviour of keys against the shipped migrations: scopes decide what a
//! key may do, revoking is immediate, the list never shows secrets, the
//! last-used stamp is written at most once a minute, and 0009's backfill.

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::admin::{
    create_issuer, create_issuer_with_scopes, create_kiosk, create_unit, issuer_scopes, AdminError,
};
use crate::testing::{
    FakeClock, TestDb, TestRandom, MIGRATION_0003, MIGRATION_0004, MIGRATION_0005, MIGRATION_0009,
};

const T: i64 = 1_800_000_000;

fn scopes(list: &[Scope]) -> Scopes {
    list.iter().copied().collect()
}

fn issuer_key(db: &TestDb, code: &str, with: &[Scope]) -> String {
    create_issuer_with_scopes(
        db,
        &TestRandom::new(code.bytes().map(u64::from).sum()),
        &FakeClock::at(T),
        code,
        "Đối tác",
        scopes(with),
    )
    .unwrap()
    .1
}

#[test]
fn an_open311_key_cannot_push_documents_and_a_documents_key_cannot_post_open311() {
    let db = TestDb::memory();
    let partner = issuer_key(&db, "app-311", &[Scope::Open311]);
    let agency = issuer_key(&db, "so-tu-phap", &[Scope::Documents]);

    assert!(
        matches!(check_key(&db, &partner, Scope::Documents).unwrap(), KeyCheck::OutOfScope(h) if h.code == "app-311")
    );
    assert!(matches!(
        check_key(&db, &partner, Scope::Open311).unwrap(),
        KeyCheck::Allowed(_)
    ));
    assert!(matches!(
        check_key(&db, &agency, Scope::Open311).unwrap(),
        KeyCheck::OutOfScope(_)
    ));
    assert!(matches!(
        check_key(&db, &agency, Scope::Documents).unwrap(),
        KeyCheck::Allowed(_)
    ));
    // Neither is a kiosk.
    assert!(matches!(
        check_key(&db, &agency, Scope::Kiosk).unwrap(),
        KeyCheck::OutOfScope(_)
    ));
    // The documents domain's own lookup refuses the partner key too.
    assert_eq!(find_issuer_by_key(&db, &partner).unwrap(), None);
    assert_eq!(
        find_issuer_by_key(&db, &agency).unwrap().map(|i| i.code),
        Some("so-tu-phap".into())
    );
}

#[test]
fn a_key_may_hold_both_scopes_only_when_asked() {
    let db = TestDb::memory();
    let both = issuer_key(&db, "both", &[Scope::Documents, Scope::Open311]);
    let holder = find_key(&db, &both).unwrap().unwrap();
    assert_eq!(holder.scopes.names(), ["documents", "open311"]);
    // Without `scopes`, the issuers route makes a documents-only key.
    let (_, default) =
        create_issuer(&db, &TestRandom::new(9), &FakeClock::at(T), "plain", "Sở").unwrap();
    assert_eq!(
        find_key(&db, &default).unwrap().unwrap().scopes.names(),
        ["documents"]
    );
    assert_eq!(issuer_scopes(None).unwrap().names(), ["documents"]);
}

#[test]
fn unknown_kiosk_and_empty_scope_lists_are_refused_and_store_nothing() {
    let db = TestDb::memory();
    let bad = |names: &[&str]| {
        issuer_scopes(Some(
            &names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ))
    };
    assert_eq!(
        bad(&["admin"]),
        Err(AdminError::Invalid {
            field: "scopes",
            reason: "unknown_value"
        })
    );
    assert_eq!(
        bad(&["kiosk"]),
        Err(AdminError::Invalid {
            field: "scopes",
            reason: "unknown_value"
        })
    );
    assert_eq!(
        bad(&[]),
        Err(AdminError::Invalid {
            field: "scopes",
            reason: "required"
        })
    );
    let kiosk_scope = create_issuer_with_scopes(
        &db,
        &TestRandom::new(1),
        &FakeClock::at(T),
        "x1",
        "X",
        Scopes::only(Scope::Kiosk),
    );
    assert_eq!(
        kiosk_scope.map(|_| ()),
        Err(AdminError::Invalid {
            field: "scopes",
            reason: "unknown_value"
        })
    );
    assert_eq!(db.scalar("SELECT count(*) FROM issuers"), 0);
}

#[test]
fn a_kiosk_key_is_recognised_by_find_key_with_its_unit() {
    let db = TestDb::memory();
    let clock = FakeClock::at(T);
    assert_eq!(
        create_kiosk(
            &db,
            &TestRandom::new(2),
            &clock,
            "kiosk-hc-01",
            "Kiosk Hải Châu",
            Some("ubnd-hai-chau")
        )
        .map(|_| ()),
        Err(AdminError::UnknownUnit)
    );
    create_unit(&db, &clock, "ubnd-hai-chau", "UBND quận Hải Châu").unwrap();
    let (info, key) = create_kiosk(
        &db,
        &TestRandom::new(2),
        &clock,
        "kiosk-hc-01",
        "Kiosk Hải Châu",
        Some("ubnd-hai-chau"),
    )
    .unwrap();
    assert!(key.starts_with("ksk_") && key.len() == 47, "{key}");
    assert!(key.starts_with(&info.key_prefix));

    let holder = find_key(&db, &key).unwrap().unwrap();
    assert_eq!(
        (holder.code.as_str(), holder.unit_code.as_deref()),
        ("kiosk-hc-01", Some("ubnd-hai-chau"))
    );
    assert!(holder.scopes.contains(Scope::Kiosk));
    assert!(!holder.scopes.contains(Scope::Documents) && !holder.scopes.contains(Scope::Open311));
    // A kiosk key pushes no documents.
    assert_eq!(find_issuer_by_key(&db, &key).unwrap(), None);
    // Only the hash is stored.
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM issuers WHERE key_hash = '{}'",
            hash_key(&key)
        )),
        1
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM issuers WHERE key_hash LIKE '%{}%'",
            &key[4..]
        )),
        0
    );

    // Without a unit; codes are shared with issuer keys.
    let (_, plain) =
        create_kiosk(&db, &TestRandom::new(3), &clock, "kiosk-02", "Kiosk", None).unwrap();
    assert_eq!(find_key(&db, &plain).unwrap().unwrap().unit_code, None);
    assert_eq!(
        create_issuer(&db, &TestRandom::new(4), &clock, "kiosk-02", "Sở").map(|_| ()),
        Err(AdminError::Conflict { field: "code" })
    );
    // Malformed or unknown keys of either prefix find nothing.
    for bad in [
        "ksk_short",
        &format!("{key}x"),
        &key.replacen("ksk_", "iss_", 1),
    ] {
        assert_eq!(find_key(&db, bad).unwrap(), None, "{bad}");
    }
}

#[test]
fn a_revoked_key_stops_at_once_and_revoking_again_changes_nothing() {
    let db = TestDb::memory();
    let clock = FakeClock::at(T);
    let key = issuer_key(&db, "so-gtvt", &[Scope::Documents]);
    assert!(find_key(&db, &key).unwrap().is_some());
    clock.advance(5);
    let (info, changed) = revoke_key(&db, &clock, "so-gtvt").unwrap().unwrap();
    assert!(changed);
    assert_eq!(info.revoked_at, Some(T + 5));
    assert_eq!(find_key(&db, &key).unwrap(), None);
    assert_eq!(
        check_key(&db, &key, Scope::Documents).unwrap(),
        KeyCheck::Unknown
    );

    clock.advance(5);
    let (again, changed) = revoke_key(&db, &clock, "so-gtvt").unwrap().unwrap();
    assert!(!changed);
    assert_eq!(
        again.revoked_at,
        Some(T + 5),
        "the first revocation time stays"
    );
    assert_eq!(revoke_key(&db, &clock, "nobody").unwrap(), None);
}

#[test]
fn the_list_is_newest_first_paged_and_shows_scope_unit_and_use() {
    let db = TestDb::memory();
    let clock = FakeClock::at(T);
    create_unit(&db, &clock, "trung-tam-hcc", "Trung tâm HCC").unwrap();
    let a = issuer_key(&db, "a-docs", &[Scope::Documents]);
    issuer_key(&db, "b-311", &[Scope::Open311]);
    create_kiosk(
        &db,
        &TestRandom::new(8),
        &clock,
        "c-kiosk",
        "Kiosk",
        Some("trung-tam-hcc"),
    )
    .unwrap();
    record_use(&db, &clock, &find_key(&db, &a).unwrap().unwrap()).unwrap();
    revoke_key(&db, &clock, "b-311").unwrap();

    let first = list_keys(&db, None, 2).unwrap();
    assert_eq!(
        first.iter().map(|k| k.code.as_str()).collect::<Vec<_>>(),
        ["c-kiosk", "b-311"]
    );
    assert_eq!(
        (first[0].scopes.names(), first[0].unit_code.as_deref()),
        (vec!["kiosk"], Some("trung-tam-hcc"))
    );
    assert_eq!(
        (first[1].scopes.names(), first[1].revoked_at),
        (vec!["open311"], Some(T))
    );
    let rest = list_keys(&db, Some(first[1].id), 2).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(
        (
            rest[0].code.as_str(),
            rest[0].last_used_at,
            rest[0].revoked_at
        ),
        ("a-docs", Some(T), None)
    );
    assert!(rest[0].key_prefix.starts_with("iss_") && rest[0].key_prefix.len() == 12);
}

#[test]
fn last_used_is_written_at_most_once_a_minute() {
    let db = TestDb::memory();
    let clock = FakeClock::at(T);
    let key = issuer_key(&db, "busy", &[Scope::Documents]);
    let stamp = || db.scalar("SELECT COALESCE(MAX(last_used_at), 0) FROM api_key_usage");

    assert!(record_use(&db, &clock, &find_key(&db, &key).unwrap().unwrap()).unwrap());
    assert_eq!(stamp(), T);
    clock.advance(59);
    assert!(!record_use(&db, &clock, &find_key(&db, &key).unwrap().unwrap()).unwrap());
    assert_eq!(stamp(), T);
    // A holder read before another request stamped (a race): the statement
    // re-checks the age, so it still writes nothing.
    let stale = KeyHolder {
        last_used_at: None,
        ..find_key(&db, &key).unwrap().unwrap()
    };
    assert!(!record_use(&db, &clock, &stale).unwrap());
    clock.advance(1);
    assert!(record_use(&db, &clock, &find_key(&db, &key).unwrap().unwrap()).unwrap());
    assert_eq!(stamp(), T + 60);
    assert_eq!(
        find_key(&db, &key).unwrap().unwrap().last_used_at,
        Some(T + 60)
    );
}

#[test]
fn a_key_row_without_scopes_may_do_nothing() {
    let db = TestDb::memory();
    let key = issuer_key(&db, "half", &[Scope::Documents]);
    db.raw("DELETE FROM api_key_scopes");
    let holder = find_key(&db, &key).unwrap().unwrap();
    assert!(holder.scopes.is_empty());
    for s in Scope::ALL {
        assert!(matches!(
            check_key(&db, &key, s).unwrap(),
            KeyCheck::OutOfScope(_)
        ));
    }
    // Re-running the migration does not widen a key made after it.
    db.raw(MIGRATION_0009);
    assert!(find_key(&db, &key).unwrap().unwrap().scopes.is_empty());
}

#[test]
fn the_backfill_gives_legacy_keys_scopes_from_their_history_once() {
    // A database as it was before 0009: four keys, two documents, two
    // Open311 requests.
    let db = TestDb::before("0009");
    for m in [MIGRATION_0003, MIGRATION_0004, MIGRATION_0005] {
        db.raw(m);
    }
    // A one-byte blob literal: the engines spell it differently.
    let byte = if db.is_postgres() { "'\\x00'" } else { "x'00'" };
    db.raw(&format!(
        "INSERT INTO issuers (code, name, key_hash, key_prefix, created_at) VALUES \
           ('docs', 'A', 'h1', 'iss_a', 1), ('partner', 'B', 'h2', 'iss_b', 1), \
           ('both', 'C', 'h3', 'iss_c', 1), ('unused', 'D', 'h4', 'iss_d', 1); \
         INSERT INTO documents (id, citizen_id, type, title, source, issuer_id, external_id, issued_at, \
           content_type, size, sha256, created_at, content) VALUES \
           ('d1', 'c', 't', 't', 'issued', 1, 'e1', 1, 'application/pdf', 1, 's', 1, {byte}), \
           ('d3', 'c', 't', 't', 'issued', 3, 'e3', 1, 'application/pdf', 1, 's', 1, {byte}); \
         INSERT INTO feedback (id, tracking_code, year, seq, category_code, unit_code, title, content, lat, lng, \
           source, partner_code, quota_key, created_at, updated_at) VALUES \
           ('f1', 'PA-1', 2026, 1, 'c', 'u', 't', 'c', 16, 108, 'open311', 'partner', 'partner:partner', 1, 1), \
           ('f2', 'PA-2', 2026, 2, 'c', 'u', 't', 'c', 16, 108, 'open311', 'both', 'partner:both', 1, 1);"
    ));
    db.raw(MIGRATION_0009);
    let scopes_of = |code: &str| {
        list_keys(&db, None, 10)
            .unwrap()
            .into_iter()
            .find(|k| k.code == code)
            .unwrap()
            .scopes
            .names()
    };
    assert_eq!(scopes_of("docs"), ["documents"]);
    assert_eq!(scopes_of("partner"), ["open311"]);
    assert_eq!(scopes_of("both"), ["documents", "open311"]);
    assert_eq!(scopes_of("unused"), ["documents", "open311"]);

    // Restarts re-run the file: nothing changes, and a key made since then
    // (without scope rows) gets none.
    db.raw("INSERT INTO issuers (code, name, key_hash, key_prefix, created_at) VALUES ('new', 'E', 'h5', 'iss_e', 2)");
    let rows = db.scalar("SELECT count(*) FROM api_key_scopes");
    db.raw(MIGRATION_0009);
    db.raw(MIGRATION_0009);
    assert_eq!(db.scalar("SELECT count(*) FROM api_key_scopes"), rows);
    assert!(scopes_of("new").is_empty());
}
