//! Vault: uploads, listing, ownership, integrity on the way out, deletion.

use crate::documents::issuer::{push, PushRequest};
use crate::documents::kinds::MAX_DOCUMENT_BYTES;
use crate::documents::test_support::{citizen, issuer, pdf, world};
use crate::documents::vault::{content, delete, get, list, upload};
use crate::documents::{sha256_hex, DocError};
use crate::testing::World;

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

fn push_for(w: &World, phone: &str, external_id: &str) -> String {
    let iss = issuer(w.ports(), &format!("iss-{}", external_id.to_lowercase()));
    let req: PushRequest = serde_json::from_value(serde_json::json!({
        "citizen": {"phone": phone},
        "type": "birth_certificate",
        "title": "Giấy khai sinh",
        "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pdf(external_id)),
        "content_type": "application/pdf",
        "issued_at": "2020-01-02",
        "external_id": external_id,
    }))
    .unwrap();
    match push(w.ports(), &iss, &req).unwrap() {
        crate::documents::issuer::PushOutcome::Created(d) => d.id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_upload_is_stored_hashed_and_comes_back_identical() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let bytes = pdf("mine");
    let doc = upload(
        w.ports(),
        &me,
        Some("health_insurance"),
        Some(" Thẻ BHYT "),
        "application/pdf",
        &bytes,
    )
    .unwrap();
    assert_eq!(doc.source, "uploaded");
    assert_eq!(doc.status, "valid");
    assert_eq!(doc.title, "Thẻ BHYT");
    assert_eq!(doc.issuer, None);
    assert_eq!(doc.sha256, sha256_hex(&bytes));
    assert_eq!(doc.size as usize, bytes.len());
    let (meta, back) = content(&w.db, &me, &doc.id).unwrap();
    assert_eq!(back, bytes);
    assert_eq!(meta, doc);
}

#[test]
fn uploads_are_checked() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let up = |t: Option<&str>, title: Option<&str>, ct: &str, b: &[u8]| {
        upload(w.ports(), &me, t, title, ct, b)
    };
    assert_eq!(
        up(None, Some("x"), "text/plain", b"hi").err(),
        Some(DocError::UnsupportedType)
    );
    assert_eq!(
        up(None, Some("x"), "application/pdf", PNG).err(),
        Some(DocError::invalid("body", "content_does_not_match_type"))
    );
    assert_eq!(
        up(Some("passport_of_mars"), None, "image/png", PNG).err(),
        Some(DocError::Invalid(vec![
            ("type", "unknown_value"),
            ("title", "required")
        ]))
    );
    let mut big = pdf("big");
    big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
    assert_eq!(
        up(None, Some("x"), "application/pdf", &big).err(),
        Some(DocError::TooLarge {
            limit: MAX_DOCUMENT_BYTES
        })
    );
    big.truncate(MAX_DOCUMENT_BYTES);
    let at_limit = up(None, Some("x"), "application/pdf", &big).unwrap();
    assert_eq!(at_limit.doc_type, "other");
    assert_eq!(at_limit.size as usize, MAX_DOCUMENT_BYTES);
}

#[test]
fn lists_are_mine_newest_first_filtered_and_paged() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let other = citizen(w.ports(), "0905654321", None);
    let mut ids = Vec::new();
    for i in 0..5 {
        let t = if i % 2 == 0 {
            "health_insurance"
        } else {
            "other"
        };
        ids.push(
            upload(
                w.ports(),
                &me,
                Some(t),
                Some(&format!("doc {i}")),
                "image/png",
                PNG,
            )
            .unwrap()
            .id,
        );
        w.clock.advance(1);
    }
    upload(w.ports(), &other, None, Some("not mine"), "image/png", PNG).unwrap();
    let page1 = list(&w.db, &me, None, None, 3).unwrap();
    assert_eq!(
        page1.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        vec![ids[4].clone(), ids[3].clone(), ids[2].clone()]
    );
    let last = page1.last().unwrap();
    let page2 = list(
        &w.db,
        &me,
        None,
        Some((last.created_at, last.id.clone())),
        3,
    )
    .unwrap();
    assert_eq!(
        page2.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        vec![ids[1].clone(), ids[0].clone()]
    );
    let health = list(&w.db, &me, Some("health_insurance"), None, 10).unwrap();
    assert_eq!(health.len(), 3);
    assert!(health.iter().all(|d| d.doc_type == "health_insurance"));
}

#[test]
fn another_citizens_document_does_not_exist_for_me() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let other = citizen(w.ports(), "0905654321", None);
    let theirs = upload(w.ports(), &other, None, Some("theirs"), "image/png", PNG).unwrap();
    assert_eq!(get(&w.db, &me, &theirs.id).err(), Some(DocError::NotFound));
    assert_eq!(
        content(&w.db, &me, &theirs.id).err(),
        Some(DocError::NotFound)
    );
    assert_eq!(
        delete(w.ports(), &me, &theirs.id).err(),
        Some(DocError::NotFound)
    );
    assert_eq!(
        get(&w.db, &me, "doc_'; DROP TABLE documents; --").err(),
        Some(DocError::NotFound)
    );
    assert!(get(&w.db, &other, &theirs.id).is_ok());
}

