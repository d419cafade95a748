//! Connections to PostgreSQL: a deadpool pool per address (a bounded cache of
//! them, as Spin keeps one), a node-wide cap on connections in use
//! (`[outbound_pg] max_connections`), and a time bound on every step.
//!
//! All PostgreSQL I/O runs on one small runtime of its own. The server's
//! worker threads each run a single-threaded runtime, and a pooled connection
//! outlives the request (and the thread) that opened it: its driver task must
//! live somewhere that is always polled. The same holds for tests, whose
//! runtimes end with each test.
//!
//! Bounds: connecting [`CONNECT_TIMEOUT`], waiting for a free connection
//! [`WAIT_TIMEOUT`], each statement [`QUERY_TIMEOUT`]. A connection whose
//! statement timed out, or which PostgreSQL closed, is never reused; the pool
//! opens fresh ones as they are asked for, so service resumes by itself when
//! PostgreSQL is back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use futures_util::{pin_mut, TryStreamExt as _};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::NoTls;

use super::values::{self, SqlParam};
use super::wit::{DbError, Error, ParameterValue, QueryError, RowSet};

/// Connections in one address's pool, as in Spin.
pub const CONNECTION_POOL_SIZE: usize = 64;
/// Addresses whose pools are kept, as in Spin; the oldest is dropped past it.
const POOL_CACHE_CAPACITY: usize = 16;
/// Establishing one connection (TCP, startup, authentication).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Waiting for a connection slot (the node cap or the pool's size).
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(5);
/// One statement, from sending it to its last row. Long enough for a
/// statement queued behind row locks under load, far below the request
/// timeout so the guest can still answer 503.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(15);
/// Checking a pooled connection before handing it out again.
const RECYCLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest result a query may buffer in the host, as Spin's limit.
pub const MAX_RESULT_BYTES: usize = 128 << 20;

/// Run on a connection when its guest lets go of it, before it goes back to
/// the pool: Spin's `RecyclingMethod::Clean`, led by a ROLLBACK. A guest that
/// trapped (or forgot) between BEGIN and COMMIT must not hand the next
/// request its open transaction; outside a transaction the ROLLBACK is a
/// no-op warning. A failure discards the connection.
///
/// Spin runs the same statements when a connection is taken from the pool;
/// here they run when it is given back, in the background, so every request
/// still gets a clean session but none waits a round trip for it (at the
/// edge, with the database a network hop away, that is one round trip less
/// per request: docs/performance.md).
const RECYCLE_SQL: &str = "ROLLBACK; CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; \
     UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES;";

/// The runtime all PostgreSQL connections live on (see the module doc). A
/// process-wide static because a runtime may not be dropped from async code,
/// and pools may be.
fn io_runtime() -> Result<&'static tokio::runtime::Runtime, Error> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("edge-host-pg")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Error::Other(format!("starting the PostgreSQL runtime: {e}")))
}

/// Runs `f` on the PostgreSQL runtime and waits for it.
async fn on_io_runtime<T: Send + 'static>(
    f: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, Error> {
    io_runtime()?
        .spawn(f)
        .await
        .map_err(|e| Error::Other(format!("PostgreSQL task failed: {e}")))
}

/// The time bounds of every PostgreSQL step (defaults: the constants above).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Establishing one connection.
    pub connect: Duration,
    /// Waiting for a connection slot.
    pub wait: Duration,
    /// One statement.
    pub query: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: CONNECT_TIMEOUT,
            wait: WAIT_TIMEOUT,
            query: QUERY_TIMEOUT,
        }
    }
}

/// Every pool of one node, shared by all its components.
pub struct PgPools {
    pools: Mutex<PoolCache>,
    /// `[outbound_pg] max_connections`: connections in use at once.
    permits: Option<Arc<Semaphore>>,
    timeouts: Timeouts,
}

#[derive(Default)]
struct PoolCache {
    order: VecDeque<String>,
    pools: HashMap<String, Pool>,
}

impl PgPools {
    /// `max_connections`: the node's cap on PostgreSQL connections in use at
    /// once (absent: only each pool's own size).
    pub fn new(max_connections: Option<usize>) -> Self {
        Self::with_timeouts(max_connections, Timeouts::default())
    }

    /// [`PgPools::new`] with other time bounds (tests use short ones).
    pub fn with_timeouts(max_connections: Option<usize>, timeouts: Timeouts) -> Self {
        Self {
            pools: Mutex::new(PoolCache::default()),
            permits: max_connections.map(|n| Arc::new(Semaphore::new(n))),
            timeouts,
        }
    }

