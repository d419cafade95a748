//! `spin:postgres/postgres@4.0.0` as edge-host provides it, below the wasm
//! boundary, against a real throw-away PostgreSQL (crate test-stores): value
//! conversion as Spin converts, errors with their SQLSTATE, one pooled client
//! per connection (transactions across calls), the allow-list, the node's
//! connection cap, time bounds when PostgreSQL stops, recovery when it is
//! back, and `edge-host migrate`.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use edge_host::runtime::outbound::AllowedHosts;
use edge_host::runtime::postgres::wit::{
    DbDataType, DbError, DbValue, Error, Interval, ParameterValue as P, QueryError, RangeBoundKind,
};
use edge_host::runtime::postgres::{check_address, PgConnection, PgPools, Timeouts};
use test_stores::Postgres;

/// A new database on the shared server. test-stores' admin client is the
/// synchronous one, which must not run on a test's tokio runtime thread.
fn fresh_database() -> String {
    std::thread::spawn(|| Postgres::shared().fresh_database())
        .join()
        .unwrap()
}

fn s(v: &str) -> String {
    v.to_owned()
}

/// A hang guard, not a timing assertion: the call must come back at all.
async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the PostgreSQL call hung instead of returning")
}

async fn open(pools: &PgPools, url: &str) -> PgConnection {
    bounded(pools.open(url)).await.unwrap()
}

async fn exec(conn: &mut PgConnection, sql: &str, params: Vec<P>) -> u64 {
    bounded(conn.execute(s(sql), params))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}

async fn rows(conn: &mut PgConnection, sql: &str, params: Vec<P>) -> Vec<Vec<DbValue>> {
    bounded(conn.query(s(sql), params))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .rows
}

fn db_error(e: Error) -> DbError {
    match e {
        Error::QueryFailed(QueryError::DbError(db)) => db,
        other => panic!("expected a PostgreSQL error, got {other:?}"),
    }
}

