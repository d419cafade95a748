//! The two store setups the end-to-end suite runs on, chosen by the
//! environment:
//!
//! - `E2E_STORES=embedded` (the default): one edge-host on its state dir's
//!   SQLite database and local key-value store, as `scripts/run`, kiosks and
//!   development use it.
//! - `E2E_STORES=postgres`: a PostgreSQL and a `redis-server` started by the
//!   test process (infra/test-stores), a fresh database and Redis database
//!   per test app, and `E2E_NODES` edge-host processes (default 3) on them,
//!   with requests spread round-robin: the edge deployment.
//!
//! A test that is about the embedded setup only says so with
//! [`crate::HostBuilder::embedded_only`].
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use test_stores::{Postgres, Redis};

/// Which stores a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stores {
    /// SQLite and the local key-value store in the state dir, one node.
    Embedded,
    /// PostgreSQL and Redis, shared by several nodes.
    Postgres,
}

impl Stores {
    /// The setup `E2E_STORES` names (unset: embedded). Anything else is a
    /// mistake in the command line, and fails loudly rather than running the
    /// wrong setup.
    pub fn from_env() -> Stores {
        match std::env::var("E2E_STORES").as_deref() {
            Err(_) | Ok("") | Ok("embedded") => Stores::Embedded,
            Ok("postgres") => Stores::Postgres,
            Ok(other) => panic!("E2E_STORES={other:?}: expected `embedded` or `postgres`"),
        }
    }
}

/// How many edge-host processes a PostgreSQL test app runs: `E2E_NODES`,
/// default 3.
pub fn nodes_from_env() -> usize {
    match std::env::var("E2E_NODES") {
        Err(_) => 3,
        Ok(n) => match n.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => panic!("E2E_NODES={n:?}: expected a positive number"),
        },
    }
}

/// The servers a PostgreSQL test app uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backing {
    /// `postgres://user:password@127.0.0.1:PORT/DB`, the `database_url` variable.
    pub database_url: String,
    /// `127.0.0.1:PORT`, the `database_host` variable (allowed outbound host).
    pub database_host: String,
    /// `redis://127.0.0.1:PORT/N`, the default key-value store.
    pub redis_url: String,
}

/// The file in a chosen state dir that remembers its databases, so that a
/// host restarted on the state dir (or a second host beside it) finds the
/// data of the first, as it does with the SQLite file.
const BACKING_FILE: &str = "e2e-backing.txt";

impl Backing {
    /// A fresh database and Redis database on the servers of this test process.
    pub fn fresh() -> Backing {
        let pg = Postgres::shared();
        Backing {
            database_url: pg.fresh_database(),
            database_host: pg.host(),
            redis_url: Redis::shared().fresh_db(),
        }
    }

    /// A fresh database on `pg` and Redis database on `redis` (servers a
    /// fault test owns).
    pub fn fresh_on(pg: &Postgres, redis: &Redis) -> Backing {
        Backing {
            database_url: pg.fresh_database(),
            database_host: pg.host(),
            redis_url: redis.fresh_db(),
        }
    }

    /// The backing remembered in `state_dir`, or a fresh one remembered there.
    pub fn for_state_dir(state_dir: &Path) -> Backing {
        let file = state_dir.join(BACKING_FILE);
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines().map(str::to_owned);
            if let (Some(database_url), Some(database_host), Some(redis_url)) =
                (lines.next(), lines.next(), lines.next())
            {
                return Backing {
                    database_url,
                    database_host,
                    redis_url,
                };
            }
        }
        let backing = Backing::fresh();
        std::fs::create_dir_all(state_dir).unwrap();
        std::fs::write(
            &file,
            format!(
                "{}\n{}\n{}\n",
                backing.database_url, backing.database_host, backing.redis_url
            ),
        )
        .unwrap();
        backing
    }

    /// The runtime config that puts the default key-value store in Redis.
    pub fn runtime_config(&self) -> String {
        format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n",
            self.redis_url
        )
    }
}
