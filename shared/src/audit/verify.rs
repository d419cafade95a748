//! Walking the chain to prove nobody edited, removed or reordered a row.
//!
//! [`walk`] is the one walker: from a trusted starting point (genesis, or a
//! checkpoint, see [`super::checkpoint`]) forward in `seq` order, for at most
//! a budget of rows. [`verify`] is the whole walk from genesis in one call,
//! with no budget and no checkpoints: for tests and tools on small logs;
//! the endpoint uses [`super::verify_incremental`].

use super::chain::{entry_hash, HashInput, GENESIS_HASH};
use super::store::{page_after, record_from_row};
use super::{AuditRecord, VerifyReport};
use crate::ports::{Sql, SqlValue, StoreError};

/// Rows fetched per query: keeps memory flat however long the log grows,
/// while few enough round trips that a 200,000-row budget costs 100 of them.
const PAGE: u64 = 2_000;

/// Where a walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Walked {
    /// The last `seq` proven intact (the starting seq if none was).
    pub(super) through: i64,
    /// That row's hash (the starting hash if no row was read).
    pub(super) hash: String,
    /// The first `seq` at which the chain breaks, if it does.
    pub(super) first_bad_seq: Option<i64>,
    /// The walk reached the tail or a break; `false` when the budget ran out
    /// with rows left.
    pub(super) complete: bool,
}

/// Checks every row in `seq` order: seqs run 1, 2, 3… without gaps, each
/// `prev_hash` equals the previous row's `hash` (64 zeros for the first), and
/// each stored `hash` matches the recomputed one. Stops at the first break.
/// Unbudgeted and without checkpoints; see the module docs.
pub fn verify(sql: &dyn Sql) -> Result<VerifyReport, StoreError> {
    let walked = walk(sql, 0, GENESIS_HASH, u64::MAX)?;
    Ok(VerifyReport::from_walk(0, walked, None, (0, Vec::new())))
}

/// Walks forward from the row `start` (0 = genesis), whose hash is
/// `start_hash` and which the caller trusts, checking at most `budget` rows.
pub(super) fn walk(
    sql: &dyn Sql,
    start: i64,
    start_hash: &str,
    budget: u64,
) -> Result<Walked, StoreError> {
    let mut expected_seq = start.saturating_add(1);
    let mut prev_hash = start_hash.to_owned();
    let mut remaining = budget;
    // Keyset paging from the last seq read. From genesis, starting below any
    // possible seq means a row renumbered to 0 or below is still seen (and
    // flagged); from a checkpoint, rows at or below it are not re-read.
    let mut after: i64 = if start <= 0 { i64::MIN } else { start };

    loop {
        // One row more than the budget allows, so that a walk that spends
        // its budget exactly at the tail knows it is complete.
        let want = remaining.saturating_add(1).min(PAGE);
        let page = page_after(sql, after, i64::try_from(want).unwrap_or(i64::MAX))?;
        let got = page.rows.len() as u64;
        for row in &page.rows {
            if remaining == 0 {
                return Ok(Walked {
                    through: expected_seq - 1,
                    hash: prev_hash,
                    first_bad_seq: None,
                    complete: false,
                });
            }
            let raw_seq = row
                .first()
                .and_then(SqlValue::as_i64)
                .unwrap_or(expected_seq);
            let bad = |seq: i64, prev_hash: String| Walked {
                through: expected_seq - 1,
                hash: prev_hash,
                first_bad_seq: Some(seq),
                complete: true,
            };
            let Some(record) = record_from_row(row) else {
                return Ok(bad(raw_seq.min(expected_seq), prev_hash));
            };
            if record.seq != expected_seq {
                // A gap (deleted row) or an edited seq: the chain breaks at
                // whichever seq comes first.
                return Ok(bad(record.seq.min(expected_seq), prev_hash));
            }
            if record.prev_hash != prev_hash || recompute(&record) != record.hash {
                return Ok(bad(record.seq, prev_hash));
            }
            prev_hash = record.hash;
            after = record.seq;
            expected_seq += 1;
            remaining -= 1;
        }
        if got < want {
            return Ok(Walked {
                through: expected_seq - 1,
                hash: prev_hash,
                first_bad_seq: None,
                complete: true,
            });
        }
    }
}

/// The hash `r` should have, from its own fields.
pub(super) fn recompute(r: &AuditRecord) -> String {
    entry_hash(&HashInput {
        prev_hash: &r.prev_hash,
        seq: r.seq,
        at: r.at,
        actor: &r.actor,
        action: &r.action,
        subject: r.subject.as_deref(),
        detail: &r.detail,
    })
}
