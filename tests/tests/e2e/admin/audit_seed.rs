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

    // An attacker with database access switches off the append-only
    // triggers and rewrites one entry in the middle of the chain.
    let target = i64::try_from(entries / 2).unwrap().max(1);
    let conn = db(&host);
    if conn.is_sqlite() {
        conn.run("DROP TRIGGER audit_log_no_update", &[]);
        conn.run("DROP TRIGGER audit_log_no_delete", &[]);
    } else {
        conn.run("ALTER TABLE audit_log DISABLE TRIGGER USER", &[]);
    }
    let changed = conn.run(
        "UPDATE audit_log SET actor = 'citizen:someone-else' WHERE seq = ?1 RETURNING seq",
        e2e::params![target],
    );
    assert_eq!(changed.len(), 1);

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
    let prefix = conn.text("SELECT key_prefix FROM issuers", &[]);
    assert!(
        key.starts_with(&prefix),
        "the saved key is not the issuer's"
    );
    let categories: Vec<(String, String)> = conn
        .rows(
            "SELECT name, unit_code FROM feedback_categories ORDER BY name",
            &[],
        )
        .iter()
        .map(|r| (r.text(0), r.text(1)))
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
        .rows(
            "SELECT phone, unit_code FROM citizens WHERE role = 'official' ORDER BY phone",
            &[],
        )
        .iter()
        .map(|r| (r.text(0), r.text(1)))
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
        .rows("SELECT kind FROM services ORDER BY kind", &[])
        .iter()
        .map(|r| r.text(0))
        .collect();
    assert_eq!(kinds, ["health", "public_service"]);
    let row = conn.row(
        "SELECT full_name, role, level FROM citizens WHERE phone = '+84905123456'",
        &[],
    );
    let citizen = (row.text(0), row.text(1), row.text(2));
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

    let count = |conn: &e2e::db::Db| -> i64 {
        conn.int(
            "SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM services) \
             + (SELECT count(*) FROM feedback_categories) + (SELECT count(*) FROM issuers) \
             + (SELECT count(*) FROM citizens)",
            &[],
        )
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
