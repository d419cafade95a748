//! The GeoReport v2 mapping: services, form parsing, request JSON, query
//! filters, dates and errors.

use serde_json::Value;

use crate::error::ApiError;
use crate::feedback::categories::find_category;
use crate::feedback::open311::{
    draft_from_form, error_response, list_requests, rename_fields, request_json, service_json,
    RequestQuery,
};
use crate::feedback::test_support::world;
use crate::feedback::validate::validate;
use crate::feedback::{find, submit, FeedbackError, FeedbackPolicy, Submitter};
use crate::http::Request;
use crate::lang::Lang;
use crate::local_time::parse_instant_or_date;
use crate::testing::T0;

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_category_is_a_realtime_service_grouped_by_unit() {
    let w = world();
    let c = find_category(&w.db, "environment").unwrap().unwrap();
    let s = service_json(&c);
    assert_eq!(s["service_code"], "environment");
    assert_eq!(s["service_name"], "Môi trường");
    assert_eq!(s["metadata"], false);
    assert_eq!(s["type"], "realtime");
    assert_eq!(s["group"], "Sở Tài nguyên và Môi trường");
    assert!(s["keywords"].as_str().unwrap().contains("rác thải"));
    assert!(s["description"].is_string());
}

#[test]
fn a_form_becomes_a_draft_with_a_title_from_the_first_line() {
    let pairs = form(&[
        ("api_key", "iss_x"),
        ("service_code", "traffic"),
        ("lat", "16.0544"),
        ("long", "108.2022"),
        ("address_string", "12 Bạch Đằng, Hải Châu"),
        (
            "description",
            "\n  Ổ gà lớn giữa đường  \nNguy hiểm cho xe máy.",
        ),
        ("email", "a@example.com"),
        ("first_name", "An"),
        ("phone", "0905123456"),
        ("media_url", "https://example.com/o-ga.jpg"),
    ]);
    let d = draft_from_form(&pairs).unwrap();
    assert_eq!(d.category, "traffic");
    assert_eq!(d.title, "Ổ gà lớn giữa đường");
    assert_eq!((d.location.lat, d.location.lng), (16.0544, 108.2022));
    assert_eq!(
        d.location.address.as_deref(),
        Some("12 Bạch Đằng, Hải Châu")
    );
    assert_eq!(d.media_url.as_deref(), Some("https://example.com/o-ga.jpg"));
    let v = validate(&d).unwrap();
    assert_eq!(
        v.report.content,
        "Ổ gà lớn giữa đường  \nNguy hiểm cho xe máy."
    );

    let long = "ằ".repeat(250);
    let d = draft_from_form(&form(&[
        ("service_code", "traffic"),
        ("lat", "16"),
        ("long", "108"),
        ("description", &long),
    ]))
    .unwrap();
    assert_eq!(d.title.chars().count(), 200);
    assert!(d.title.ends_with('…'));
}

#[test]
fn form_problems_are_named_by_their_georeport_parameter() {
    let missing = draft_from_form(&form(&[
        ("service_code", "traffic"),
        ("address_string", "Cầu Rồng"),
    ]))
    .unwrap_err();
    assert_eq!(
        missing,
        FeedbackError::Invalid(vec![("lat", "required"), ("long", "required")])
    );
    let nan = draft_from_form(&form(&[("lat", "abc"), ("long", "108")])).unwrap_err();
    assert_eq!(nan, FeedbackError::invalid("lat", "not_a_number"));
    for (lat, long, want) in [
        ("NaN", "108", vec![("lat", "not_a_number")]),
        ("16", "inf", vec![("long", "not_a_number")]),
        ("95", "108", vec![("lat", "out_of_range")]),
    ] {
        let d = draft_from_form(&form(&[
            ("service_code", "traffic"),
            ("lat", lat),
            ("long", long),
            ("description", "x"),
        ]))
        .unwrap();
        assert_eq!(
            validate(&d).map_err(rename_fields).unwrap_err(),
            FeedbackError::Invalid(want)
        );
    }
    let d = draft_from_form(&form(&[
        ("service_code", ""),
        ("lat", "16"),
        ("long", "108"),
        ("media_url", "javascript:alert(1)"),
    ]))
    .unwrap();
    assert_eq!(
        validate(&d).map_err(rename_fields).unwrap_err(),
        FeedbackError::Invalid(vec![
            ("service_code", "required"),
            ("description", "required"),
            ("media_url", "format")
        ])
    );
}

