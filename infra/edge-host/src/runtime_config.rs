//! `runtime-config.toml`: where key-value stores and SQLite databases live.
//!
//! Mirrors `spin up` for the local (`type = "spin"`) backends and for Redis
//! key-value stores:
//! - `[key_value_store.<label>] path` resolves against the runtime-config
//!   file's directory; `[sqlite_database.<label>] path` resolves against the
//!   working directory (Spin's SQLite resolver uses the cwd). No `path` means
//!   an in-memory store.
//! - Label `default` always exists: `<state_dir>/sqlite_key_value.db` and
//!   `<state_dir>/sqlite_db.db`, in memory when there is no state directory.
//! - The state directory is `--state-dir`, else the file's `state_dir`
//!   (empty = none), else `<app dir>/.spin`.
//!
//! - `[key_value_store.<label>] type = "redis"` with `url =
//!   "redis://host:port[/db]"` keeps the label in that Redis database. Spin
//!   stores a label's keys unprefixed, so two labels on one database would
//!   see each other's keys: that configuration is refused here.
//!
//! - `[outbound_pg] max_connections = N` caps the PostgreSQL connections
//!   one node opens, as in Spin (absent: no cap).
//!
//! Other backends (azure_cosmos, aws_dynamo, libsql, …) and other sections
//! (variables providers, LLM, TLS, …) are refused with a pointer to the Spin
//! CLI rather than silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

use crate::manifest::Manifest;
use crate::redis_url::RedisUrl;

/// File name of the default key-value store inside the state directory.
pub const DEFAULT_KV_FILE: &str = "sqlite_key_value.db";
/// File name of the default SQLite database inside the state directory.
pub const DEFAULT_SQLITE_FILE: &str = "sqlite_db.db";
/// The label every app gets without configuration.
pub const DEFAULT_LABEL: &str = "default";

/// Where a store's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file (created on first use; its directory may need creating).
    File(PathBuf),
    /// A fresh in-memory database per process.
    InMemory,
}

/// Where a key-value store's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvLocation {
    /// Spin's local store (`type = "spin"`): an SQLite file or memory.
    Local(StoreLocation),
    /// A Redis database (`type = "redis"`), shared by every node using it.
    Redis(RedisUrl),
}

/// The `--state-dir` choice of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateDir {
    /// Not given: the file's `state_dir`, else `<app dir>/.spin`.
    Default,
    /// Given explicitly (relative to the working directory).
    Path(PathBuf),
    /// Given as empty: no state directory, default stores in memory.
    Unset,
}

/// The resolved store layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// Where the default stores live; `None` keeps them in memory.
    pub state_dir: Option<PathBuf>,
    /// Label → location; always contains `default`.
    pub key_value_stores: BTreeMap<String, KvLocation>,
    /// Label → location; always contains `default`.
    pub sqlite_databases: BTreeMap<String, StoreLocation>,
    /// `[outbound_pg] max_connections`: PostgreSQL connections this node may
    /// hold open at once; `None` is Spin's default, no cap.
    pub outbound_pg_max_connections: Option<usize>,
}

impl RuntimeConfig {
    /// Reads the optional runtime-config file and resolves stores for an app
    /// whose manifest lives in `app_dir`.
    pub fn load(file: Option<&Path>, app_dir: &Path, state_dir: StateDir) -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("reading the current directory")?;
        match file {
            None => resolve(&toml::Table::new(), None, app_dir, state_dir, &cwd),
            Some(file) => {
                let file = cwd.join(file);
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading runtime config {}", file.display()))?;
                let table: toml::Table = toml::from_str(&text)
                    .with_context(|| format!("parsing runtime config {}", file.display()))?;
                let file_dir = file.parent().unwrap_or(cwd.as_path());
                resolve(&table, Some(file_dir), app_dir, state_dir, &cwd)
                    .with_context(|| format!("runtime config {}", file.display()))
            }
        }
    }

    /// Fails, like `spin up`, when a component uses a store label that has no
    /// configuration.
    pub fn check_labels(&self, manifest: &Manifest) -> anyhow::Result<()> {
        for component in manifest.components.values() {
            for label in &component.key_value_stores {
                if !self.key_value_stores.contains_key(label) {
                    bail!(
                        "component {:?} uses key-value store {label:?}, which has no [key_value_store.{label}] in the runtime config (only \"default\" exists without one)",
                        component.id
                    );
                }
            }
            for label in &component.sqlite_databases {
                if !self.sqlite_databases.contains_key(label) {
                    bail!(
                        "component {:?} uses SQLite database {label:?}, which has no [sqlite_database.{label}] in the runtime config (only \"default\" exists without one)",
                        component.id
                    );
                }
            }
        }
        Ok(())
    }
}

