//! `GET /api/v1/health`: whether the stores answer and the settings are
//! usable, as the platform component reports it (docs/settings.md).
//!
//! 200 `ok` only when both stores answer and the settings pass
//! [`crate::config::check`]. A store failure answers 503 `unavailable`; a
//! settings problem (stores fine) 503 `degraded`; either way a settings
//! problem adds `config` naming it (`weak_secret:token_secret`). Setting
//! values never appear.

use serde_json::{json, Value};

use crate::config::Problem;
use crate::ports::{Kv, Sql, StoreError};

/// A read through the key-value store: it proves the store answers without
/// making every probe (load balancers call this constantly) a write that
/// all requests would queue behind.
pub fn probe_kv(kv: &dyn Kv) -> Result<(), StoreError> {
    kv.get("_health")?;
    Ok(())
}

/// A read of a table every deployment has (0002), which touches the
/// database itself on either engine (a bare `SELECT 1` would not read the
/// SQLite file).
pub fn probe_sql(sql: &dyn Sql) -> Result<(), StoreError> {
    sql.execute("SELECT count(*) FROM citizens WHERE id = ''", &[])?;
    Ok(())
}

/// The status code and body for the probes' outcome.
pub fn report(kv_ok: bool, sql_ok: bool, settings: Option<&Problem>) -> (u16, Value) {
    let status = match (kv_ok && sql_ok, settings) {
        (false, _) => "unavailable",
        (true, Some(_)) => "degraded",
        (true, None) => "ok",
    };
    let word = |ok: bool| if ok { "ok" } else { "error" };
    let mut body = json!({"status": status, "kv": word(kv_ok), "sql": word(sql_ok)});
    // Only present when something is wrong, so a healthy answer keeps the
    // documented shape exactly.
    if let Some(problem) = settings {
        body["config"] = Value::from(problem.to_string());
    }
    (if status == "ok" { 200 } else { 503 }, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_only_when_stores_and_settings_are_fine() {
        assert_eq!(
            report(true, true, None),
            (200, json!({"status":"ok","kv":"ok","sql":"ok"}))
        );
        let weak = Problem::WeakSecret("token_secret");
        assert_eq!(
            report(true, true, Some(&weak)),
            (
                503,
                json!({"status":"degraded","kv":"ok","sql":"ok","config":"weak_secret:token_secret"})
            )
        );
        assert_eq!(
            report(false, true, None),
            (503, json!({"status":"unavailable","kv":"error","sql":"ok"}))
        );
    }
}