#[tokio::test]
async fn values_convert_as_spin_converts_them() {
    let url = fresh_database();
    let pools = PgPools::new(None);
    let mut c = open(&pools, &url).await;
    exec(
        &mut c,
        "CREATE TABLE v (
            b BOOL, i2 INT2, i4 INT4, i8 INT8, f4 FLOAT4, f8 FLOAT8, t TEXT, vc VARCHAR(10),
            by BYTEA, d DATE, tm TIME, ts TIMESTAMP, tz TIMESTAMPTZ, u UUID, j JSONB,
            n NUMERIC, r4 INT4RANGE, r8 INT8RANGE, nr NUMRANGE, a4 INT4[], a8 INT8[],
            an NUMERIC[], at TEXT[], iv INTERVAL, ip INET)",
        vec![],
    )
    .await;
    let range32 = (
        Some((1, RangeBoundKind::Inclusive)),
        Some((10, RangeBoundKind::Exclusive)),
    );
    let params = vec![
        P::Boolean(true),
        P::Int16(-7),
        P::Int32(70_000),
        P::Int64(1 << 40),
        P::Floating32(1.5),
        P::Floating64(-2.25),
        P::Str(s("xin chào")),
        P::Str(s("short")),
        P::Binary(vec![0, 255, 7]),
        P::Date((2026, 12, 2)),
        P::Time((13, 45, 6, 500_000_000)),
        P::Datetime((2026, 12, 2, 13, 45, 6, 0)),
        P::Timestamp(86_400),
        P::Uuid(s("67e55044-10b1-426f-9247-bb680e5fe0c8")),
        P::Jsonb(br#"{"a":[1,2]}"#.to_vec()),
        P::Decimal(s("12345.678")),
        P::RangeInt32(range32),
        P::RangeInt64((Some((5, RangeBoundKind::Inclusive)), None)),
        P::RangeDecimal((
            Some((s("1.5"), RangeBoundKind::Inclusive)),
            Some((s("2.5"), RangeBoundKind::Exclusive)),
        )),
        P::ArrayInt32(vec![Some(1), None, Some(3)]),
        P::ArrayInt64(vec![Some(1 << 33)]),
        P::ArrayDecimal(vec![Some(s("0.1")), None]),
        P::ArrayStr(vec![Some(s("a")), None]),
        P::Interval(Interval {
            micros: 1_000_000,
            days: 2,
            months: 3,
        }),
        P::DbNull,
    ];
    let placeholders: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
    let insert = format!("INSERT INTO v VALUES ({})", placeholders.join(", "));
    assert_eq!(exec(&mut c, &insert, params).await, 1);

    let set = bounded(c.query(s("SELECT * FROM v"), vec![]))
        .await
        .unwrap();
    let types: Vec<DbDataType> = set.columns.iter().map(|c| c.data_type.clone()).collect();
    use DbDataType as D;
    assert_eq!(
        types,
        [
            D::Boolean,
            D::Int16,
            D::Int32,
            D::Int64,
            D::Floating32,
            D::Floating64,
            D::Str,
            D::Str,
            D::Binary,
            D::Date,
            D::Time,
            D::Datetime,
            D::Datetime,
            D::Uuid,
            D::Jsonb,
            D::Decimal,
            D::RangeInt32,
            D::RangeInt64,
            D::RangeDecimal,
            D::ArrayInt32,
            D::ArrayInt64,
            D::ArrayDecimal,
            D::ArrayStr,
            D::Interval,
            D::Other(s("inet")),
        ]
    );
    assert_eq!(set.columns[0].name, "b");
    use DbValue as V;
    assert_eq!(
        set.rows,
        [vec![
            V::Boolean(true),
            V::Int16(-7),
            V::Int32(70_000),
            V::Int64(1 << 40),
            V::Floating32(1.5),
            V::Floating64(-2.25),
            V::Str(s("xin chào")),
            V::Str(s("short")),
            V::Binary(vec![0, 255, 7]),
            V::Date((2026, 12, 2)),
            V::Time((13, 45, 6, 500_000_000)),
            V::Datetime((2026, 12, 2, 13, 45, 6, 0)),
            V::Datetime((1970, 1, 2, 0, 0, 0, 0)),
            V::Uuid(s("67e55044-10b1-426f-9247-bb680e5fe0c8")),
            V::Jsonb(br#"{"a":[1,2]}"#.to_vec()),
            V::Decimal(s("12345.678")),
            V::RangeInt32(range32),
            V::RangeInt64((Some((5, RangeBoundKind::Inclusive)), None)),
            V::RangeDecimal((
                Some((s("1.5"), RangeBoundKind::Inclusive)),
                Some((s("2.5"), RangeBoundKind::Exclusive)),
            )),
            V::ArrayInt32(vec![Some(1), None, Some(3)]),
            V::ArrayInt64(vec![Some(1 << 33)]),
            V::ArrayDecimal(vec![Some(s("0.1")), None]),
            V::ArrayStr(vec![Some(s("a")), None]),
            V::Interval(Interval {
                micros: 1_000_000,
                days: 2,
                months: 3,
            }),
            V::DbNull,
        ]]
    );

    // A type the interface has no case for comes back raw (inet's binary form).
    let raw = rows(&mut c, "SELECT '10.0.0.1'::inet", vec![]).await;
    assert_eq!(raw, [vec![V::Unsupported(vec![2, 32, 0, 4, 10, 0, 0, 1])]]);
    // SUM over BIGINT is NUMERIC, count(*) is INT8.
    let agg = rows(&mut c, "SELECT count(*), sum(i8) FROM v", vec![]).await;
    assert_eq!(
        agg,
        [vec![V::Int64(1), V::Decimal((1i64 << 40).to_string())]]
    );
    // Spin sends no columns for a result without rows.
    let empty = bounded(c.query(s("SELECT b FROM v WHERE false"), vec![]))
        .await
        .unwrap();
    assert!(empty.rows.is_empty() && empty.columns.is_empty());
}

#[tokio::test]
async fn parameters_bind_only_to_their_own_type_as_in_spin() {
    let url = fresh_database();
    let pools = PgPools::new(None);
    let mut c = open(&pools, &url).await;
    exec(&mut c, "CREATE TABLE t (small INT4, big INT8)", vec![]).await;
    // int64 binds only to INT8: a plain `$1` on an INT4 column is refused by
    // the driver (no SQLSTATE), which is why the app casts `$1::int8`.
    let e = bounded(c.execute(s("INSERT INTO t (small) VALUES ($1)"), vec![P::Int64(1)]))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::QueryFailed(QueryError::Text(t)) if t.contains("WrongType") && t.contains("Int4")),
        "{e:?}"
    );
    assert_eq!(
        exec(
            &mut c,
            "INSERT INTO t (small, big) VALUES ($1::int8, $2)",
            vec![P::Int64(1), P::Int64(2)]
        )
        .await,
        1
    );
    // NULL binds to any type.
    exec(
        &mut c,
        "INSERT INTO t VALUES ($1, $2)",
        vec![P::DbNull, P::DbNull],
    )
    .await;
    let got = rows(
        &mut c,
        "SELECT small, big FROM t ORDER BY small NULLS LAST",
        vec![],
    )
    .await;
    assert_eq!(
        got,
        [
            vec![DbValue::Int32(1), DbValue::Int64(2)],
            vec![DbValue::DbNull, DbValue::DbNull]
        ]
    );
    // A malformed value: a bad parameter in `query`, a conversion failure in
    // `execute`, as Spin reports them.
    let bad = vec![P::Uuid(s("not-a-uuid"))];
    let e = bounded(c.query(s("SELECT $1::uuid"), bad.clone()))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::BadParameter(_)), "{e:?}");
    let e = bounded(c.execute(s("SELECT $1::uuid"), bad))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ValueConversionFailed(_)), "{e:?}");
    let e = bounded(c.query(s("SELECT $1::date"), vec![P::Date((2026, 2, 30))]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::BadParameter(_)), "{e:?}");
}

