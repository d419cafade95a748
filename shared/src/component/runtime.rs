//! [`Runtime`]: what the host hands a component for one request — its
//! settings, its stores, outbound HTTP.
//!
//! In a component this is Spin's host (`spin_adapter::SpinRuntime`, feature
//! `spin`); the bench-only native baseline (`infra/native-baseline`) serves
//! the very same route tables with native ports, so the two can be measured
//! side by side on the same domain code.

use crate::ports::{HttpClient, HttpTimeouts, Kv, Settings, Sql, StoreError};

/// The host's side of a request. Opening is per request and lazy
/// ([`super::Ctx`] opens a store the first time a handler asks for it).
pub trait Runtime: Sync {
    /// The component's variables.
    fn settings(&self) -> &dyn Settings;
    /// The embedded `default` SQLite database.
    fn open_sqlite(&self) -> Result<Box<dyn Sql + '_>, StoreError>;
    /// A PostgreSQL database by URL (the `database_url` variable).
    fn open_postgres(&self, url: &str) -> Result<Box<dyn Sql + '_>, StoreError>;
    /// The `default` key-value store.
    fn open_kv(&self) -> Result<Box<dyn Kv + '_>, StoreError>;
    /// Outbound HTTP.
    fn http(&self) -> &dyn HttpClient;
    /// Outbound HTTP whose requests give up after `timeouts`.
    fn http_within(&self, timeouts: HttpTimeouts) -> Box<dyn HttpClient + '_>;
}
