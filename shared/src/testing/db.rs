//! The test database: the `Sql` port over a real rusqlite connection with
//! every shipped migration of `infra/migrations` applied, in order, byte for
//! byte — so a test runs against the schema, triggers and constraints
//! production runs.
//!
//! With `CDS_TEST_SQL=postgres` the same [`TestDb`] is a fresh PostgreSQL
//! database with the same files applied, translated ([`super::pg`]), so the
//! whole suite proves the domain SQL on both engines.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, ErrorCode};

use super::pg::{self, PgDb};
use crate::ports::{Sql, SqlRows, SqlValue, StoreError};

/// Identity's migration, as it ships.
pub const MIGRATION_0002: &str = include_str!("../../../infra/migrations/0002_identity.sql");
/// The audit log and admin tables, as they ship.
pub const MIGRATION_0003: &str = include_str!("../../../infra/migrations/0003_audit_admin.sql");
/// The document vault, as it ships.
pub const MIGRATION_0004: &str = include_str!("../../../infra/migrations/0004_documents.sql");
/// Feedback, as it ships.
pub const MIGRATION_0005: &str = include_str!("../../../infra/migrations/0005_feedback.sql");
/// The Zalo bot's tables, as they ship.
pub const MIGRATION_0007: &str = include_str!("../../../infra/migrations/0007_zalo.sql");
/// The id-number claims `mark_verified` moves, as they ship.
pub const MIGRATION_0008: &str = include_str!("../../../infra/migrations/0008_id_claims.sql");
/// Issuer key scopes (its backfill reads feedback's 0005), as they ship.
pub const MIGRATION_0009: &str = include_str!("../../../infra/migrations/0009_key_scopes.sql");

/// Every `NNNN_name.sql` file of `infra/migrations`, in order, read once per
/// test process: a new migration is in every test world without editing
/// this.
pub fn migrations() -> Vec<(String, String)> {
    static SHIPPED: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SHIPPED
        .get_or_init(|| {
            let dir = cds_migrations::shipped_dir();
            let files = cds_migrations::read_dir(&dir)
                .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
            assert!(!files.is_empty(), "no migrations in {}", dir.display());
            files
        })
        .clone()
}

/// Applies every migration to `conn` (they are idempotent, as real `spin up`
/// re-runs them at each start, so applying them twice is fine).
pub fn migrate(conn: &Connection) {
    for (name, sql) in migrations() {
        conn.execute_batch(&sql)
            .unwrap_or_else(|e| panic!("migration {name}: {e}"));
    }
}

/// A database connection behind the `Sql` port: rusqlite, or PostgreSQL
/// when `CDS_TEST_SQL=postgres`. The mutex only makes it `Sync`;
/// concurrency tests open one per thread or process.
pub struct TestDb {
    engine: Engine,
}

enum Engine {
    Sqlite(Mutex<Connection>),
    Postgres(PgDb),
}

impl From<Connection> for TestDb {
    fn from(conn: Connection) -> TestDb {
        TestDb {
            engine: Engine::Sqlite(Mutex::new(conn)),
        }
    }
}

impl From<PgDb> for TestDb {
    fn from(db: PgDb) -> TestDb {
        TestDb {
            engine: Engine::Postgres(db),
        }
    }
}

impl TestDb {
    /// A fresh in-memory database with every migration applied.
    pub fn memory() -> TestDb {
        if pg::enabled() {
            return PgDb::fresh(None).into();
        }
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn);
        TestDb::from(conn)
    }

    /// An in-memory database as it was before migration `version` (e.g.
    /// `"0009"`): only the files numbered below it applied, for tests of
    /// what a migration does to existing rows.
    pub fn before(version: &str) -> TestDb {
        if pg::enabled() {
            return PgDb::fresh(Some(version)).into();
        }
        let conn = Connection::open_in_memory().unwrap();
        for (name, sql) in migrations() {
            if name.as_str() < version {
                conn.execute_batch(&sql).unwrap();
            }
        }
        TestDb::from(conn)
    }

    /// Opens (creating if needed) a database file and migrates it, the way
    /// each process of a deployment starts. On PostgreSQL the path names a
    /// database of the test server.
    pub fn create_file(path: &Path) -> TestDb {
        if pg::enabled() {
            return PgDb::file(path, true).into();
        }
        let db = TestDb::file(path);
        if let Engine::Sqlite(conn) = &db.engine {
            migrate(&conn.lock().unwrap());
        }
        db
    }

    /// Opens an existing database file in WAL mode with a generous busy
    /// timeout, as each process (or thread) would with its own connection.
    /// On PostgreSQL: a new connection to the database the path names.
    pub fn file(path: &Path) -> TestDb {
        if pg::enabled() {
            return PgDb::file(path, false).into();
        }
        let conn = Connection::open(path).unwrap();
        conn.busy_timeout(Duration::from_secs(60)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        TestDb::from(conn)
    }

    /// Reads one integer with raw SQL, for assertions on stored state.
    pub fn scalar(&self, sql: &str) -> i64 {
        match &self.engine {
            Engine::Sqlite(conn) => conn
                .lock()
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap(),
            Engine::Postgres(db) => {
                let rows = db
                    .execute(sql, &[])
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                match rows.rows.first().and_then(|r| r.first()) {
                    Some(SqlValue::Integer(i)) => *i,
                    other => panic!("{sql}: not one integer: {other:?}"),
                }
            }
        }
    }

    /// Runs raw SQL around the port, as a tamperer with file access would.
    pub fn raw(&self, sql: &str) {
        match &self.engine {
            Engine::Sqlite(conn) => conn.lock().unwrap().execute_batch(sql).unwrap(),
            Engine::Postgres(db) => db.raw(sql),
        }
    }

    /// Whether this database is PostgreSQL (for the few assertions whose
    /// raw SQL differs between engines).
    pub fn is_postgres(&self) -> bool {
        matches!(self.engine, Engine::Postgres(_))
    }
}

fn to_sql(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(r) => Value::Real(*r),
        SqlValue::Text(t) => Value::Text(t.clone()),
        SqlValue::Blob(b) => Value::Blob(b.clone()),
        SqlValue::Null => Value::Null,
    }
}

fn from_sql(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(r) => SqlValue::Real(r),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
        ValueRef::Null => SqlValue::Null,
    }
}

/// Constraint failures are told apart, as the Spin adapter does.
fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            StoreError::Constraint(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

impl Sql for TestDb {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let conn = match &self.engine {
            Engine::Sqlite(conn) => conn,
            Engine::Postgres(db) => return db.execute(statement, params),
        };
        let conn = conn
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        let mut stmt = conn.prepare(statement).map_err(map_err)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let values: Vec<Value> = params.iter().map(to_sql).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter()))
            .map_err(map_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_err)? {
            let mut r = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                r.push(from_sql(row.get_ref(i).map_err(map_err)?));
            }
            out.push(r);
        }
        Ok(SqlRows { columns, rows: out })
    }
}

/// A unique temp-file path for a database shared between connections.
pub fn temp_db_path(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("cds-{tag}-{}-{nanos}.sqlite", std::process::id()))
}

/// Deletes a database file and its WAL companions (on PostgreSQL: forgets
/// the database the path named; the server goes with the test process).
pub fn remove_db(path: &Path) {
    if pg::enabled() {
        PgDb::forget(path);
        return;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
