//! Who gets an alert: exactly the citizens whose address is in its areas
//! (docs/alerts.md, "Who gets an alert"), in severity order.

use super::*;
use crate::alerts::cap::Severity;
use crate::alerts::feed;
use crate::ports::Clock;

#[test]
fn a_ward_alert_reaches_exactly_the_citizens_of_that_ward() {
    let w = World::new();
    let by = publisher(&w);
    let inside = [
        resident(
            &w,
            "0905100001",
            Some("12 Lê Duẩn, phường Thạch Thang, quận Hải Châu"),
        ),
        resident(
            &w,
            "0905100002",
            Some("5 Quang Trung, P.Thạch Thang, Q.Hải Châu, Đà Nẵng"),
        ),
        resident(&w, "0905100003", Some("40 Trần Phú, Thach Thang, Hai Chau")),
        resident(&w, "0905100004", Some("THẠCH THANG, HẢI CHÂU")),
    ];
    let outside = [
        // The same district, another ward.
        resident(
            &w,
            "0905100005",
            Some("9 Bạch Đằng, phường Hải Châu 1, quận Hải Châu"),
        ),
        // Only the district named: which ward is not known.
        resident(&w, "0905100006", Some("quận Hải Châu, Đà Nẵng")),
        resident(&w, "0905100007", Some("Hòa Phước, Hòa Vang")),
        resident(&w, "0905100008", None),
        resident(&w, "0905100009", Some("   ")),
    ];
    let m = publish_as(&w, &by, &flood(&["thach-thang"]));
    let mut want: Vec<String> = inside.to_vec();
    want.sort();
    assert_eq!(notified(&w, &m.alert_id), want);
    for id in outside {
        assert_eq!(notices_of(&w, &id, &m.alert_id), 0, "{id}");
    }
}

#[test]
fn a_district_alert_reaches_its_wards_and_a_city_alert_everyone_with_an_address() {
    let w = World::new();
    let by = publisher(&w);
    let hai_chau_1 = resident(&w, "0905100011", Some("Phường Hải Châu 1, Quận Hải Châu"));
    let only_district = resident(&w, "0905100012", Some("Quận Hải Châu"));
    let thanh_binh = resident(&w, "0905100013", Some("Thanh Bình, Đà Nẵng"));
    let son_tra = resident(&w, "0905100014", Some("An Hải Bắc, Sơn Trà"));
    let hoa_phu = resident(&w, "0905100015", Some("thôn 3, xã Hoà Phú, huyện Hoà Vang"));
    let nowhere = resident(&w, "0905100016", None);
    let district = publish_as(&w, &by, &flood(&["hai-chau"]));
    let mut want = vec![
        hai_chau_1.clone(),
        only_district.clone(),
        thanh_binh.clone(),
    ];
    want.sort();
    assert_eq!(notified(&w, &district.alert_id), want);

    // "Hòa Phú" is not "Hòa Phước": names match between word boundaries.
    let commune = publish_as(&w, &by, &flood(&["hoa-phuoc"]));
    assert!(notified(&w, &commune.alert_id).is_empty());
    let commune = publish_as(&w, &by, &flood(&["hoa-phu"]));
    assert_eq!(notified(&w, &commune.alert_id), vec![hoa_phu.clone()]);

    let city = publish_as(&w, &by, &flood(&["da-nang"]));
    let mut everyone = vec![hai_chau_1, only_district, thanh_binh, son_tra, hoa_phu];
    everyone.sort();
    assert_eq!(notified(&w, &city.alert_id), everyone);
    assert_eq!(notices_of(&w, &nowhere, &city.alert_id), 0);
}

