//! The test database on PostgreSQL (`CDS_TEST_SQL=postgres`): a fresh
//! database per [`super::TestDb`] on the server of `infra/test-stores`, the
//! migrations of `infra/migrations` applied as `edge-host migrate` applies
//! them (translated by `cds_migrations`), and every
//! statement sent through [`crate::sql_dialect`] exactly as the component
//! adapter (`spin_adapter::PgSql`) sends it, by [`crate::pg_client`]: same
//! rewriting, same casts, same value and error mapping, same driver
//! (`sql_dialect::execute`: marker lock and retries).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use postgres::{Client, NoTls};

use crate::pg_client::{self, describe};
use crate::ports::{SqlRows, SqlValue, StoreError};

/// Whether the native tests run on PostgreSQL.
pub fn enabled() -> bool {
    std::env::var("CDS_TEST_SQL").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// Every `NNNN_name.sql` of `infra/migrations`, in order, translated for
/// PostgreSQL as `edge-host migrate` translates it.
pub fn migrations() -> Vec<(String, String)> {
    super::db::migrations()
        .into_iter()
        .map(|(name, sql)| {
            let pg = cds_migrations::to_postgres(&sql)
                .unwrap_or_else(|e| panic!("translating {name}: {e}"));
            (name, pg)
        })
        .collect()
}

/// One connection to one test database.
pub struct PgDb {
    client: Mutex<Client>,
}

/// The database each "file" path stands for, so that several connections
/// (threads) of a concurrency test share one database as they would share
/// one SQLite file.
fn files() -> &'static Mutex<HashMap<PathBuf, String>> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    FILES.get_or_init(|| Mutex::new(HashMap::new()))
}

impl PgDb {
    /// A new, empty database with the migrations numbered below `before`
    /// (all when `None`) applied.
    pub fn fresh(before: Option<&str>) -> PgDb {
        let url = test_stores::Postgres::shared().fresh_database();
        let db = PgDb::connect(&url);
        db.migrate(before);
        db
    }

    fn connect(url: &str) -> PgDb {
        let client = Client::connect(url, NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test database: {e}"));
        PgDb {
            client: Mutex::new(client),
        }
    }

    /// Under an advisory lock, as edge-host migrates: connections that
    /// start together (a concurrency test's threads) would otherwise
    /// deadlock replacing the same trigger functions.
    fn migrate(&self, before: Option<&str>) {
        let mut client = self.client.lock().unwrap();
        client.batch_execute("SELECT pg_advisory_lock(14)").unwrap();
        for (name, sql) in migrations() {
            if before.is_none_or(|v| name.as_str() < v) {
                client
                    .batch_execute(&sql)
                    .unwrap_or_else(|e| panic!("migration postgres/{name}: {}", describe(&e)));
            }
        }
        client
            .batch_execute("SELECT pg_advisory_unlock(14)")
            .unwrap();
    }

    /// The database standing for `path`, created (and migrated when
    /// `migrated`) on first use; a new connection to it. The file at `path`
    /// holds the database's URL, so that a child process a test spawns
    /// with the path reaches the same database on the parent's server.
    pub fn file(path: &Path, migrated: bool) -> PgDb {
        let mut files = files().lock().unwrap();
        if !files.contains_key(path) {
            if let Ok(url) = std::fs::read_to_string(path) {
                if url.starts_with("postgres://") {
                    files.insert(path.to_path_buf(), url);
                }
            }
        }
        if let Some(url) = files.get(path) {
            let db = PgDb::connect(url);
            drop(files);
            if migrated {
                db.migrate(None);
            }
            return db;
        }
        let url = test_stores::Postgres::shared().fresh_database();
        std::fs::write(path, &url).unwrap();
        files.insert(path.to_path_buf(), url.clone());
        drop(files);
        let db = PgDb::connect(&url);
        if migrated {
            db.migrate(None);
        }
        db
    }

    /// Forgets the database standing for `path`.
    pub fn forget(path: &Path) {
        files().lock().unwrap().remove(path);
        let _ = std::fs::remove_file(path);
    }

    /// Runs raw SQL (several statements allowed), written for SQLite like
    /// the migrations and translated the same way.
    pub fn raw(&self, sql: &str) {
        let text =
            cds_migrations::to_postgres(sql).unwrap_or_else(|e| panic!("translating raw SQL: {e}"));
        self.client
            .lock()
            .unwrap()
            .batch_execute(&text)
            .unwrap_or_else(|e| panic!("raw SQL failed: {}", describe(&e)));
    }

    /// Runs one statement as the component adapter does.
    pub fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let mut client = self
            .client
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        pg_client::execute(&mut client, statement, params)
    }
}
