//! The audit chain under a login burst and against an edited entry; the demo seeder run twice.

use e2e::seed::run_seed;

use super::*;

#[test]
fn audit_chain_holds_under_a_login_burst_and_detects_an_edited_entry() {
    const CITIZENS: usize = 10;
    let host = Arc::new(start());
    let h = host.clone();
    let logins = parallel(CITIZENS, move |i| login(&h, &format!("+849055500{i:02}")));
    assert_eq!(logins.len(), CITIZENS);

    let report = host.get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN);
    assert_eq!(report.status, 200, "{}", report.text());
    let report = report.json();
    assert_eq!(report["ok"], true, "{report}");
    let entries = report["entries"].as_u64().unwrap();
    assert!(entries >= CITIZENS as u64, "{report}");
    assert_eq!(report["first_bad_seq"], Value::Null);
    assert_eq!(report["head_hash"].as_str().unwrap().len(), 64);

    // An attacker with file access drops the append-only triggers and
    // rewrites one entry in the middle of the chain.
    let target = i64::try_from(entries / 2).unwrap().max(1);
    let conn = db(&host);
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE audit_log SET actor = 'citizen:someone-else' WHERE seq = ?1",
            [target],
        )
        .unwrap();
    assert_eq!(changed, 1);

    let report = host
        .get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN)
        .json();
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_bad_seq"], target, "{report}");
    assert_eq!(report["head_hash"], Value::Null);
}

#[test]
fn demo_seed_fills_the_app_once_and_keeps_the_issuer_key_private() {
    let host = start();
    let state = tempfile::tempdir().unwrap();
    let first = run_seed(&host, state.path());

    let key_file = state.path().join("demo-issuer-key");
    let key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file must be private");
    }
    assert!(key.starts_with("iss_"), "{key}");
    assert!(
        !first.contains(&key) && !first.contains(ADMIN_TOKEN),
        "a secret was printed:\n{first}"
    );
    for shown in [
        "/kiosk/",
        "/api/v1/health",
        "/api/v1/openapi.json",
        "+84905123456",
        "+84905000001",
        "+84905000002",
        "%2B84905123456",
    ] {
        assert!(first.contains(shown), "{shown} missing from:\n{first}");
    }

    let conn = db(&host);
    let prefix: String = conn
        .query_row("SELECT key_prefix FROM issuers", [], |r| r.get(0))
        .unwrap();
    assert!(
        key.starts_with(&prefix),
        "the saved key is not the issuer's"
    );
    let categories: Vec<(String, String)> = conn
        .prepare("SELECT name, unit_code FROM feedback_categories ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let names: Vec<&str> = categories.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Dịch vụ công",
            "Giao thông",
            "Giáo dục",
            "Khác",
            "Môi trường",
            "Trật tự đô thị",
            "Y tế"
        ]
    );
    let officials: Vec<(String, String)> = conn
        .prepare("SELECT phone, unit_code FROM citizens WHERE role = 'official' ORDER BY phone")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        officials,
        [
            ("+84905000001".to_owned(), "ubnd-hai-chau".to_owned()),
            ("+84905000002".to_owned(), "benh-vien-da-nang".to_owned()),
            ("+84905000003".to_owned(), "trung-tam-hcc".to_owned()),
        ]
    );
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM services ORDER BY kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kinds, ["health", "public_service"]);
    let citizen: (String, String, String) = conn
        .query_row(
            "SELECT full_name, role, level FROM citizens WHERE phone = '+84905123456'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        citizen,
        (
            "Nguyễn Văn An".to_owned(),
            "citizen".to_owned(),
            "provisional".to_owned()
        )
    );
    // The demo official can log in straight away.
    assert_eq!(login(&host, "+84905000001").1["role"], "official");

    let count = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM services) \
             + (SELECT count(*) FROM feedback_categories) + (SELECT count(*) FROM issuers) \
             + (SELECT count(*) FROM citizens)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = count(&conn);
    let second = run_seed(&host, state.path());
    assert!(second.contains("already there"), "{second}");
    assert_eq!(count(&conn), before, "a second run must not add anything");
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap().trim(),
        key,
        "the saved key must survive a re-run"
    );
}
