//! Share links: creation rules, expiry (fake clock), use counting (also
//! under parallel fetches), revocation, revoked and deleted documents.

use serde_json::json;

use crate::documents::issuer::{push, revoke as revoke_document, PushOutcome, PushRequest};
use crate::documents::shares::{create, list, open, revoke, Fetch, NewShare, ShareState};
use crate::documents::test_support::{citizen, issuer, pdf, world, world_on_file};
use crate::documents::vault::{delete, upload};
use crate::documents::DocError;
use crate::ports::Clock;
use crate::testing::{remove_db, temp_db_path, TestDb, World};

fn new_share(expires_in: Option<i64>, max_uses: Option<i64>) -> NewShare {
    NewShare {
        expires_in,
        max_uses,
        purpose: Some("Nộp hồ sơ nhập học".into()),
    }
}

fn my_upload(w: &World, me: &str) -> String {
    upload(
        w.ports(),
        me,
        Some("birth_certificate"),
        Some("Giấy khai sinh"),
        "application/pdf",
        &pdf("ks"),
    )
    .unwrap()
    .id
}

#[test]
fn a_share_serves_metadata_and_identical_content() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", Some("Nguyễn Văn An"));
    let doc = my_upload(&w, &me);
    let s = create(w.ports(), &me, &doc, &new_share(None, None)).unwrap();
    assert!(
        s.token.starts_with("shr_") && s.token.len() >= 26,
        "{}",
        s.token
    );
    assert_eq!(s.expires_at, w.clock.now() + 86_400);
    let meta = open(w.ports(), &s.token, Fetch::Metadata).unwrap();
    assert_eq!(meta.document.id, doc);
    assert_eq!(meta.holder_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(meta.content, None);
    assert_eq!(meta.share.uses, 1);
    let got = open(w.ports(), &s.token, Fetch::Content).unwrap();
    assert_eq!(got.content, Some(pdf("ks")));
    assert_eq!(got.share.uses, 2);
}

#[test]
fn creation_is_validated_and_limited_to_my_valid_documents() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let other = citizen(w.ports(), "0905654321", None);
    let doc = my_upload(&w, &me);
    let bad = NewShare {
        expires_in: Some(7 * 86_400 + 1),
        max_uses: Some(0),
        purpose: Some("  ".into()),
    };
    assert_eq!(
        create(w.ports(), &me, &doc, &bad).err(),
        Some(DocError::Invalid(vec![
            ("expires_in", "must_be_1_to_604800_seconds"),
            ("max_uses", "must_be_1_to_1000"),
            ("purpose", "required")
        ]))
    );
    assert!(create(
        w.ports(),
        &me,
        &doc,
        &new_share(Some(7 * 86_400), Some(1_000))
    )
    .is_ok());
    assert_eq!(
        create(w.ports(), &other, &doc, &new_share(None, None)).err(),
        Some(DocError::NotFound)
    );
}

#[test]
fn a_share_expires_at_its_time() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let doc = my_upload(&w, &me);
    let s = create(w.ports(), &me, &doc, &new_share(Some(600), None)).unwrap();
    w.clock.advance(599);
    assert!(open(w.ports(), &s.token, Fetch::Metadata).is_ok());
    w.clock.advance(1);
    assert_eq!(
        open(w.ports(), &s.token, Fetch::Metadata).err(),
        Some(DocError::ShareGone)
    );
    assert_eq!(
        open(w.ports(), &s.token, Fetch::Content).err(),
        Some(DocError::ShareGone)
    );
    let listed = list(&w.db, &me, None, 10).unwrap();
    assert_eq!(listed[0].state(w.clock.now()), ShareState::Expired);
}

#[test]
fn max_uses_counts_every_fetch() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let doc = my_upload(&w, &me);
    let s = create(w.ports(), &me, &doc, &new_share(None, Some(2))).unwrap();
    assert!(open(w.ports(), &s.token, Fetch::Metadata).is_ok());
    assert!(open(w.ports(), &s.token, Fetch::Content).is_ok());
    assert_eq!(
        open(w.ports(), &s.token, Fetch::Content).err(),
        Some(DocError::ShareGone)
    );
    assert_eq!(
        list(&w.db, &me, None, 10).unwrap()[0].state(w.clock.now()),
        ShareState::UsedUp
    );
}

#[test]
fn unknown_tokens_are_404_not_410() {
    let w = world();
    assert_eq!(
        open(w.ports(), "shr_AAAAAAAAAAAAAAAAAAAAAA", Fetch::Metadata).err(),
        Some(DocError::NotFound)
    );
    assert_eq!(
        open(w.ports(), "../../etc/passwd", Fetch::Metadata).err(),
        Some(DocError::NotFound)
    );
}

#[test]
fn revoking_is_mine_only_idempotent_and_final() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let other = citizen(w.ports(), "0905654321", None);
    let doc = my_upload(&w, &me);
    let s = create(w.ports(), &me, &doc, &new_share(None, None)).unwrap();
    assert_eq!(
        revoke(w.ports(), &other, &s.token).err(),
        Some(DocError::NotFound)
    );
    assert!(revoke(w.ports(), &me, &s.token).unwrap().1);
    assert!(!revoke(w.ports(), &me, &s.token).unwrap().1);
    assert_eq!(
        open(w.ports(), &s.token, Fetch::Metadata).err(),
        Some(DocError::ShareGone)
    );
}

