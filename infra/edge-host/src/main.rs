//! `edge-host`: builds and serves a Spin application locally, like
//! `spin build` and `spin up`.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use edge_host::limits::{self, Limits};
use edge_host::manifest::Manifest;
use edge_host::runtime::loader;
use edge_host::runtime_config::{RuntimeConfig, StateDir};
use edge_host::variables::Resolver;

// Every request allocates its store, contexts and HTTP buffers; glibc's malloc
// measured as 8 % of the host's CPU under load (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "edge-host",
    version,
    about = "Local Spin-compatible runtime (development and tests)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs each component's build command (like `spin build`).
    Build {
        /// The manifest, or a directory holding spin.toml.
        #[arg(short = 'f', long = "from", default_value = "spin.toml")]
        from: PathBuf,
        /// Only these components.
        #[arg(short = 'c', long = "component-id")]
        component_id: Vec<String>,
    },
    /// Serves the application (like `spin up`).
    Up(UpArgs),
    /// Compiles every component into the code cache and exits, so that the
    /// next `up` starts warm (used by scripts/test before the e2e suite).
    Precompile {
        #[arg(short = 'f', long = "from", default_value = "spin.toml")]
        from: PathBuf,
        #[arg(long, env = "EDGE_HOST_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// Applies the PostgreSQL migrations to a database and exits (the
    /// production migration step; `up` does the same when `database_url` is
    /// a PostgreSQL URL).
    Migrate {
        /// `postgres://user:password@host:port/db`.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        database_url: String,
        /// The migration files (SQLite's, translated for PostgreSQL as they
        /// are applied).
        #[arg(long, default_value = "infra/migrations")]
        migrations_dir: PathBuf,
    },
}

#[derive(clap::Args)]
struct UpArgs {
    /// The manifest, or a directory holding spin.toml.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    from: PathBuf,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: String,
    /// Where the default stores live (Spin's `.spin/` layout).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Spin runtime configuration (store locations).
    #[arg(long)]
    runtime_config_file: Option<PathBuf>,
    /// Build the components first.
    #[arg(long)]
    build: bool,
    /// Compiled-code cache, so restarts do not recompile.
    #[arg(long, env = "EDGE_HOST_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// SQL migrations applied to the `default` database at start
    /// (default: `infra/migrations` beside the manifest, when present). When
    /// the variable `database_url` is a PostgreSQL URL, the files of its
    /// `postgres/` subdirectory are applied to that database instead.
    #[arg(long)]
    migrations_dir: Option<PathBuf>,
    /// Add `edge-sql-round-trips` and `edge-kv-round-trips` headers to every
    /// component's response: the store calls it made (for measurement, see
    /// docs/performance.md; never in production).
    #[arg(long, env = "EDGE_HOST_COUNT_STORE_TRIPS")]
    count_store_trips: bool,
    /// Append every SQLite statement the components run, with its
    /// parameters, to this file as JSON lines (the query-plan test; the
    /// parameters hold personal data, so never in production).
    #[arg(long)]
    statement_log: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The per-request limits (docs/runtime.md); sizes like `16MiB`, durations
/// like `30s` or `500ms`. Unset ones take the defaults of [`Limits`].
#[derive(clap::Args)]
struct LimitArgs {
    /// Largest request body (default 16MiB); larger ones get 413 before any
    /// component runs.
    #[arg(long, env = "EDGE_HOST_MAX_BODY_BYTES", value_parser = limits::parse_size)]
    max_body_bytes: Option<u64>,
    /// Time a client has to send its whole body (default 60s); slower ones get 408.
    #[arg(long, env = "EDGE_HOST_BODY_TIMEOUT", value_parser = limits::parse_duration)]
    body_timeout: Option<std::time::Duration>,
    /// Wall-clock time a request may spend in its component, host calls
    /// included (default 60s); longer ones are stopped with 504.
    #[arg(long, env = "EDGE_HOST_REQUEST_TIMEOUT", value_parser = limits::parse_duration)]
    request_timeout: Option<std::time::Duration>,
    /// Linear memory one component instance may grow to (default 256MiB).
    #[arg(long, env = "EDGE_HOST_MAX_INSTANCE_MEMORY", value_parser = limits::parse_size)]
    max_instance_memory: Option<u64>,
    /// Requests running in components at once, also the instance pool's size
    /// (default 1000); past it requests get 503 with Retry-After.
    #[arg(long, env = "EDGE_HOST_MAX_CONCURRENT_REQUESTS")]
    max_concurrent_requests: Option<u32>,
}

impl LimitArgs {
    fn limits(&self) -> anyhow::Result<Limits> {
        let d = Limits::default();
        let limits = Limits {
            max_body_bytes: self.max_body_bytes.unwrap_or(d.max_body_bytes),
            body_timeout: self.body_timeout.unwrap_or(d.body_timeout),
            request_timeout: self.request_timeout.unwrap_or(d.request_timeout),
            max_instance_memory: self.max_instance_memory.unwrap_or(d.max_instance_memory),
            max_concurrent_requests: self
                .max_concurrent_requests
                .unwrap_or(d.max_concurrent_requests),
        };
        limits.validate().map_err(anyhow::Error::msg)?;
        Ok(limits)
    }
}

fn main() -> std::process::ExitCode {
    // Errors crossing wasmtime would each capture a backtrace when
    // RUST_BACKTRACE is set, a large per-request cost; panics keep theirs.
    // Set before any thread starts.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { from, component_id } => {
            load_manifest(&from).and_then(|m| edge_host::build::build(&m, &component_id))
        }
        Command::Up(args) => up(args),
        Command::Precompile { from, cache_dir } => precompile(&from, cache_dir),
        Command::Migrate {
            database_url,
            migrations_dir,
        } => migrate(&database_url, &migrations_dir),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn load_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let path = if from.is_dir() {
        from.join("spin.toml")
    } else {
        from.to_path_buf()
    };
    Manifest::load(&path)
}