#[tokio::test]
async fn errors_carry_sqlstate_and_the_connection_stays_usable() {
    let url = fresh_database();
    let pools = PgPools::new(None);
    let mut c = open(&pools, &url).await;
    exec(
        &mut c,
        "CREATE TABLE u (k TEXT PRIMARY KEY, n INT8 NOT NULL CHECK (n >= 0))",
        vec![],
    )
    .await;
    exec(&mut c, "INSERT INTO u VALUES ('a', 1)", vec![]).await;
    let dup = db_error(
        bounded(c.execute(s("INSERT INTO u VALUES ('a', 2)"), vec![]))
            .await
            .unwrap_err(),
    );
    assert_eq!(dup.code, "23505");
    assert_eq!(dup.severity, "ERROR");
    assert!(dup.detail.is_some_and(|d| d.contains("(k)=(a)")));
    assert!(
        dup.extras.contains(&(s("constraint"), s("u_pkey"))),
        "{:?}",
        dup.extras
    );
    let check = db_error(
        bounded(c.execute(s("UPDATE u SET n = -1"), vec![]))
            .await
            .unwrap_err(),
    );
    assert_eq!(check.code, "23514");
    let not_null = db_error(
        bounded(c.execute(s("INSERT INTO u VALUES ('b', NULL)"), vec![]))
            .await
            .unwrap_err(),
    );
    assert_eq!(not_null.code, "23502");
    let syntax = db_error(bounded(c.query(s("SELEC 1"), vec![])).await.unwrap_err());
    assert_eq!(syntax.code, "42601");
    let raised = db_error(
        bounded(c.query(
            s("DO $$ BEGIN RAISE EXCEPTION 'seat taken' USING ERRCODE = '23505'; END $$"),
            vec![],
        ))
        .await
        .unwrap_err(),
    );
    assert_eq!(
        (raised.code.as_str(), raised.message.as_str()),
        ("23505", "seat taken")
    );
    // After all that, the same connection still works.
    assert_eq!(
        rows(&mut c, "SELECT n FROM u", vec![]).await,
        [vec![DbValue::Int64(1)]]
    );
}

#[tokio::test]
async fn a_connection_keeps_its_transaction_across_calls() {
    let url = fresh_database();
    let pools = PgPools::new(None);
    let mut a = open(&pools, &url).await;
    let mut b = open(&pools, &url).await;
    exec(&mut a, "CREATE TABLE seats (id INT8 PRIMARY KEY)", vec![]).await;

    exec(&mut a, "BEGIN ISOLATION LEVEL SERIALIZABLE", vec![]).await;
    exec(&mut a, "INSERT INTO seats VALUES (1)", vec![]).await;
    let count = "SELECT count(*) FROM seats";
    assert_eq!(rows(&mut a, count, vec![]).await, [vec![DbValue::Int64(1)]]);
    assert_eq!(rows(&mut b, count, vec![]).await, [vec![DbValue::Int64(0)]]);
    exec(&mut a, "COMMIT", vec![]).await;
    assert_eq!(rows(&mut b, count, vec![]).await, [vec![DbValue::Int64(1)]]);

    // Two serializable writers over one count: the second commit fails with
    // 40001, the code the shared adapter retries on.
    exec(&mut a, "BEGIN ISOLATION LEVEL SERIALIZABLE", vec![]).await;
    exec(&mut b, "BEGIN ISOLATION LEVEL SERIALIZABLE", vec![]).await;
    let gated = "INSERT INTO seats SELECT $1 WHERE (SELECT count(*) FROM seats) < 2";
    exec(&mut a, gated, vec![P::Int64(2)]).await;
    exec(&mut b, gated, vec![P::Int64(3)]).await;
    exec(&mut a, "COMMIT", vec![]).await;
    let e = db_error(bounded(b.execute(s("COMMIT"), vec![])).await.unwrap_err());
    assert_eq!(e.code, "40001");
    assert_eq!(rows(&mut b, count, vec![]).await, [vec![DbValue::Int64(2)]]);
}