#[test]
fn the_notice_carries_the_headline_and_text_and_more_severe_alerts_are_due_first() {
    let w = World::new();
    let by = publisher(&w);
    let who = resident(&w, "0905100021", Some("Mân Thái, Sơn Trà"));
    let minor = publish_as(
        &w,
        &by,
        &DraftInput {
            severity: Some("Minor".into()),
            headline: Some("Triều cường nhẹ".into()),
            ..flood(&["son-tra"])
        },
    );
    let extreme = publish_as(
        &w,
        &by,
        &DraftInput {
            severity: Some("Extreme".into()),
            headline: Some("Bão mạnh đổ bộ".into()),
            ..flood(&["man-thai"])
        },
    );
    let order = w.db.execute_rows(&format!(
        "SELECT ref_id FROM notifications WHERE account_id = '{who}' AND kind = 'alert' \
         ORDER BY due_at, id LIMIT 1"
    ));
    assert_eq!(
        order,
        vec![extreme.alert_id.clone()],
        "the extreme one is claimed first"
    );
    let notices = crate::notify::inbox::list(
        &w.db,
        &who,
        &crate::pagination::Page {
            limit: 10,
            cursor: None,
        },
        false,
    )
    .unwrap();
    let titles: Vec<String> = notices
        .page
        .items
        .iter()
        .map(|n| crate::notify::render::wording(n, crate::lang::Lang::Vi).title)
        .collect();
    assert!(titles.contains(&"Bão mạnh đổ bộ".to_owned()), "{titles:?}");
    assert!(titles.contains(&"Triều cường nhẹ".to_owned()), "{titles:?}");
    let body = notices
        .page
        .items
        .iter()
        .find(|n| n.ref_id == minor.alert_id)
        .map(|n| crate::notify::render::wording(n, crate::lang::Lang::En))
        .unwrap();
    assert!(body.body.starts_with("Mưa lớn kéo dài"), "{}", body.body);
    assert!(body.body.contains("Di chuyển xe"), "{}", body.body);
    assert_eq!(body.link, format!("/api/v1/alerts/{}", minor.alert_id));
    // The feed lists the most severe first, too.
    let active = feed::active(&w.db, w.clock.now(), Some("man-thai")).unwrap();
    let sev: Vec<Severity> = active.iter().map(|m| m.severity).collect();
    assert_eq!(sev, vec![Severity::Extreme, Severity::Minor]);
}

#[test]
fn exercises_and_tests_notify_no_one_and_stay_out_of_the_feed() {
    let w = World::new();
    let by = publisher(&w);
    resident(&w, "0905100031", Some("Hòa Minh, Liên Chiểu"));
    for status in ["Exercise", "Test"] {
        let m = publish_as(
            &w,
            &by,
            &DraftInput {
                status: Some(status.into()),
                ..flood(&["lien-chieu"])
            },
        );
        assert!(notified(&w, &m.alert_id).is_empty(), "{status}");
        assert!(feed::active(&w.db, w.clock.now(), None).unwrap().is_empty());
        assert_eq!(feed::chain(&w.db, &m.alert_id).unwrap().len(), 1);
    }
}

#[test]
fn the_feed_of_an_area_shows_alerts_above_and_below_it_and_only_while_in_force() {
    let w = World::new();
    let by = publisher(&w);
    let ward = publish_as(&w, &by, &flood(&["an-khe"]));
    let city = publish_as(&w, &by, &flood(&["da-nang"]));
    let later = publish_as(
        &w,
        &by,
        &DraftInput {
            effective: Some("2026-11-30T08:00:00+07:00".into()),
            expires: Some("2026-12-01T08:00:00+07:00".into()),
            ..flood(&["thanh-khe"])
        },
    );
    let ids = |area: Option<&str>| -> Vec<String> {
        let mut v: Vec<String> = feed::active(&w.db, w.clock.now(), area)
            .unwrap()
            .into_iter()
            .map(|m| m.alert_id)
            .collect();
        v.sort();
        v
    };
    let mut both = vec![ward.alert_id.clone(), city.alert_id.clone()];
    both.sort();
    assert_eq!(
        ids(Some("thanh-khe")),
        both,
        "the district sees its ward's alert"
    );
    assert_eq!(ids(Some("an-khe")), both, "the ward sees the city's");
    assert_eq!(ids(Some("son-tra")), vec![city.alert_id.clone()]);
    assert_eq!(
        feed::active(&w.db, w.clock.now(), Some("atlantis")),
        Err(crate::alerts::AlertError::field("area", "unknown area"))
    );
    w.clock.advance(20 * 3600);
    assert!(
        ids(None).contains(&later.alert_id),
        "in force from its effective time"
    );
    w.clock.advance(5 * 3600);
    assert_eq!(
        ids(None),
        vec![later.alert_id.clone()],
        "the others expired"
    );
}
