//! Accounts: race-free creation, officials, verification, Zalo links.

use super::helpers::phone;
use crate::identity::{
    find_by_phone, find_by_zalo_user, find_or_create_by_phone, get_account, link_zalo,
    mark_verified, set_official, Level, Role, Verification,
};
use crate::testing::{migrate, World, T0};

#[test]
fn the_first_verified_code_creates_a_provisional_citizen_once() {
    let w = World::new();
    let (a, created) =
        find_or_create_by_phone(w.ports(), &phone(1), Some(" Tra\u{302}\u{300}n Thị B ")).unwrap();
    assert!(created);
    assert!(a.id.starts_with("cit_") && a.id.len() == 4 + 22, "{}", a.id);
    assert_eq!(a.phone_e164, "+84900000001");
    assert_eq!(a.full_name.as_deref(), Some("Trần Thị B"));
    assert_eq!(
        (a.level, a.role, a.unit_code.as_deref()),
        (Level::Provisional, Role::Citizen, None)
    );
    assert_eq!((a.created_at, a.updated_at), (T0, T0));

    let (again, created) =
        find_or_create_by_phone(w.ports(), &phone(1), Some("Someone Else")).unwrap();
    assert!(!created);
    assert_eq!(again, a);
    assert_eq!(get_account(w.ports(), &a.id).unwrap(), Some(a.clone()));
    assert_eq!(find_by_phone(w.ports(), &phone(1)).unwrap(), Some(a));
    assert_eq!(get_account(w.ports(), "cit_nope").unwrap(), None);
}

#[test]
fn set_official_creates_or_upgrades_and_reports_the_previous_role() {
    let w = World::new();
    let fresh = set_official(w.ports(), &phone(1), Some("Lê Văn C"), "UNIT-A").unwrap();
    assert!(fresh.created);
    assert_eq!(
        (fresh.previous_role, fresh.account.role),
        (None, Role::Official)
    );
    assert_eq!(fresh.account.unit_code.as_deref(), Some("UNIT-A"));

    let (citizen, _) = find_or_create_by_phone(w.ports(), &phone(2), Some("Phạm D")).unwrap();
    w.clock.advance(5);
    let up = set_official(w.ports(), &phone(2), Some("Admin's spelling"), "UNIT-B").unwrap();
    assert!(!up.created);
    assert_eq!(
        (up.previous_role, up.previous_unit_code),
        (Some(Role::Citizen), None)
    );
    assert_eq!(up.account.id, citizen.id);
    assert_eq!(up.account.full_name.as_deref(), Some("Phạm D"));
    assert_eq!(up.account.updated_at, T0 + 5);

    let moved = set_official(w.ports(), &phone(2), None, "UNIT-C").unwrap();
    assert_eq!(
        (moved.previous_role, moved.previous_unit_code.as_deref()),
        (Some(Role::Official), Some("UNIT-B"))
    );
}

#[test]
fn mark_verified_is_idempotent() {
    let w = World::new();
    let (a, _) = find_or_create_by_phone(w.ports(), &phone(1), None).unwrap();
    w.clock.advance(10);
    let Verification::Verified { account: v, .. } = mark_verified(w.ports(), &a.id).unwrap() else {
        panic!("not verified");
    };
    assert_eq!((v.level, v.updated_at), (Level::Verified, T0 + 10));
    w.clock.advance(10);
    let Verification::Verified { account: again, .. } = mark_verified(w.ports(), &a.id).unwrap()
    else {
        panic!("not verified");
    };
    assert_eq!(again.updated_at, T0 + 10);
    assert_eq!(
        mark_verified(w.ports(), "cit_nope").unwrap(),
        Verification::NotFound
    );
}

#[test]
fn a_zalo_user_links_to_one_account_at_a_time() {
    let w = World::new();
    let (a, _) = find_or_create_by_phone(w.ports(), &phone(1), None).unwrap();
    let (b, _) = find_or_create_by_phone(w.ports(), &phone(2), None).unwrap();
    assert!(link_zalo(w.ports(), &a.id, "zalo-123").unwrap());
    assert_eq!(
        find_by_zalo_user(w.ports(), "zalo-123")
            .unwrap()
            .unwrap()
            .id,
        a.id
    );
    assert!(link_zalo(w.ports(), &b.id, "zalo-123").unwrap());
    assert_eq!(
        find_by_zalo_user(w.ports(), "zalo-123")
            .unwrap()
            .unwrap()
            .id,
        b.id
    );
    assert_eq!(
        get_account(w.ports(), &a.id).unwrap().unwrap().zalo_user_id,
        None
    );
    assert!(!link_zalo(w.ports(), "cit_nope", "zalo-9").unwrap());
}

#[test]
fn the_migration_can_run_twice() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    migrate(&conn);
    migrate(&conn);
}
