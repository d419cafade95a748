//! An Open311 GeoReport v2 round trip as a partner app would do it.

use super::*;

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