#[test]
fn corrupted_bytes_are_never_served() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let doc = upload(
        w.ports(),
        &me,
        None,
        Some("x"),
        "application/pdf",
        &pdf("a"),
    )
    .unwrap();
    // Same length, one byte flipped, as a failing disk or a tamperer would.
    // (The engines spell bytes-as-text differently.)
    let flipped = if w.db.is_postgres() {
        "convert_to(replace(convert_from(content, 'UTF8'), '% a', '% b'), 'UTF8')"
    } else {
        "CAST(replace(CAST(content AS TEXT), '% a', '% b') AS BLOB)"
    };
    w.db.raw(&format!(
        "UPDATE documents SET content = {flipped} WHERE id = '{}'",
        doc.id
    ));
    assert_eq!(
        content(&w.db, &me, &doc.id).err(),
        Some(DocError::Integrity {
            document_id: doc.id.clone()
        })
    );
    // Metadata stays readable.
    assert!(get(&w.db, &me, &doc.id).is_ok());
}

#[test]
fn only_my_uploads_can_be_deleted() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let issued = push_for(&w, "0905123456", "KS-1");
    assert_eq!(
        delete(w.ports(), &me, &issued).err(),
        Some(DocError::NotDeletable)
    );
    let mine = upload(w.ports(), &me, None, Some("x"), "image/png", PNG).unwrap();
    delete(w.ports(), &me, &mine.id).unwrap();
    assert_eq!(get(&w.db, &me, &mine.id).err(), Some(DocError::NotFound));
    assert_eq!(
        delete(w.ports(), &me, &mine.id).err(),
        Some(DocError::NotFound)
    );
    assert!(get(&w.db, &me, &issued).is_ok());
}

// --- Per-citizen upload quotas (documents::quota). ---

fn quota_world(count: &str, bytes: &str) -> World {
    crate::documents::test_support::world_with(
        crate::testing::MapSettings::default()
            .with("qr_secret", crate::documents::test_support::QR_SECRET)
            .with("upload_max_count", count)
            .with("upload_max_bytes", bytes),
    )
}

#[test]
fn uploads_stop_at_the_count_quota_and_deleting_frees_a_place() {
    let w = quota_world("2", "1000000");
    let me = citizen(w.ports(), "0905123456", None);
    let other = citizen(w.ports(), "0905654321", None);
    let a = upload(
        w.ports(),
        &me,
        None,
        Some("a"),
        "application/pdf",
        &pdf("a"),
    )
    .unwrap();
    upload(
        w.ports(),
        &me,
        None,
        Some("b"),
        "application/pdf",
        &pdf("b"),
    )
    .unwrap();
    let refused = upload(
        w.ports(),
        &me,
        None,
        Some("c"),
        "application/pdf",
        &pdf("c"),
    )
    .err();
    assert_eq!(
        refused,
        Some(DocError::UploadQuota {
            quota: "count",
            limit: 2
        })
    );
    let api = crate::error::ApiError::from(DocError::UploadQuota {
        quota: "count",
        limit: 2,
    });
    assert_eq!((api.status(), api.code()), (422, "upload_quota_exceeded"));
    assert_eq!(api.fields()["quota"], "count");
    // Issued documents never count, and other citizens have their own quota.
    push_for(&w, "0905123456", "KS-9");
    assert!(upload(
        w.ports(),
        &other,
        None,
        Some("x"),
        "application/pdf",
        &pdf("x")
    )
    .is_ok());
    delete(w.ports(), &me, &a.id).unwrap();
    assert!(upload(
        w.ports(),
        &me,
        None,
        Some("c"),
        "application/pdf",
        &pdf("c")
    )
    .is_ok());
}

#[test]
fn uploads_stop_at_the_byte_quota() {
    let one = pdf("a").len();
    let w = quota_world("100", &(2 * one + PNG.len()).to_string());
    let me = citizen(w.ports(), "0905123456", None);
    upload(
        w.ports(),
        &me,
        None,
        Some("a"),
        "application/pdf",
        &pdf("a"),
    )
    .unwrap();
    upload(
        w.ports(),
        &me,
        None,
        Some("b"),
        "application/pdf",
        &pdf("b"),
    )
    .unwrap();
    assert_eq!(
        upload(
            w.ports(),
            &me,
            None,
            Some("c"),
            "application/pdf",
            &pdf("c")
        )
        .err(),
        Some(DocError::UploadQuota {
            quota: "bytes",
            limit: i64::try_from(2 * one + PNG.len()).unwrap()
        })
    );
    // A smaller file that still fits is accepted.
    assert!(upload(w.ports(), &me, None, Some("d"), "image/png", PNG).is_ok());
}

#[test]
fn parallel_uploads_never_pass_the_count_quota() {
    use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb};
    let path = temp_db_path("upload-quota");
    let setup = TestDb::create_file(&path);
    let limited = |seed| {
        World::on(
            TestDb::file(&path),
            MapSettings::default().with("upload_max_count", "5"),
            seed,
        )
    };
    let w = limited(1);
    let me = citizen(w.ports(), "0905123456", None);
    let stored: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| {
                let (me, limited) = (&me, &limited);
                s.spawn(move || {
                    let w = limited(100 + i);
                    (0..3)
                        .filter(|j| {
                            let body = pdf(&format!("{i}-{j}"));
                            match upload(w.ports(), me, None, Some("x"), "application/pdf", &body) {
                                Ok(_) => true,
                                Err(DocError::UploadQuota { quota: "count", .. }) => false,
                                Err(e) => panic!("{e:?}"),
                            }
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(stored, 5);
    assert_eq!(setup.scalar("SELECT count(*) FROM documents"), 5);
    drop(w);
    drop(setup);
    remove_db(&path);
}
