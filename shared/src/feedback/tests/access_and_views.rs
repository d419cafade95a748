//! Who sees what: the access decision and the JSON each viewer gets.

use crate::feedback::access::{access, Access, Viewer};
use crate::feedback::test_support::{draft, world};
use crate::feedback::validate::validate;
use crate::feedback::{
    change, find, history, list_public, submit, view, ChangeRequest, FeedbackPolicy, ListFilter,
    Official, Status, Submitter,
};
use crate::pagination::Page;
use crate::testing::World;

const PHONE_E164: &str = "+84905123456";
const NAME: &str = "Nguyễn Văn An";

/// A world with one item by a named citizen, its text mentioning the
/// sender's number, plus an official of its unit and one of another unit.
fn setup(anonymous: bool) -> (World, String, String, String, String) {
    let w = world();
    let citizen = w.citizen("0905123456", NAME);
    let official = w.official("0905000001", "so-tnmt");
    let stranger = w.official("0905000002", "so-gtvt");
    let mut d = draft("environment");
    d.content = "Rác ùn ứ. Liên hệ 0905 123 456 nếu cần.".into();
    d.anonymous = anonymous;
    let v = validate(&d).unwrap();
    let id = submit(
        w.ports(),
        &FeedbackPolicy::default(),
        Submitter::Citizen {
            account_id: &citizen,
        },
        &v,
    )
    .unwrap()
    .id;
    (w, id, citizen, official, stranger)
}

#[test]
fn access_depends_on_owner_unit_and_publication() {
    let (w, id, citizen, official, stranger) = setup(false);
    let other = w.citizen("0987654321", "Lê Thị Hoa");
    let f = find(&w.db, &id).unwrap().unwrap();
    let cases = [
        (Viewer::Public, Access::Public),
        (
            Viewer::Citizen {
                account_id: &citizen,
            },
            Access::Owner,
        ),
        (Viewer::Citizen { account_id: &other }, Access::Public),
        (
            Viewer::Official {
                account_id: &official,
                unit_code: Some("so-tnmt"),
            },
            Access::Handler,
        ),
        (
            Viewer::Official {
                account_id: &stranger,
                unit_code: Some("so-gtvt"),
            },
            Access::Public,
        ),
    ];
    for (viewer, want) in cases {
        assert_eq!(access(&f, &viewer), want, "{viewer:?}");
    }
    let hide = ChangeRequest {
        published: Some(false),
        ..ChangeRequest::default()
    };
    change(
        w.ports(),
        Official {
            account_id: &official,
            unit_code: Some("so-tnmt"),
        },
        &id,
        &hide,
    )
    .unwrap();
    let hidden = find(&w.db, &id).unwrap().unwrap();
    assert_eq!(access(&hidden, &Viewer::Public), Access::Hidden);
    assert_eq!(
        access(&hidden, &Viewer::Citizen { account_id: &other }),
        Access::Hidden
    );
    assert_eq!(
        access(
            &hidden,
            &Viewer::Citizen {
                account_id: &citizen
            }
        ),
        Access::Owner
    );
    let public = list_public(&w.db, &ListFilter::default(), &Page::default()).unwrap();
    assert!(public.items.is_empty(), "hidden items are not listed");
}

#[test]
fn the_public_view_carries_nothing_personal() {
    let (w, id, citizen, official, _) = setup(false);
    let me = Official {
        account_id: &official,
        unit_code: Some("so-tnmt"),
    };
    let take = ChangeRequest {
        status: Some("in_progress".into()),
        response: Some("Đã liên hệ qua số 0905123456.".into()),
        published: None,
    };
    change(w.ports(), me, &id, &take).unwrap();
    let f = find(&w.db, &id).unwrap().unwrap();
    assert!(
        f.sender.is_some(),
        "the row carries the sender for the full views"
    );
    let text = view::public(&f).to_string();
    for secret in [
        PHONE_E164,
        "0905123456",
        "0905 123 456",
        NAME,
        &citizen,
        "K45/12",
        "16.067812",
    ] {
        assert!(
            !text.contains(secret),
            "public view leaks {secret:?}: {text}"
        );
    }
    let v = view::public(&f);
    assert_eq!(
        v["location"]["address"],
        "Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"
    );
    assert_eq!(v["location"]["lat"], 16.068);
    assert_eq!(v["status"], "in_progress");
    assert!(v["content"].as_str().unwrap().contains("***"));
    assert_eq!(v.get("sender"), None);
    assert_eq!(v.get("owner_id"), None);
}

#[test]
fn owner_sees_everything_and_officials_see_the_sender_unless_anonymous() {
    for anonymous in [false, true] {
        let (w, id, _, _, _) = setup(anonymous);
        let f = find(&w.db, &id).unwrap().unwrap();
        let steps = history(&w.db, &f).unwrap();
        let owner = view::full(&f, Access::Owner, Some(&steps));
        assert_eq!(owner["sender"]["phone"], PHONE_E164);
        assert_eq!(
            owner["location"]["address"],
            "K45/12 Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"
        );
        assert_eq!(owner["history"][0]["status"], "received");
        assert_eq!(
            owner["history"][0].get("actor"),
            None,
            "officials' ids are not shown to citizens"
        );
        assert_eq!(owner["can_rate"], false);
        let handler = view::full(&f, Access::Handler, Some(&steps)).to_string();
        assert_eq!(
            handler.contains(PHONE_E164),
            !anonymous,
            "anonymous={anonymous}: {handler}"
        );
        assert_eq!(handler.contains(NAME), !anonymous, "anonymous={anonymous}");
    }
}

#[test]
fn the_public_list_filters_and_pages() {
    let (w, first, _, official, _) = setup(false);
    let me = Official {
        account_id: &official,
        unit_code: Some("so-tnmt"),
    };
    let v = validate(&draft("traffic")).unwrap();
    let mut traffic = Vec::new();
    for _ in 0..3 {
        w.clock.advance(10);
        let who = Submitter::Anonymous {
            client_ip: Some("198.51.100.1"),
        };
        traffic.push(
            submit(w.ports(), &FeedbackPolicy::default(), who, &v)
                .unwrap()
                .id,
        );
    }
    let take = ChangeRequest {
        status: Some("in_progress".into()),
        ..ChangeRequest::default()
    };
    change(w.ports(), me, &first, &take).unwrap();

    let by = |category: Option<&str>, status: Option<Status>| {
        let filter = ListFilter {
            category: category.map(str::to_owned),
            status,
        };
        list_public(&w.db, &filter, &Page::default())
            .unwrap()
            .items
            .into_iter()
            .map(|f| f.id)
            .collect::<Vec<_>>()
    };
    let newest_first: Vec<String> = traffic.iter().rev().cloned().collect();
    assert_eq!(by(Some("traffic"), None), newest_first);
    assert_eq!(by(Some("environment"), None), vec![first.clone()]);
    assert_eq!(by(None, Some(Status::InProgress)), vec![first.clone()]);
    assert_eq!(
        by(Some("traffic"), Some(Status::InProgress)),
        Vec::<String>::new()
    );

    let mut page = Page {
        limit: 3,
        cursor: None,
    };
    let one = list_public(&w.db, &ListFilter::default(), &page).unwrap();
    assert_eq!(one.items.len(), 3);
    page.cursor = one.next_cursor.clone();
    let two = list_public(&w.db, &ListFilter::default(), &page).unwrap();
    assert_eq!(
        two.items.iter().map(|f| f.id.clone()).collect::<Vec<_>>(),
        vec![first]
    );
    assert_eq!(two.next_cursor, None);
}
