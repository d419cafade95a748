//! edge-host against Spin's contract, through the probe fixture component:
//! routing, Spin headers, stores, variables, outbound rules, start-up errors.

use e2e::fake_server::FakeServer;
use e2e::{root, HostBuilder, Method};
use serde_json::Value;

fn probe_wasm() -> String {
    root()
        .join("target/wasm32-wasip2/wasm/probe.wasm")
        .to_string_lossy()
        .into_owned()
}

/// Writes a manifest next to a temp dir and returns its path.
fn temp_manifest(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("spin.toml");
    std::fs::write(&path, body).unwrap();
    path
}

/// What the probe host printed when it refused to serve `manifest`.
fn refused_to_start(manifest: &std::path::Path) -> String {
    HostBuilder::probe()
        .manifest(manifest)
        .try_start()
        .err()
        .expect("must not start")
}

#[test]
fn most_specific_route_wins() {
    let host = HostBuilder::probe().start();
    let exact = host.get("/probe/items/special/headers").json();
    assert_eq!(
        exact["spin-component-route"],
        "/probe/items/special/headers"
    );

    let param = host.get("/probe/items/42/headers").json();
    assert_eq!(param["spin-matched-route"], "/probe/items/:id/...");
    assert_eq!(param["spin-path-match-id"], "42");

    let wild = host.get("/probe/anything/else/headers").json();
    assert_eq!(wild["spin-matched-route"], "/probe/...");
    assert_eq!(wild["spin-path-info"], "/anything/else/headers");
}

