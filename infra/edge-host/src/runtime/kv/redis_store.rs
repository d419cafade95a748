//! Key-value stores in Redis (`type = "redis"`), as Spin's
//! `spin-key-value-redis` keeps them: a label's keys are stored unprefixed in
//! the database its URL names (the runtime config refuses two labels on one
//! database), values are Redis strings, `get-keys` lists the whole database.
//!
//! Failure behaviour, which Spin leaves to the `redis` crate's defaults:
//! - The client is made at start without connecting, so a node starts and
//!   serves its SQL-only routes while Redis is down.
//! - One `ConnectionManager` per label; it reconnects by itself after a
//!   dropped connection, so service resumes when Redis is back, with no
//!   restart.
//! - Every call ends within [`OP_TIMEOUT`] (connect and response timeouts
//!   below it), far inside the request timeout: a stopped or hanging Redis
//!   gives the guest `error::other` promptly, never a hang.
//! - A call that fails on a broken connection is tried once more on the
//!   connection the manager opened in its place, so the first call after
//!   Redis comes back succeeds. All five operations are idempotent (SET to
//!   one value, DEL, reads), so the second try cannot apply anything twice.
//!
//! The connections live on one small runtime of their own: edge-host serves
//! on one single-threaded runtime per core, and a connection bound to one of
//! them would stall behind that thread's guests.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, FromRedisValue, RedisError, RedisResult};

use crate::redis_url::RedisUrl;

/// Time to open a TCP connection to Redis and finish its handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Time Redis has to answer one command on an open connection.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Bound on one key-value call, its retry and reconnection included.
pub const OP_TIMEOUT: Duration = Duration::from_secs(3);
/// Keys asked for per `SCAN` round trip in `get-keys`.
const SCAN_COUNT: u32 = 1_000;

type OpFuture<T> = Pin<Box<dyn Future<Output = RedisResult<T>> + Send>>;

/// One label's Redis database.
#[derive(Clone)]
pub struct RedisKv {
    conn: ConnectionManager,
    /// `Redis database N on host:port`, for error messages (no credentials).
    name: Arc<str>,
}

impl RedisKv {
    /// A client for `url`; nothing is connected until the first call.
    pub fn new(url: &RedisUrl) -> anyhow::Result<Self> {
        let client = redis::Client::open(url.connect_url())
            .with_context(|| format!("opening a client for {url}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            // One quick retry covers a restart in progress; more would only
            // delay the error while Redis is down.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_millis(200));
        let _on_io_runtime = io_runtime()?.enter();
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .with_context(|| format!("setting up the connection to {url}"))?;
        Ok(Self {
            conn,
            name: url.to_string().into(),
        })
    }

    /// `GET key`.
    pub async fn get(&self, key: String) -> Result<Option<Vec<u8>>, String> {
        self.query(redis::cmd("GET").arg(key).to_owned()).await
    }

    /// `SET key value`.
    pub async fn set(&self, key: String, value: Vec<u8>) -> Result<(), String> {
        self.query(redis::cmd("SET").arg(key).arg(value).to_owned())
            .await
    }

    /// `DEL key` (a missing key is not an error).
    pub async fn delete(&self, key: String) -> Result<(), String> {
        self.query::<i64>(redis::cmd("DEL").arg(key).to_owned())
            .await
            .map(|_| ())
    }

    /// `EXISTS key`.
    pub async fn exists(&self, key: String) -> Result<bool, String> {
        self.query(redis::cmd("EXISTS").arg(key).to_owned()).await
    }

    /// Every key of the database. `SCAN` rather than Spin's `KEYS *`: the
    /// same answer, without blocking Redis for the whole listing.
    pub async fn keys(&self) -> Result<Vec<String>, String> {
        self.run(|mut conn| {
            Box::pin(async move {
                let mut cursor = 0u64;
                let mut seen = HashSet::new();
                let mut keys = Vec::new();
                loop {
                    let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("COUNT")
                        .arg(SCAN_COUNT)
                        .query_async(&mut conn)
                        .await?;
                    // SCAN may return a key more than once.
                    keys.extend(batch.into_iter().filter(|k| seen.insert(k.clone())));
                    if next == 0 {
                        return Ok(keys);
                    }
                    cursor = next;
                }
            })
        })
        .await
    }

    async fn query<T: FromRedisValue + Send + 'static>(&self, cmd: Cmd) -> Result<T, String> {
        let cmd = Arc::new(cmd);
        self.run(move |mut conn| {
            let cmd = cmd.clone();
            Box::pin(async move { cmd.query_async(&mut conn).await })
        })
        .await
    }

    /// Runs `op` on the Redis runtime under [`OP_TIMEOUT`], once more if the
    /// connection was broken.
    async fn run<T: Send + 'static>(
        &self,
        op: impl Fn(ConnectionManager) -> OpFuture<T> + Send + 'static,
    ) -> Result<T, String> {
        let runtime = io_runtime().map_err(|e| format!("{e:#}"))?;
        let conn = self.conn.clone();
        let task = runtime.spawn(tokio::time::timeout(OP_TIMEOUT, async move {
            match op(conn.clone()).await {
                Err(e) if connection_broken(&e) => op(conn).await,
                done => done,
            }
        }));
        match task.await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(e))) => Err(format!("{}: {e}", self.name)),
            Ok(Err(_)) => Err(format!(
                "{}: no answer within {} s",
                self.name,
                OP_TIMEOUT.as_secs()
            )),
            Err(e) => Err(format!("{}: task failed: {e}", self.name)),
        }
    }
}

/// Errors after which the manager replaces the connection.
fn connection_broken(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error()
}

/// The process's Redis runtime: one thread drives every Redis connection.
fn io_runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("edge-host-redis")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| anyhow::anyhow!("starting the Redis runtime: {e}"))
}
