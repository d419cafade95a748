//! The officials' workflow and unit scoping; two officials acting at once.

use super::*;

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
    let audited = db(&host).int(
        "SELECT count(*) FROM audit_log WHERE action = 'feedback_status_changed' AND detail LIKE ?",
        e2e::params![format!("%{id}%")],
    );
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