#[tokio::test]
async fn an_open_transaction_is_rolled_back_when_the_client_is_released() {
    let url = fresh_database();
    // One connection for the node: the next open waits until the dropped one
    // is cleaned and back in its pool (cleaning runs when it is released).
    let pools = PgPools::new(Some(1));
    let mut c = open(&pools, &url).await;
    exec(&mut c, "CREATE TABLE t (id INT8)", vec![]).await;
    let pid = rows(&mut c, "SELECT pg_backend_pid()", vec![]).await;
    exec(&mut c, "BEGIN", vec![]).await;
    exec(&mut c, "INSERT INTO t VALUES (1)", vec![]).await;
    // A guest that trapped mid-transaction: its connection is just dropped.
    drop(c);
    let mut again = open(&pools, &url).await;
    // The same pooled session, no longer in the dropped guest's transaction.
    assert_eq!(
        rows(&mut again, "SELECT pg_backend_pid()", vec![]).await,
        pid
    );
    assert_eq!(
        rows(&mut again, "SELECT count(*) FROM t", vec![]).await,
        [vec![DbValue::Int64(0)]]
    );
}

#[test]
fn the_allow_list_is_checked_per_host_and_port_as_spin_checks_it() {
    let hosts = |entries: &[&str]| {
        AllowedHosts::parse(&entries.iter().map(|e| s(e)).collect::<Vec<_>>()).unwrap()
    };
    let allowed = hosts(&["postgres://db.internal", "postgres://127.0.0.1:5440"]);
    // Default port 5432 on both sides.
    check_address(&allowed, "postgres://app:pw@db.internal/cds").unwrap();
    check_address(&allowed, "postgres://app:pw@db.internal:5432/cds").unwrap();
    check_address(&allowed, "host=127.0.0.1 port=5440 user=app dbname=cds").unwrap();
    for refused in [
        "postgres://app:pw@db.internal:6543/cds",
        "postgres://app:pw@127.0.0.1/cds",
        "postgres://app:pw@evil.example/cds",
        // Every host of a multi-host address must be allowed.
        "postgres://app:pw@db.internal,evil.example/cds",
    ] {
        let e = check_address(&allowed, refused).unwrap_err();
        match e {
            Error::ConnectionFailed(why) => {
                assert!(why.contains("is not permitted"), "{why}");
                assert!(!why.contains("pw"), "credentials in {why}");
            }
            other => panic!("{refused}: {other:?}"),
        }
    }
    let e = check_address(&allowed, "host=/var/run/postgresql dbname=cds").unwrap_err();
    assert!(matches!(e, Error::ConnectionFailed(w) if w.contains("Unix sockets")));
    assert!(matches!(
        check_address(&allowed, "postgres://db.internal:notaport/x"),
        Err(Error::ConnectionFailed(_))
    ));
    // Nothing is allowed by default; an http entry does not allow postgres.
    assert!(check_address(&AllowedHosts::default(), "postgres://db.internal/x").is_err());
    assert!(check_address(
        &hosts(&["http://db.internal:5432"]),
        "postgres://db.internal/x"
    )
    .is_err());
    check_address(
        &hosts(&["*://db.internal:5432"]),
        "postgres://db.internal/x",
    )
    .unwrap();
}

