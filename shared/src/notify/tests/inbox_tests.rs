//! The inbox: newest first in stable pages, the unread count, reading and
//! deleting only one's own notices.

use crate::identity::{create_session, Client};
use crate::notify::inbox::{self, list};
use crate::notify::NotifyError;
use crate::pagination::Page;
use crate::testing::World;

/// An account with `n` security notices (one per new client, cycling).
fn with_notices(w: &World, phone: &str, n: usize) -> String {
    let who = w.citizen(phone, "Phạm Thị Lan");
    create_session(w.ports(), &who, Client::Web).unwrap();
    for i in 0..n {
        // Each new client once; then raw rows so any count can be made.
        if i == 0 {
            create_session(w.ports(), &who, Client::Kiosk).unwrap();
        } else {
            w.db.raw(&format!(
                "INSERT INTO notifications (account_id, kind, ref_id, detail, created_at, due_at) \
                 VALUES ('{who}', 'security_login', 's{i}', 'zalo', {t}, {t})",
                t = 1_795_935_900 + i as i64
            ));
        }
    }
    who
}

#[test]
fn pages_are_newest_first_and_the_cursor_loses_and_repeats_nothing() {
    let w = World::new();
    let who = with_notices(&w, "0905222111", 5);
    let page = Page {
        limit: 2,
        cursor: None,
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let p = list(
            &w.db,
            &who,
            &Page {
                cursor: cursor.clone(),
                ..page.clone()
            },
            false,
        )
        .unwrap();
        assert_eq!(p.unread, 5);
        seen.extend(p.page.items.iter().map(|n| n.id));
        match p.page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
}

#[test]
fn reading_counts_down_keeps_the_first_time_and_deleting_hides() {
    let w = World::new();
    let who = with_notices(&w, "0905222333", 3);
    let all = list(&w.db, &who, &Page::default(), false).unwrap();
    let newest = all.page.items[0].id.to_string();
    let read = inbox::mark_read(&w.db, &who, &newest, 100).unwrap();
    assert_eq!(read.read_at, Some(100));
    assert_eq!(
        inbox::mark_read(&w.db, &who, &newest, 200).unwrap().read_at,
        Some(100)
    );
    let unread = list(&w.db, &who, &Page::default(), true).unwrap();
    assert_eq!(unread.unread, 2);
    assert_eq!(unread.page.items.len(), 2);
    assert!(unread.page.items.iter().all(|n| n.id.to_string() != newest));

    inbox::delete(&w.db, &who, &newest, 300).unwrap();
    assert_eq!(inbox::get(&w.db, &who, &newest), Err(NotifyError::NotFound));
    assert_eq!(
        inbox::delete(&w.db, &who, &newest, 301),
        Err(NotifyError::NotFound)
    );
    assert_eq!(inbox::mark_all_read(&w.db, &who, 400).unwrap(), 2);
    assert_eq!(
        list(&w.db, &who, &Page::default(), false).unwrap().unread,
        0
    );
}

#[test]
fn another_accounts_notice_and_malformed_ids_are_simply_not_found() {
    let w = World::new();
    let owner = with_notices(&w, "0905222444", 1);
    let intruder = w.citizen("0905222555", "Kẻ lạ");
    let theirs = list(&w.db, &owner, &Page::default(), false)
        .unwrap()
        .page
        .items[0]
        .id
        .to_string();
    assert_eq!(
        inbox::get(&w.db, &intruder, &theirs),
        Err(NotifyError::NotFound)
    );
    assert_eq!(
        inbox::mark_read(&w.db, &intruder, &theirs, 1),
        Err(NotifyError::NotFound)
    );
    assert_eq!(
        inbox::delete(&w.db, &intruder, &theirs, 1),
        Err(NotifyError::NotFound)
    );
    for bad in ["", "-1", "abc", "1e3", "99999999999999999999999"] {
        assert_eq!(
            inbox::get(&w.db, &owner, bad),
            Err(NotifyError::NotFound),
            "{bad:?}"
        );
    }
    // The owner's notice is untouched.
    assert_eq!(
        list(&w.db, &owner, &Page::default(), false).unwrap().unread,
        1
    );
}