fn up(args: UpArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let limits = args.limits.limits()?;
    let manifest = load_manifest(&args.from)?;
    if args.build {
        edge_host::build::build(&manifest, &[])?;
    }
    let dotenv = edge_host::variables::read_dotenv(Path::new(".env"))?;
    let resolver = Resolver::new(&manifest, |name| {
        std::env::var(name)
            .ok()
            .or_else(|| dotenv.get(name).cloned())
    })?;
    let state_dir = match &args.state_dir {
        None => StateDir::Default,
        Some(p) if p.as_os_str().is_empty() => StateDir::Unset,
        Some(p) => StateDir::Path(p.clone()),
    };
    let config = RuntimeConfig::load(
        args.runtime_config_file.as_deref(),
        &manifest.dir,
        state_dir,
    )?;
    config.check_labels(&manifest)?;
    if let Some(dir) = &config.state_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating state dir {}", dir.display()))?;
    }

    let migrations = args.migrations_dir.clone().or_else(|| {
        let d = manifest.dir.join("infra/migrations");
        d.is_dir().then_some(d)
    });
    // The engine choice of the app (docs/deployment.md): a PostgreSQL
    // `database_url` means its SQL lives there, and the SQLite set is unused.
    let database_url = resolver
        .expand("{{ database_url }}")
        .ok()
        .filter(|u| edge_host::pg_migrations::is_postgres_url(u));
    if let (Some(url), Some(dir)) = (&database_url, &migrations) {
        match edge_host::pg_migrations::apply_dir_blocking(url, dir) {
            Ok(applied) if !applied.is_empty() => eprintln!(
                "edge-host: applied PostgreSQL migrations {applied:?} from {}",
                dir.display()
            ),
            Ok(_) => {}
            Err(e) if is_pg_unavailable(&e) => eprintln!(
                "edge-host: warning: PostgreSQL unavailable, migrations not applied: {e:#}"
            ),
            Err(e) => return Err(e.context("applying PostgreSQL migrations")),
        }
    } else if let Some(dir) = migrations {
        match loader::migrate(&config, &dir) {
            Ok(applied) if !applied.is_empty() => {
                eprintln!(
                    "edge-host: applied migrations {applied:?} from {}",
                    dir.display()
                )
            }
            Ok(_) => {}
            // A database that cannot be opened is reported by the app's health
            // check like any unavailable store; a broken migration is fatal.
            Err(e) if is_unavailable(&e) => {
                eprintln!("edge-host: warning: database unavailable, migrations not applied: {e:#}")
            }
            Err(e) => return Err(e.context("applying migrations")),
        }
    }

    let stores = loader::Stores::open(&config)?;
    let cache_dir = absolute_cache_dir(args.cache_dir.clone())?;
    let mut app = loader::load_app(&manifest, &resolver, &stores, cache_dir.as_deref(), limits)?;
    app.count_store_trips = args.count_store_trips;
    if let Some(path) = &args.statement_log {
        edge_host::runtime::statement_log::open(path)
            .with_context(|| format!("opening the statement log {}", path.display()))?;
    }
    let app = Arc::new(app);

    // One single-threaded runtime per core, each accepting on its own
    // SO_REUSEPORT socket: a request and its guest stay on one thread, with no
    // cross-thread wake-ups (measured faster than one work-stealing runtime,
    // see docs/performance.md).
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let requested: std::net::SocketAddr = args
        .listen
        .parse()
        .with_context(|| format!("--listen {}: expected IP:PORT", args.listen))?;
    let first = reuseport_listener(requested)?;
    let addr = first.local_addr()?;
    let mut listeners = vec![first];
    for _ in 1..threads {
        listeners.push(reuseport_listener(addr)?);
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();

    let workers: Vec<_> = listeners
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            let app = app.clone();
            let mut stop = stop_rx.clone();
            let ready = ready_tx.clone();
            std::thread::Builder::new()
                .name(format!("edge-host-{i}"))
                .spawn(move || -> anyhow::Result<()> {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async move {
                        let listener = socket.listen(1024)?;
                        let _ = ready.send(());
                        let shutdown = async move {
                            let _ = stop.wait_for(|stopped| *stopped).await;
                        };
                        edge_host::runtime::server::serve(app, listener, shutdown).await
                    })
                })
        })
        .collect::<Result<_, _>>()?;
    drop(ready_tx);
    // "Serving" is the promise that connections are accepted: wait until every
    // socket listens (a worker that failed drops its sender early).
    if ready_rx.iter().take(threads).count() < threads {
        for worker in workers {
            if let Ok(Err(e)) = worker.join() {
                return Err(e);
            }
        }
        anyhow::bail!("a server thread failed to start");
    }

    println!("Serving http://{addr}");
    println!("Available Routes:");
    for t in &manifest.http_triggers {
        if let edge_host::manifest::HttpRoute::Path(route) = &t.route {
            println!("  {}: http://{addr}{}", t.component, route);
        }
    }
    eprintln!("edge-host: ready in {} ms", started.elapsed().as_millis());

    let signals = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    signals.block_on(shutdown_signal());
    let _ = stop_tx.send(true);
    for worker in workers {
        match worker.join() {
            Ok(result) => result?,
            Err(_) => anyhow::bail!("a server thread panicked"),
        }
    }
    Ok(())
}

