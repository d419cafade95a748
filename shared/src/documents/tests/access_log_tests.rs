//! The access log: what third parties did, newest first, from the audit log.

use crate::audit::{self, action, Entry};
use crate::documents::access_log::{qr_entry, read, share_entry};
use crate::documents::profile::read_profile;
use crate::documents::qr::{ensure, verify, QrFields};
use crate::documents::shares::{create, open, Fetch, NewShare};
use crate::documents::test_support::{citizen, pdf, world, QR_SECRET};
use crate::documents::vault::upload;

#[test]
fn share_uses_and_qr_checks_show_newest_first_and_nothing_else() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", Some("Nguyễn Văn An"));
    let other = citizen(w.ports(), "0905654321", None);
    let doc = upload(
        w.ports(),
        &me,
        None,
        Some("Bằng tốt nghiệp"),
        "application/pdf",
        &pdf("b"),
    )
    .unwrap();
    let share = create(
        w.ports(),
        &me,
        &doc.id,
        &NewShare {
            expires_in: None,
            max_uses: None,
            purpose: Some("Xin việc".into()),
        },
    )
    .unwrap();

    // My own login is audited but is not an access by someone else.
    audit::append(
        &w.db,
        &w.clock,
        Entry::by_name(format!("citizen:{me}"), action::LOGIN).about(me.as_str()),
    )
    .unwrap();
    let opened = open(w.ports(), &share.token, Fetch::Metadata).unwrap();
    audit::append(&w.db, &w.clock, share_entry(&opened, Fetch::Metadata)).unwrap();
    w.clock.advance(5);
    let opened = open(w.ports(), &share.token, Fetch::Content).unwrap();
    audit::append(&w.db, &w.clock, share_entry(&opened, Fetch::Content)).unwrap();
    w.clock.advance(5);
    let rec = ensure(w.ports(), &me).unwrap();
    let profile = read_profile(w.ports(), &me).unwrap().unwrap();
    let payload =
        QrFields::for_profile(&profile, &rec.qid, rec.version).encode(QR_SECRET.as_bytes());
    let verdict = verify(w.ports(), QR_SECRET.as_bytes(), &payload).unwrap();
    audit::append(
        &w.db,
        &w.clock,
        qr_entry(
            "cit_official",
            Some(("ubnd-hai-chau", "UBND quận Hải Châu")),
            &verdict,
        ),
    )
    .unwrap();
    // Someone else's events never show.
    audit::append(
        &w.db,
        &w.clock,
        Entry::by_name("share:x", action::SHARE_USED).about(other.as_str()),
    )
    .unwrap();

    let items = read(&w.db, &me, None, 10).unwrap();
    let events: Vec<_> = items
        .iter()
        .map(|(_, v)| v["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        vec!["qr_verified", "document_accessed", "share_used"]
    );
    let qr = &items[0].1;
    assert_eq!(qr["by"]["kind"], "official");
    assert_eq!(qr["by"]["unit"]["code"], "ubnd-hai-chau");
    assert_eq!(qr["by"]["unit"]["name"], "UBND quận Hải Châu");
    assert_eq!(qr["result"], "valid");
    let download = &items[1].1;
    assert_eq!(download["by"]["kind"], "share_link");
    assert_eq!(download["purpose"], "Xin việc");
    assert_eq!(download["document"]["title"], "Bằng tốt nghiệp");
    assert_eq!(download["what"], "content");
    assert!(download["at"].as_str().unwrap().ends_with("+07:00"));

    // Paging resumes before the last seq seen.
    let first = read(&w.db, &me, None, 2).unwrap();
    let rest = read(&w.db, &me, Some(first[1].0), 2).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].1["event"], "share_used");
    assert!(read(&w.db, &other, None, 10).unwrap().len() == 1);
}

#[test]
fn share_entries_never_carry_the_token() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    let doc = upload(
        w.ports(),
        &me,
        None,
        Some("x"),
        "application/pdf",
        &pdf("b"),
    )
    .unwrap();
    let share = create(
        w.ports(),
        &me,
        &doc.id,
        &NewShare {
            purpose: Some("p".into()),
            ..NewShare::default()
        },
    )
    .unwrap();
    let opened = open(w.ports(), &share.token, Fetch::Metadata).unwrap();
    let stored = audit::append(&w.db, &w.clock, share_entry(&opened, Fetch::Metadata)).unwrap();
    assert!(!stored.detail.contains(&share.token));
    assert!(!stored.actor.contains(&share.token));
}