fn resolve(
    table: &toml::Table,
    file_dir: Option<&Path>,
    app_dir: &Path,
    state_dir: StateDir,
    cwd: &Path,
) -> anyhow::Result<RuntimeConfig> {
    for key in table.keys() {
        if !matches!(
            key.as_str(),
            "state_dir" | "key_value_store" | "sqlite_database" | "outbound_pg"
        ) {
            bail!(
                "`{key}` is not supported by edge-host (it only provides key-value stores and SQLite databases); use the Spin CLI for this runtime config"
            );
        }
    }

    let state_dir = match state_dir {
        StateDir::Path(p) => Some(cwd.join(p)),
        StateDir::Unset => None,
        StateDir::Default => match table.get("state_dir") {
            Some(toml::Value::String(s)) if s.is_empty() => None,
            Some(toml::Value::String(s)) => Some(cwd.join(s)),
            Some(_) => bail!("`state_dir` must be a string"),
            None => Some(app_dir.join(".spin")),
        },
    };

    // Spin resolves relative KV paths against the file's directory, SQLite
    // paths against the working directory.
    let kv_base = file_dir.unwrap_or(cwd);
    let mut key_value_stores = section(table, "key_value_store", |c| kv_store(c, kv_base))?;
    refuse_shared_redis_databases(&key_value_stores)?;
    let mut sqlite_databases = section(table, "sqlite_database", |c| spin_store(c, cwd))?;

    let default_in = |file: &str| match &state_dir {
        Some(dir) => StoreLocation::File(dir.join(file)),
        None => StoreLocation::InMemory,
    };
    key_value_stores
        .entry(DEFAULT_LABEL.into())
        .or_insert_with(|| KvLocation::Local(default_in(DEFAULT_KV_FILE)));
    sqlite_databases
        .entry(DEFAULT_LABEL.into())
        .or_insert_with(|| default_in(DEFAULT_SQLITE_FILE));

    Ok(RuntimeConfig {
        state_dir,
        key_value_stores,
        sqlite_databases,
        outbound_pg_max_connections: outbound_pg(table).context("[outbound_pg]")?,
    })
}

/// Spin's `[outbound_pg]` table: only `max_connections`, a positive integer.
fn outbound_pg(table: &toml::Table) -> anyhow::Result<Option<usize>> {
    let Some(value) = table.get("outbound_pg") else {
        return Ok(None);
    };
    let toml::Value::Table(config) = value else {
        bail!("`outbound_pg` must be a table");
    };
    if let Some(unknown) = config.keys().find(|k| k.as_str() != "max_connections") {
        bail!("unknown field `{unknown}` (only `max_connections` is allowed)");
    }
    match config.get("max_connections") {
        None => Ok(None),
        Some(toml::Value::Integer(n)) if *n > 0 => Ok(usize::try_from(*n).ok()),
        Some(_) => bail!("`max_connections` must be a positive integer"),
    }
}

