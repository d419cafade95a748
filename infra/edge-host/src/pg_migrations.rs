//! Applies `infra/migrations/NNNN_<name>.sql`, translated for PostgreSQL by
//! [`cds_migrations::to_postgres`], to a PostgreSQL database once each
//! (`edge-host migrate`, and `edge-host up` when `database_url` is a
//! PostgreSQL URL).
//!
//! Applied files are recorded by file name in
//! `schema_migrations(name TEXT PRIMARY KEY, applied_at BIGINT)` (Unix
//! seconds). The whole run holds a session advisory lock, so nodes and
//! migration jobs starting at once take turns and each file runs once; each
//! file runs in its own transaction with its record, so a failing file leaves
//! neither its changes nor its record, and the files before it stay applied.
//! Files must not contain their own `BEGIN`/`COMMIT` (nor anything that cannot
//! run in a transaction, such as `CREATE INDEX CONCURRENTLY`).

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use tokio_postgres::NoTls;

/// The advisory lock key every edge-host migrator takes (an arbitrary
/// constant: "edge-hst" in ASCII).
pub const LOCK_KEY: i64 = 0x6564_6765_2d68_7374;
/// Connecting to the database.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for any lock: the advisory lock while another node migrates,
/// or a table lock a migration needs while the app holds it. Past it the run
/// fails instead of hanging a deployment.
const LOCK_TIMEOUT: &str = "120s";

/// The database could not be reached (as opposed to a migration that failed):
/// `edge-host up` starts anyway and lets health checks report it.
#[derive(Debug)]
pub struct Unavailable(pub tokio_postgres::Error);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgreSQL unavailable: {}", self.0)?;
        let mut source = std::error::Error::source(&self.0);
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

impl std::error::Error for Unavailable {}

/// Whether `url` names a PostgreSQL database (`database_url`'s engine choice).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Reads the `.sql` files of `dir` (named as [`crate::migrations::load_dir`]
/// requires), in file-name order: `(file name, PostgreSQL text)`.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for m in crate::migrations::load_dir(dir)? {
        let name = m
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sql = cds_migrations::to_postgres(&m.sql)
            .with_context(|| format!("translating {} for PostgreSQL", m.path.display()))?;
        files.push((name, sql));
    }
    files.sort();
    Ok(files)
}

/// Applies the files of `dir` not yet recorded in the database at `url`, in
/// name order, and returns the names applied now.
pub async fn apply_dir(url: &str, dir: &Path) -> anyhow::Result<Vec<String>> {
    let files = load_dir(dir)?;
    apply(url, &files).await
}

/// [`apply_dir`] for synchronous callers (`main`), on a runtime of its own.
pub fn apply_dir_blocking(url: &str, dir: &Path) -> anyhow::Result<Vec<String>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(apply_dir(url, dir))
}

/// Applies `files` (`(name, text)`, in the order given) not yet recorded.
pub async fn apply(url: &str, files: &[(String, String)]) -> anyhow::Result<Vec<String>> {
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| anyhow::anyhow!("the database URL is not valid: {e}"))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let (mut client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| anyhow::Error::new(Unavailable(e)))?;
    let driver = tokio::spawn(connection);

    let result = async {
        client
            .batch_execute(&format!("SET lock_timeout = '{LOCK_TIMEOUT}'"))
            .await
            .map_err(describe)?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(describe)
            .context("waiting for the migration lock (another node migrating?)")?;
        // Created under the lock: two `IF NOT EXISTS` at once can still clash.
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     name       TEXT PRIMARY KEY,
                     applied_at BIGINT NOT NULL
                 )",
            )
            .await
            .map_err(describe)
            .context("creating schema_migrations")?;
        let done: std::collections::HashSet<String> = client
            .query("SELECT name FROM schema_migrations", &[])
            .await
            .map_err(describe)?
            .iter()
            .map(|r| r.try_get::<_, String>(0))
            .collect::<Result<_, _>>()?;
        let mut applied = Vec::new();
        for (name, sql) in files {
            if done.contains(name) {
                continue;
            }
            let tx = client.transaction().await.map_err(describe)?;
            tx.batch_execute(sql)
                .await
                .map_err(describe)
                .with_context(|| format!("applying migration {name}"))?;
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at)
                 VALUES ($1, extract(epoch FROM now())::bigint)",
                &[name],
            )
            .await
            .map_err(describe)?;
            tx.commit()
                .await
                .map_err(describe)
                .with_context(|| format!("committing migration {name}"))?;
            applied.push(name.clone());
        }
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
            .await
            .map_err(describe)?;
        anyhow::Ok(applied)
    }
    .await;
    // Closing the session releases the lock if the run failed half-way.
    drop(client);
    let _ = driver.await;
    result
}

/// A driver error with PostgreSQL's SQLSTATE and message, which its Display
/// leaves out ("db error").
fn describe(e: tokio_postgres::Error) -> anyhow::Error {
    match e.as_db_error() {
        Some(db) => anyhow::anyhow!("{} {}: {}", db.severity(), db.code().code(), db.message()),
        None if e.is_closed() => anyhow::Error::new(Unavailable(e)),
        None => anyhow::Error::new(e),
    }
}