    /// A connection to `address` (a `postgres://` URL or key=value string),
    /// held until the returned handle is dropped. The caller has checked the
    /// address against the component's allow-list.
    pub async fn open(&self, address: &str) -> Result<PgConnection, Error> {
        let permit = match &self.permits {
            None => None,
            Some(sem) => Some(
                tokio::time::timeout(self.timeouts.wait, sem.clone().acquire_owned())
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .ok_or_else(|| Error::ConnectionFailed("too many connections".into()))?,
            ),
        };
        let pool = self.pool(address)?;
        let client = on_io_runtime(async move { pool.get().await })
            .await?
            .map_err(|e| Error::ConnectionFailed(format!("{}", Chain(&e))))?;
        Ok(PgConnection {
            fresh: Object::metrics(&client).recycle_count == 0,
            client: Some(client),
            query_timeout: self.timeouts.query,
            permit,
        })
    }

    fn pool(&self, address: &str) -> Result<Pool, Error> {
        let mut cache = self.pools.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pool) = cache.pools.get(address) {
            return Ok(pool.clone());
        }
        let pool = new_pool(address, &self.timeouts).map_err(|e| {
            Error::ConnectionFailed(format!("establishing PostgreSQL connection pool: {e}"))
        })?;
        if cache.order.len() >= POOL_CACHE_CAPACITY {
            if let Some(oldest) = cache.order.pop_front() {
                cache.pools.remove(&oldest);
            }
        }
        cache.order.push_back(address.to_owned());
        cache.pools.insert(address.to_owned(), pool.clone());
        Ok(pool)
    }
}

fn new_pool(address: &str, timeouts: &Timeouts) -> anyhow::Result<Pool> {
    let mut config: tokio_postgres::Config = address
        .parse()
        .map_err(|e| anyhow::anyhow!("parsing Postgres connection string: {e}"))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeouts.connect);
    }
    // A half-open connection (a PostgreSQL host that vanished) is noticed by
    // the query timeout; keepalives find idle ones sooner than the 2 h default.
    config.keepalives_idle(Duration::from_secs(30));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            // Cleaned when released (`PgConnection`'s Drop); taking one only
            // checks the socket is still open.
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(CONNECTION_POOL_SIZE)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(timeouts.wait))
        .create_timeout(Some(timeouts.connect))
        .recycle_timeout(Some(RECYCLE_TIMEOUT))
        .build()?)
}

/// One open connection: a pooled client held for the handle's lifetime, so
/// a transaction begun in one call continues in the next.
pub struct PgConnection {
    /// Gone once a statement timed out or its connection broke.
    client: Option<Object>,
    query_timeout: Duration,
    /// Held until the connection is clean and back in its pool.
    permit: Option<OwnedSemaphorePermit>,
    fresh: bool,
}

impl Drop for PgConnection {
    /// Cleans the session in the background ([`RECYCLE_SQL`]), then returns
    /// the connection to its pool, or discards it if cleaning failed.
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let permit = self.permit.take();
        let Ok(rt) = io_runtime() else {
            drop(Object::take(client));
            return;
        };
        rt.spawn(async move {
            let cleaned =
                tokio::time::timeout(RECYCLE_TIMEOUT, client.batch_execute(RECYCLE_SQL)).await;
            if !matches!(cleaned, Ok(Ok(()))) || client.is_closed() {
                drop(Object::take(client));
            }
            drop(permit);
        });
    }
}

impl PgConnection {
    /// Whether opening it made a new connection (TCP, startup and
    /// authentication) rather than taking a clean one from the pool.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Runs a statement that returns rows.
    pub async fn query(
        &mut self,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        let params =
            values::to_sql_params(&params).map_err(|e| Error::BadParameter(format!("{e:#}")))?;
        self.run(move |client| Box::pin(query(client, statement, params)))
            .await
    }