fn section<T>(
    table: &toml::Table,
    name: &str,
    store: impl Fn(&toml::Table) -> anyhow::Result<T>,
) -> anyhow::Result<BTreeMap<String, T>> {
    let mut out = BTreeMap::new();
    let Some(value) = table.get(name) else {
        return Ok(out);
    };
    let toml::Value::Table(labels) = value else {
        bail!("`{name}` must be a table of `[{name}.<label>]` tables");
    };
    for (label, config) in labels {
        let toml::Value::Table(config) = config else {
            bail!("[{name}.{label}] must be a table");
        };
        let location = store(config).with_context(|| format!("[{name}.{label}]"))?;
        out.insert(label.clone(), location);
    }
    Ok(out)
}

fn store_type<'a>(config: &'a toml::Table, supported: &str) -> anyhow::Result<&'a str> {
    match config.get("type") {
        Some(toml::Value::String(kind)) => Ok(kind),
        Some(_) => bail!("`type` must be a string"),
        None => bail!("missing `type` (edge-host supports {supported})"),
    }
}

fn unsupported(kind: &str, supported: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "type = {kind:?} is not supported by edge-host, which provides only {supported}; use the Spin CLI (`spin up --runtime-config-file …`) for this backend"
    )
}

fn kv_store(config: &toml::Table, base: &Path) -> anyhow::Result<KvLocation> {
    const SUPPORTED: &str = "type = \"spin\" (local SQLite) and type = \"redis\"";
    match store_type(config, SUPPORTED)? {
        "spin" => spin_store(config, base).map(KvLocation::Local),
        "redis" => redis_store(config).map(KvLocation::Redis),
        kind => Err(unsupported(kind, SUPPORTED)),
    }
}

/// Spin's Redis store takes one field, `url`.
fn redis_store(config: &toml::Table) -> anyhow::Result<RedisUrl> {
    if let Some(unknown) = config
        .keys()
        .find(|k| !matches!(k.as_str(), "type" | "url"))
    {
        bail!("unknown field `{unknown}` for type = \"redis\" (only `url` is allowed)");
    }
    match config.get("url") {
        Some(toml::Value::String(url)) => RedisUrl::parse(url),
        Some(_) => bail!("`url` must be a string"),
        None => bail!("missing `url` (type = \"redis\" needs url = \"redis://host:port/db\")"),
    }
}

/// Spin's Redis store keeps a label's keys unprefixed in the database its URL
/// names, so two labels on one database would read and delete each other's
/// keys: each needs its own database number.
fn refuse_shared_redis_databases(stores: &BTreeMap<String, KvLocation>) -> anyhow::Result<()> {
    let mut seen: BTreeMap<(&str, i64), &str> = BTreeMap::new();
    for (label, location) in stores {
        let KvLocation::Redis(url) = location else {
            continue;
        };
        if let Some(first) = seen.insert((url.server(), url.db()), label) {
            bail!(
                "[key_value_store.{first}] and [key_value_store.{label}] both use {url}; each label needs its own Redis database (end one url with another /<db> number), or their keys would mix"
            );
        }
    }
    Ok(())
}

