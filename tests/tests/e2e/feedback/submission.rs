//! Submission: validation in characters, real coordinates and known categories; the anonymous limit; distinct tracking codes under a hundred parallel submissions.

use super::*;

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
    let n = db(&host).int("SELECT count(*) FROM feedback", &[]);
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
    e2e::admin::assert_audit_chain_verifies(&host);
}