    /// Runs a statement and returns the number of rows it affected.
    pub async fn execute(
        &mut self,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<u64, Error> {
        // Spin reports a bad value here as a conversion failure, in `query`
        // as a bad parameter; kept so a guest sees what Spin would say.
        let params = values::to_sql_params(&params)
            .map_err(|e| Error::ValueConversionFailed(format!("{e:#}")))?;
        self.run(move |client| {
            Box::pin(async move {
                let statement = client
                    .prepare_cached(&statement)
                    .await
                    .map_err(query_failed)?;
                client
                    .execute_raw(&statement, params)
                    .await
                    .map_err(query_failed)
            })
        })
        .await
    }

    /// Runs `op` with the client on the PostgreSQL runtime, bounded by
    /// the query timeout, and keeps the client only if it is still usable.
    async fn run<T: Send + 'static>(
        &mut self,
        op: impl for<'c> FnOnce(&'c Object) -> Op<'c, T> + Send + 'static,
    ) -> Result<T, Error> {
        let Some(client) = self.client.take() else {
            return Err(Error::ConnectionFailed(
                "connection closed after an earlier failure; open a new one".into(),
            ));
        };
        let limit = self.query_timeout;
        let (client, result) = on_io_runtime(async move {
            let result = tokio::time::timeout(limit, op(&client)).await;
            match result {
                Ok(result) if client.is_closed() => {
                    // PostgreSQL went away: out of the pool for good, so the
                    // next `open` connects afresh.
                    drop(Object::take(client));
                    (None, result)
                }
                Ok(result) => (Some(client), result),
                Err(_) => {
                    // The server may still be running it: ask it to stop, and
                    // never let this connection out again.
                    let cancel = client.cancel_token();
                    drop(Object::take(client));
                    tokio::spawn(async move {
                        let _ =
                            tokio::time::timeout(CONNECT_TIMEOUT, cancel.cancel_query(NoTls)).await;
                    });
                    let text = format!("statement timed out after {limit:?}");
                    (None, Err(Error::QueryFailed(QueryError::Text(text))))
                }
            }
        })
        .await?;
        self.client = client;
        result
    }
}

type Op<'c, T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error>> + Send + 'c>>;

async fn query(client: &Object, statement: String, params: Vec<SqlParam>) -> Result<RowSet, Error> {
    let statement = client
        .prepare_cached(&statement)
        .await
        .map_err(query_failed)?;
    let stream = client
        .query_raw(&statement, params)
        .await
        .map_err(query_failed)?;
    pin_mut!(stream);
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    let mut bytes = std::mem::size_of::<RowSet>();
    let mut failure = None;
    while let Some(row) = stream.try_next().await.map_err(query_failed)? {
        if failure.is_some() {
            // Drain, so the connection is left ready for the next statement.
            continue;
        }
        if rows.is_empty() {
            columns = values::columns(&row);
        }
        match values::row(&row) {
            Ok(values) => {
                bytes += values.iter().map(values::size_of_value).sum::<usize>();
                if bytes > MAX_RESULT_BYTES {
                    failure = Some(format!(
                        "query result exceeds limit of {MAX_RESULT_BYTES} bytes"
                    ));
                }
                rows.push(values);
            }
            Err(e) => failure = Some(format!("{e:#}")),
        }
    }
    match failure {
        None => Ok(RowSet { columns, rows }),
        Some(text) => Err(Error::QueryFailed(QueryError::Text(text))),
    }
}

/// Spin's mapping of a driver error: PostgreSQL's own errors with their
/// SQLSTATE and fields, anything else as text.
pub fn query_failed(e: tokio_postgres::Error) -> Error {
    let as_text = format!("{e:?}");
    Error::QueryFailed(match e.as_db_error() {
        None => QueryError::Text(as_text),
        Some(db) => {
            let mut extras = Vec::new();
            let mut extra = |name: &str, value: Option<String>| {
                if let Some(v) = value {
                    extras.push((name.to_owned(), v));
                }
            };
            extra("column", db.column().map(str::to_owned));
            extra("constraint", db.constraint().map(str::to_owned));
            extra("routine", db.routine().map(str::to_owned));
            extra("hint", db.hint().map(str::to_owned));
            extra("table", db.table().map(str::to_owned));
            extra("datatype", db.datatype().map(str::to_owned));
            extra("schema", db.schema().map(str::to_owned));
            extra("file", db.file().map(str::to_owned));
            extra("line", db.line().map(|l| l.to_string()));
            extra("where_", db.where_().map(str::to_owned));
            QueryError::DbError(DbError {
                as_text,
                severity: db.severity().to_owned(),
                code: db.code().code().to_owned(),
                message: db.message().to_owned(),
                detail: db.detail().map(str::to_owned),
                extras,
            })
        }
    })
}

/// An error with its causes, `a: b: c`.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}
