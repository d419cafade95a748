//! Applies `infra/migrations/NNNN_<name>.sql` to an SQLite database once each.
//!
//! Applied files are recorded in `_edge_migrations` with their SHA-256, so an
//! edited file is caught instead of silently diverging. The whole run holds an
//! immediate (write) transaction: a second process starting at the same time
//! waits, then finds everything applied. Because real Spin re-runs the same
//! files on every start (`spin up --sqlite @file`), files must also be safe to
//! run repeatedly; [`check_rerunnable`] tests exactly that.
//!
//! Files must not contain their own `BEGIN`/`COMMIT`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context as _};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior};
use sha2::{Digest, Sha256};

/// How long to wait for another process holding the database's write lock.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The numeric prefix.
    pub version: i64,
    /// The file name without prefix, `_` and `.sql`.
    pub name: String,
    /// Where the file was read from.
    pub path: PathBuf,
    /// The file's text, run as one batch.
    pub sql: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Reads every `NNNN_<name>.sql` in `dir`, sorted by version. Other files are
/// ignored; a `.sql` file not named that way, or two files with one version,
/// is an error.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Migration>> {
    let files =
        cds_migrations::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut migrations = Vec::new();
    for (file_name, sql) in files {
        let path = dir.join(&file_name);
        let stem = file_name.strip_suffix(".sql").unwrap_or(&file_name);
        let (version, name) = parse_stem(stem).with_context(|| {
            format!(
                "{}: migration files are named NNNN_<name>.sql",
                path.display()
            )
        })?;
        let sha256 = hex(&Sha256::digest(sql.as_bytes()));
        migrations.push(Migration {
            version,
            name,
            path,
            sql,
            sha256,
        });
    }
    migrations.sort_by_key(|m| m.version);
    if let Some(pair) = migrations.windows(2).find(|w| w[0].version == w[1].version) {
        bail!(
            "two migrations have version {}: {} and {}",
            pair[0].version,
            pair[0].path.display(),
            pair[1].path.display()
        );
    }
    Ok(migrations)
}

fn parse_stem(stem: &str) -> anyhow::Result<(i64, String)> {
    let Some((digits, name)) = stem.split_once('_') else {
        bail!("no `_` after the number");
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{digits:?} is not a number");
    }
    if name.is_empty() {
        bail!("empty name");
    }
    let version = digits
        .parse()
        .with_context(|| format!("{digits:?} is too large"))?;
    Ok((version, name.to_string()))
}

