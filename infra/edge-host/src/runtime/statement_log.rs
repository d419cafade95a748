//! An opt-in record of every SQLite statement the components run, for the
//! query-plan test (tests/tests/e2e/store_trips.rs): with `edge-host up
//! --statement-log <file>`, each `execute` appends one JSON line
//! `{"statement": …, "params": […]}` (blobs as `{"blob": "<hex>"}`).
//! A measuring aid like `--count-store-trips`: no guest can see it, and it
//! is never set outside tests, since parameters hold personal data.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use super::sql::Value;

static FILE: OnceLock<Mutex<std::fs::File>> = OnceLock::new();

/// Turns the log on, appending to `path` (once per process).
pub fn open(path: &std::path::Path) -> std::io::Result<()> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let _ = FILE.set(Mutex::new(f));
    Ok(())
}

fn file() -> Option<&'static Mutex<std::fs::File>> {
    FILE.get()
}

/// Appends the statement and its parameters, if the log is on.
pub fn record(statement: &str, params: &[Value]) {
    let Some(file) = file() else { return };
    let params: Vec<serde_json::Value> = params
        .iter()
        .map(|v| match v {
            Value::Integer(i) => serde_json::json!(i),
            Value::Real(r) => serde_json::json!(r),
            Value::Text(t) => serde_json::json!(t),
            Value::Blob(b) => serde_json::json!({ "blob": crate::migrations::hex(b) }),
            Value::Null => serde_json::Value::Null,
        })
        .collect();
    let line = serde_json::json!({"statement": statement, "params": params}).to_string();
    if let Ok(mut f) = file.lock() {
        let _ = writeln!(f, "{line}");
    }
}
