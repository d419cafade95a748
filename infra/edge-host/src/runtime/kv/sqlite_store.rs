//! Key-value stores kept in SQLite (`type = "spin"`), in the same table layout
//! as Spin's `spin` key-value provider, so one state dir can be served by
//! either runtime.

use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};

use crate::runtime::pool::SqlitePool;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
);";

/// One labelled store inside a (possibly shared) SQLite file.
#[derive(Clone)]
pub struct SqliteKv {
    label: String,
    pool: Arc<SqlitePool>,
}

impl SqliteKv {
    /// The store `label` inside the file `pool` opens.
    pub fn new(label: &str, pool: Arc<SqlitePool>) -> Self {
        Self {
            label: label.to_owned(),
            pool,
        }
    }

    /// A pool suitable for key-value files (creates Spin's table on first use).
    pub fn pool(path: std::path::PathBuf) -> SqlitePool {
        SqlitePool::new(path, SCHEMA)
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.pool.with_conn(|c| self.get_on(c, key))
    }

    /// [`Self::get`] if it can be answered without waiting for a lock.
    pub fn try_get_now(&self, key: &str) -> Option<Result<Option<Vec<u8>>, String>> {
        self.pool
            .try_without_waiting(|c| self.get_on(c, key).map(Some))
    }

    fn get_on(&self, c: &Connection, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .query_row(params![self.label, key], |r| r.get::<_, Vec<u8>>(0))
            .optional()
    }

    /// Whether `key` is set.
    pub fn exists(&self, key: &str) -> Result<bool, String> {
        self.pool.with_conn(|c| self.exists_on(c, key))
    }

    /// [`Self::exists`] if it can be answered without waiting for a lock.
    pub fn try_exists_now(&self, key: &str) -> Option<Result<bool, String>> {
        self.pool
            .try_without_waiting(|c| self.exists_on(c, key).map(Some))
    }

    fn exists_on(&self, c: &Connection, key: &str) -> rusqlite::Result<bool> {
        c.prepare_cached("SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .exists(params![self.label, key])
    }

    /// Every key of this store.
    pub fn keys(&self) -> Result<Vec<String>, String> {
        self.pool.with_conn(|c| self.keys_on(c))
    }

    /// [`Self::keys`] if it can be answered without waiting for a lock.
    pub fn try_keys_now(&self) -> Option<Result<Vec<String>, String>> {
        self.pool.try_without_waiting(|c| self.keys_on(c).map(Some))
    }

    fn keys_on(&self, c: &Connection) -> rusqlite::Result<Vec<String>> {
        let mut stmt = c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1")?;
        let rows = stmt.query_map(params![self.label], |r| r.get::<_, String>(0))?;
        rows.collect()
    }

    /// Sets `key` to `value`, replacing any earlier value.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.pool.with_conn(|c| {
            c.prepare_cached(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT(store, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![self.label, key, value])
            .map(|_| ())
        })
    }

    /// Removes `key`; removing a missing key is not an error.
    pub fn delete(&self, key: &str) -> Result<(), String> {
        self.pool.with_conn(|c| {
            c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute(params![self.label, key])
                .map(|_| ())
        })
    }
}
