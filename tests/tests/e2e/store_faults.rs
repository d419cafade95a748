//! Store outages on the edge setup (docs/runtime.md, docs/deployment.md):
//! each test owns its PostgreSQL or Redis server (infra/test-stores), runs
//! two edge-host nodes on it whatever `E2E_STORES` says, and stops the
//! server under them. PostgreSQL down: every route that needs the database
//! answers 503 `store_unavailable` with `Retry-After` at once (no hang),
//! health names `sql`, and service comes back by itself when the server
//! does, without restarting a node. Redis down: health names `kv`, and the
//! routes that need only SQL keep working.

use std::time::{Duration, Instant};

use e2e::admin::{service, unit};
use e2e::session::{login, outbox_path};
use e2e::{Backing, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
use serde_json::{json, Value};
use test_stores::{Postgres, Redis};

/// What a client may wait at most for an answer while a store is down:
/// far below the request timeout (60 s), so a hang is a failure.
const QUICK: Duration = Duration::from_secs(10);

/// The app on two nodes over `backing`.
fn two_nodes(backing: Backing) -> Host {
    HostBuilder::app()
        .var("otp_ip_hourly", "1000")
        .on(backing)
        .nodes(2)
        .start()
}

/// Sends to node `node` directly (not round-robin) and times the answer.
fn on_node(
    host: &Host,
    node: usize,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (Resp, Duration) {
    let mut rb = host
        .client
        .request(method, format!("{}{path}", host.node_url(node)));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let started = Instant::now();
    let r = host.send(rb);
    (r, started.elapsed())
}

fn health(host: &Host, node: usize) -> (u16, Value) {
    let (r, _) = on_node(host, node, Method::GET, "/api/v1/health", None, None);
    (r.status, r.json())
}

/// Node `node`'s health while a store is down: 503, naming each store's
/// state (`ok` or `error`).
fn assert_unhealthy(host: &Host, node: usize, kv: &str, sql: &str) {
    assert_eq!(
        health(host, node),
        (503, json!({"status": "unavailable", "kv": kv, "sql": sql})),
        "node {node}"
    );
}

/// One route of each component that needs the database, signed in where
/// it takes a signature: (method, path, bearer token, body).
fn sql_routes(citizen: &str) -> Vec<(Method, String, Option<String>, Option<Value>)> {
    let me = Some(citizen.to_owned());
    let admin = Some(ADMIN_TOKEN.to_owned());
    vec![
        (
            Method::POST,
            "/api/v1/auth/otp".into(),
            None,
            Some(json!({"phone": "0905123999", "channel": "sms"})),
        ),
        (
            Method::POST,
            "/api/v1/signup".into(),
            None,
            Some(json!({"phone": "0905123998", "channel": "sms"})),
        ),
        (Method::GET, "/api/v1/me".into(), me.clone(), None),
        (
            Method::GET,
            "/api/v1/auth/sessions".into(),
            me.clone(),
            None,
        ),
        (Method::GET, "/api/v1/documents".into(), me.clone(), None),
        (Method::GET, "/api/v1/shares".into(), me.clone(), None),
        (
            Method::GET,
            "/api/v1/appointments/services".into(),
            None,
            None,
        ),
        (Method::GET, "/api/v1/me/appointments".into(), me, None),
        (Method::GET, "/api/v1/feedback".into(), None, None),
        (Method::GET, "/open311/v2/services.json".into(), None, None),
        (
            Method::GET,
            "/api/v1/admin/keys".into(),
            admin.clone(),
            None,
        ),
        (
            Method::POST,
            "/api/v1/admin/units".into(),
            admin,
            Some(json!({"code": "ubnd-thanh-khe", "name": "UBND Thanh Khê"})),
        ),
    ]
}

#[test]
fn postgres_down_every_route_answers_503_at_once_and_service_resumes_by_itself() {
    let pg = Postgres::start_owned();
    let host = two_nodes(Backing::fresh_on(&pg, Redis::shared()));
    unit(&host, "ubnd-hai-chau", "UBND Hải Châu");
    service(
        &host,
        "cap-cccd",
        "Cấp thẻ Căn cước",
        "public_service",
        "ubnd-hai-chau",
        "124 Hải Phòng",
    );
    let citizen = login(&host, "+84905123456");

    pg.stop();
    for node in 0..2 {
        assert_unhealthy(&host, node, "ok", "error");
        for (method, path, token, body) in sql_routes(&citizen) {
            let (r, took) = on_node(
                &host,
                node,
                method.clone(),
                &path,
                token.as_deref(),
                body.as_ref(),
            );
            // Open311 answers in its own error shape (a list of
            // {code, description}); every other route in ours.
            let code = if path.starts_with("/open311/") {
                r.json()[0]["code"].to_string()
            } else {
                r.error_code()
            };
            let want = if path.starts_with("/open311/") {
                "503"
            } else {
                "store_unavailable"
            };
            assert_eq!(
                (r.status, code.as_str()),
                (503, want),
                "node {node}: {method} {path}: {}",
                r.text()
            );
            assert!(
                r.header("retry-after")
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_some_and(|s| s >= 1),
                "node {node}: {method} {path}: no Retry-After: {:?}",
                r.headers
            );
            assert!(took < QUICK, "node {node}: {method} {path} took {took:?}");
        }
    }

    // Back: the nodes reconnect by themselves, no restart. A pooled
    // connection the restart cut may fail one more request; within a
    // bounded number of tries every node answers again.
    pg.start_again();
    for node in 0..2 {
        let mut last = (0, Value::Null);
        for _ in 0..20 {
            last = health(&host, node);
            if last.0 == 200 {
                break;
            }
        }
        assert_eq!(
            last,
            (200, json!({"status": "ok", "kv": "ok", "sql": "ok"})),
            "node {node}"
        );
        let (me, _) = on_node(&host, node, Method::GET, "/api/v1/me", Some(&citizen), None);
        assert_eq!(me.status, 200, "node {node}: {}", me.text());
    }
    // The data from before the outage is all there, and writes work.
    let services = host.get("/api/v1/appointments/services").json();
    assert_eq!(services["items"][0]["code"], "cap-cccd", "{services}");
    login(&host, "+84905123457");
    e2e::admin::assert_audit_chain_verifies(&host);
}

#[test]
fn redis_down_health_names_kv_and_routes_that_need_only_sql_keep_working() {
    let redis = Redis::start_owned();
    let host = two_nodes(Backing::fresh_on(Postgres::shared(), &redis));
    unit(&host, "ubnd-hai-chau", "UBND Hải Châu");
    let before = login(&host, "+84905123456");

    redis.stop();
    for node in 0..2 {
        assert_unhealthy(&host, node, "error", "ok");
    }
    // Sign-in (code by the dev outbox, verify), the profile, documents,
    // bookings and feedback need only the database: they keep working, on
    // every node.
    let outbox = outbox_path("+84905123456");
    for node in 0..2 {
        for (path, token) in [
            ("/api/v1/me", Some(before.as_str())),
            ("/api/v1/documents", Some(before.as_str())),
            ("/api/v1/appointments/services", None),
            ("/api/v1/feedback", None),
            (outbox.as_str(), None),
        ] {
            let (r, took) = on_node(&host, node, Method::GET, path, token, None);
            assert_eq!(r.status, 200, "node {node}: {path}: {}", r.text());
            assert!(took < QUICK, "node {node}: {path} took {took:?}");
        }
    }
    let after = login(&host, "+84905123457");
    assert_eq!(host.get_auth("/api/v1/me", &after).status, 200);
    let created = host.post_json_auth(
        "/api/v1/admin/units",
        ADMIN_TOKEN,
        &json!({"code": "ubnd-thanh-khe", "name": "UBND Thanh Khê"}),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    e2e::admin::assert_audit_chain_verifies(&host);
}
