//! `native-baseline`: the app of `spin.toml` served natively, for the
//! benchmarks only (docs/performance.md, "Wasm against native").
//!
//! The same components' route tables (`COMPONENT` of each crate), the same
//! domain code, migrations, routes and variables, on native ports: a pool
//! of rusqlite connections or of `postgres` clients instead of Spin's host
//! behind the Wasm boundary. What edge-host adds on top of this is what the
//! boundary and per-request instantiation cost. It takes the command line
//! the end-to-end harness gives edge-host (`up --from … --listen …
//! --state-dir … [--runtime-config-file …]`), so `bench-endpoints --runtime
//! native` starts it in edge-host's place. Not a runtime to deploy: no
//! request limits, no outbound allow-list, key-value in memory.

mod components;
mod postgres;
mod runtime;
mod server;
mod sqlite;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use edge_host::manifest::Manifest;
use edge_host::router::Router;
use edge_host::runtime_config::{RuntimeConfig, StateDir, StoreLocation, DEFAULT_LABEL};
use edge_host::variables::Resolver;

use runtime::{BlockingHttp, MemoryKv, NativeRuntime, Stores, Variables};

/// What the command line asks for.
struct Args {
    manifest: PathBuf,
    listen: String,
    state_dir: Option<PathBuf>,
    runtime_config: Option<PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let mut raw = std::env::args().skip(1);
    if raw.next().as_deref() != Some("up") {
        bail!("usage: native-baseline up [--from spin.toml] [--listen ADDR] [--state-dir DIR] [--runtime-config-file FILE]");
    }
    let mut args = Args {
        manifest: PathBuf::from("spin.toml"),
        listen: "127.0.0.1:3000".into(),
        state_dir: None,
        runtime_config: None,
    };
    while let Some(flag) = raw.next() {
        let mut value = || raw.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--from" => args.manifest = value()?.into(),
            "--listen" => args.listen = value()?,
            "--state-dir" => args.state_dir = Some(value()?.into()),
            "--runtime-config-file" => args.runtime_config = Some(value()?.into()),
            // edge-host's compiled-code cache: nothing is compiled here.
            "--cache-dir" => drop(value()?),
            // Round trips are edge-host's to count; the table prints "–".
            "--count-store-trips" => {}
            other => bail!("unknown option {other}"),
        }
    }
    Ok(args)
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    let manifest = Manifest::load(&args.manifest)?;
    let resolver = Resolver::new(&manifest, |name| std::env::var(name).ok())?;
    let state_dir = args
        .state_dir
        .clone()
        .map_or(StateDir::Default, StateDir::Path);
    let config = RuntimeConfig::load(args.runtime_config.as_deref(), &manifest.dir, state_dir)?;
    let sqlite_path = match config.sqlite_databases.get(DEFAULT_LABEL) {
        Some(StoreLocation::File(path)) => path.clone(),
        _ => bail!("the native baseline needs the default database in a file"),
    };
    if let Some(dir) = sqlite_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    migrate(&manifest, &resolver, &sqlite_path)?;

    let stores = Arc::new(Stores {
        sqlite: sqlite::SqlitePool::new(sqlite_path),
        postgres: postgres::PgPool::default(),
        kv: MemoryKv::default(),
        http: BlockingHttp::new()?,
    });
    let mut served = HashMap::new();
    for (id, component) in &manifest.components {
        let Some(routes) = components::by_id(id) else {
            bail!("component `{id}` is not linked into the native baseline");
        };
        let mut variables = HashMap::new();
        for name in component.variables.keys() {
            let value = resolver
                .resolve_component(id, name)
                .with_context(|| format!("component `{id}`: variable `{name}`"))?;
            variables.insert(name.clone(), value);
        }
        let runtime = NativeRuntime {
            variables: Variables(variables),
            stores: stores.clone(),
        };
        served.insert(id.clone(), (routes, Arc::new(runtime)));
    }
    let app = Arc::new(server::App {
        router: Router::build(&manifest.http_routes())?,
        components: served,
    });

    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        // Handlers block on their stores; 32 connections at once each get a
        // thread, as edge-host gives each request an instance.
        .max_blocking_threads(256)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        println!("Serving http://{}", listener.local_addr()?);
        server::run(listener, app).await
    })
}

/// The migrations edge-host applies at start: PostgreSQL's when the app's
/// `database_url` names one, the SQLite file's otherwise.
fn migrate(
    manifest: &Manifest,
    resolver: &Resolver,
    sqlite_path: &std::path::Path,
) -> anyhow::Result<()> {
    let dir = manifest.dir.join("infra/migrations");
    let database_url = resolver
        .expand("{{ database_url }}")
        .ok()
        .filter(|u| edge_host::pg_migrations::is_postgres_url(u));
    if let Some(url) = database_url {
        edge_host::pg_migrations::apply_dir_blocking(&url, &dir)
            .context("applying PostgreSQL migrations")?;
        return Ok(());
    }
    let mut conn = rusqlite::Connection::open(sqlite_path)
        .with_context(|| format!("opening {}", sqlite_path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    edge_host::migrations::apply_dir(&mut conn, &dir).context("applying migrations")?;
    Ok(())
}
