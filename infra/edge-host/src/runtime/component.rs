//! What one component may use at run time: its stores, its variables and its
//! outbound allow-list, fixed when the app starts.

use std::collections::HashMap;
use std::sync::Arc;

use super::kv::KvStore;
use super::outbound::AllowedHosts;
use super::pool::SqlitePool;

/// Everything the host knows about one component while serving it.
pub struct ComponentEnv {
    /// The component's id in the manifest.
    pub id: String,
    /// Key-value labels this component declared, with their backing store.
    pub kv: HashMap<String, KvStore>,
    /// SQL database labels this component declared.
    pub sql: HashMap<String, Arc<SqlitePool>>,
    /// Component variables, already resolved from their templates.
    pub variables: HashMap<String, String>,
    /// Hosts it may call out to.
    pub outbound: AllowedHosts,
    /// The node's PostgreSQL pools (`spin:postgres`), shared by all components.
    #[cfg(feature = "runtime")]
    pub pg: Arc<super::postgres::PgPools>,
}