#[tokio::test]
async fn max_connections_caps_connections_in_use_and_frees_them_on_drop() {
    let url = fresh_database();
    let timeouts = Timeouts {
        wait: Duration::from_millis(300),
        ..Timeouts::default()
    };
    let pools = PgPools::with_timeouts(Some(2), timeouts);
    let first = open(&pools, &url).await;
    let _second = open(&pools, &url).await;
    let e = bounded(pools.open(&url)).await.err().unwrap();
    assert!(
        matches!(&e, Error::ConnectionFailed(w) if w == "too many connections"),
        "{e:?}"
    );
    drop(first);
    let mut third = open(&pools, &url).await;
    assert_eq!(
        rows(&mut third, "SELECT 1::int8", vec![]).await,
        [vec![DbValue::Int64(1)]]
    );
}

#[tokio::test]
async fn a_bad_address_or_credentials_fail_to_connect() {
    let pg = Postgres::shared();
    let pools = PgPools::new(None);
    let e = bounded(pools.open(&format!("postgres://postgres:wrong@{}/postgres", pg.host())))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&e, Error::ConnectionFailed(w) if w.contains("password")),
        "{e:?}"
    );
    let e = bounded(pools.open(&pg.url("no_such_db")))
        .await
        .err()
        .unwrap();
    assert!(matches!(e, Error::ConnectionFailed(_)), "{e:?}");
}

#[tokio::test]
async fn a_slow_statement_is_stopped_and_its_connection_retired() {
    let url = fresh_database();
    let timeouts = Timeouts {
        query: Duration::from_millis(500),
        ..Timeouts::default()
    };
    let pools = PgPools::with_timeouts(None, timeouts);
    let mut c = open(&pools, &url).await;
    let started = Instant::now();
    let e = bounded(c.query(s("SELECT pg_sleep(30)"), vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::QueryFailed(QueryError::Text(t)) if t.contains("timed out")),
        "{e:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // That connection is done; a new one works.
    let e = bounded(c.query(s("SELECT 1"), vec![])).await.unwrap_err();
    assert!(matches!(e, Error::ConnectionFailed(_)), "{e:?}");
    let mut fresh = open(&pools, &url).await;
    assert_eq!(
        rows(&mut fresh, "SELECT 2::int8", vec![]).await,
        [vec![DbValue::Int64(2)]]
    );
    // The server was asked to cancel the sleeping statement: it goes away.
    let mut waited = Duration::ZERO;
    loop {
        let left = rows(
            &mut fresh,
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'",
            vec![],
        )
        .await;
        if left == [vec![DbValue::Int64(0)]] {
            break;
        }
        assert!(waited < Duration::from_secs(10), "the statement still runs");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
}

#[tokio::test]
async fn stopped_postgres_fails_fast_and_the_pool_recovers_when_it_is_back() {
    let pg = Postgres::start_owned();
    let url = pg.url("postgres");
    let pools = PgPools::new(Some(10));
    let mut held = open(&pools, &url).await;
    let mut idle = open(&pools, &url).await;
    exec(&mut idle, "SELECT 1", vec![]).await;
    drop(idle); // back in the pool, to be found dead later

    pg.stop();
    let bound = Duration::from_secs(8);
    let started = Instant::now();
    let e = bounded(held.query(s("SELECT 1"), vec![]))
        .await
        .unwrap_err();
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());
    assert!(
        matches!(e, Error::QueryFailed(_) | Error::ConnectionFailed(_)),
        "{e:?}"
    );
    let started = Instant::now();
    let e = bounded(pools.open(&url)).await.err().unwrap();
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());
    assert!(matches!(e, Error::ConnectionFailed(_)), "{e:?}");
    // Failed calls did not use up the node's connection cap.
    for _ in 0..12 {
        assert!(bounded(pools.open(&url)).await.is_err());
    }

    pg.start_again();
    // The same pools, no restart: fresh connections replace the dead ones.
    for _ in 0..3 {
        let mut c = open(&pools, &url).await;
        assert_eq!(
            rows(&mut c, "SELECT 1::int8", vec![]).await,
            [vec![DbValue::Int64(1)]]
        );
    }
    // The connection PostgreSQL cut stays failed (its session is gone).
    assert!(bounded(held.query(s("SELECT 1"), vec![])).await.is_err());
}

mod migrate {
    use super::*;
    use edge_host::pg_migrations::{self, Unavailable};

    fn write(dir: &std::path::Path, name: &str, sql: &str) {
        std::fs::write(dir.join(name), sql).unwrap();
    }

    fn count(url: &str, sql: &str) -> i64 {
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        c.query_one(sql, &[]).unwrap().get(0)
    }

