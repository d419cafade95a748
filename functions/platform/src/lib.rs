//! Platform component: `GET /api/v1/health` (really touching the key-value
//! store and the SQL database), `GET /api/v1/openapi.json`, and the JSON 404
//! for every API path no other component serves.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

use cds_shared::config;
use cds_shared::http::{Response, Router};
use cds_shared::ports::{Kv, Sql, StoreError};
use cds_shared::spin_adapter::{handle_unchecked, SpinKv, SpinSettings, SpinSql};
use spin_sdk::http_component;

/// The OpenAPI document assembled by build.rs from docs/openapi/ (checked by the tests).
const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    // Health answers whatever the settings are: it is where an operator
    // learns which one is wrong. Everything else goes through the gate.
    if req.path() == "/api/v1/health" {
        return handle_unchecked(&req, |r, _| {
            Router::new()
                .get("/api/v1/health", |_, _| Ok(health()))
                .dispatch(r)
        });
    }
    // Unmatched paths come back from the router as the SPEC §4 JSON 404
    // (or 405 with `Allow` when only the method is wrong).
    cds_shared::spin_adapter::handle(&req, |r, _| {
        Router::new()
            .get("/api/v1/openapi.json", |_, _| {
                Ok(Response::bytes(
                    200,
                    "application/json",
                    OPENAPI.as_bytes().to_vec(),
                ))
            })
            .dispatch(r)
    })
}

/// `{"status","kv","sql"}`: 200 `ok` only when both stores answer and the
/// settings pass [`config::check`]. A store failure answers 503
/// `unavailable`; a settings problem (stores fine) 503 `degraded`; either
/// way a settings problem adds `config` naming it (`weak_secret:token_secret`).
/// Setting values never appear.
fn health() -> Response {
    let kv = check_kv();
    let sql = check_sql();
    let settings = config::check(&SpinSettings);
    for (part, result) in [("kv", &kv), ("sql", &sql)] {
        if let Err(e) = result {
            eprintln!("health: {part} unavailable: {e}");
        }
    }
    if let Err(problem) = &settings {
        eprintln!("health: settings not usable: {problem}");
    }
    let stores_ok = kv.is_ok() && sql.is_ok();
    let status = match (stores_ok, &settings) {
        (false, _) => "unavailable",
        (true, Err(_)) => "degraded",
        (true, Ok(())) => "ok",
    };
    let word = |r: &Result<(), StoreError>| if r.is_ok() { "ok" } else { "error" };
    let mut body = serde_json::json!({"status": status, "kv": word(&kv), "sql": word(&sql)});
    // Only present when something is wrong, so a healthy answer stays the
    // SPEC §4 shape exactly.
    if let Err(problem) = &settings {
        body["config"] = serde_json::Value::from(problem.to_string());
    }
    Response::json(if status == "ok" { 200 } else { 503 }, &body)
        .with_header("cache-control", "no-store")
}

/// A read through the store: it proves the store answers without making
/// every probe (load balancers call this constantly) a write that all
/// requests would queue behind.
fn check_kv() -> Result<(), StoreError> {
    let kv = SpinKv::open_default()?;
    kv.get("_health")?;
    Ok(())
}

fn check_sql() -> Result<(), StoreError> {
    let sql = SpinSql::open_default()?;
    // Reading the schema touches the database file itself.
    sql.execute("SELECT count(*) FROM sqlite_master", &[])?;
    Ok(())
}
