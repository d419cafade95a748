//! PostgreSQL natively: a pool of `postgres` clients per URL, each statement
//! run by `cds_shared::pg_client` exactly as the components' adapter runs it
//! through Spin's host (same rewriting, casts and retries), each client
//! keeping its prepared statements as Spin's pool does.

use std::collections::HashMap;
use std::sync::Mutex;

use cds_shared::pg_client::{self, PreparingClient};
use cds_shared::ports::{Sql, SqlRows, SqlValue, StoreError};
use postgres::{Client, NoTls};

/// Idle clients by database URL (Spin pools per address too).
#[derive(Default)]
pub struct PgPool {
    idle: Mutex<HashMap<String, Vec<PreparingClient>>>,
}

impl PgPool {
    /// An idle client to `url`, or a new connection.
    pub fn take(&self, url: &str) -> Result<PooledClient<'_>, StoreError> {
        let idle = self
            .idle
            .lock()
            .ok()
            .and_then(|mut idle| idle.get_mut(url).and_then(Vec::pop));
        let client = match idle {
            Some(client) if !client.is_closed() => client,
            _ => Client::connect(url, NoTls)
                .map(PreparingClient::new)
                .map_err(|e| StoreError::Unavailable(pg_client::describe(&e)))?,
        };
        Ok(PooledClient {
            pool: self,
            url: url.to_owned(),
            client: Mutex::new(Some(client)),
        })
    }
}

/// A borrowed client, returned to its pool on drop.
pub struct PooledClient<'p> {
    pool: &'p PgPool,
    url: String,
    // The port takes `&self`; one request uses it from one thread.
    client: Mutex<Option<PreparingClient>>,
}

impl Drop for PooledClient<'_> {
    fn drop(&mut self) {
        let client = self.client.get_mut().ok().and_then(Option::take);
        if let (Some(client), Ok(mut idle)) = (client, self.pool.idle.lock()) {
            idle.entry(std::mem::take(&mut self.url))
                .or_default()
                .push(client);
        }
    }
}

impl Sql for PooledClient<'_> {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let mut guard = self
            .client
            .lock()
            .map_err(|_| StoreError::Unavailable("client lock poisoned".into()))?;
        let client = guard
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable("client already returned".into()))?;
        client.execute(statement, params)
    }
}
