//! Platform component: `GET /api/v1/health` (really touching the key-value
//! store and the SQL database), `GET /api/v1/openapi.json`, and the JSON 404
//! for every API path no other component serves.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

use cds_shared::http::{finish, Response, Router};
use cds_shared::ports::{Kv, OsRandom, Sql, StoreError};
use cds_shared::spin_adapter::{request_from_spin, response_to_spin, SpinKv, SpinSql};
use spin_sdk::http_component;

/// The OpenAPI document assembled by build.rs from docs/openapi/ (checked by the tests).
const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    let req = request_from_spin(&req);
    let result = Router::new()
        .get("/api/v1/health", |_, _| Ok(health()))
        .get("/api/v1/openapi.json", |_, _| Ok(Response::bytes(200, "application/json", OPENAPI.as_bytes().to_vec())))
        .dispatch(&req);
    // Unmatched paths come back from the router as the SPEC §4 JSON 404
    // (or 405 with `Allow` when only the method is wrong).
    response_to_spin(finish(&req, result, &OsRandom))
}

fn health() -> Response {
    let kv = check_kv();
    let sql = check_sql();
    let ok = kv.is_ok() && sql.is_ok();
    for (part, result) in [("kv", &kv), ("sql", &sql)] {
        if let Err(e) = result {
            eprintln!("health: {part} unavailable: {e}");
        }
    }
    let word = |r: &Result<(), StoreError>| if r.is_ok() { "ok" } else { "error" };
    Response::json(
        if ok { 200 } else { 503 },
        &serde_json::json!({
            "status": if ok { "ok" } else { "unavailable" },
            "kv": word(&kv),
            "sql": word(&sql),
        }),
    )
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
