//! Updates and cancellations follow CAP's `msgType`: each is a new message
//! referencing the one before it, sent again to the citizens of its areas;
//! a cancelled alert leaves the feed and nothing follows it; only
//! publishers publish; two racing changes never both land.

use std::sync::{Arc, Barrier};

use super::*;
use crate::alerts::cap::MsgType;
use crate::alerts::draft::CancelInput;
use crate::alerts::{feed, AlertError};
use crate::ports::Clock;
use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb};

fn subjects(w: &World, account: &str, alert_id: &str) -> Vec<String> {
    w.db.execute_rows(&format!(
        "SELECT subject FROM notifications WHERE account_id = '{account}' AND ref_id = '{alert_id}'"
    ))
}

#[test]
fn an_update_is_sent_again_and_a_cancel_tells_the_same_people_and_ends_it() {
    let w = World::new();
    let by = publisher(&w);
    let who = resident(&w, "0905200001", Some("Khuê Trung, Cẩm Lệ"));
    let first = publish_as(&w, &by, &flood(&["cam-le"]));
    w.clock.advance(600);
    let updated = publish::update(
        &ports(&w),
        &by,
        &first.alert_id,
        &DraftInput {
            severity: Some("Extreme".into()),
            headline: Some("Ngập sâu 1 m".into()),
            ..DraftInput::default()
        },
    )
    .unwrap();
    assert_eq!(updated.msg_type, MsgType::Update);
    assert_eq!(updated.version, 2);
    assert_eq!(updated.previous_id.as_deref(), Some(first.id.as_str()));
    assert_eq!(updated.event, "Ngập lụt", "absent fields keep their values");
    assert_eq!(updated.areas, vec!["cam-le".to_owned()]);
    assert_eq!(
        subjects(&w, &who, &first.alert_id),
        vec![
            "Cảnh báo ngập lụt".to_owned(),
            "Cập nhật: Ngập sâu 1 m".to_owned()
        ]
    );
    let active = feed::active(&w.db, w.clock.now(), Some("khue-trung")).unwrap();
    assert_eq!(active.len(), 1, "one alert, at its latest message");
    assert_eq!(active[0].id, updated.id);

    w.clock.advance(600);
    let cancelled = publish::cancel(
        &ports(&w),
        &by,
        &first.alert_id,
        &CancelInput {
            reason: Some("Nước đã rút.".into()),
        },
    )
    .unwrap();
    assert_eq!(cancelled.msg_type, MsgType::Cancel);
    assert_eq!(cancelled.previous_id.as_deref(), Some(updated.id.as_str()));
    assert_eq!(notices_of(&w, &who, &first.alert_id), 3);
    assert!(subjects(&w, &who, &first.alert_id).contains(&"Đã hủy: Ngập sâu 1 m".to_owned()));
    assert!(feed::active(&w.db, w.clock.now(), None).unwrap().is_empty());
    let chain = feed::chain(&w.db, &first.alert_id).unwrap();
    assert_eq!(chain.len(), 3);

    let again = publish::update(&ports(&w), &by, &first.alert_id, &DraftInput::default());
    assert_eq!(again, Err(AlertError::Cancelled));
    let again = publish::cancel(&ports(&w), &by, &first.alert_id, &CancelInput::default());
    assert_eq!(again, Err(AlertError::Cancelled));
    assert_eq!(
        notices_of(&w, &who, &first.alert_id),
        3,
        "nothing more was sent"
    );
}

#[test]
fn an_update_may_widen_the_area_and_reaches_the_new_citizens() {
    let w = World::new();
    let by = publisher(&w);
    let a = resident(&w, "0905200011", Some("Hòa Hải, Ngũ Hành Sơn"));
    let b = resident(&w, "0905200012", Some("Mỹ An, Ngũ Hành Sơn"));
    let first = publish_as(&w, &by, &flood(&["hoa-hai"]));
    assert_eq!(notified(&w, &first.alert_id), vec![a.clone()]);
    publish::update(
        &ports(&w),
        &by,
        &first.alert_id,
        &DraftInput {
            areas: Some(vec!["hoa-hai".into(), "my-an".into()]),
            ..DraftInput::default()
        },
    )
    .unwrap();
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(notified(&w, &first.alert_id), both);
    assert_eq!(notices_of(&w, &a, &first.alert_id), 2);
    assert_eq!(notices_of(&w, &b, &first.alert_id), 1);
}