#[test]
fn a_request_has_the_georeport_fields_and_types() {
    let w = world();
    let mut d = draft_from_form(&form(&[
        ("service_code", "traffic"),
        ("lat", "16.054412"),
        ("long", "108.202211"),
        ("address_string", "12 Bạch Đằng, Hải Châu"),
        ("description", "Ổ gà"),
    ]))
    .unwrap();
    d.anonymous = false;
    let v = validate(&d).unwrap();
    let created = submit(
        w.ports(),
        &FeedbackPolicy::default(),
        Submitter::Partner { issuer_code: "app" },
        &v,
    )
    .unwrap();
    let f = find(&w.db, &created.id).unwrap().unwrap();
    let r = request_json(&f);
    let strings = [
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "address",
    ];
    for k in strings {
        assert!(r[k].is_string(), "{k}: {r}");
    }
    for k in ["lat", "long"] {
        assert!(r[k].is_f64(), "{k}: {r}");
    }
    for k in [
        "status_notes",
        "service_notice",
        "expected_datetime",
        "address_id",
        "zipcode",
        "media_url",
    ] {
        assert!(
            r.get(k).is_some_and(Value::is_null),
            "{k} present and null: {r}"
        );
    }
    assert_eq!(r["service_request_id"], "PA-2026-000001");
    assert_eq!(r["status"], "open");
    assert_eq!(r["address"], "Bạch Đằng, Hải Châu");
    assert_eq!(r["lat"], 16.054);
    assert_eq!(r["requested_datetime"], "2026-11-29T14:05:00+07:00");
}

#[test]
fn datetimes_follow_the_w3c_profile() {
    let t = T0; // 2026-11-29T14:05:00+07:00
    for s in [
        "2026-11-29T14:05:00+07:00",
        "2026-11-29T07:05:00Z",
        "2026-11-29T07:05:00.000Z",
        "2026-11-29T07:05Z",
        "2026-11-29T14:05:00 07:00",
        "2026-11-29T14:05:00+0700",
        "2026-11-28T23:05:00-08:00",
    ] {
        assert_eq!(parse_instant_or_date(s), Some(t), "{s}");
    }
    assert_eq!(
        parse_instant_or_date("2026-11-29"),
        Some(t - (14 * 3_600 + 5 * 60))
    );
    assert_eq!(
        parse_instant_or_date("2024-02-29T00:00:00Z"),
        Some(1_709_164_800)
    );
    for bad in [
        "",
        "2026-11-29T14:05:00",
        "2026-13-01",
        "2026-02-29",
        "2026-11-29T24:00:00Z",
        "yesterday",
        "2026-11-29T14:05:00+7",
    ] {
        assert_eq!(parse_instant_or_date(bad), None, "{bad}");
    }
}

#[test]
fn request_queries_default_to_ninety_days_and_refuse_longer_ranges() {
    let q = |query: &str| {
        RequestQuery::from_request(&Request::from_uri("GET", &format!("/r?{query}")), T0)
    };
    let all = q("").unwrap();
    assert_eq!((all.start, all.end), (T0 - 90 * 86_400, T0));
    assert!(all.statuses.is_empty() && all.ids.is_empty());
    let open = q("status=open&service_code=traffic,environment").unwrap();
    assert_eq!(open.statuses.len(), 2);
    assert_eq!(open.service_codes, vec!["traffic", "environment"]);
    let from = q("start_date=2026-01-01T00:00:00Z").unwrap();
    assert_eq!(from.end - from.start, 90 * 86_400);
    assert_eq!(
        q("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z").unwrap_err(),
        FeedbackError::invalid("end_date", "range_over_90_days")
    );
    assert_eq!(
        q("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z").unwrap_err(),
        FeedbackError::invalid("end_date", "before_start_date")
    );
    assert_eq!(
        q("start_date=soon").unwrap_err(),
        FeedbackError::invalid("start_date", "format")
    );
    // Empty is "not given"; blanks are a date that does not parse.
    assert!(q("start_date=&end_date=").is_ok());
    assert_eq!(
        q("end_date=%0C").unwrap_err(),
        FeedbackError::invalid("end_date", "format")
    );
    assert_eq!(
        q("start_date=%20%20").unwrap_err(),
        FeedbackError::invalid("start_date", "format")
    );
    assert_eq!(
        q("status=pending").unwrap_err(),
        FeedbackError::invalid("status", "unknown_value")
    );
}

