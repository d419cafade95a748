//! Personal QR: the 1405 layout, stable QID, signatures, rotation, and
//! every reason a verification can give.

use crate::documents::profile::{read_profile, update_profile, ProfilePatch};
use crate::documents::qr::payload::{parse, plausible_qid};
use crate::documents::qr::{
    ensure, mask_id_number, qr_secret, rotate, verify, QrFields, Reason, Verdict,
};
use crate::documents::test_support::{citizen, world, world_with, QR_SECRET};
use crate::documents::DocError;
use crate::identity::{mark_verified, Level, Verification};
use crate::testing::{MapSettings, World};

const SECRET: &[u8] = QR_SECRET.as_bytes();

/// A citizen with a full profile, verified by an official (so the CCCD
/// number is confirmed and in the code); returns (id, their current payload).
fn citizen_with_code(w: &World) -> (String, String) {
    let id = declared_citizen(w);
    assert!(matches!(
        mark_verified(w.ports(), &id).unwrap(),
        Verification::Verified { .. }
    ));
    (id.clone(), payload_of(w, &id))
}

/// A provisional citizen who declared a full profile.
fn declared_citizen(w: &World) -> String {
    let id = citizen(w.ports(), "0905123456", None);
    let patch: ProfilePatch = serde_json::from_str(
        r#"{"full_name":"Đặng Thị Ánh Tuyết","date_of_birth":"1990-05-17","id_number":"048190012345"}"#,
    )
    .unwrap();
    update_profile(w.ports(), &id, &patch).unwrap();
    id
}

fn payload_of(w: &World, id: &str) -> String {
    let rec = ensure(w.ports(), id).unwrap();
    let profile = read_profile(w.ports(), id).unwrap().unwrap();
    QrFields::for_profile(&profile, &rec.qid, rec.version).encode(SECRET)
}

fn reason(v: Verdict) -> Reason {
    match v {
        Verdict::Rejected { reason, .. } => reason,
        Verdict::Genuine { .. } => panic!("expected a rejection"),
    }
}

#[test]
fn the_payload_follows_the_1405_layout() {
    let w = world();
    let (_, payload) = citizen_with_code(&w);
    let parts: Vec<&str> = payload.split('|').collect();
    assert_eq!(parts.len(), 6, "{payload}");
    assert_eq!(parts[0], "048190012345");
    assert_eq!(parts[1], "DANG THI ANH TUYET");
    assert_eq!(parts[2], "1990-05-17");
    assert_eq!(parts[3], "CCCD");
    assert!(plausible_qid(parts[4]), "{}", parts[4]);
    let (version, sig) = parts[5].split_once('.').unwrap();
    assert_eq!(version, "1");
    assert_eq!(sig.len(), 22);
    assert!(payload.is_ascii());
}

#[test]
fn a_citizen_without_cccd_is_identified_by_qid() {
    let w = world();
    let id = citizen(w.ports(), "0905123456", Some("Lê Văn Tám"));
    let payload = payload_of(&w, &id);
    assert!(payload.starts_with("|LE VAN TAM||CDS|"), "{payload}");
    assert!(matches!(
        verify(w.ports(), SECRET, &payload).unwrap(),
        Verdict::Genuine { .. }
    ));
}

#[test]
fn the_qid_is_stable_and_unique() {
    let w = world();
    let a = citizen(w.ports(), "0905123456", None);
    let b = citizen(w.ports(), "0905654321", None);
    let first = ensure(w.ports(), &a).unwrap();
    assert_eq!(ensure(w.ports(), &a).unwrap(), first);
    let rotated = rotate(w.ports(), &a).unwrap();
    assert_eq!(rotated.qid, first.qid);
    assert_eq!(rotated.version, 2);
    assert_ne!(ensure(w.ports(), &b).unwrap().qid, first.qid);
}

#[test]
fn a_genuine_code_verifies_to_its_citizen() {
    let w = world();
    let (id, payload) = citizen_with_code(&w);
    let Verdict::Genuine {
        profile, version, ..
    } = verify(w.ports(), SECRET, &payload).unwrap()
    else {
        panic!("not genuine");
    };
    assert_eq!(profile.citizen_id, id);
    assert_eq!(profile.full_name.as_deref(), Some("Đặng Thị Ánh Tuyết"));
    assert_eq!(version, 1);
    // Scanners often append a line break.
    assert!(matches!(
        verify(w.ports(), SECRET, &format!("{payload}\r\n")).unwrap(),
        Verdict::Genuine { .. }
    ));
}

#[test]
fn editing_a_readable_field_is_altered() {
    let w = world();
    let (id, payload) = citizen_with_code(&w);
    for (from, to) in [
        ("DANG THI", "DANH THI"),
        ("1990-05-17", "1980-05-17"),
        ("048190012345", "048190012346"),
    ] {
        let edited = payload.replacen(from, to, 1);
        let v = verify(w.ports(), SECRET, &edited).unwrap();
        assert_eq!(v.citizen_id(), Some(id.as_str()));
        assert_eq!(reason(v), Reason::Altered, "{edited}");
    }
}

