//! The servers come up, hand out separate databases, stop and start again,
//! and disappear with the process that started them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use test_stores::{Postgres, Redis};

/// Sends one inline Redis command to database `db` of the server on `port`
/// and reads the one-line reply.
fn redis(port: u16, db: u32, command: &str) -> std::io::Result<String> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    let mut writer = stream;
    write!(writer, "SELECT {db}\r\n")?;
    reader.read_line(&mut line)?;
    assert_eq!(line, "+OK\r\n", "SELECT {db}");
    write!(writer, "{command}\r\n")?;
    line.clear();
    reader.read_line(&mut line)?;
    Ok(line.trim_end().to_owned())
}

/// The db index of a `redis://host:port/N` URL.
fn db_index(url: &str) -> u32 {
    url.rsplit('/').next().unwrap().parse().unwrap()
}

#[test]
fn each_fresh_database_is_its_own() {
    let pg = Postgres::shared();
    let a = pg.fresh_database();
    let b = pg.fresh_database();
    assert_ne!(a, b);
    assert!(a.starts_with("postgres://postgres:test-stores@"), "{a}");
    assert!(a.contains(&format!("@127.0.0.1:{}/", pg.port())), "{a}");

    let mut ca = postgres::Client::connect(&a, postgres::NoTls).unwrap();
    ca.batch_execute("CREATE TABLE only_in_a (n BIGINT); INSERT INTO only_in_a VALUES (7)")
        .unwrap();
    let n: i64 = ca.query_one("SELECT n FROM only_in_a", &[]).unwrap().get(0);
    assert_eq!(n, 7);

    let mut cb = postgres::Client::connect(&b, postgres::NoTls).unwrap();
    let err = cb.query("SELECT n FROM only_in_a", &[]).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::UNDEFINED_TABLE),
        "{err}"
    );
}

#[test]
fn a_wrong_password_is_refused() {
    let pg = Postgres::shared();
    let url = pg.admin_url().replace(":test-stores@", ":wrong@");
    let err = postgres::Client::connect(&url, postgres::NoTls)
        .err()
        .unwrap();
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::INVALID_PASSWORD),
        "{err}"
    );
}

#[test]
fn each_fresh_redis_db_is_its_own() {
    let r = Redis::shared();
    let a = r.fresh_db();
    let b = r.fresh_db();
    assert_ne!(a, b);
    assert!(
        a.starts_with(&format!("redis://127.0.0.1:{}/", r.port())),
        "{a}"
    );
    let (a, b) = (db_index(&a), db_index(&b));
    assert_eq!(redis(r.port(), a, "PING").unwrap(), "+PONG");
    assert_eq!(redis(r.port(), a, "SET k from-a").unwrap(), "+OK");
    assert_eq!(redis(r.port(), a, "GET k").unwrap(), "$6");
    assert_eq!(redis(r.port(), b, "GET k").unwrap(), "$-1");
}

#[test]
fn an_owned_postgres_stops_and_comes_back_with_its_data() {
    let pg = Postgres::start_owned();
    let url = pg.fresh_database();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("CREATE TABLE kept (n BIGINT); INSERT INTO kept VALUES (42)")
        .unwrap();

    pg.stop();
    assert!(!pg.is_running());
    assert!(
        c.query("SELECT 1", &[]).is_err(),
        "the old connection is cut"
    );
    assert!(postgres::Client::connect(&url, postgres::NoTls).is_err());

    pg.start_again();
    assert!(pg.is_running());
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let n: i64 = c.query_one("SELECT n FROM kept", &[]).unwrap().get(0);
    assert_eq!(n, 42);
    // The admin connection reconnects after the restart.
    let again = pg.fresh_database();
    postgres::Client::connect(&again, postgres::NoTls).unwrap();

    let dir = pg.dir().to_path_buf();
    assert!(dir.exists());
    drop(pg);
    assert!(!dir.exists(), "{} is removed on drop", dir.display());
}

#[test]
fn an_owned_redis_stops_and_comes_back_on_its_port() {
    let r = Redis::start_owned();
    let db = db_index(&r.fresh_db());
    assert_eq!(redis(r.port(), db, "PING").unwrap(), "+PONG");
    r.stop();
    assert!(!r.is_running());
    assert!(
        redis(r.port(), db, "PING").is_err(),
        "refused while stopped"
    );
    r.start_again();
    assert_eq!(redis(r.port(), db, "PING").unwrap(), "+PONG");
    let dir = r.dir().to_path_buf();
    drop(r);
    assert!(!dir.exists(), "{} is removed on drop", dir.display());
}

/// Run in a child process by the next test: starts both shared servers,
/// prints where they are, and returns, so the test binary ends with `exit()`.
#[test]
fn child_starts_shared_servers() {
    if std::env::var_os("TEST_STORES_CHILD").is_none() {
        return;
    }
    let pg = Postgres::shared();
    let r = Redis::shared();
    println!("PG_DIR={}", pg.dir().display());
    println!("PG_PORT={}", pg.port());
    println!("REDIS_DIR={}", r.dir().display());
    println!("REDIS_PORT={}", r.port());
}

#[test]
fn servers_end_with_the_process_that_started_them() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_starts_shared_servers", "--nocapture"])
        .env("TEST_STORES_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} missing in:\n{stdout}"))
            .to_owned()
    };
    let dirs = [
        PathBuf::from(value("PG_DIR")),
        PathBuf::from(value("REDIS_DIR")),
    ];
    let ports: [u16; 2] = [
        value("PG_PORT").parse().unwrap(),
        value("REDIS_PORT").parse().unwrap(),
    ];
    // The watchdogs act after the child is gone; allow them a bounded time.
    let deadline = Instant::now() + Duration::from_secs(30);
    let gone = || {
        dirs.iter().all(|d| !d.exists())
            && ports
                .iter()
                .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_err())
    };
    while !gone() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        gone(),
        "servers or directories left behind: {dirs:?} {ports:?}"
    );
}