#[test]
fn sets_spin_request_headers() {
    let host = HostBuilder::probe().start();
    let h = host.get("/probe/a/headers?x=1").json();
    assert_eq!(h["spin-full-url"], host.at("/probe/a/headers?x=1"));
    assert_eq!(h["spin-base-path"], "/");
    assert_eq!(h["spin-component-route"], "/probe");
    assert_eq!(h["spin-raw-component-route"], "/probe/...");
    assert!(
        h["spin-client-addr"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:"),
        "{h}"
    );
}

#[test]
fn clients_cannot_forge_spin_headers() {
    let host = HostBuilder::probe().start();
    let h = host
        .send(
            host.request(Method::GET, "/probe/a/headers")
                .header("spin-path-match-id", "evil")
                .header("spin-client-addr", "1.2.3.4:5"),
        )
        .json();
    assert!(h.get("spin-path-match-id").is_none(), "{h}");
    assert!(h["spin-client-addr"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
}

#[test]
fn unrouted_paths_are_not_found() {
    let host = HostBuilder::probe().start();
    assert_eq!(host.get("/nowhere").status, 404);
    assert_eq!(host.get("/").status, 404);
}

#[test]
fn kv_and_sql_persist_across_requests_and_restarts() {
    let state = tempfile::tempdir().unwrap();
    let host = HostBuilder::probe().state_dir(state.path()).start();
    let put = host.send(
        host.request(Method::PUT, "/probe/x/kv?label=default&key=greeting")
            .body("xin chào"),
    );
    assert_eq!(put.status, 204);
    assert_eq!(
        host.get("/probe/x/kv?label=default&key=greeting").text(),
        "xin chào"
    );
    let create = host.send(
        host.request(Method::POST, "/probe/x/sql?db=default")
            .body("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"),
    );
    assert_eq!(create.status, 200, "{}", create.text());
    let insert = host.send(
        host.request(Method::POST, "/probe/x/sql?db=default")
            .body("INSERT INTO notes (body) VALUES ('Hải Châu') RETURNING id"),
    );
    assert_eq!(insert.json()["rows"][0][0], 1);
    host.stop();

    let host = HostBuilder::probe().state_dir(state.path()).start();
    assert_eq!(
        host.get("/probe/x/kv?label=default&key=greeting").text(),
        "xin chào"
    );
    let rows = host
        .send(
            host.request(Method::POST, "/probe/x/sql?db=default")
                .body("SELECT body FROM notes"),
        )
        .json();
    assert_eq!(rows["rows"][0][0], "Hải Châu");
    host.stop();

    // Spin's on-disk layout: the same state dir works under `spin up`.
    let kv = rusqlite::Connection::open(state.path().join("sqlite_key_value.db")).unwrap();
    let value: Vec<u8> = kv
        .query_row(
            "SELECT value FROM spin_key_value WHERE store = 'default' AND key = 'greeting'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(value, "xin chào".as_bytes());
    let n: i64 = e2e::db::open(state.path())
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn component_is_denied_labels_it_did_not_declare() {
    let host = HostBuilder::probe().start();
    // probe-param declares no stores at all.
    let denied = host.get("/probe/items/7/kv?label=default&key=a");
    assert_eq!(denied.status, 403);
    assert!(denied.text().contains("AccessDenied"), "{}", denied.text());
    // probe-wild declares only `default`.
    let other = host.get("/probe/x/kv?label=other&key=a");
    assert_eq!(other.status, 403);
    let sql = host.send(
        host.request(Method::POST, "/probe/items/7/sql?db=default")
            .body("SELECT 1"),
    );
    assert!(sql.text().contains("AccessDenied"), "{}", sql.text());
}

#[test]
fn outbound_requests_only_reach_allowed_hosts() {
    let allowed = FakeServer::start(200, "{\"ok\":true}");
    let other = FakeServer::start(200, "{\"ok\":true}");
    let host = HostBuilder::probe()
        .var("upstream", &allowed.origin())
        .start();

    let ok = host
        .get(&format!("/probe/x/fetch?url={}/hello", allowed.origin()))
        .json();
    assert_eq!(ok["status"], 200, "{ok}");
    assert_eq!(allowed.requests().len(), 1);
    assert_eq!(allowed.requests()[0].path, "/hello");

    let refused = host.get(&format!("/probe/x/fetch?url={}/hello", other.origin()));
    assert_eq!(refused.status, 502, "{}", refused.text());
    assert!(
        refused.text().contains("HttpRequestDenied"),
        "{}",
        refused.text()
    );
    assert!(
        other.requests().is_empty(),
        "a refused request must not leave the host"
    );
    assert!(host.wait_for_log("not in allowed_outbound_hosts"));
}

#[test]
fn variables_come_from_defaults_and_environment() {
    let host = HostBuilder::probe().start();
    assert_eq!(
        host.get("/probe/x/var?name=greeting").text(),
        "xin chào, Đà Nẵng"
    );
    assert_eq!(host.get("/probe/x/var?name=secret").text(), "present");
    let undefined = host.get("/probe/x/var?name=nope");
    assert!(
        undefined.text().contains("Undefined"),
        "{}",
        undefined.text()
    );
    let invalid = host.get("/probe/x/var?name=Bad-Name");
    assert!(invalid.text().contains("InvalidName"), "{}", invalid.text());
    drop(host);

    let host = HostBuilder::probe()
        .var("greeting", "chào buổi sáng")
        .start();
    assert_eq!(
        host.get("/probe/x/var?name=greeting").text(),
        "chào buổi sáng, Đà Nẵng"
    );
}

#[test]
fn missing_required_variable_fails_at_start() {
    let err = HostBuilder::probe()
        .unset("must_have")
        .try_start()
        .err()
        .expect("must not start");
    assert!(err.contains("must_have"), "{err}");
}

#[test]
fn route_conflict_fails_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = probe_wasm();
    let manifest = temp_manifest(
        dir.path(),
        &format!(
            r#"spin_manifest_version = 2
[application]
name = "conflict"
[[trigger.http]]
route = "/a/..."
component = "one"
[[trigger.http]]
route = "/a/..."
component = "two"
[component.one]
source = "{wasm}"
[component.two]
source = "{wasm}"
"#
        ),
    );
    let err = refused_to_start(&manifest);
    assert!(err.to_lowercase().contains("conflict"), "{err}");
}

#[test]
fn undeclared_store_label_without_runtime_config_fails_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = probe_wasm();
    let manifest = temp_manifest(
        dir.path(),
        &format!(
            r#"spin_manifest_version = 2
[application]
name = "labels"
[[trigger.http]]
route = "/..."
component = "one"
[component.one]
source = "{wasm}"
key_value_stores = ["sessions"]
"#
        ),
    );
    let err = refused_to_start(&manifest);
    assert!(err.contains("sessions"), "{err}");
}

#[test]
fn runtime_config_places_stores_and_refuses_unknown_types() {
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("runtime-config.toml");
    std::fs::write(
        &rc,
        "[key_value_store.default]\ntype = \"spin\"\npath = \"elsewhere/kv.db\"\n",
    )
    .unwrap();
    let host = HostBuilder::probe()
        .arg("--runtime-config-file")
        .arg(rc.to_str().unwrap())
        .start();
    assert_eq!(
        host.send(
            host.request(Method::PUT, "/probe/x/kv?label=default&key=k")
                .body("v")
        )
        .status,
        204
    );
    drop(host);
    assert!(dir.path().join("elsewhere/kv.db").exists());

    std::fs::write(
        &rc,
        "[key_value_store.default]\ntype = \"azure_cosmos\"\naccount = \"x\"\n",
    )
    .unwrap();
    let err = HostBuilder::probe()
        .arg("--runtime-config-file")
        .arg(rc.to_str().unwrap())
        .try_start()
        .err()
        .expect("must not start");
    assert!(err.contains("azure_cosmos"), "{err}");
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let mut host = HostBuilder::probe().start();
    assert_eq!(host.get("/probe/x/headers").status, 200);
    let pid = host.child_mut().unwrap().id();
    std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    let status = host.child_mut().unwrap().wait().unwrap();
    assert!(status.success(), "exit status {status:?}\n{}", host.log());
}

#[test]
fn serves_parallel_requests_with_a_fresh_instance_each() {
    let host = std::sync::Arc::new(HostBuilder::probe().start());
    let h = host.clone();
    let results = e2e::parallel(32, move |i| {
        h.get(&format!("/probe/items/{i}/headers")).json()
    });
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["spin-path-match-id"], Value::from(i.to_string()));
    }
}
