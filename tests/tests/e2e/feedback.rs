//! Feedback and complaints end to end (SPEC §8): submission and its
//! validation, tracking codes under 100 parallel submissions, the
//! officials' workflow and unit scoping, the redacted public views, ratings
//! and statistics, and an Open311 GeoReport v2 round trip as a partner app
//! would do it.

use std::collections::HashSet;
use std::sync::Arc;

use e2e::session::{login, outbox_code};
use e2e::{parallel, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

const CITIZEN: &str = "+84905123456";
const CITIZEN_NAME: &str = "Nguyễn Văn An";
const OTHER_CITIZEN: &str = "+84987654321";
const ENV_OFFICIAL: &str = "+84905000001";
const ENV_OFFICIAL_2: &str = "+84905000003";
const TRAFFIC_OFFICIAL: &str = "+84905000002";

/// A host with the units and categories the tests use: `environment`
/// handled by so-tnmt, `traffic` by so-gtvt.
fn start(builder: HostBuilder) -> Host {
    let host = builder.start();
    for (code, name) in [
        ("so-tnmt", "Sở Tài nguyên và Môi trường"),
        ("so-gtvt", "Sở Giao thông Vận tải"),
    ] {
        let r = host.post_json_auth(
            "/api/v1/admin/units",
            ADMIN_TOKEN,
            &json!({"code": code, "name": name}),
        );
        assert_eq!(r.status, 201, "{}", r.text());
    }
    for (code, name, unit) in [
        ("environment", "Môi trường", "so-tnmt"),
        ("traffic", "Giao thông", "so-gtvt"),
    ] {
        let body = json!({"code": code, "name": name, "unit": unit});
        let r = host.post_json_auth("/api/v1/admin/feedback-categories", ADMIN_TOKEN, &body);
        assert_eq!(r.status, 201, "{}", r.text());
    }
    host
}

/// Signs a named citizen up; (token, account id).
fn signup(host: &Host, phone: &str, full_name: &str) -> (String, String) {
    let body = json!({"phone": phone, "channel": "sms", "full_name": full_name});
    let started = host.post_json("/api/v1/signup", &body);
    assert_eq!(started.status, 202, "{}", started.text());
    let challenge_id = started.json()["challenge_id"].as_str().unwrap().to_owned();
    let code = outbox_code(host, phone);
    let done = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(done.status, 201, "{}", done.text());
    let b = done.json();
    (
        b["session"]["token"].as_str().unwrap().to_owned(),
        b["citizen"]["id"].as_str().unwrap().to_owned(),
    )
}

/// Makes `phone` an official of `unit` and logs them in; the token.
fn official(host: &Host, phone: &str, unit: &str) -> String {
    let body = json!({"phone": phone, "full_name": "Trần Thị Bình", "unit": unit});
    let r = host.post_json_auth("/api/v1/admin/officials", ADMIN_TOKEN, &body);
    assert!(r.status == 201 || r.status == 200, "{}", r.text());
    login(host, phone)
}

fn item(category: &str) -> Value {
    json!({
        "category": category,
        "title": "Rác thải ùn ứ trên vỉa hè",
        "content": "Rác không được thu gom ba ngày nay, bốc mùi hôi.",
        "location": {"lat": 16.067_812, "lng": 108.220_345, "address": "K45/12 Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"},
    })
}

fn submit(host: &Host, token: Option<&str>, body: &Value) -> Resp {
    match token {
        Some(t) => host.post_json_auth("/api/v1/feedback", t, body),
        None => host.post_json("/api/v1/feedback", body),
    }
}

/// Submits and returns the 201 body.
fn submitted(host: &Host, token: Option<&str>, body: &Value) -> Value {
    let r = submit(host, token, body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn patch(host: &Host, token: Option<&str>, id: &str, body: &Value) -> Resp {
    let mut rb = host
        .request(Method::PATCH, &format!("/api/v1/feedback/{id}"))
        .json(body);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    host.send(rb)
}

fn set_status(host: &Host, token: &str, id: &str, status: &str) -> Resp {
    patch(
        host,
        Some(token),
        id,
        &json!({"status": status, "response": "Đã kiểm tra và xử lý tại hiện trường."}),
    )
}

/// `PA-<4 digits>-<6 digits>`.
fn is_tracking_code(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 14
        && s.starts_with("PA-")
        && b[7] == b'-'
        && b[3..7].iter().chain(&b[8..]).all(u8::is_ascii_digit)
}

/// Percent-encodes for a query string or form body.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// POSTs a form the way GeoReport clients do.
fn post_form(host: &Host, path: &str, body: String) -> Resp {
    host.send(
        host.request(Method::POST, path)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body),
    )
}

fn db(host: &Host) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    conn
}

// ---------------------------------------------------------------- submission

#[test]
fn submissions_are_validated_in_characters_with_real_coordinates_and_known_categories() {
    let host = start(HostBuilder::app());
    let token = login(&host, CITIZEN);

    let cats = host.get("/api/v1/feedback/categories");
    assert_eq!(cats.status, 200, "{}", cats.text());
    assert_eq!(
        cats.json()["items"],
        json!([
            {"code": "environment", "name": "Môi trường", "unit": "so-tnmt", "unit_name": "Sở Tài nguyên và Môi trường"},
            {"code": "traffic", "name": "Giao thông", "unit": "so-gtvt", "unit_name": "Sở Giao thông Vận tải"},
        ])
    );

    let ok = submitted(&host, Some(&token), &item("environment"));
    assert!(
        is_tracking_code(ok["tracking_code"].as_str().unwrap()),
        "{ok}"
    );
    assert_eq!(ok["status"], "received");
    assert!(ok["id"].as_str().unwrap().starts_with("fb_"));

    // 4,000 "ệ" are 12,000 bytes of UTF-8 and 4,000 characters: accepted.
    let mut long = item("environment");
    long["content"] = json!("ệ".repeat(4_000));
    long["title"] = json!("ộ".repeat(200));
    let r = submit(&host, Some(&token), &long);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let stored = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &token)
        .json();
    assert_eq!(stored["content"].as_str().unwrap().chars().count(), 4_000);
    assert_eq!(stored["content"].as_str().unwrap().len(), 12_000);

    // Decomposed input (e + two combining marks) is one character after NFC.
    let mut nfd = item("environment");
    nfd["content"] = json!("e\u{323}\u{302}".repeat(4_000));
    assert_eq!(submit(&host, Some(&token), &nfd).status, 201);

    let invalid = |body: Value, field: &str, reason: &str| {
        let r = submit(&host, Some(&token), &body);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (422, "validation_failed"),
            "{body}: {}",
            r.text()
        );
        let fields = r.json()["error"]["fields"].clone();
        assert_eq!(fields[field], reason, "{body}: {fields}");
    };
    let with = |key: &str, value: Value| {
        let mut b = item("environment");
        b[key] = value;
        b
    };
    let at = |lat: Value, lng: Value| {
        let mut b = item("environment");
        b["location"] = json!({"lat": lat, "lng": lng});
        b
    };
    invalid(
        with("content", json!("ệ".repeat(4_001))),
        "content",
        "too_long",
    );
    invalid(with("title", json!("ộ".repeat(201))), "title", "too_long");
    invalid(with("title", json!("   ")), "title", "required");
    invalid(with("content", json!("")), "content", "required");
    invalid(
        with("title", json!("hai\ndòng")),
        "title",
        "control_characters",
    );
    invalid(
        with("category", json!("noise")),
        "category",
        "unknown_value",
    );
    invalid(with("category", json!("")), "category", "required");
    invalid(
        at(json!(90.5), json!(108.2)),
        "location.lat",
        "out_of_range",
    );
    invalid(at(json!(-91), json!(108.2)), "location.lat", "out_of_range");
    invalid(
        at(json!(16.0), json!(180.01)),
        "location.lng",
        "out_of_range",
    );
    invalid(at(json!(16.0), json!(-200)), "location.lng", "out_of_range");
    // Wrong types and shapes are named by their JSON path too.
    let r = submit(&host, Some(&token), &at(json!("16.05"), json!(108.2)));
    assert_eq!(r.status, 422);
    assert!(
        r.json()["error"]["fields"].get("location.lat").is_some(),
        "{}",
        r.text()
    );
    let mut no_location = item("environment");
    no_location.as_object_mut().unwrap().remove("location");
    assert_eq!(submit(&host, Some(&token), &no_location).status, 422);
    assert_eq!(
        submit(&host, Some(&token), &with("lon", json!(1))).status,
        422
    );
    // NaN is not JSON at all.
    let nan = host.send(
        host.request(Method::POST, "/api/v1/feedback")
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"category":"environment","title":"t","content":"c","location":{"lat":NaN,"lng":108}}"#),
    );
    assert_eq!(
        (nan.status, nan.error_code().as_str()),
        (400, "bad_request")
    );

    // A token that does not work is refused, not silently made anonymous.
    let r = submit(&host, Some("not-a-real-token"), &item("environment"));
    assert_eq!(r.status, 401);
    let anonymous = submitted(&host, None, &item("traffic"));
    assert!(is_tracking_code(
        anonymous["tracking_code"].as_str().unwrap()
    ));

    // Nothing refused was stored: 4 items, numbered 1 to 4.
    let n: i64 = db(&host)
        .query_row("SELECT count(*) FROM feedback", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
    let year = &ok["tracking_code"].as_str().unwrap()[3..7];
    assert_eq!(anonymous["tracking_code"], format!("PA-{year}-000004"));
}

