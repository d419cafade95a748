//! Throw-away data stores for tests: a PostgreSQL server ([`Postgres`]) and a
//! Redis server ([`Redis`]), each started from the Debian binaries in a
//! temporary directory on a free loopback port, so that no test depends on a
//! service the machine happens to run.
//!
//! - [`Postgres::shared`] / [`Redis::shared`] start one server per test
//!   process, the first time a test asks, and hand out a fresh database
//!   ([`Postgres::fresh_database`]) or an unused Redis database index
//!   ([`Redis::fresh_db`]) per test.
//! - [`Postgres::start_owned`] / [`Redis::start_owned`] start a server that
//!   one test owns, for fault tests: [`Postgres::stop`] and
//!   [`Postgres::start_again`] (same port, same data) and the Redis pair; it
//!   is removed when dropped.
//!
//! - [`DelayProxy`] adds a chosen round-trip time between a client and a
//!   server, for measuring what each store round trip costs.
//!
//! No server outlives the test process: test binaries end with `exit()`,
//! which runs no destructors, so beside every server runs a small watchdog
//! shell that holds the read end of a pipe from this process. When the
//! process ends, however it ends (`exit()`, a panic, `kill -9`), the pipe
//! closes, and the watchdog stops the server and removes its directory.
#![allow(clippy::unwrap_used, clippy::panic)] // Test support: failing to start a server fails the test, loudly.

mod delay_proxy;
mod postgres;
mod process;
mod redis;

pub use crate::delay_proxy::DelayProxy;
pub use crate::postgres::Postgres;
pub use crate::process::Server;
pub use crate::redis::Redis;