#[test]
fn a_bad_signature_or_foreign_secret_is_forged() {
    let w = world();
    let (_, payload) = citizen_with_code(&w);
    // One character of the signature changed.
    // (Not the last one: its low bits are padding and would not decode.)
    let i = payload.len() - 5;
    let c = if &payload[i..=i] == "A" { "B" } else { "A" };
    let flipped = format!("{}{c}{}", &payload[..i], &payload[i + 1..]);
    assert_eq!(
        reason(verify(w.ports(), SECRET, &flipped).unwrap()),
        Reason::Forged
    );
    // The same citizen's code signed under another deployment's secret.
    assert_eq!(
        reason(verify(w.ports(), b"another-secret", &payload).unwrap()),
        Reason::Forged
    );
    // A made-up QID.
    let parts: Vec<&str> = payload.split('|').collect();
    let made_up = format!(
        "{}|{}|{}|{}|ZZZZZZZZZZZZZZZZ|{}",
        parts[0], parts[1], parts[2], parts[3], parts[5]
    );
    let v = verify(w.ports(), SECRET, &made_up).unwrap();
    assert_eq!(v.citizen_id(), None);
    assert_eq!(reason(v), Reason::Forged);
}

#[test]
fn rotation_invalidates_the_old_code() {
    let w = world();
    let (id, old) = citizen_with_code(&w);
    rotate(w.ports(), &id).unwrap();
    let new = payload_of(&w, &id);
    assert_ne!(old, new);
    assert_eq!(
        reason(verify(w.ports(), SECRET, &old).unwrap()),
        Reason::Rotated
    );
    assert!(matches!(
        verify(w.ports(), SECRET, &new).unwrap(),
        Verdict::Genuine { version: 2, .. }
    ));
}

#[test]
fn a_declared_number_is_not_signed_into_the_code_until_verified() {
    let w = world();
    let id = declared_citizen(&w);
    let declared = payload_of(&w, &id);
    // The declared number is neither printed nor signed: the code says the
    // QID identifies the person.
    assert!(
        declared.starts_with("|DANG THI ANH TUYET|1990-05-17|CDS|"),
        "{declared}"
    );
    let Verdict::Genuine { profile, .. } = verify(w.ports(), SECRET, &declared).unwrap() else {
        panic!("not genuine")
    };
    assert_eq!(profile.level, Level::Provisional);
    assert_eq!(profile.id_number, None);
    assert_eq!(profile.declared_id_number.as_deref(), Some("048190012345"));
    // Someone writing the number into the code breaks the signature.
    let with_number = declared
        .replacen("|DANG", "048190012345|DANG", 1)
        .replacen("|CDS|", "|CCCD|", 1);
    assert_eq!(
        reason(verify(w.ports(), SECRET, &with_number).unwrap()),
        Reason::Altered
    );

    // Once an official confirms it, the number is in the code and the
    // earlier code no longer matches the profile.
    mark_verified(w.ports(), &id).unwrap();
    let confirmed = payload_of(&w, &id);
    assert!(
        confirmed.starts_with("048190012345|DANG THI ANH TUYET|1990-05-17|CCCD|"),
        "{confirmed}"
    );
    assert_eq!(
        reason(verify(w.ports(), SECRET, &declared).unwrap()),
        Reason::Outdated
    );
    assert!(matches!(
        verify(w.ports(), SECRET, &confirmed).unwrap(),
        Verdict::Genuine { .. }
    ));
}

#[test]
fn a_code_made_before_a_profile_change_is_outdated() {
    let w = world();
    // Provisional: a verified citizen's name is locked.
    let id = declared_citizen(&w);
    let old = payload_of(&w, &id);
    let patch: ProfilePatch = serde_json::from_str(r#"{"full_name":"Đặng Thị Ánh"}"#).unwrap();
    update_profile(w.ports(), &id, &patch).unwrap();
    assert_eq!(
        reason(verify(w.ports(), SECRET, &old).unwrap()),
        Reason::Outdated
    );
    assert!(matches!(
        verify(w.ports(), SECRET, &payload_of(&w, &id)).unwrap(),
        Verdict::Genuine { .. }
    ));
}

#[test]
fn signed_codes_for_nobody_are_unknown() {
    let w = world();
    let fields = QrFields {
        so_giay_to: String::new(),
        ho_ten: "AI DO".into(),
        ngay_sinh: String::new(),
        loai_dinh_danh: "CDS".into(),
        qid: "0123456789ABCDEF".into(),
        version: 1,
    };
    let v = verify(w.ports(), SECRET, &fields.encode(SECRET)).unwrap();
    assert_eq!(reason(v), Reason::Unknown);
}

#[test]
fn garbage_is_malformed_not_an_error() {
    let w = world();
    for junk in [
        "",
        "hello",
        "a|b|c|d|e",
        "a|b|c|d|e|f|g",
        "|||CDS|0123456789ABCDEF|1.",
        "|||CDS|0123456789ABCDEF|0.AAAAAAAAAAAAAAAAAAAAAA",
        "|||CDS|0123456789ABCDEF|x.AAAAAAAAAAAAAAAAAAAAAA",
        "|||CDS|lowercaseqid1234|1.AAAAAAAAAAAAAAAAAAAAAA",
        "|||CDS|0123456789ABCDEF|99999999999.AAAAAAAAAAAAAAAAAAAAAA",
        "https://example.com/|||",
    ] {
        assert_eq!(
            reason(verify(w.ports(), SECRET, junk).unwrap()),
            Reason::Malformed,
            "{junk:?}"
        );
    }
    assert!(parse(&"|".repeat(10_000)).is_none());
}

#[test]
fn the_secret_is_required() {
    let w = world_with(MapSettings::default().with("qr_secret", "  "));
    assert_eq!(qr_secret(&w.settings), Err(DocError::Config("qr_secret")));
    assert_eq!(qr_secret(&world().settings).unwrap(), SECRET.to_vec());
}

#[test]
fn officials_see_the_id_number_without_its_first_six_digits() {
    assert_eq!(mask_id_number("048190012345"), "******012345");
    assert_eq!(mask_id_number("123"), "***");
}
