//! Issuer pushes: by phone or CCCD, idempotent (also under parallel
//! retries), refusing reuse of an external id, and revocation.

use serde_json::json;

use crate::documents::issuer::{push, revoke, PushOutcome, PushRequest};
use crate::documents::profile::{update_profile, ProfilePatch};
use crate::documents::test_support::{
    citizen, issuer, pdf, world, world_on_file, MIGRATION_0003, MIGRATION_0004,
};
use crate::documents::vault::get;
use crate::documents::DocError;
use crate::identity::test_support::{remove_db, temp_db_path, TestDb};

fn b64(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}

fn request(who: serde_json::Value, external_id: &str, body: &[u8]) -> PushRequest {
    serde_json::from_value(json!({
        "citizen": who,
        "type": "procedure_result",
        "title": "Kết quả thủ tục: cấp giấy phép xây dựng",
        "content_base64": b64(body),
        "content_type": "application/pdf",
        "issued_at": "2026-11-20T09:30:00+07:00",
        "valid_until": "2031-11-20",
        "external_id": external_id,
    }))
    .unwrap()
}

fn created(o: PushOutcome) -> crate::documents::vault::DocumentMeta {
    match o {
        PushOutcome::Created(d) => d,
        PushOutcome::Existing(d) => panic!("expected a new document, got {}", d.id),
    }
}

#[test]
fn a_push_by_phone_lands_in_the_citizens_vault() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "so-tu-phap");
    let doc = created(
        push(
            w.ports(),
            &iss,
            &request(json!({"phone": "+84 905 123 456"}), "HS-1", &pdf("1")),
        )
        .unwrap(),
    );
    assert_eq!(doc.citizen_id, me);
    assert_eq!(doc.source, "issued");
    assert_eq!(
        doc.issuer.as_ref().map(|i| i.code.as_str()),
        Some("so-tu-phap")
    );
    assert_eq!(
        Some(doc.issued_at),
        crate::local_time::parse_instant_or_date("2026-11-20T02:30:00Z")
    );
    assert!(doc.valid_until.is_some());
    assert_eq!(get(&w.db, &me, &doc.id).unwrap(), doc);
}

#[test]
fn a_push_by_cccd_finds_the_verified_citizen() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let patch: ProfilePatch = serde_json::from_str(r#"{"id_number":"048190012345"}"#).unwrap();
    update_profile(w.ports(), &me, &patch).unwrap();
    crate::identity::mark_verified(w.ports(), &me).unwrap();
    let iss = issuer(w.ports(), "bhxh");
    let doc = created(
        push(
            w.ports(),
            &iss,
            &request(json!({"id_number": "048 190 012 345"}), "T-1", &pdf("t")),
        )
        .unwrap(),
    );
    assert_eq!(doc.citizen_id, me);
}

#[test]
fn unknown_citizens_are_404_and_the_reference_must_name_someone() {
    let w = world();
    citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "bhxh");
    assert_eq!(
        push(
            w.ports(),
            &iss,
            &request(json!({"phone": "0905999999"}), "X", &pdf("x"))
        )
        .err(),
        Some(DocError::CitizenNotFound)
    );
    assert_eq!(
        push(
            w.ports(),
            &iss,
            &request(json!({"id_number": "001001001001"}), "X", &pdf("x"))
        )
        .err(),
        Some(DocError::CitizenNotFound)
    );
    assert_eq!(
        push(w.ports(), &iss, &request(json!({}), "X", &pdf("x"))).err(),
        Some(DocError::invalid("citizen", "give_phone_or_id_number"))
    );
    assert_eq!(
        push(
            w.ports(),
            &iss,
            &request(json!({"id_number": "12"}), "X", &pdf("x"))
        )
        .err(),
        Some(DocError::invalid("citizen.id_number", "must_be_12_digits"))
    );
}