    /// Fixture migrations that fail loudly when applied twice.
    fn fixtures() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "0001_a.sql",
            "CREATE TABLE a (id BIGINT PRIMARY KEY);",
        );
        write(
            dir.path(),
            "0002_b.sql",
            "CREATE TABLE b (id BIGINT); INSERT INTO b VALUES (1);\n\
             CREATE FUNCTION b_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN RAISE EXCEPTION 'no' USING ERRCODE = '23514'; END $$;",
        );
        write(dir.path(), "README.md", "not a migration");
        dir
    }

    #[test]
    fn applies_each_file_once_in_name_order_and_records_it() {
        let url = fresh_database();
        let dir = fixtures();
        let applied = pg_migrations::apply_dir_blocking(&url, dir.path()).unwrap();
        assert_eq!(applied, ["0001_a.sql", "0002_b.sql"]);
        assert!(pg_migrations::apply_dir_blocking(&url, dir.path())
            .unwrap()
            .is_empty());
        write(
            dir.path(),
            "0003_c.sql",
            "ALTER TABLE a ADD COLUMN note TEXT;",
        );
        assert_eq!(
            pg_migrations::apply_dir_blocking(&url, dir.path()).unwrap(),
            ["0003_c.sql"]
        );
        assert_eq!(count(&url, "SELECT count(*) FROM b"), 1);
        assert_eq!(
            count(
                &url,
                "SELECT count(*) FROM schema_migrations WHERE applied_at > 1700000000"
            ),
            3
        );
    }

    #[test]
    fn a_failing_file_leaves_nothing_of_itself_and_keeps_the_earlier_ones() {
        let url = fresh_database();
        let dir = fixtures();
        write(
            dir.path(),
            "0003_bad.sql",
            "CREATE TABLE c (id BIGINT); CREATE TABLE oops (;",
        );
        let e = format!(
            "{:#}",
            pg_migrations::apply_dir_blocking(&url, dir.path()).unwrap_err()
        );
        assert!(e.contains("0003_bad.sql") && e.contains("42601"), "{e}");
        assert_eq!(count(&url, "SELECT count(*) FROM schema_migrations"), 2);
        assert_eq!(
            count(&url, "SELECT count(*) FROM pg_tables WHERE tablename = 'c'"),
            0
        );
        // Fixed, it applies on the next run.
        write(dir.path(), "0003_bad.sql", "CREATE TABLE c (id BIGINT);");
        assert_eq!(
            pg_migrations::apply_dir_blocking(&url, dir.path()).unwrap(),
            ["0003_bad.sql"]
        );
    }

    #[test]
    fn concurrent_migrators_apply_each_file_once() {
        let url = fresh_database();
        let dir = fixtures();
        // Two `edge-host migrate` processes and two threads at once.
        let bin = env!("CARGO_BIN_EXE_edge-host");
        let procs: Vec<_> = (0..2)
            .map(|_| {
                std::process::Command::new(bin)
                    .args(["migrate", "--database-url", &url, "--migrations-dir"])
                    .arg(dir.path())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (url, dir) = (url.clone(), dir.path().to_path_buf());
                std::thread::spawn(move || pg_migrations::apply_dir_blocking(&url, &dir).unwrap())
            })
            .collect();
        let mut applied: Vec<usize> = threads
            .into_iter()
            .map(|t| t.join().unwrap().len())
            .collect();
        for p in procs {
            let out = p.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{stderr}");
            let n: usize = stderr
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{stderr}"));
            applied.push(n);
        }
        applied.sort();
        assert_eq!(applied, [0, 0, 0, 2], "one migrator applied both files");
        assert_eq!(count(&url, "SELECT count(*) FROM b"), 1);
        assert_eq!(count(&url, "SELECT count(*) FROM schema_migrations"), 2);
    }

    #[test]
    fn an_unreachable_database_is_reported_as_unavailable() {
        let pg = Postgres::start_owned();
        let url = pg.url("postgres");
        pg.stop();
        let dir = fixtures();
        let started = Instant::now();
        let e = pg_migrations::apply_dir_blocking(&url, dir.path()).unwrap_err();
        assert!(
            e.chain().any(|c| c.downcast_ref::<Unavailable>().is_some()),
            "{e:#}"
        );
        assert!(started.elapsed() < Duration::from_secs(15));
        // The CLI refuses anything but a PostgreSQL URL.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_edge-host"))
            .args(["migrate", "--database-url", "sqlite://x"])
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
}
