//! The audit chain under a login burst, against edited entries and in
//! budgeted pieces from checkpoints; the demo seeder run twice.

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
    assert_eq!(report["complete"], true, "{report}");
    assert_eq!(report["verified_from"], 0, "no checkpoint yet: {report}");
    let entries = report["entries"].as_u64().unwrap();
    assert!(entries >= CITIZENS as u64, "{report}");
    assert_eq!(report["verified_through"], entries, "{report}");
    assert_eq!(report["checkpoint_seq"], entries, "{report}");
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

    // The everyday check starts after its checkpoint and says so: the edit
    // lies below it, which only a walk from genesis can see (docs/admin.md).
    let quick = host
        .get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN)
        .json();
    assert_eq!(quick["verified_from"], entries, "{quick}");
    let full = host
        .get_auth("/api/v1/admin/audit/verify?full=true", ADMIN_TOKEN)
        .json();
    assert_eq!(full["ok"], false, "{full}");
    assert_eq!(full["verified_from"], 0, "{full}");
    assert_eq!(full["first_bad_seq"], target, "{full}");
    assert_eq!(full["verified_through"], target - 1, "{full}");
    assert_eq!(
        full["checkpoint_seq"],
        Value::Null,
        "no checkpoint past a break"
    );
    assert_eq!(full["head_hash"], Value::Null);

    // Editing the checkpointed row itself is caught by the everyday check:
    // the checkpoint is refused and the walk starts over from genesis.
    let head = i64::try_from(entries).unwrap();
    conn.run(
        "UPDATE audit_log SET actor = 'citizen:someone-else' WHERE seq = ?1 RETURNING seq",
        e2e::params![head],
    );
    let refused = host
        .get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN)
        .json();
    assert_eq!(refused["rejected_checkpoints"], 1, "{refused}");
    assert_eq!(refused["verified_from"], 0, "{refused}");
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(refused["first_bad_seq"], target, "{refused}");
}

#[test]
fn the_audit_check_walks_in_pieces_and_refuses_bad_parameters() {
    let host = start();
    for i in 0..3 {
        login(&host, &format!("+849055501{i:02}"));
    }
    let verify =
        |query: &str| host.get_auth(&format!("/api/v1/admin/audit/verify{query}"), ADMIN_TOKEN);

    // Pieces of two rows, each starting where the previous one stopped.
    let mut through = 0;
    let mut pieces = 0;
    loop {
        let r = verify("?max_entries=2").json();
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["verified_from"], through, "{r}");
        let now = r["verified_through"].as_i64().unwrap();
        assert!(now - through <= 2 && now > through, "{r}");
        assert_eq!(r["checkpoint_seq"], now, "{r}");
        through = now;
        pieces += 1;
        if r["complete"] == true {
            break;
        }
        assert!(pieces < 100, "the walk never completes: {r}");
    }
    assert!(pieces >= 2, "{pieces} pieces for {through} entries");
    // A full walk in pieces continues after the checkpoints it leaves.
    let first = verify("?full=true&max_entries=2").json();
    assert_eq!(
        (
            first["verified_from"].as_i64(),
            first["verified_through"].as_i64()
        ),
        (Some(0), Some(2)),
        "{first}"
    );
    let second = verify("?full=true&from=2&max_entries=2").json();
    assert_eq!(second["verified_from"], 2, "{second}");
    assert_eq!(second["ok"], true, "{second}");

    for (query, field, problem) in [
        ("?full=yes", "full", "not_a_boolean"),
        ("?from=abc&full=true", "from", "not_a_seq"),
        ("?from=-1&full=true", "from", "not_a_seq"),
        ("?from=2", "from", "needs_full"),
        ("?max_entries=0", "max_entries", "out_of_range"),
        ("?max_entries=200001", "max_entries", "out_of_range"),
        ("?max_entries=2&max_entries=3", "max_entries", "repeated"),
        ("?full=true&from=1", "from", "not_a_checkpoint"),
    ] {
        let r = verify(query);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (422, "validation_failed"),
            "{query}: {}",
            r.text()
        );
        assert_eq!(r.json()["error"]["fields"][field], problem, "{query}");
    }
    // Refused calls wrote nothing: the everyday check still starts at the
    // newest checkpoint and finds nothing new.
    let idle = verify("").json();
    assert_eq!(idle["verified_from"], idle["verified_through"], "{idle}");
    assert_eq!(idle["ok"], true, "{idle}");
}

#[test]
fn demo_seed_fills_the_app_once_and_keeps_the_issuer_key_private() {
    // The seeder logged the demo official in (to publish the flood alert),
    // so logging them in again below must not wait out the resend cooldown.
    let host = HostBuilder::app().var("otp_resend_seconds", "0").start();
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
