//! Turns a validated manifest and runtime config into a servable [`App`]:
//! stores opened, variables resolved, migrations applied, components compiled.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use super::component::ComponentEnv;
use super::engine;
use super::kv::{KvStore, RedisKv, SqliteKv};
use super::outbound::AllowedHosts;
use super::pool::SqlitePool;
use super::postgres::PgPools;
use super::server::{App, Routes, Served};
use crate::limits::Limits;
use crate::manifest::{HttpRoute, Manifest};
use crate::router::{self, Router};
use crate::runtime_config::{KvLocation, RuntimeConfig, StoreLocation};
use crate::variables::Resolver;

/// Where each labelled store lives, opened once and shared by all requests.
pub struct Stores {
    /// Key-value store label → store.
    pub kv: HashMap<String, KvStore>,
    /// SQLite database label → connection pool.
    pub sql: HashMap<String, Arc<SqlitePool>>,
    /// PostgreSQL pools by address, opened as guests ask for them.
    pub pg: Arc<PgPools>,
}

impl Stores {
    /// Pools per file: several labels may share one file (as Spin's default
    /// key-value file holds every label in its `store` column). Redis stores
    /// connect on first use, so a node starts while Redis is down.
    pub fn open(config: &RuntimeConfig) -> anyhow::Result<Self> {
        let mut kv_pools: HashMap<String, Arc<SqlitePool>> = HashMap::new();
        let mut kv = HashMap::new();
        for (label, loc) in &config.key_value_stores {
            let store = match loc {
                KvLocation::Local(loc) => {
                    let path = location_path(loc, "kv", label);
                    let pool = kv_pools
                        .entry(path.clone())
                        .or_insert_with(|| Arc::new(SqliteKv::pool(PathBuf::from(&path))))
                        .clone();
                    KvStore::Sqlite(SqliteKv::new(label, pool))
                }
                KvLocation::Redis(url) => KvStore::Redis(
                    RedisKv::new(url).with_context(|| format!("key-value store {label:?}"))?,
                ),
            };
            kv.insert(label.clone(), store);
        }
        let sql = config
            .sqlite_databases
            .iter()
            .map(|(label, loc)| {
                let path = location_path(loc, "sql", label);
                (
                    label.clone(),
                    Arc::new(SqlitePool::new(PathBuf::from(path), "")),
                )
            })
            .collect();
        let pg = Arc::new(PgPools::new(config.outbound_pg_max_connections));
        Ok(Self { kv, sql, pg })
    }
}

/// An in-memory store is a shared-cache memory database private to this process.
fn location_path(loc: &StoreLocation, kind: &str, label: &str) -> String {
    match loc {
        StoreLocation::File(p) => p.to_string_lossy().into_owned(),
        StoreLocation::InMemory => {
            format!("file:edge-host-{kind}-{label}?mode=memory&cache=shared")
        }
    }
}

/// Applies `infra/migrations`-style files to the `default` SQL database.
pub fn migrate(config: &RuntimeConfig, dir: &Path) -> anyhow::Result<Vec<i64>> {
    let Some(loc) = config
        .sqlite_databases
        .get(crate::runtime_config::DEFAULT_LABEL)
    else {
        return Ok(vec![]);
    };
    let path = location_path(loc, "sql", crate::runtime_config::DEFAULT_LABEL);
    if let StoreLocation::File(p) = loc {
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    let mut conn =
        rusqlite::Connection::open(&path).with_context(|| format!("opening database {path}"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    crate::migrations::apply_dir(&mut conn, dir)
}

/// Resolves everything one component may use.
pub fn component_env(
    manifest: &Manifest,
    resolver: &Resolver,
    stores: &Stores,
    id: &str,
) -> anyhow::Result<ComponentEnv> {
    let component = manifest
        .components
        .get(id)
        .with_context(|| format!("no component `{id}`"))?;
    let mut variables = HashMap::new();
    for name in component.variables.keys() {
        let value = resolver
            .resolve_component(id, name)
            .with_context(|| format!("component `{id}`: variable `{name}`"))?;
        variables.insert(name.clone(), value);
    }
    let hosts = component
        .allowed_outbound_hosts
        .iter()
        .map(|h| resolver.expand(h))
        .collect::<anyhow::Result<Vec<_>>>()
        .with_context(|| format!("component `{id}`: allowed_outbound_hosts"))?;
    let outbound = AllowedHosts::parse(&hosts).with_context(|| format!("component `{id}`"))?;
    let kv = component
        .key_value_stores
        .iter()
        .filter_map(|l| stores.kv.get(l).map(|s| (l.clone(), s.clone())))
        .collect();
    let sql = component
        .sqlite_databases
        .iter()
        .filter_map(|l| stores.sql.get(l).map(|p| (l.clone(), p.clone())))
        .collect();
    Ok(ComponentEnv {
        id: id.to_owned(),
        kv,
        sql,
        variables,
        outbound,
        pg: stores.pg.clone(),
    })
}

struct ManifestRoutes(Router);

impl Routes for ManifestRoutes {
    fn resolve(
        &self,
        path: &str,
        full_url: &str,
        client_addr: SocketAddr,
    ) -> Option<(String, Vec<(String, String)>)> {
        let m = self.0.route(path)?;
        let headers = router::spin_headers(&m, full_url, client_addr);
        Some((m.component_id, headers))
    }
}

/// Builds the servable app: compiles every routed component.
pub fn load_app(
    manifest: &Manifest,
    resolver: &Resolver,
    stores: &Stores,
    cache_dir: Option<&Path>,
    limits: Limits,
) -> anyhow::Result<App> {
    let router = Router::build(&manifest.http_routes())?;
    let engine = engine::new_engine(cache_dir, &limits)?;
    let linker = engine::new_linker(&engine)?;
    let mut components = HashMap::new();
    for trigger in &manifest.http_triggers {
        let id = &trigger.component;
        if components.contains_key(id) || matches!(trigger.route, HttpRoute::Private) {
            continue;
        }
        let component = &manifest.components[id];
        let env = Arc::new(component_env(manifest, resolver, stores, id)?);
        let pre = engine::prepare(&engine, &linker, id, &component.source)?;
        components.insert(id.clone(), Served { pre, env });
    }
    Ok(App::new(
        Box::new(ManifestRoutes(router)),
        components,
        limits,
    ))
}