#[test]
fn the_same_external_id_is_the_same_document() {
    let w = world();
    citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "so-tu-phap");
    let req = request(json!({"phone": "0905123456"}), "HS-1", &pdf("1"));
    let first = created(push(w.ports(), &iss, &req).unwrap());
    assert_eq!(
        push(w.ports(), &iss, &req).unwrap(),
        PushOutcome::Existing(first.clone())
    );
    // Another issuer may use the same reference for its own document.
    let other = issuer(w.ports(), "bhxh");
    assert_ne!(created(push(w.ports(), &other, &req).unwrap()).id, first.id);
    // Reusing the reference for different bytes is an agency bug: 409.
    let changed = request(json!({"phone": "0905123456"}), "HS-1", &pdf("2"));
    assert_eq!(
        push(w.ports(), &iss, &changed).err(),
        Some(DocError::Conflict {
            field: "external_id",
            reason: "already_used_for_another_document"
        })
    );
}

#[test]
fn parallel_retries_create_exactly_one_document() {
    let path = temp_db_path("push-race");
    let setup = TestDb::create_file(&path);
    setup.raw(MIGRATION_0003);
    setup.raw(MIGRATION_0004);
    crate::apikey::test_support::migrate_keys(&setup);
    let w = world_on_file(&path, 1);
    citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "so-tu-phap");
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| {
                let (path, iss) = (path.clone(), iss.clone());
                s.spawn(move || {
                    let w = world_on_file(&path, 100 + i);
                    match push(
                        w.ports(),
                        &iss,
                        &request(json!({"phone": "0905123456"}), "HS-RACE", &pdf("r")),
                    )
                    .unwrap()
                    {
                        PushOutcome::Created(d) | PushOutcome::Existing(d) => d.id,
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(ids.windows(2).all(|p| p[0] == p[1]), "{ids:?}");
    assert_eq!(setup.scalar("SELECT count(*) FROM documents"), 1);
    drop(w);
    drop(setup);
    remove_db(&path);
}

#[test]
fn pushes_are_validated() {
    let w = world();
    citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "so-tu-phap");
    let bad: PushRequest = serde_json::from_value(json!({
        "citizen": {"phone": "0905123456"},
        "type": "spaceship_license",
        "title": "",
        "content_base64": "%%%",
        "content_type": "application/pdf",
        "issued_at": "yesterday",
        "external_id": "",
    }))
    .unwrap();
    let Err(DocError::Invalid(fields)) = push(w.ports(), &iss, &bad) else {
        panic!()
    };
    let names: Vec<_> = fields.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        names,
        vec![
            "type",
            "title",
            "issued_at",
            "external_id",
            "content_base64"
        ]
    );
    let mut not_pdf = request(json!({"phone": "0905123456"}), "X", b"GIF89a");
    assert_eq!(
        push(w.ports(), &iss, &not_pdf).err(),
        Some(DocError::invalid(
            "content_base64",
            "content_does_not_match_type"
        ))
    );
    not_pdf.content_type = "image/gif".into();
    assert_eq!(
        push(w.ports(), &iss, &not_pdf).err(),
        Some(DocError::UnsupportedType)
    );
    let mut backwards = request(json!({"phone": "0905123456"}), "Y", &pdf("y"));
    backwards.valid_until = Some("2020-01-01".into());
    assert_eq!(
        push(w.ports(), &iss, &backwards).err(),
        Some(DocError::invalid("valid_until", "must_be_after_issued_at"))
    );
}

#[test]
fn only_the_issuer_revokes_and_revoking_twice_is_fine() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "so-tu-phap");
    let other = issuer(w.ports(), "bhxh");
    let doc = created(
        push(
            w.ports(),
            &iss,
            &request(json!({"phone": "0905123456"}), "HS-1", &pdf("1")),
        )
        .unwrap(),
    );
    assert_eq!(
        revoke(w.ports(), &other, &doc.id).err(),
        Some(DocError::NotFound)
    );
    let (revoked, changed) = revoke(w.ports(), &iss, &doc.id).unwrap();
    assert!(changed);
    assert_eq!(revoked.status, "revoked");
    assert_eq!(revoked.revoked_at, Some(crate::ports::Clock::now(&w.clock)));
    let (_, again) = revoke(w.ports(), &iss, &doc.id).unwrap();
    assert!(!again);
    assert_eq!(get(&w.db, &me, &doc.id).unwrap().status, "revoked");
    assert_eq!(
        revoke(w.ports(), &iss, "doc_nope").err(),
        Some(DocError::NotFound)
    );
}
