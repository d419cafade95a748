//! Counts the store round trips one request makes, for measuring what an
//! endpoint asks of its stores (docs/performance.md). The counts are always
//! kept (two relaxed atomic adds per call); `edge-host up --count-store-trips`
//! reports them as response headers, which are off by default so a
//! deployment never shows how its endpoints touch the database.
//!
//! What counts as one trip: one SQLite `execute`; one PostgreSQL `query` or
//! `execute`; one key-value `get`, `set`, `delete`, `exists` or `get-keys`.
//! Opening a SQLite database or a key-value store touches nothing remote,
//! and taking a clean pooled PostgreSQL connection costs nothing (it was
//! cleaned when released), so neither counts. A PostgreSQL `open` that had
//! to make a new connection (TCP, startup, authentication: several round
//! trips) is reported on its own, because it says how warm the node's pool
//! was, not what the endpoint asks for.

use std::sync::atomic::{AtomicU32, Ordering};

/// The header carrying the SQL round trips (SQLite or PostgreSQL).
pub const SQL_HEADER: &str = "edge-sql-round-trips";
/// The header carrying the key-value round trips (local or Redis).
pub const KV_HEADER: &str = "edge-kv-round-trips";
/// The header carrying the new PostgreSQL connections the request made.
pub const CONNECT_HEADER: &str = "edge-sql-connects";

/// One request's counters, shared between the guest's task and the response.
#[derive(Debug, Default)]
pub struct StoreTrips {
    sql: AtomicU32,
    kv: AtomicU32,
    connects: AtomicU32,
}

impl StoreTrips {
    /// One more SQL round trip.
    pub fn sql(&self) {
        self.sql.fetch_add(1, Ordering::Relaxed);
    }

    /// One more key-value round trip.
    pub fn kv(&self) {
        self.kv.fetch_add(1, Ordering::Relaxed);
    }

    /// One more new PostgreSQL connection.
    pub fn connect(&self) {
        self.connects.fetch_add(1, Ordering::Relaxed);
    }

    /// New PostgreSQL connections so far.
    pub fn connects(&self) -> u32 {
        self.connects.load(Ordering::Relaxed)
    }

    /// The (SQL, key-value) round trips so far.
    pub fn counts(&self) -> (u32, u32) {
        (
            self.sql.load(Ordering::Relaxed),
            self.kv.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_separately() {
        let trips = StoreTrips::default();
        assert_eq!(trips.counts(), (0, 0));
        trips.sql();
        trips.sql();
        trips.kv();
        trips.connect();
        assert_eq!(trips.counts(), (2, 1));
        assert_eq!(trips.connects(), 1);
    }
}