#[test]
fn a_revoked_document_shows_revoked_and_its_bytes_are_withheld() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let iss = issuer(w.ports(), "bhxh");
    let req: PushRequest = serde_json::from_value(json!({
        "citizen": {"phone": "0905123456"}, "type": "health_insurance", "title": "Thẻ BHYT",
        "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pdf("bhyt")),
        "content_type": "application/pdf", "issued_at": "2026-01-01", "external_id": "BHYT-1"
    }))
    .unwrap();
    let PushOutcome::Created(doc) = push(w.ports(), &iss, &req).unwrap() else {
        panic!()
    };
    let s = create(w.ports(), &me, &doc.id, &new_share(None, Some(5))).unwrap();
    revoke_document(w.ports(), &iss, &doc.id).unwrap();
    let seen = open(w.ports(), &s.token, Fetch::Metadata).unwrap();
    assert_eq!(seen.document.status, "revoked");
    assert_eq!(
        open(w.ports(), &s.token, Fetch::Content).err(),
        Some(DocError::RevokedContent)
    );
    // The refused download did not spend a use.
    assert_eq!(list(&w.db, &me, None, 10).unwrap()[0].uses, 1);
    // And no new link can be made for it.
    assert_eq!(
        create(w.ports(), &me, &doc.id, &new_share(None, None)).err(),
        Some(DocError::DocumentRevoked)
    );
}

#[test]
fn deleting_an_upload_kills_its_links() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let doc = my_upload(&w, &me);
    let s = create(w.ports(), &me, &doc, &new_share(None, None)).unwrap();
    delete(w.ports(), &me, &doc).unwrap();
    assert_eq!(
        open(w.ports(), &s.token, Fetch::Content).err(),
        Some(DocError::ShareGone)
    );
    assert_eq!(
        list(&w.db, &me, None, 10).unwrap()[0].state(w.clock.now()),
        ShareState::Revoked
    );
}

#[test]
fn fifty_parallel_fetches_of_a_three_use_link_serve_exactly_three() {
    let path = temp_db_path("share-race");
    let setup = TestDb::create_file(&path);
    let w = world_on_file(&path, 1);
    let me = citizen(w.ports(), "0905123456", None);
    let doc = my_upload(&w, &me);
    let token = create(w.ports(), &me, &doc, &new_share(None, Some(3)))
        .unwrap()
        .token;
    let served: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50u64)
            .map(|i| {
                let (path, token) = (path.clone(), token.clone());
                s.spawn(move || {
                    let w = world_on_file(&path, 1_000 + i);
                    match open(w.ports(), &token, Fetch::Content) {
                        Ok(o) => {
                            assert_eq!(o.content, Some(pdf("ks")));
                            1
                        }
                        Err(DocError::ShareGone) => 0,
                        Err(e) => panic!("{e:?}"),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(served, 3);
    assert_eq!(setup.scalar("SELECT uses FROM shares"), 3);
    drop(w);
    drop(setup);
    remove_db(&path);
}

// --- The limit on live links per document (documents::quota). ---

fn limited_world(limit: &str) -> World {
    crate::documents::test_support::world_with(
        crate::testing::MapSettings::default()
            .with("qr_secret", crate::documents::test_support::QR_SECRET)
            .with("share_max_active_per_document", limit),
    )
}

#[test]
fn a_document_has_at_most_the_limit_of_live_links() {
    let w = limited_world("2");
    let me = citizen(w.ports(), "0905123456", None);
    let doc = my_upload(&w, &me);
    let first = create(w.ports(), &me, &doc, &new_share(Some(60), None)).unwrap();
    let used_once = create(w.ports(), &me, &doc, &new_share(None, Some(1))).unwrap();
    assert_eq!(
        create(w.ports(), &me, &doc, &new_share(None, None)).err(),
        Some(DocError::ShareLimit { limit: 2 })
    );
    let api = crate::error::ApiError::from(DocError::ShareLimit { limit: 2 });
    assert_eq!((api.status(), api.code()), (422, "share_limit_reached"));
    // Other documents have their own allowance.
    let other_doc = upload(
        w.ports(),
        &me,
        None,
        Some("Khác"),
        "application/pdf",
        &pdf("other"),
    )
    .unwrap()
    .id;
    assert!(create(w.ports(), &me, &other_doc, &new_share(None, None)).is_ok());
    // A link that is used up, expired or revoked gives its place back.
    open(w.ports(), &used_once.token, Fetch::Metadata).unwrap();
    let third = create(w.ports(), &me, &doc, &new_share(None, None)).unwrap();
    assert_eq!(
        create(w.ports(), &me, &doc, &new_share(None, None)).err(),
        Some(DocError::ShareLimit { limit: 2 })
    );
    w.clock.advance(61);
    create(w.ports(), &me, &doc, &new_share(None, None)).unwrap();
    revoke(w.ports(), &me, &third.token).unwrap();
    create(w.ports(), &me, &doc, &new_share(None, None)).unwrap();
    assert!(create(w.ports(), &me, &doc, &new_share(None, None)).is_err());
    let _ = first;
}

#[test]
fn parallel_creations_never_pass_the_link_limit() {
    use crate::testing::MapSettings;
    let path = temp_db_path("share-limit");
    let setup = TestDb::create_file(&path);
    let limited = |seed| {
        World::on(
            TestDb::file(&path),
            MapSettings::default().with("share_max_active_per_document", "3"),
            seed,
        )
    };
    let w = limited(1);
    let me = citizen(w.ports(), "0905123456", None);
    let doc = my_upload(&w, &me);
    let created: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| {
                let (me, doc, limited) = (&me, &doc, &limited);
                s.spawn(move || {
                    let w = limited(100 + i);
                    (0..3)
                        .filter(
                            |_| match create(w.ports(), me, doc, &new_share(None, None)) {
                                Ok(_) => true,
                                Err(DocError::ShareLimit { limit: 3 }) => false,
                                Err(e) => panic!("{e:?}"),
                            },
                        )
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(created, 3);
    assert_eq!(setup.scalar("SELECT count(*) FROM shares"), 3);
    drop(w);
    drop(setup);
    remove_db(&path);
}
