//! Ratings by the owner, once, after resolution; the statistics.

use super::*;

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
