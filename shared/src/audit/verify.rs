//! Walking the chain to prove nobody edited, removed or reordered a row.

use super::chain::{entry_hash, HashInput, GENESIS_HASH};
use super::store::{page_after, record_from_row};
use super::{AuditRecord, VerifyReport};
use crate::ports::{Sql, SqlValue, StoreError};

/// Rows fetched per query: keeps memory flat however long the log grows.
const PAGE: i64 = 500;

/// Checks every row in `seq` order: seqs run 1, 2, 3… without gaps, each
/// `prev_hash` equals the previous row's `hash` (64 zeros for the first), and
/// each stored `hash` matches the recomputed one. Stops at the first break.
pub fn verify(sql: &dyn Sql) -> Result<VerifyReport, StoreError> {
    let mut expected_seq: i64 = 1;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut entries: u64 = 0;
    // Keyset paging from the last seq read; starting below any possible seq
    // means a row renumbered to 0 or below is still seen (and flagged).
    let mut after: i64 = i64::MIN;

    loop {
        let page = page_after(sql, after, PAGE)?;
        if page.rows.is_empty() {
            let head_hash = (entries > 0).then_some(prev_hash);
            return Ok(VerifyReport {
                ok: true,
                entries,
                first_bad_seq: None,
                head_hash,
            });
        }
        for row in &page.rows {
            entries += 1;
            let raw_seq = row
                .first()
                .and_then(SqlValue::as_i64)
                .unwrap_or(expected_seq);
            let bad = |seq: i64| VerifyReport {
                ok: false,
                entries,
                first_bad_seq: Some(seq),
                head_hash: None,
            };
            let Some(record) = record_from_row(row) else {
                return Ok(bad(raw_seq.min(expected_seq)));
            };
            if record.seq != expected_seq {
                // A gap (deleted row) or an edited seq: the chain breaks at
                // whichever seq comes first.
                return Ok(bad(record.seq.min(expected_seq)));
            }
            if record.prev_hash != prev_hash || recompute(&record) != record.hash {
                return Ok(bad(record.seq));
            }
            prev_hash = record.hash;
            after = record.seq;
            expected_seq += 1;
        }
    }
}

fn recompute(r: &AuditRecord) -> String {
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