#[test]
fn listing_filters_by_code_status_dates_and_ids() {
    let w = world();
    let partner = Submitter::Partner { issuer_code: "app" };
    let mk = |code: &str| {
        let d = draft_from_form(&form(&[
            ("service_code", code),
            ("lat", "16"),
            ("long", "108"),
            ("description", "x"),
        ]))
        .unwrap();
        submit(
            w.ports(),
            &FeedbackPolicy::default(),
            partner,
            &validate(&d).unwrap(),
        )
        .unwrap()
        .tracking_code
    };
    let a = mk("traffic");
    w.clock.advance(86_400);
    let b = mk("environment");
    let now = T0 + 86_400;
    let run = |query: &str| {
        let q = RequestQuery::from_request(&Request::from_uri("GET", &format!("/r?{query}")), now)
            .unwrap();
        list_requests(&w.db, &q)
            .unwrap()
            .into_iter()
            .map(|f| f.tracking_code)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(""), vec![b.clone(), a.clone()]);
    assert_eq!(run("service_code=traffic"), vec![a.clone()]);
    assert_eq!(run("status=closed"), Vec::<String>::new());
    assert_eq!(
        run("status=open,closed&service_code=environment"),
        vec![b.clone()]
    );
    assert_eq!(run("end_date=2026-11-30T00:00:00%2B07:00"), vec![a.clone()]);
    assert_eq!(run("start_date=2026-11-30T00:00:00Z"), vec![b.clone()]);
    assert_eq!(
        run(&format!(
            "service_request_id={a},PA-2026-999999&service_code=environment"
        )),
        vec![a]
    );
}

#[test]
fn errors_are_georeport_arrays_with_the_http_status() {
    let cases: Vec<(ApiError, u16)> = vec![
        (ApiError::Unauthorized, 403),
        (ApiError::Forbidden, 403),
        (
            ApiError::NotFound {
                code: "service_not_found",
            },
            404,
        ),
        (ApiError::RateLimited { retry_after: 30 }, 429),
        (
            ApiError::UnsupportedMediaType {
                expected: &["application/x-www-form-urlencoded"],
            },
            400,
        ),
        (ApiError::bad_request("body is not valid UTF-8"), 400),
        (
            FeedbackError::Invalid(vec![("lat", "required"), ("long", "required")]).into(),
            400,
        ),
        (ApiError::store_unavailable("sql", ""), 503),
    ];
    for (err, status) in cases {
        let resp = error_response(&err, Lang::En);
        assert_eq!(resp.status, status, "{err:?}");
        let body: Value = serde_json::from_slice(&resp.body).unwrap();
        let entries = body.as_array().unwrap();
        assert!(!entries.is_empty());
        for e in entries {
            assert_eq!(e["code"], status);
            assert!(e["description"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }
    let invalid: ApiError =
        FeedbackError::Invalid(vec![("lat", "required"), ("long", "required")]).into();
    let body: Value = serde_json::from_slice(&error_response(&invalid, Lang::En).body).unwrap();
    assert_eq!(body.as_array().unwrap().len(), 2);
    assert!(body[1]["description"]
        .as_str()
        .unwrap()
        .contains("long: required"));
    let limited = error_response(&ApiError::RateLimited { retry_after: 30 }, Lang::Vi);
    assert_eq!(limited.header("retry-after"), Some("30"));
    // A key used outside its scopes: 403, saying why.
    let scope = error_response(&ApiError::Denied { code: "key_scope" }, Lang::En);
    assert_eq!(scope.status, 403);
    let body: Value = serde_json::from_slice(&scope.body).unwrap();
    assert_eq!(body[0]["code"], 403);
    assert!(
        body[0]["description"]
            .as_str()
            .unwrap()
            .contains("key_scope"),
        "{body}"
    );
}