/// Lower-case hex of `bytes` (checksums, the statement log).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Applies the migrations not yet recorded in `conn`, in version order, and
/// returns the versions applied now. Fails if an applied file has changed.
/// Sets the connection's busy timeout so a concurrent starter waits its turn.
pub fn apply(conn: &mut Connection, migrations: &[Migration]) -> anyhow::Result<Vec<i64>> {
    conn.busy_timeout(LOCK_WAIT)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("locking the database for migrations")?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS _edge_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             sha256     TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;

    let mut sorted: Vec<&Migration> = migrations.iter().collect();
    sorted.sort_by_key(|m| m.version);
    let mut applied_now = Vec::new();
    for migration in sorted {
        let recorded: Option<(String, String)> = tx
            .query_row(
                "SELECT name, sha256 FROM _edge_migrations WHERE version = ?1",
                [migration.version],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match recorded {
            Some((_, sha)) if sha != migration.sha256 => bail!(
                "migration {} ({}) was changed after it was applied; add a new migration instead of editing it",
                migration.version,
                migration.path.display()
            ),
            Some((name, _)) if name != migration.name => bail!(
                "migration {} was applied as {name:?} but is now named {:?}",
                migration.version,
                migration.name
            ),
            Some(_) => {}
            None => {
                tx.execute_batch(&migration.sql).with_context(|| {
                    format!("applying migration {}", migration.path.display())
                })?;
                tx.execute(
                    "INSERT INTO _edge_migrations (version, name, sha256, applied_at)
                     VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    rusqlite::params![migration.version, migration.name, migration.sha256],
                )?;
                applied_now.push(migration.version);
            }
        }
    }
    tx.commit().context("committing migrations")?;
    Ok(applied_now)
}

/// [`load_dir`] then [`apply`].
pub fn apply_dir(conn: &mut Connection, dir: &Path) -> anyhow::Result<Vec<i64>> {
    let migrations = load_dir(dir)?;
    apply(conn, &migrations)
}

/// Runs all files twice, in order, on a scratch in-memory database, as two
/// `spin up --sqlite @file` starts would; fails naming the first file that
/// cannot run again.
pub fn check_rerunnable(migrations: &[Migration]) -> anyhow::Result<()> {
    let conn = Connection::open_in_memory()?;
    for round in ["first", "second"] {
        for migration in migrations {
            conn.execute_batch(&migration.sql).with_context(|| {
                format!("{} fails on its {round} run", migration.path.display())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, sql: &str) {
        std::fs::write(dir.join(name), sql).unwrap();
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn applies_files_in_numeric_order() {
        let dir = tempfile::tempdir().unwrap();
        // Numeric, not lexical: 10 comes after 9.
        write(
            dir.path(),
            "10_b.sql",
            "CREATE TABLE IF NOT EXISTS b (x REFERENCES a(id));",
        );
        write(
            dir.path(),
            "9_a.sql",
            "CREATE TABLE IF NOT EXISTS a (id INTEGER PRIMARY KEY);",
        );
        write(dir.path(), "README.md", "not a migration");
        let migrations = load_dir(dir.path()).unwrap();
        assert_eq!(
            migrations.iter().map(|m| m.version).collect::<Vec<_>>(),
            [9, 10]
        );
        assert_eq!(migrations[0].name, "a");
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply(&mut conn, &migrations).unwrap(), [9, 10]);
        assert_eq!(tables(&conn), ["_edge_migrations", "a", "b"]);
    }

    #[test]
    fn already_applied_migrations_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "0001_a.sql", "CREATE TABLE a (id INTEGER);");
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply_dir(&mut conn, dir.path()).unwrap(), [1]);
        // Not idempotent SQL on purpose: a second application would fail.
        assert!(apply_dir(&mut conn, dir.path()).unwrap().is_empty());
        write(dir.path(), "0002_b.sql", "CREATE TABLE b (id INTEGER);");
        assert_eq!(apply_dir(&mut conn, dir.path()).unwrap(), [2]);
        let recorded: Vec<(i64, String, String)> = conn
            .prepare("SELECT version, name, applied_at FROM _edge_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(recorded.len(), 2);
        assert_eq!((recorded[1].0, recorded[1].1.as_str()), (2, "b"));
        assert!(recorded[0].2.ends_with('Z'));
    }

    #[test]
    fn errors_when_applied_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "0001_a.sql",
            "CREATE TABLE IF NOT EXISTS a (id INTEGER);",
        );
        let mut conn = Connection::open_in_memory().unwrap();
        apply_dir(&mut conn, dir.path()).unwrap();
        write(
            dir.path(),
            "0001_a.sql",
            "CREATE TABLE IF NOT EXISTS a (id INTEGER, extra TEXT);",
        );
        let e = apply_dir(&mut conn, dir.path()).unwrap_err().to_string();
        assert!(e.contains("changed"), "{e}");
    }

    #[test]
    fn failed_migration_applies_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "0001_a.sql", "CREATE TABLE a (id INTEGER);");
        write(dir.path(), "0002_bad.sql", "CREATE TABLE oops (;");
        let mut conn = Connection::open_in_memory().unwrap();
        let e = format!("{:#}", apply_dir(&mut conn, dir.path()).unwrap_err());
        assert!(e.contains("0002_bad.sql"), "{e}");
        assert!(tables(&conn).is_empty());
    }

    #[test]
    fn errors_on_badly_named_sql_files_and_duplicate_versions() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "init.sql", "");
        assert!(load_dir(dir.path()).is_err());
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "0001_a.sql", "");
        write(dir.path(), "01_b.sql", "");
        let e = load_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("version 1"), "{e}");
        for bad in ["x_y", "12", "12_", "_y"] {
            assert!(parse_stem(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn concurrent_starters_apply_each_migration_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        // A non-idempotent statement: a double application would fail loudly.
        write(dir.path(), "0001_a.sql", "CREATE TABLE a (id INTEGER);");
        write(
            dir.path(),
            "0002_b.sql",
            "CREATE TABLE b (id INTEGER); INSERT INTO b VALUES (1);",
        );
        let migrations = load_dir(dir.path()).unwrap();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (db, migrations) = (db.clone(), migrations.clone());
                std::thread::spawn(move || {
                    let mut conn = Connection::open(&db).unwrap();
                    apply(&mut conn, &migrations).unwrap()
                })
            })
            .collect();
        let applied: Vec<Vec<i64>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            applied.iter().filter(|a| !a.is_empty()).count(),
            1,
            "{applied:?}"
        );
        let conn = Connection::open(&db).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM b", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn rerunnable_check_catches_non_idempotent_files() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "0001_ok.sql",
            "CREATE TABLE IF NOT EXISTS a (id INTEGER);",
        );
        write(dir.path(), "0002_bad.sql", "CREATE TABLE b (id INTEGER);");
        let migrations = load_dir(dir.path()).unwrap();
        let e = format!("{:#}", check_rerunnable(&migrations).unwrap_err());
        assert!(e.contains("0002_bad.sql") && e.contains("second"), "{e}");
        check_rerunnable(&migrations[..1]).unwrap();
    }

    #[test]
    fn project_migrations_are_rerunnable_and_apply() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        if !dir.is_dir() {
            return;
        }
        let migrations = load_dir(&dir).unwrap();
        check_rerunnable(&migrations).unwrap();
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, &migrations).unwrap();
        assert!(apply(&mut conn, &migrations).unwrap().is_empty());
    }
}