#[test]
fn anonymous_senders_have_a_stricter_limit_per_address() {
    let host = Arc::new(start(HostBuilder::app()));
    // Twelve at once from one address: exactly the quota of five lands.
    let h = host.clone();
    let mut statuses = parallel(12, move |_| submit(&h, None, &item("traffic")).status);
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![201; 5], vec![429; 7]].concat());
    let refused = submit(&host, None, &item("traffic"));
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (429, "rate_limited"),
        "{}",
        refused.text()
    );
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((3_500..=3_600).contains(&retry), "{retry}");
    // A logged-in citizen on the same address has their own, larger quota.
    let token = login(&host, CITIZEN);
    for _ in 0..6 {
        assert_eq!(submit(&host, Some(&token), &item("traffic")).status, 201);
    }
}

#[test]
fn a_hundred_parallel_submissions_get_a_hundred_distinct_tracking_codes() {
    let host = Arc::new(start(
        HostBuilder::app().var("feedback_anonymous_ip_hourly", "1000"),
    ));
    let h = host.clone();
    let codes = parallel(100, move |i| {
        let mut body = item(if i % 2 == 0 { "environment" } else { "traffic" });
        body["title"] = json!(format!("Phản ánh số {i}"));
        let r = submit(&h, None, &body);
        assert_eq!(r.status, 201, "#{i}: {}", r.text());
        r.json()["tracking_code"].as_str().unwrap().to_owned()
    });
    let distinct: HashSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), 100, "{codes:?}");
    assert!(codes.iter().all(|c| is_tracking_code(c)), "{codes:?}");
    let mut numbers: Vec<u32> = codes.iter().map(|c| c[8..].parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=100).collect::<Vec<_>>(),
        "no gaps, no duplicates"
    );
}