/// A bound (not yet listening) socket that other threads may bind too.
fn reuseport_listener(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpSocket> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket
        .bind(addr)
        .with_context(|| format!("listening on {addr}"))?;
    Ok(socket)
}

fn precompile(from: &Path, cache_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let manifest = load_manifest(from)?;
    let cache_dir =
        absolute_cache_dir(cache_dir)?.context("no cache directory (set --cache-dir or HOME)")?;
    // The default limits: their engine settings match a default `up`'s, so
    // its compiled code is found in the cache.
    let engine = edge_host::runtime::engine::new_engine(Some(&cache_dir), &Limits::default())?;
    let linker = edge_host::runtime::engine::new_linker(&engine)?;
    for component in manifest.components.values() {
        edge_host::runtime::engine::prepare(&engine, &linker, &component.id, &component.source)?;
    }
    eprintln!(
        "edge-host: {} components compiled into {}",
        manifest.components.len(),
        cache_dir.display()
    );
    Ok(())
}

/// wasmtime's cache wants an absolute directory.
fn absolute_cache_dir(arg: Option<PathBuf>) -> anyhow::Result<Option<PathBuf>> {
    Ok(match arg.or_else(default_cache_dir) {
        Some(d) if d.is_relative() => Some(std::env::current_dir()?.join(d)),
        other => other,
    })
}

fn migrate(database_url: &str, dir: &Path) -> anyhow::Result<()> {
    if !edge_host::pg_migrations::is_postgres_url(database_url) {
        anyhow::bail!("--database-url must be a postgres:// URL");
    }
    let applied = edge_host::pg_migrations::apply_dir_blocking(database_url, dir)
        .with_context(|| format!("applying migrations from {}", dir.display()))?;
    eprintln!(
        "edge-host: {} migration(s) applied from {}{}",
        applied.len(),
        dir.display(),
        if applied.is_empty() {
            String::new()
        } else {
            format!(": {applied:?}")
        }
    );
    Ok(())
}

fn is_pg_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<edge_host::pg_migrations::Unavailable>()
            .is_some()
    })
}

fn is_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(|e| {
            matches!(e, rusqlite::Error::SqliteFailure(f, _) if matches!(f.code,
                rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::PermissionDenied | rusqlite::ErrorCode::SystemIoFailure))
        }) || c.downcast_ref::<std::io::Error>().is_some()
    })
}

fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("edge-host"))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    eprintln!("edge-host: shutting down");
}
