//! Housekeeping deletes, bounded so that none holds the write lock for long.
//!
//! Expired sessions, old code challenges, remembered Zalo events and kiosk
//! attempts are deleted by the requests that notice them (Spin has no
//! scheduler). One unbounded `DELETE` of a backlog — a million ended
//! sessions in a seeded city, or a week of them after the purges were off —
//! held SQLite's only write lock for longer than the 10-second busy timeout
//! and turned every other write into a 503 (docs/performance.md). So each
//! call deletes at most [`BATCH`] rows, oldest first, through the index on
//! the cut-off column; the next calls take the rest. The rules those rows
//! served never depend on them being gone: every count that reads them
//! filters by the same window.

use crate::ports::{Sql, SqlValue, StoreError};

/// Rows one purge call deletes at most: a few milliseconds of work.
pub const BATCH: i64 = 1_000;

/// Deletes up to [`BATCH`] rows of `table` whose `column` is below
/// `cutoff` (or at it, when `inclusive`), oldest first, by primary `key`.
/// Returns how many went.
pub fn older_than(
    sql: &dyn Sql,
    table: &'static str,
    key: &'static str,
    column: &'static str,
    inclusive: bool,
    cutoff: i64,
) -> Result<usize, StoreError> {
    let op = if inclusive { "<=" } else { "<" };
    let statement = format!(
        "DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} \
         WHERE {column} {op} ?1 ORDER BY {column} LIMIT ?2) RETURNING {key}"
    );
    let gone = sql.execute(
        &statement,
        &[SqlValue::Integer(cutoff), SqlValue::Integer(BATCH)],
    )?;
    Ok(gone.rows.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    #[test]
    fn a_backlog_goes_a_batch_at_a_time_oldest_first_and_newer_rows_stay() {
        let db = TestDb::memory();
        db.raw(
            "CREATE TABLE IF NOT EXISTS purge_probe (id TEXT PRIMARY KEY, at INTEGER NOT NULL); \
             CREATE INDEX IF NOT EXISTS purge_probe_at ON purge_probe (at);",
        );
        let backlog = 2 * BATCH + 5;
        for i in 0..backlog + 10 {
            db.execute(
                "INSERT INTO purge_probe (id, at) VALUES (?1, ?2)",
                &[format!("r{i}").into(), SqlValue::Integer(i)],
            )
            .unwrap();
        }
        let mut rounds = vec![];
        loop {
            let n = older_than(&db, "purge_probe", "id", "at", false, backlog).unwrap();
            rounds.push(n);
            if n == 0 {
                break;
            }
            // Oldest first: what is left of the backlog is its newest part.
            let oldest_left = db.scalar("SELECT MIN(at) FROM purge_probe");
            assert_eq!(oldest_left, rounds.iter().sum::<usize>() as i64);
        }
        assert_eq!(rounds, [1_000, 1_000, 5, 0]);
        assert_eq!(db.scalar("SELECT COUNT(*) FROM purge_probe"), 10);
        // At the cut-off itself only when inclusive.
        assert_eq!(
            older_than(&db, "purge_probe", "id", "at", false, backlog).unwrap(),
            0
        );
        assert_eq!(
            older_than(&db, "purge_probe", "id", "at", true, backlog).unwrap(),
            1
        );
    }
}
