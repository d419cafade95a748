//! [`NativeRuntime`]: the host's side of a request with native ports — the
//! component's variables as edge-host resolves them, the pooled databases,
//! a key-value store in process memory and a blocking HTTP client.
//!
//! The key-value store lives in memory because the baseline is one process:
//! the hot endpoints make no key-value round trip (docs/performance.md), so
//! this changes none of what is measured. Allowed outbound hosts are not
//! enforced: the baseline only ever serves the benchmark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cds_shared::component::Runtime;
use cds_shared::ports::{
    HttpClient, HttpTimeouts, Kv, OutboundRequest, OutboundResponse, Settings, Sql, StoreError,
};

use crate::postgres::PgPool;
use crate::sqlite::SqlitePool;

/// The stores every component of the process shares.
pub struct Stores {
    /// The embedded `default` database.
    pub sqlite: SqlitePool,
    /// PostgreSQL clients by URL.
    pub postgres: PgPool,
    /// The `default` key-value store.
    pub kv: MemoryKv,
    /// Outbound HTTP.
    pub http: BlockingHttp,
}

/// One component's runtime: its variables over the shared stores.
pub struct NativeRuntime {
    /// The component's variables, resolved once at start as Spin does.
    pub variables: Variables,
    /// The process's stores.
    pub stores: Arc<Stores>,
}

impl Runtime for NativeRuntime {
    fn settings(&self) -> &dyn Settings {
        &self.variables
    }

    fn open_sqlite(&self) -> Result<Box<dyn Sql + '_>, StoreError> {
        Ok(Box::new(self.stores.sqlite.take()?))
    }

    fn open_postgres(&self, url: &str) -> Result<Box<dyn Sql + '_>, StoreError> {
        Ok(Box::new(self.stores.postgres.take(url)?))
    }

    fn open_kv(&self) -> Result<Box<dyn Kv + '_>, StoreError> {
        Ok(Box::new(self.stores.kv.clone()))
    }

    fn http(&self) -> &dyn HttpClient {
        &self.stores.http
    }

    fn http_within(&self, timeouts: HttpTimeouts) -> Box<dyn HttpClient + '_> {
        Box::new(Within {
            http: &self.stores.http,
            // reqwest bounds the whole exchange; the sum is the longest the
            // three separate bounds of Spin's host can allow a short answer.
            total: timeouts.connect + timeouts.first_byte + timeouts.between_bytes,
        })
    }
}

/// A component's variables by name.
pub struct Variables(pub HashMap<String, String>);

impl Settings for Variables {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Key-value pairs in process memory.
#[derive(Default, Clone)]
pub struct MemoryKv(Arc<Mutex<HashMap<String, Vec<u8>>>>);

fn poisoned() -> StoreError {
    StoreError::Unavailable("key-value lock poisoned".into())
}

impl Kv for MemoryKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.lock().map_err(|_| poisoned())?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0
            .lock()
            .map_err(|_| poisoned())?
            .insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.lock().map_err(|_| poisoned())?.remove(key);
        Ok(())
    }
}

/// Outbound HTTP with reqwest's blocking client (handlers run on blocking
/// threads, as a component's request runs to completion).
pub struct BlockingHttp(reqwest::blocking::Client);

impl BlockingHttp {
    /// A client with a bounded wait. Built before the async runtime starts:
    /// reqwest's blocking client owns a runtime of its own.
    pub fn new() -> anyhow::Result<BlockingHttp> {
        Ok(BlockingHttp(
            reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .tcp_nodelay(true)
                .build()?,
        ))
    }
}

impl HttpClient for BlockingHttp {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        self.send_within(request, None)
    }
}

/// [`BlockingHttp`] with a bound on each request.
struct Within<'h> {
    http: &'h BlockingHttp,
    total: Duration,
}

impl HttpClient for Within<'_> {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        self.http.send_within(request, Some(self.total))
    }
}

impl BlockingHttp {
    fn send_within(
        &self,
        request: &OutboundRequest,
        timeout: Option<Duration>,
    ) -> Result<OutboundResponse, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| format!("method: {e}"))?;
        let mut builder = self
            .0
            .request(method, request.url.as_str())
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let response = builder.send().map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.bytes().map_err(|e| e.to_string())?.to_vec();
        Ok(OutboundResponse { status, body })
    }
}
