//! The key-value store behind one label, as `fermyon:spin/key-value@2.0.0`
//! sees it: Spin's local SQLite store or a Redis database, with the same
//! get / set / delete / exists / get-keys semantics as Spin's providers.
//!
//! KV is for caches and conversation state (docs/runtime.md): it offers no
//! counter and no lock here, and the app must not build either on it.

mod redis_store;
mod sqlite_store;

pub use redis_store::{RedisKv, OP_TIMEOUT as REDIS_OP_TIMEOUT};
pub use sqlite_store::SqliteKv;

use super::pool::{blocking, read};

/// One labelled store. Cloning shares the connection pool or Redis client.
#[derive(Clone)]
pub enum KvStore {
    /// `type = "spin"`: a table in an SQLite file (or memory).
    Sqlite(SqliteKv),
    /// `type = "redis"`: one Redis database.
    Redis(RedisKv),
}

impl KvStore {
    /// The value of `key`, if set.
    pub async fn get(&self, key: String) -> Result<Option<Vec<u8>>, String> {
        match self {
            Self::Sqlite(s) => {
                let s = s.clone();
                read(s.try_get_now(&key), move || s.get(&key)).await
            }
            Self::Redis(r) => r.get(key).await,
        }
    }

    /// Sets `key` to `value`, replacing any earlier value.
    pub async fn set(&self, key: String, value: Vec<u8>) -> Result<(), String> {
        match self {
            Self::Sqlite(s) => {
                let s = s.clone();
                blocking(move || s.set(&key, &value)).await
            }
            Self::Redis(r) => r.set(key, value).await,
        }
    }

    /// Removes `key`; removing a missing key is not an error.
    pub async fn delete(&self, key: String) -> Result<(), String> {
        match self {
            Self::Sqlite(s) => {
                let s = s.clone();
                blocking(move || s.delete(&key)).await
            }
            Self::Redis(r) => r.delete(key).await,
        }
    }

    /// Whether `key` is set.
    pub async fn exists(&self, key: String) -> Result<bool, String> {
        match self {
            Self::Sqlite(s) => {
                let s = s.clone();
                read(s.try_exists_now(&key), move || s.exists(&key)).await
            }
            Self::Redis(r) => r.exists(key).await,
        }
    }

    /// Every key of this store, in no particular order.
    pub async fn get_keys(&self) -> Result<Vec<String>, String> {
        match self {
            Self::Sqlite(s) => {
                let s = s.clone();
                read(s.try_keys_now(), move || s.keys()).await
            }
            Self::Redis(r) => r.keys().await,
        }
    }
}