// ---------------------------------------------------------------- workflow

#[test]
fn officials_of_the_unit_move_items_through_the_workflow() {
    let host = start(HostBuilder::app());
    let citizen = login(&host, CITIZEN);
    let env = official(&host, ENV_OFFICIAL, "so-tnmt");
    let traffic = official(&host, TRAFFIC_OFFICIAL, "so-gtvt");
    let id = submitted(&host, Some(&citizen), &item("environment"))["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Scoping: no session 401, a citizen 403, another unit's official 403.
    assert_eq!(
        patch(&host, None, &id, &json!({"status": "in_progress"})).status,
        401
    );
    assert_eq!(set_status(&host, &citizen, &id, "in_progress").status, 403);
    let other = set_status(&host, &traffic, &id, "in_progress");
    assert_eq!(
        (other.status, other.error_code().as_str()),
        (403, "forbidden")
    );
    assert_eq!(
        set_status(&host, &env, "fb_unknown", "in_progress").status,
        404
    );

    // received → resolved skips a step: 409, and nothing changes.
    let skip = set_status(&host, &env, &id, "resolved");
    assert_eq!(
        (skip.status, skip.error_code().as_str()),
        (409, "invalid_transition"),
        "{}",
        skip.text()
    );
    assert_eq!(
        skip.json()["error"]["fields"],
        json!({"from": "received", "to": "resolved"})
    );
    assert_eq!(set_status(&host, &env, &id, "rejected").status, 409);
    assert_eq!(set_status(&host, &env, &id, "received").status, 409);

    let taken = set_status(&host, &env, &id, "in_progress");
    assert_eq!(taken.status, 200, "{}", taken.text());
    assert_eq!(taken.json()["status"], "in_progress");
    assert_eq!(set_status(&host, &env, &id, "in_progress").status, 409);
    assert_eq!(set_status(&host, &env, &id, "received").status, 409);
    let bare = patch(&host, Some(&env), &id, &json!({"status": "resolved"}));
    assert_eq!(
        bare.status,
        422,
        "closing needs a response: {}",
        bare.text()
    );
    assert_eq!(bare.json()["error"]["fields"]["response"], "required");
    assert_eq!(
        patch(&host, Some(&env), &id, &json!({"status": "done"})).status,
        422
    );

    let done = set_status(&host, &env, &id, "resolved");
    assert_eq!(done.status, 200, "{}", done.text());
    for to in ["received", "in_progress", "resolved", "rejected"] {
        let r = set_status(&host, &env, &id, to);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (409, "invalid_transition"),
            "resolved -> {to}"
        );
    }

    // The owner sees the whole history; the public sees the outcome.
    let history = host.get_auth(&format!("/api/v1/feedback/{id}/history"), &citizen);
    assert_eq!(history.status, 200, "{}", history.text());
    let steps: Vec<(Value, Value)> = history.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["from"].clone(), s["status"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("received")),
            (json!("received"), json!("in_progress")),
            (json!("in_progress"), json!("resolved")),
        ]
    );
    let owner_view = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &citizen)
        .json();
    assert_eq!(owner_view["history"].as_array().unwrap().len(), 3);
    assert_eq!(owner_view["can_rate"], true);
    let public = host.get(&format!("/api/v1/feedback/{id}")).json();
    assert_eq!(public["status"], "resolved");
    assert_eq!(public["response"], "Đã kiểm tra và xử lý tại hiện trường.");
    assert_eq!(
        host.get(&format!("/api/v1/feedback/{id}/history")).status,
        401
    );
    assert_eq!(
        host.get_auth(&format!("/api/v1/feedback/{id}/history"), &traffic)
            .status,
        403
    );

    // Each change is in the audit log.
    let audited: i64 = db(&host)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'feedback_status_changed' AND detail LIKE ?",
            [format!("%{id}%")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);

    // Hidden from the public: other units cannot even find it; the owner can.
    let second = submitted(&host, Some(&citizen), &item("environment"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hide = patch(&host, Some(&env), &second, &json!({"published": false}));
    assert_eq!(hide.status, 200, "{}", hide.text());
    assert_eq!(host.get(&format!("/api/v1/feedback/{second}")).status, 404);
    assert_eq!(
        set_status(&host, &traffic, &second, "in_progress").status,
        404
    );
    assert_eq!(
        host.get_auth(&format!("/api/v1/feedback/{second}"), &citizen)
            .status,
        200
    );
    let listed: Vec<Value> = host.get("/api/v1/feedback").json()["items"]
        .as_array()
        .unwrap()
        .clone();
    assert!(listed.iter().all(|i| i["id"] != second.as_str()));

    // The unit's queue and the citizen's own list show both.
    let queue = host.get_auth("/api/v1/feedback/queue", &env);
    assert_eq!(queue.status, 200, "{}", queue.text());
    assert_eq!(queue.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        host.get_auth("/api/v1/feedback/queue", &traffic).json()["items"],
        json!([])
    );
    assert_eq!(
        host.get_auth("/api/v1/feedback/queue", &citizen).status,
        403
    );
    let mine = host.get_auth("/api/v1/me/feedback", &citizen);
    assert_eq!(mine.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(host.get("/api/v1/me/feedback").status, 401);
}

#[test]
fn two_officials_acting_at_once_cannot_both_close_an_item() {
    let host = Arc::new(start(HostBuilder::app()));
    let citizen = login(&host, CITIZEN);
    let tokens = Arc::new([
        official(&host, ENV_OFFICIAL, "so-tnmt"),
        official(&host, ENV_OFFICIAL_2, "so-tnmt"),
    ]);
    for round in 0..5 {
        let id = submitted(&host, Some(&citizen), &item("environment"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            set_status(&host, &tokens[0], &id, "in_progress").status,
            200
        );
        let (h, t, item_id) = (host.clone(), tokens.clone(), id.clone());
        let statuses = parallel(2, move |i| {
            let to = if i == 0 { "resolved" } else { "rejected" };
            set_status(&h, &t[i], &item_id, to).status
        });
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![200, 409], "round {round}: {statuses:?}");
        let steps = host
            .get_auth(&format!("/api/v1/feedback/{id}/history"), &citizen)
            .json();
        let closing = steps["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["from"] == "in_progress")
            .count();
        assert_eq!(closing, 1, "round {round}: {steps}");
    }
}

// ---------------------------------------------------------------- privacy

#[test]
fn public_views_never_contain_the_senders_phone_or_name() {
    let host = start(HostBuilder::app());
    let (citizen, account_id) = signup(&host, CITIZEN, CITIZEN_NAME);
    let env = official(&host, ENV_OFFICIAL, "so-tnmt");
    let mut body = item("environment");
    body["content"] = json!("Rác ùn ứ trước nhà. Cần thì gọi 0905 123 456.");
    let named = submitted(&host, Some(&citizen), &body);
    let id = named["id"].as_str().unwrap().to_owned();
    let code = named["tracking_code"].as_str().unwrap().to_owned();
    let mut secret = item("environment");
    secret["anonymous"] = json!(true);
    let anon_id = submitted(&host, Some(&citizen), &secret)["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let leaks = [
        "+84905123456",
        "84905123456",
        "0905123456",
        "0905 123 456",
        CITIZEN_NAME,
        account_id.as_str(),
        "K45/12",
    ];
    let assert_clean = |what: &str, r: &Resp| {
        assert_eq!(r.status, 200, "{what}: {}", r.text());
        let text = r.text();
        for leak in leaks {
            assert!(!text.contains(leak), "{what} leaks {leak:?}: {text}");
        }
    };
    let stranger = login(&host, OTHER_CITIZEN);
    assert_clean("public list", &host.get("/api/v1/feedback"));
    assert_clean(
        "filtered list",
        &host.get("/api/v1/feedback?category=environment&status=received"),
    );
    assert_clean("public item", &host.get(&format!("/api/v1/feedback/{id}")));
    assert_clean(
        "item by tracking code",
        &host.get(&format!("/api/v1/feedback/{code}")),
    );
    assert_clean(
        "item seen by another citizen",
        &host.get_auth(&format!("/api/v1/feedback/{id}"), &stranger),
    );
    assert_clean("open311 list", &host.get("/open311/v2/requests.json"));
    assert_clean(
        "open311 item",
        &host.get(&format!("/open311/v2/requests/{code}.json")),
    );
    let public = host.get(&format!("/api/v1/feedback/{id}")).json();
    assert_eq!(
        public["location"]["address"],
        "Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"
    );
    assert_eq!(public["location"]["lat"], 16.068);
    assert!(
        public.get("sender").is_none() && public.get("owner_id").is_none(),
        "{public}"
    );

    // The owner and the handling official do see who sent it (unless the
    // owner chose to stay anonymous towards officials).
    let own = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &citizen)
        .text();
    assert!(
        own.contains("+84905123456") && own.contains(CITIZEN_NAME),
        "{own}"
    );
    let handled = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &env)
        .text();
    assert!(
        handled.contains("+84905123456") && handled.contains(CITIZEN_NAME),
        "{handled}"
    );
    let anon = host.get_auth(&format!("/api/v1/feedback/{anon_id}"), &env);
    assert_eq!(anon.status, 200);
    assert!(
        !anon.text().contains("+84905123456") && !anon.text().contains(CITIZEN_NAME),
        "{}",
        anon.text()
    );
    assert_eq!(anon.json()["anonymous"], true);
}

#[test]
fn public_views_redact_cccd_numbers_emails_and_phones_in_any_spelling() {
    let host = start(HostBuilder::app());
    let (citizen, _) = signup(&host, CITIZEN, CITIZEN_NAME);
    let env = official(&host, ENV_OFFICIAL, "so-tnmt");
    let mut body = item("environment");
    body["title"] = json!("Rác ùn ứ, liên hệ an.nguyen@example.vn");
    body["content"] = json!(
        "CCCD của tôi 048 095 000 123 (hoặc 048095000123, 048.095.000.123). \
         Gọi 84 905 123 456, (+84) 905-123-456 hoặc 0 9 0 5 1 2 3 4 5 6; mail an (at) example.vn."
    );
    let created = submitted(&host, Some(&citizen), &body);
    let id = created["id"].as_str().unwrap().to_owned();
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let reply = json!({
        "status": "in_progress",
        "response": "Đã liên hệ anh qua 0905.123.456 và an.nguyen@example.vn, CCCD 048-095-000-123.",
    });
    let r = patch(&host, Some(&env), &id, &reply);
    assert_eq!(r.status, 200, "{}", r.text());

    let leaks = [
        "048 095 000 123",
        "048095000123",
        "048.095.000.123",
        "048-095-000-123",
        "an.nguyen@example.vn",
        "example.vn",
        "84 905 123 456",
        "905-123-456",
        "0 9 0 5",
        "0905.123.456",
    ];
    for path in [
        format!("/api/v1/feedback/{id}"),
        "/api/v1/feedback".to_owned(),
        format!("/open311/v2/requests/{code}.json"),
    ] {
        let r = host.get(&path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let text = r.text();
        for leak in leaks {
            assert!(!text.contains(leak), "{path} leaks {leak:?}: {text}");
        }
    }
    let public = host.get(&format!("/api/v1/feedback/{id}")).json();
    assert_eq!(public["title"], "Rác ùn ứ, liên hệ ***");
    // The owner still sees what they wrote.
    let own = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &citizen)
        .text();
    assert!(
        own.contains("048 095 000 123") && own.contains("an.nguyen@example.vn"),
        "{own}"
    );
}

// ---------------------------------------------------------------- ratings

#[test]
fn ratings_are_for_the_owner_once_after_resolution() {
    let host = start(HostBuilder::app());
    let citizen = login(&host, CITIZEN);
    let other = login(&host, OTHER_CITIZEN);
    let env = official(&host, ENV_OFFICIAL, "so-tnmt");
    let id = submitted(&host, Some(&citizen), &item("environment"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/feedback/{id}/rating");
    let rate = |token: &str, body: Value| host.post_json_auth(&path, token, &body);

    let early = rate(&citizen, json!({"score": 5}));
    assert_eq!(
        (early.status, early.error_code().as_str()),
        (409, "feedback_not_closed"),
        "{}",
        early.text()
    );
    assert_eq!(set_status(&host, &env, &id, "in_progress").status, 200);
    assert_eq!(
        rate(&citizen, json!({"score": 5})).error_code(),
        "feedback_not_closed"
    );
    assert_eq!(set_status(&host, &env, &id, "resolved").status, 200);

    assert_eq!(
        rate(&other, json!({"score": 1})).status,
        403,
        "another citizen"
    );
    assert_eq!(
        rate(&env, json!({"score": 5})).status,
        403,
        "the handling official"
    );
    assert_eq!(host.post_json(&path, &json!({"score": 5})).status, 401);
    for bad in [
        json!({"score": 0}),
        json!({"score": 6}),
        json!({"score": 4.5}),
        json!({"score": "5"}),
        json!({}),
    ] {
        assert_eq!(rate(&citizen, bad.clone()).status, 422, "{bad}");
    }

    let ok = rate(
        &citizen,
        json!({"score": 4, "comment": "Xử lý nhanh, cảm ơn các anh chị."}),
    );
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.json()["score"], 4);
    let twice = rate(&citizen, json!({"score": 1}));
    assert_eq!(
        (twice.status, twice.error_code().as_str()),
        (409, "already_rated")
    );
    let view = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &citizen)
        .json();
    assert_eq!(view["rating"]["score"], 4);
    assert_eq!(view["can_rate"], false);
    assert_eq!(
        host.get(&format!("/api/v1/feedback/{id}")).json()["rating"],
        json!({"score": 4})
    );

    // A second, rejected item rated 1: the category averages 2.5.
    let id2 = submitted(&host, Some(&citizen), &item("environment"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(set_status(&host, &env, &id2, "in_progress").status, 200);
    assert_eq!(set_status(&host, &env, &id2, "rejected").status, 200);
    let r = host.post_json_auth(
        &format!("/api/v1/feedback/{id2}/rating"),
        &citizen,
        &json!({"score": 1}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let stats = host.get("/api/v1/feedback/stats");
    assert_eq!(stats.status, 200, "{}", stats.text());
    let items = stats.json()["items"].clone();
    let env_stats = items
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["category"] == "environment")
        .unwrap()
        .clone();
    assert_eq!(env_stats["average_score"], 2.5);
    assert_eq!(env_stats["ratings"], 2);
    assert_eq!(env_stats["feedback"]["resolved"], 1);
    assert_eq!(env_stats["feedback"]["rejected"], 1);
    let traffic_stats = items
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["category"] == "traffic")
        .unwrap()
        .clone();
    assert_eq!(traffic_stats["average_score"], Value::Null);
}

// ---------------------------------------------------------------- Open311

fn assert_georeport_error(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text());
    let body = r.json();
    let entries = body
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {body}"));
    assert!(!entries.is_empty());
    for e in entries {
        assert_eq!(e["code"], status, "{body}");
        assert!(
            e["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
}

/// GeoReport v2's request fields and their JSON types.
fn assert_request_shape(r: &Value) {
    for k in [
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
    ] {
        assert!(r[k].is_string(), "{k} is a string: {r}");
    }
    for k in ["lat", "long"] {
        assert!(r[k].is_number(), "{k} is a number: {r}");
    }
    for k in [
        "status_notes",
        "service_notice",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "media_url",
    ] {
        assert!(r.get(k).is_some(), "{k} present: {r}");
    }
    assert!(
        ["open", "closed"].contains(&r["status"].as_str().unwrap()),
        "{r}"
    );
    assert!(r["requested_datetime"]
        .as_str()
        .unwrap()
        .ends_with("+07:00"));
}

#[test]
fn an_open311_client_round_trip() {
    let host = start(HostBuilder::app());
    let issuer = host.post_json_auth(
        "/api/v1/admin/issuers",
        ADMIN_TOKEN,
        &json!({"code": "app-311", "name": "Ứng dụng đối tác", "scopes": ["open311"]}),
    );
    assert_eq!(issuer.status, 201, "{}", issuer.text());
    let api_key = issuer.json()["api_key"].as_str().unwrap().to_owned();

    // Discover the services.
    let services = host.get("/open311/v2/services.json");
    assert_eq!(services.status, 200, "{}", services.text());
    assert!(services
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let list = services.json();
    let env = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "environment")
        .unwrap()
        .clone();
    assert_eq!(env["service_name"], "Môi trường");
    assert_eq!(env["metadata"], false);
    assert_eq!(env["type"], "realtime");
    assert!(
        env["keywords"].is_string() && env["group"].is_string() && env["description"].is_string(),
        "{env}"
    );
    let definition = host.get("/open311/v2/services/environment.json");
    assert_eq!(
        definition.json(),
        json!({"service_code": "environment", "attributes": []})
    );
    assert_georeport_error(&host.get("/open311/v2/services/noise.json"), 404);

    // Create a request, form-encoded, with the partner key.
    let description = "Cây xanh đổ chắn ngang đường Bạch Đằng sau mưa bão.\nCần xử lý gấp.";
    let post = |pairs: &[(&str, &str)]| post_form(&host, "/open311/v2/requests.json", form(pairs));
    let created = post(&[
        ("api_key", &api_key),
        ("jurisdiction_id", "danang.gov.vn"),
        ("service_code", "environment"),
        ("lat", "16.071234"),
        ("long", "108.224567"),
        ("address_string", "50 Bạch Đằng, Thạch Thang, Hải Châu"),
        ("description", description),
        ("email", "an@example.com"),
        ("first_name", "An"),
        ("last_name", "Nguyễn"),
        ("phone", "0905123456"),
        ("media_url", "https://example.com/cay-do.jpg"),
    ]);
    assert_eq!(created.status, 201, "{}", created.text());
    let answer = created.json();
    assert_eq!(answer.as_array().unwrap().len(), 1, "{answer}");
    let sr_id = answer[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(is_tracking_code(&sr_id), "{answer}");
    assert!(answer[0]["service_notice"].is_string());
    assert!(
        answer[0].get("account_id").is_some_and(Value::is_null),
        "{answer}"
    );

    // Refusals in GeoReport format.
    let base = [
        ("service_code", "environment"),
        ("lat", "16.07"),
        ("long", "108.22"),
        ("description", "Ổ gà"),
    ];
    assert_georeport_error(&post(&base), 403);
    let mut bad_key = base.to_vec();
    bad_key.push(("api_key", "iss_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    assert_georeport_error(&post(&bad_key), 403);
    let with_key = |extra: &[(&'static str, &'static str)]| {
        let mut p: Vec<(&str, &str)> = vec![("api_key", api_key.as_str())];
        for (k, v) in base {
            if !extra.iter().any(|(ek, _)| *ek == k) {
                p.push((k, v));
            }
        }
        p.extend_from_slice(extra);
        post(&p)
    };
    let nan = with_key(&[("lat", "NaN")]);
    assert_georeport_error(&nan, 400);
    assert!(nan.text().contains("lat"), "{}", nan.text());
    assert_georeport_error(&with_key(&[("long", "181")]), 400);
    assert_georeport_error(&with_key(&[("description", "")]), 400);
    assert_georeport_error(&with_key(&[("service_code", "noise")]), 404);
    let json_body = host.send(
        host.request(Method::POST, "/open311/v2/requests.json")
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"api_key":"{api_key}","service_code":"environment"}}"#
            )),
    );
    assert_georeport_error(&json_body, 400);
    assert_georeport_error(&host.get("/open311/v2/nothing.json"), 404);

    // Read it back by id.
    let one = host.get(&format!("/open311/v2/requests/{sr_id}.json"));
    assert_eq!(one.status, 200, "{}", one.text());
    let r = one.json()[0].clone();
    assert_request_shape(&r);
    assert_eq!(r["service_request_id"], sr_id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "environment");
    assert_eq!(r["service_name"], "Môi trường");
    assert_eq!(r["description"], description);
    assert_eq!(r["agency_responsible"], "Sở Tài nguyên và Môi trường");
    assert_eq!(r["address"], "Bạch Đằng, Thạch Thang, Hải Châu");
    assert_eq!(r["media_url"], "https://example.com/cay-do.jpg");
    assert_eq!(r["lat"], 16.071);
    assert_eq!(r["long"], 108.225);
    assert!(!one.text().contains("an@example.com") && !one.text().contains("0905123456"));
    assert_georeport_error(&host.get("/open311/v2/requests/PA-2000-000001.json"), 404);

    // The same request is a feedback item in the platform's own API.
    let native = host.get(&format!("/api/v1/feedback/{sr_id}")).json();
    assert_eq!(
        native["title"],
        "Cây xanh đổ chắn ngang đường Bạch Đằng sau mưa bão."
    );

    // And by filters.
    let ids = |query: &str| -> Vec<String> {
        let r = host.get(&format!("/open311/v2/requests.json{query}"));
        assert_eq!(r.status, 200, "{query}: {}", r.text());
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                assert_request_shape(x);
                x["service_request_id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let requested = r["requested_datetime"].as_str().unwrap().to_owned();
    let day = &requested[..10];
    assert_eq!(ids(""), vec![sr_id.clone()]);
    assert_eq!(
        ids("?service_code=environment&status=open"),
        vec![sr_id.clone()]
    );
    assert_eq!(ids("?service_code=traffic"), Vec::<String>::new());
    assert_eq!(ids("?status=closed"), Vec::<String>::new());
    assert_eq!(
        ids(&format!(
            "?start_date={}",
            enc(&format!("{day}T00:00:00+07:00"))
        )),
        vec![sr_id.clone()]
    );
    assert_eq!(
        ids(&format!(
            "?end_date={}",
            enc(&format!("{day}T00:00:00+07:00"))
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&format!("?service_request_id={sr_id}&service_code=traffic")),
        vec![sr_id.clone()]
    );
    assert_georeport_error(&host.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-31T00:00:00Z"), 400);
    assert_georeport_error(&host.get("/open311/v2/requests.json?status=pending"), 400);
    assert_georeport_error(
        &host.get("/open311/v2/requests.json?start_date=yesterday"),
        400,
    );

    // An official closes it: the client sees `closed` with the notes.
    let official_token = official(&host, ENV_OFFICIAL, "so-tnmt");
    assert_eq!(
        set_status(&host, &official_token, &sr_id, "in_progress").status,
        200
    );
    assert_eq!(
        set_status(&host, &official_token, &sr_id, "resolved").status,
        200
    );
    let closed = host
        .get(&format!("/open311/v2/requests/{sr_id}.json"))
        .json()[0]
        .clone();
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        closed["status_notes"],
        "Đã kiểm tra và xử lý tại hiện trường."
    );
    assert_eq!(ids("?status=closed"), vec![sr_id.clone()]);
    assert_eq!(ids("?status=open"), Vec::<String>::new());
}
