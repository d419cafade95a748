//! A throw-away PostgreSQL server: `initdb` into a temporary directory, then
//! `postgres` on a free loopback port, tuned for tests (no fsync), with one
//! fresh database per test.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::process::{free_port, is_root, temp_dir, user_ids, Server, Spec};

/// The superuser the tests connect as.
const USER: &str = "postgres";
/// Its password (connections over TCP authenticate with SCRAM, as in
/// production, so URLs carry a password).
const PASSWORD: &str = "test-stores";

/// A PostgreSQL server this process started. `stop` is a fast shutdown
/// (open connections are cut); `start_again` comes back on the same port
/// with the same data.
pub struct Postgres {
    server: Server,
    port: u16,
    admin: Mutex<Option<postgres::Client>>,
    next_database: AtomicU64,
}

impl Postgres {
    /// The server of this test process, started the first time it is asked
    /// for and stopped when the process exits.
    pub fn shared() -> &'static Postgres {
        static SHARED: OnceLock<Postgres> = OnceLock::new();
        SHARED.get_or_init(Postgres::start_owned)
    }

    /// A server of the caller's own (for tests that stop and restart it),
    /// removed with its data when dropped.
    pub fn start_owned() -> Postgres {
        let bin = bin_dir();
        let dir = temp_dir("test-stores-pg-");
        // initdb and postgres refuse to run as root: then they run as the
        // `postgres` user, which must own the directory.
        let ids = if is_root() {
            let ids = user_ids(USER).unwrap_or_else(|| {
                panic!(
                    "test-stores: running as root, PostgreSQL needs the `postgres` user \
                     (apt-get install -y postgresql creates it)"
                )
            });
            std::os::unix::fs::chown(&dir, Some(ids.0), Some(ids.1)).unwrap();
            Some(ids)
        } else {
            None
        };
        let pwfile = dir.join("pwfile");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if let Some((uid, gid)) = ids {
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).unwrap();
        }
        let data = dir.join("data");
        let out = as_user(Command::new(bin.join("initdb")), ids)
            .current_dir(&dir)
            .arg("--pgdata")
            .arg(&data)
            .args([
                "--username",
                USER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .args([
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ])
            .output()
            .unwrap_or_else(|e| panic!("test-stores: cannot run initdb: {e}"));
        if !out.status.success() {
            panic!(
                "test-stores: initdb failed in {}:\n{}{}",
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let port = free_port();
        let socket_dir = dir.clone();
        let server = Server::start(
            Spec {
                what: "postgres",
                ready: "database system is ready to accept connections",
                // Fast shutdown: disconnects clients, restarts without recovery.
                stop_signal: "INT",
                exit_signal: "QUIT",
                command: Box::new(move || {
                    let mut cmd = as_user(Command::new(bin.join("postgres")), ids);
                    cmd.current_dir(&socket_dir)
                        .arg("-D")
                        .arg(&data)
                        .arg("-p")
                        .arg(port.to_string());
                    for setting in [
                        "listen_addresses=127.0.0.1".to_owned(),
                        format!("unix_socket_directories={}", socket_dir.display()),
                        // Durability is not what tests check; speed is what they need.
                        "fsync=off".to_owned(),
                        "synchronous_commit=off".to_owned(),
                        "full_page_writes=off".to_owned(),
                        // Several nodes, each with its pool, plus the tests' own.
                        "max_connections=500".to_owned(),
                    ] {
                        cmd.arg("-c").arg(setting);
                    }
                    cmd
                }),
            },
            &dir,
        );
        Postgres {
            server,
            port,
            admin: Mutex::new(None),
            next_database: AtomicU64::new(1),
        }
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`, as an allow-list or `database_host` names it.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The URL of database `name` for the superuser.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    /// The URL of the `postgres` maintenance database.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// Creates a new, empty database; its URL.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "test_{}",
            self.next_database.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = self.admin.lock().unwrap();
        let statement = format!("CREATE DATABASE {name}");
        // One reconnect: the server may have been restarted since the last use.
        for attempt in 0..2 {
            if admin.as_ref().is_none_or(|c| c.is_closed()) {
                *admin = Some(self.connect("postgres"));
            }
            match admin.as_mut().unwrap().batch_execute(&statement) {
                Ok(()) => return self.url(&name),
                // A restart leaves the old connection open but terminated.
                Err(_) if attempt == 0 => *admin = None,
                Err(e) => panic!("test-stores: {statement}: {}", describe(&e)),
            }
        }
        unreachable!("the loop returns or panics")
    }

    /// A client connection to database `name`.
    pub fn connect(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(name), postgres::NoTls).unwrap_or_else(|e| {
            panic!(
                "test-stores: cannot connect to {name} on port {}: {}\n{}",
                self.port,
                describe(&e),
                self.server.output()
            )
        })
    }
}

/// A client error with the server's message (its `Display` says only "db error").
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}: {}", db.severity(), db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// Runs `cmd` as `ids` (uid, gid) when given.
fn as_user(mut cmd: Command, ids: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = ids {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

/// The directory with `initdb` and `postgres`: `TEST_STORES_PG_BIN`, else
/// the newest `/usr/lib/postgresql/*/bin` (Debian's layout).
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TEST_STORES_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "test-stores: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): \
             apt-get install -y postgresql"
        ),
    }
}

/// Stopping, starting again, the running state and the directory are the
/// server process's (`stop`, `start_again`, `is_running`, `dir`).
impl std::ops::Deref for Postgres {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}
