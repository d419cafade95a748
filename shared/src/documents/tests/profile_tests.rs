//! Profile: validation, NFC, partial updates, the verified lock, declared CCCD.

use crate::documents::profile::{read_profile, update_profile, IdNumberStatus, ProfilePatch};
use crate::documents::test_support::{citizen, world};
use crate::documents::DocError;
use crate::identity::mark_verified;

fn patch(json: &str) -> ProfilePatch {
    serde_json::from_str(json).unwrap()
}

#[test]
fn a_full_profile_is_stored_normalised_and_read_back() {
    let w = world();
    let id = citizen(w.ports(), "0905123456", None);
    let p = update_profile(
        w.ports(),
        &id,
        &patch(
            r#"{"full_name":"  Nguye\u0302\u0303n   Văn An ","date_of_birth":"1990-05-17","gender":"Male",
                "id_number":"001 090 012345","address":" 12 Ha\u0309i Phòng, Đà Nẵng "}"#,
        ),
    )
    .unwrap();
    assert_eq!(p.full_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(p.date_of_birth.as_deref(), Some("1990-05-17"));
    assert_eq!(p.gender.as_deref(), Some("male"));
    // Declared, not confirmed: a provisional account's number is a claim.
    assert_eq!(p.given_id_number(), Some("001090012345"));
    assert_eq!(
        (p.id_number.as_deref(), p.id_number_status()),
        (None, Some(IdNumberStatus::Declared))
    );
    assert_eq!(p.address.as_deref(), Some("12 Hải Phòng, Đà Nẵng"));
    assert!(p.missing().is_empty());
    assert_eq!(read_profile(w.ports(), &id).unwrap(), Some(p));
}

#[test]
fn absent_fields_are_kept_and_null_clears() {
    let w = world();
    let id = citizen(w.ports(), "0905123456", Some("Lê Thị Hoa"));
    update_profile(w.ports(), &id, &patch(r#"{"address":"1 Bạch Đằng"}"#)).unwrap();
    let p = update_profile(w.ports(), &id, &patch(r#"{"gender":"female"}"#)).unwrap();
    assert_eq!(p.full_name.as_deref(), Some("Lê Thị Hoa"));
    assert_eq!(p.address.as_deref(), Some("1 Bạch Đằng"));
    let p = update_profile(w.ports(), &id, &patch(r#"{"address":null}"#)).unwrap();
    assert_eq!(p.address, None);
    assert_eq!(p.gender.as_deref(), Some("female"));
    assert_eq!(p.missing(), vec!["date_of_birth", "id_number", "address"]);
}

#[test]
fn invalid_fields_are_all_reported_and_nothing_changes() {
    let w = world();
    let id = citizen(w.ports(), "0905123456", Some("An"));
    let err = update_profile(
        w.ports(),
        &id,
        &patch(r#"{"full_name":"An|B","date_of_birth":"1990-02-30","gender":"x","id_number":"12345","address":"a\u0007"}"#),
    )
    .unwrap_err();
    let DocError::Invalid(fields) = err else {
        panic!("{err:?}")
    };
    let names: Vec<_> = fields.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        names,
        vec![
            "full_name",
            "date_of_birth",
            "gender",
            "id_number",
            "address"
        ]
    );
    assert_eq!(
        read_profile(w.ports(), &id)
            .unwrap()
            .unwrap()
            .full_name
            .as_deref(),
        Some("An")
    );
}

#[test]
fn dates_must_be_real_past_and_not_ancient() {
    let w = world(); // the clock reads 2026-11-29
    let id = citizen(w.ports(), "0905123456", None);
    for (dob, ok) in [
        ("2000-02-29", true),
        ("2026-11-29", true),
        ("2026-11-30", false),
        ("1899-12-31", false),
        ("1990-5-17", false),
        ("17/05/1990", false),
    ] {
        let r = update_profile(
            w.ports(),
            &id,
            &patch(&format!(r#"{{"date_of_birth":"{dob}"}}"#)),
        );
        assert_eq!(r.is_ok(), ok, "{dob}: {r:?}");
    }
}

#[test]
fn id_numbers_are_twelve_digits() {
    let w = world();
    let a = citizen(w.ports(), "0905123456", None);
    for bad in [
        "00109001234",
        "0010900123456",
        "00109001234a",
        "000000000000",
        "０01090012345",
    ] {
        let r = update_profile(
            w.ports(),
            &a,
            &patch(&format!(r#"{{"id_number":"{bad}"}}"#)),
        );
        assert_eq!(
            r.err(),
            Some(DocError::invalid("id_number", "must_be_12_digits")),
            "{bad}"
        );
    }
    let p = update_profile(w.ports(), &a, &patch(r#"{"id_number":"001.090.012345"}"#)).unwrap();
    assert_eq!(p.given_id_number(), Some("001090012345"));
    // Withdrawing the claim.
    let p = update_profile(w.ports(), &a, &patch(r#"{"id_number":null}"#)).unwrap();
    assert_eq!((p.given_id_number(), p.id_number_status()), (None, None));
    assert_eq!(w.db.scalar("SELECT count(*) FROM id_number_claims"), 0);
}

#[test]
fn a_verified_identity_is_locked_but_the_address_is_not() {
    let w = world();
    let id = citizen(w.ports(), "0905123456", Some("Nguyễn Văn An"));
    update_profile(
        w.ports(),
        &id,
        &patch(r#"{"id_number":"001090012345","date_of_birth":"1990-05-17"}"#),
    )
    .unwrap();
    mark_verified(w.ports(), &id).unwrap();
    let p = read_profile(w.ports(), &id).unwrap().unwrap();
    assert_eq!(
        (p.id_number.as_deref(), p.id_number_status()),
        (Some("001090012345"), Some(IdNumberStatus::Verified))
    );
    let err = update_profile(
        w.ports(),
        &id,
        &patch(r#"{"full_name":"Kẻ Mạo Danh","id_number":"001090099999"}"#),
    );
    assert_eq!(
        err.err(),
        Some(DocError::ProfileLocked(vec!["full_name", "id_number"]))
    );
    let err = update_profile(w.ports(), &id, &patch(r#"{"id_number":null}"#));
    assert_eq!(err.err(), Some(DocError::ProfileLocked(vec!["id_number"])));
    // Re-sending the same values, or changing the address, is fine.
    let p = update_profile(
        w.ports(),
        &id,
        &patch(r#"{"full_name":"Nguyễn Văn An","address":"2 Lê Duẩn"}"#),
    )
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("2 Lê Duẩn"));
    assert_eq!(p.full_name.as_deref(), Some("Nguyễn Văn An"));
}

#[test]
fn unknown_accounts_and_fields() {
    let w = world();
    assert_eq!(
        update_profile(w.ports(), "cit_nobody", &patch("{}")).err(),
        Some(DocError::NotFound)
    );
    assert!(serde_json::from_str::<ProfilePatch>(r#"{"level":"verified"}"#).is_err());
    assert!(serde_json::from_str::<ProfilePatch>(r#"{"phone":"0905000000"}"#).is_err());
}