#[test]
fn only_officials_holding_the_role_publish_and_taking_it_back_applies_at_once() {
    let w = World::new();
    let citizen = resident(&w, "0905200021", Some("Hòa Minh, Liên Chiểu"));
    let plain_official = w.official("0905200022", "pctt");
    for who in [&citizen, &plain_official] {
        assert_eq!(
            publish::publish(&ports(&w), who, &flood(&["lien-chieu"])),
            Err(AlertError::NotPublisher)
        );
    }
    let phone = Phone::parse("0905200021").unwrap();
    assert_eq!(
        publishers::grant(&w.db, &phone, w.clock.now()),
        Err(AlertError::OfficialNotFound),
        "the role is for officials"
    );
    let by = publisher(&w);
    let m = publish_as(&w, &by, &flood(&["lien-chieu"]));
    assert_eq!(publishers::list(&w.db).unwrap().len(), 1);
    let publisher_phone = Phone::parse("0905800800").unwrap();
    assert!(publishers::revoke(&w.db, &publisher_phone).unwrap());
    assert!(!publishers::revoke(&w.db, &publisher_phone).unwrap());
    assert_eq!(
        publish::update(&ports(&w), &by, &m.alert_id, &DraftInput::default()),
        Err(AlertError::NotPublisher)
    );
    assert_eq!(
        publish::cancel(&ports(&w), &by, &m.alert_id, &CancelInput::default()),
        Err(AlertError::NotPublisher)
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM alerts"), 1);
    assert_eq!(
        publish::update(
            &ports(&w),
            &plain_official,
            "al_nope",
            &DraftInput::default()
        ),
        Err(AlertError::NotPublisher),
        "the role is checked before anything is read"
    );
}

#[test]
fn an_unknown_alert_is_not_found() {
    let w = World::new();
    let by = publisher(&w);
    for id in ["al_0000000000000000", "x", "al_<script>", ""] {
        assert_eq!(
            publish::update(&ports(&w), &by, id, &DraftInput::default()),
            Err(AlertError::NotFound),
            "{id}"
        );
        assert_eq!(feed::chain(&w.db, id), Err(AlertError::NotFound), "{id}");
    }
}

#[test]
fn racing_updates_and_cancels_of_one_alert_store_one_message_per_version() {
    const WRITERS: usize = 6;
    let path = temp_db_path("alerts-race");
    drop(TestDb::create_file(&path));
    let setup = World::on(TestDb::file(&path), MapSettings::default(), 1);
    let by = publisher(&setup);
    let who = resident(&setup, "0905200031", Some("Nại Hiên Đông, Sơn Trà"));
    let first = publish_as(&setup, &by, &flood(&["son-tra"]));
    let barrier = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = (0..WRITERS)
        .map(|i| {
            let (barrier, path, by, alert) = (
                barrier.clone(),
                path.clone(),
                by.clone(),
                first.alert_id.clone(),
            );
            std::thread::spawn(move || {
                let w = World::on(TestDb::file(&path), MapSettings::default(), 10 + i as u64);
                barrier.wait();
                if i % 2 == 0 {
                    publish::cancel(&ports(&w), &by, &alert, &CancelInput::default()).map(|m| m.id)
                } else {
                    publish::update(
                        &ports(&w),
                        &by,
                        &alert,
                        &DraftInput {
                            headline: Some(format!("Cập nhật số {i}")),
                            ..DraftInput::default()
                        },
                    )
                    .map(|m| m.id)
                }
            })
        })
        .collect();
    let results: Vec<Result<String, AlertError>> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let won: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert!(!won.is_empty(), "{results:?}");
    for r in &results {
        assert!(
            matches!(
                r,
                Ok(_) | Err(AlertError::Changed) | Err(AlertError::Cancelled)
            ),
            "{r:?}"
        );
    }
    let chain = feed::chain(&setup.db, &first.alert_id).unwrap();
    let versions: Vec<i64> = chain.iter().map(|m| m.version).collect();
    let expected: Vec<i64> = (1..=chain.len() as i64).collect();
    assert_eq!(versions, expected, "no version twice, none skipped");
    assert_eq!(chain.len(), won.len() + 1);
    for pair in chain.windows(2) {
        assert_eq!(pair[1].previous_id.as_deref(), Some(pair[0].id.as_str()));
        assert_ne!(
            pair[0].msg_type,
            MsgType::Cancel,
            "nothing follows a cancel"
        );
    }
    assert_eq!(
        notices_of(&setup, &who, &first.alert_id),
        chain.len() as i64,
        "one notice per stored message"
    );
    drop(setup);
    remove_db(&path);
}