fn spin_store(config: &toml::Table, base: &Path) -> anyhow::Result<StoreLocation> {
    const SUPPORTED: &str = "type = \"spin\" (local SQLite)";
    match store_type(config, SUPPORTED)? {
        "spin" => {}
        kind => return Err(unsupported(kind, SUPPORTED)),
    }
    if let Some(unknown) = config
        .keys()
        .find(|k| !matches!(k.as_str(), "type" | "path"))
    {
        bail!("unknown field `{unknown}` for type = \"spin\" (only `path` is allowed)");
    }
    match config.get("path") {
        None => Ok(StoreLocation::InMemory),
        Some(toml::Value::String(path)) => Ok(StoreLocation::File(base.join(path))),
        Some(_) => bail!("`path` must be a string"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn resolve_str(text: &str, state_dir: StateDir) -> anyhow::Result<RuntimeConfig> {
        let table: toml::Table = toml::from_str(text).unwrap();
        resolve(
            &table,
            Some(Path::new("/cfg")),
            Path::new("/app"),
            state_dir,
            Path::new("/cwd"),
        )
    }

    fn file(p: &str) -> StoreLocation {
        StoreLocation::File(PathBuf::from(p))
    }

    fn kv_file(p: &str) -> KvLocation {
        KvLocation::Local(file(p))
    }

    fn redis(rc: &RuntimeConfig, label: &str) -> RedisUrl {
        match &rc.key_value_stores[label] {
            KvLocation::Redis(url) => Some(url.clone()),
            KvLocation::Local(_) => None,
        }
        .unwrap()
    }

    #[test]
    fn defaults_live_in_app_state_dir_without_config() {
        let rc = resolve(
            &toml::Table::new(),
            None,
            Path::new("/app"),
            StateDir::Default,
            Path::new("/cwd"),
        )
        .unwrap();
        assert_eq!(rc.state_dir.as_deref(), Some(Path::new("/app/.spin")));
        assert_eq!(
            rc.key_value_stores["default"],
            kv_file("/app/.spin/sqlite_key_value.db")
        );
        assert_eq!(
            rc.sqlite_databases["default"],
            file("/app/.spin/sqlite_db.db")
        );
        assert_eq!(rc.key_value_stores.len(), 1);
    }

    #[test]
    fn key_value_paths_resolve_against_config_dir() {
        let rc = resolve_str(
            "[key_value_store.cache]\ntype = \"spin\"\npath = \"data/cache.db\"",
            StateDir::Default,
        )
        .unwrap();
        assert_eq!(rc.key_value_stores["cache"], kv_file("/cfg/data/cache.db"));
        assert!(rc.key_value_stores.contains_key("default"));
    }

    #[test]
    fn sqlite_paths_resolve_against_working_dir() {
        let rc = resolve_str(
            "[sqlite_database.audit]\ntype = \"spin\"\npath = \"audit.db\"",
            StateDir::Default,
        )
        .unwrap();
        assert_eq!(rc.sqlite_databases["audit"], file("/cwd/audit.db"));
    }

    #[test]
    fn absolute_paths_are_kept() {
        let rc = resolve_str(
            "[sqlite_database.default]\ntype = \"spin\"\npath = \"/var/db/x.db\"",
            StateDir::Default,
        )
        .unwrap();
        assert_eq!(rc.sqlite_databases["default"], file("/var/db/x.db"));
    }

    #[test]
    fn store_without_path_is_in_memory() {
        let rc = resolve_str("[key_value_store.tmp]\ntype = \"spin\"", StateDir::Default).unwrap();
        assert_eq!(
            rc.key_value_stores["tmp"],
            KvLocation::Local(StoreLocation::InMemory)
        );
    }

    #[test]
    fn state_dir_from_file_and_command_line() {
        let rc = resolve_str("state_dir = \"state\"", StateDir::Default).unwrap();
        assert_eq!(
            rc.sqlite_databases["default"],
            file("/cwd/state/sqlite_db.db")
        );
        let rc = resolve_str("state_dir = \"state\"", StateDir::Path("/override".into())).unwrap();
        assert_eq!(
            rc.sqlite_databases["default"],
            file("/override/sqlite_db.db")
        );
        let rc = resolve_str("state_dir = \"\"", StateDir::Default).unwrap();
        assert_eq!(
            rc.key_value_stores["default"],
            KvLocation::Local(StoreLocation::InMemory)
        );
        let rc = resolve_str("", StateDir::Unset).unwrap();
        assert_eq!(rc.sqlite_databases["default"], StoreLocation::InMemory);
    }

    #[test]
    fn errors_on_unsupported_backend_types() {
        for (section, kind) in [
            ("key_value_store", "azure_cosmos"),
            ("key_value_store", "aws_dynamo"),
            ("sqlite_database", "libsql"),
            ("sqlite_database", "redis"),
        ] {
            let e = format!(
                "{:#}",
                resolve_str(
                    &format!("[{section}.x]\ntype = \"{kind}\"\nurl = \"u\""),
                    StateDir::Default
                )
                .unwrap_err()
            );
            assert!(e.contains(kind) && e.contains("Spin CLI"), "{e}");
            assert!(e.contains(&format!("[{section}.x]")), "{e}");
        }
    }

    #[test]
    fn redis_store_takes_its_url() {
        let rc = resolve_str(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://cache:6379/2\"\n\n[key_value_store.sessions]\ntype = \"redis\"\nurl = \"redis://cache:6379/3\"",
            StateDir::Default,
        )
        .unwrap();
        let default = redis(&rc, "default");
        assert_eq!((default.server(), default.db()), ("cache:6379", 2));
        assert_eq!(redis(&rc, "sessions").db(), 3);
        // A Redis `default` replaces the local default store.
        assert_eq!(rc.key_value_stores.len(), 2);
        assert_eq!(
            rc.sqlite_databases["default"],
            file("/app/.spin/sqlite_db.db")
        );
    }

    #[test]
    fn redis_and_local_labels_mix() {
        let rc = resolve_str(
            "[key_value_store.cache]\ntype = \"redis\"\nurl = \"redis://127.0.0.1\"",
            StateDir::Default,
        )
        .unwrap();
        assert_eq!(redis(&rc, "cache").db(), 0);
        assert_eq!(
            rc.key_value_stores["default"],
            kv_file("/app/.spin/sqlite_key_value.db")
        );
    }

    #[test]
    fn two_labels_on_one_redis_database_are_refused() {
        // Written differently, same server and database: the default port and
        // database are filled in before comparing.
        let e = format!(
            "{:#}",
            resolve_str(
                "[key_value_store.a]\ntype = \"redis\"\nurl = \"redis://:pw1@cache/0\"\n[key_value_store.b]\ntype = \"redis\"\nurl = \"redis://:pw1@cache:6379\"",
                StateDir::Default
            )
            .unwrap_err()
        );
        assert!(
            e.contains("[key_value_store.a]") && e.contains("[key_value_store.b]"),
            "{e}"
        );
        assert!(
            e.contains("cache:6379") && e.contains("own Redis database"),
            "{e}"
        );
        assert!(!e.contains("pw1"), "{e}");
        // Same server, other database: fine.
        resolve_str(
            "[key_value_store.a]\ntype = \"redis\"\nurl = \"redis://cache/0\"\n[key_value_store.b]\ntype = \"redis\"\nurl = \"redis://cache/1\"",
            StateDir::Default,
        )
        .unwrap();
    }

    #[test]
    fn redis_store_errors_name_the_label_and_field() {
        for (body, expect) in [
            ("type = \"redis\"", "missing `url`"),
            ("type = \"redis\"\nurl = 5", "`url` must be a string"),
            ("type = \"redis\"\nurl = \"localhost:6379\"", "Redis URL"),
            (
                "type = \"redis\"\nurl = \"redis://h\"\npath = \"x\"",
                "unknown field `path`",
            ),
            ("type = \"redis\"\nurl = \"rediss://h\"", "TLS"),
        ] {
            let e = format!(
                "{:#}",
                resolve_str(
                    &format!("[key_value_store.cache]\n{body}"),
                    StateDir::Default
                )
                .unwrap_err()
            );
            assert!(
                e.contains("[key_value_store.cache]") && e.contains(expect),
                "{e}"
            );
        }
    }

    #[test]
    fn outbound_pg_max_connections_is_read_as_spin_has_it() {
        let rc = resolve_str("[outbound_pg]\nmax_connections = 20", StateDir::Default).unwrap();
        assert_eq!(rc.outbound_pg_max_connections, Some(20));
        let rc = resolve_str("", StateDir::Default).unwrap();
        assert_eq!(rc.outbound_pg_max_connections, None);
        for bad in [
            "[outbound_pg]\nmax_connections = 0",
            "[outbound_pg]\nmax_connections = \"10\"",
            "[outbound_pg]\nmax_conections = 10",
        ] {
            let e = format!("{:#}", resolve_str(bad, StateDir::Default).unwrap_err());
            assert!(e.contains("[outbound_pg]"), "{e}");
        }
    }

    #[test]
    fn the_production_runtime_config_parses() {
        let text = include_str!("../../deploy/runtime-config.production.toml");
        let rc = resolve_str(text, StateDir::Default).unwrap();
        let default = redis(&rc, "default");
        assert_eq!(default.server(), "redis.cong-dan-so.svc.cluster.local:6379");
        assert!(rc.outbound_pg_max_connections.is_some());
        assert_eq!(rc.key_value_stores.len(), 1);
    }

    #[test]
    fn spinapp_mounts_the_same_runtime_config() {
        // The block scalar under `runtime-config.toml: |` in spinapp.yaml.
        let yaml = include_str!("../../deploy/spinapp.yaml");
        let mut lines = yaml
            .lines()
            .skip_while(|l| l.trim() != "runtime-config.toml: |");
        lines.next().unwrap();
        let block: String = lines
            .take_while(|l| l.is_empty() || l.starts_with("    "))
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let mounted: toml::Table = toml::from_str(&block).unwrap();
        let file: toml::Table =
            toml::from_str(include_str!("../../deploy/runtime-config.production.toml")).unwrap();
        assert_eq!(mounted, file);
        resolve(
            &mounted,
            None,
            Path::new("/app"),
            StateDir::Unset,
            Path::new("/"),
        )
        .unwrap();
    }

    #[test]
    fn errors_on_unsupported_sections() {
        let e = resolve_str("[[config_provider]]\ntype = \"vault\"", StateDir::Default)
            .unwrap_err()
            .to_string();
        assert!(e.contains("config_provider"), "{e}");
        let e = resolve_str("[llm_compute]\ntype = \"spin\"", StateDir::Default)
            .unwrap_err()
            .to_string();
        assert!(e.contains("llm_compute"), "{e}");
    }

    #[test]
    fn errors_on_missing_type_and_unknown_fields() {
        assert!(resolve_str("[key_value_store.x]\npath = \"a\"", StateDir::Default).is_err());
        let e = format!(
            "{:#}",
            resolve_str(
                "[key_value_store.x]\ntype = \"spin\"\npth = \"a\"",
                StateDir::Default
            )
            .unwrap_err()
        );
        assert!(e.contains("pth"), "{e}");
    }

    #[test]
    fn errors_when_component_label_is_not_configured() {
        let m = Manifest::parse(
            "spin_manifest_version = 2\n[application]\nname = \"a\"\n[component.api]\nsource = \"a.wasm\"\nkey_value_stores = [\"default\", \"sessions\"]\nsqlite_databases = [\"default\"]\n",
            Path::new("/app"),
        )
        .unwrap();
        let rc = resolve_str("", StateDir::Default).unwrap();
        let e = rc.check_labels(&m).unwrap_err().to_string();
        assert!(e.contains("\"sessions\"") && e.contains("\"api\""), "{e}");
        let rc = resolve_str(
            "[key_value_store.sessions]\ntype = \"spin\"",
            StateDir::Default,
        )
        .unwrap();
        rc.check_labels(&m).unwrap();
    }

    #[test]
    fn load_reads_file_relative_to_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runtime-config.toml");
        std::fs::write(
            &path,
            "[key_value_store.cache]\ntype = \"spin\"\npath = \"kv.db\"\n",
        )
        .unwrap();
        let rc = RuntimeConfig::load(Some(&path), dir.path(), StateDir::Default).unwrap();
        assert_eq!(
            rc.key_value_stores["cache"],
            KvLocation::Local(StoreLocation::File(dir.path().join("kv.db")))
        );
        assert_eq!(rc.state_dir, Some(dir.path().join(".spin")));
    }

    #[test]
    fn load_without_file_gives_defaults() {
        let rc = RuntimeConfig::load(None, Path::new("/app"), StateDir::Default).unwrap();
        assert_eq!(
            rc.key_value_stores["default"],
            kv_file("/app/.spin/sqlite_key_value.db")
        );
    }
}
