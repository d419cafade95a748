//! A throw-away Redis server: `redis-server` on a free loopback port with no
//! persistence and 10,000 databases, one database index per test.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use crate::process::{free_port, temp_dir, Server, Spec};

/// How many databases the server has (`--databases`); index 0 is left alone.
const DATABASES: u32 = 10_000;

/// A Redis server this process started. Nothing is persisted: after
/// `stop`, `start_again` comes back on the same port, empty.
pub struct Redis {
    server: Server,
    port: u16,
    next_db: AtomicU32,
}

impl Redis {
    /// The server of this test process, started the first time it is asked
    /// for and stopped when the process exits.
    pub fn shared() -> &'static Redis {
        static SHARED: OnceLock<Redis> = OnceLock::new();
        SHARED.get_or_init(Redis::start_owned)
    }

    /// A server of the caller's own (for tests that stop and restart it),
    /// removed when dropped.
    pub fn start_owned() -> Redis {
        let bin = bin();
        let dir = temp_dir("test-stores-redis-");
        let port = free_port();
        let work = dir.clone();
        let server = Server::start(
            Spec {
                what: "redis-server",
                ready: "Ready to accept connections",
                stop_signal: "TERM",
                exit_signal: "KILL",
                command: Box::new(move || {
                    let mut cmd = Command::new(&bin);
                    cmd.current_dir(&work)
                        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                        // No persistence: nothing is written, a restart is empty.
                        .args(["--save", "", "--appendonly", "no"])
                        .args(["--databases", &DATABASES.to_string()])
                        .arg("--dir")
                        .arg(&work)
                        .args(["--daemonize", "no", "--logfile", ""]);
                    cmd
                }),
            },
            &dir,
        );
        Redis {
            server,
            port,
            next_db: AtomicU32::new(1),
        }
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `db`.
    pub fn url(&self, db: u32) -> String {
        format!("redis://127.0.0.1:{}/{db}", self.port)
    }

    /// The URL of a database index no one was given before.
    pub fn fresh_db(&self) -> String {
        let db = self.next_db.fetch_add(1, Ordering::Relaxed);
        assert!(
            db < DATABASES,
            "test-stores: all {DATABASES} Redis databases are handed out"
        );
        self.url(db)
    }
}

/// `redis-server` on the `PATH` (Debian installs it in /usr/bin).
fn bin() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("redis-server"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("test-stores: redis-server is not installed: apt-get install -y redis-server")
        })
}

/// Stopping, starting again, the running state and the directory are the
/// server process's (`stop`, `start_again`, `is_running`, `dir`).
impl std::ops::Deref for Redis {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}
