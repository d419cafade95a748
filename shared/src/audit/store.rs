//! Appending to and reading from `audit_log`.

use super::chain::{canonical_json, entry_hash, HashInput, GENESIS_HASH};
use super::redact::redact_secrets;
use super::{AuditRecord, Entry};
use crate::ports::{Clock, Sql, SqlRows, SqlValue, StoreError};
use crate::rows::Row;

/// How often [`append_all`] re-reads the tail after losing a race. Every
/// lost race means another writer succeeded, so the log always makes
/// progress; this only bounds how long one caller waits under extreme
/// contention. At 64, 22 of 1,000 logins failed with 32 at once and 20 ms to
/// PostgreSQL (docs/performance.md): one writer can lose many rounds in a
/// row while newcomers keep arriving. 256 rounds of two round trips stay
/// well inside the request timeout.
const MAX_ATTEMPTS: usize = 256;

/// Most rows [`entries_about`] returns in one call.
const MAX_PAGE: i64 = 500;

pub(super) const COLUMNS: &str = "seq, at, actor, action, subject, detail, prev_hash, hash";

/// The newest row of the chain as a statement that acted read it: the
/// `(seq, hash)` an append links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tail {
    /// The newest `seq` (0 for an empty log).
    pub seq: i64,
    /// Its hash (the genesis hash for an empty log).
    pub hash: String,
}

/// Columns any statement can add to its `RETURNING` or `SELECT` list to read
/// the chain's tail in the same round trip ([`Tail::from_row`]), so that the
/// audit entry of the change it makes costs one more statement, not two.
pub const TAIL_COLUMNS: &str = "\
(SELECT t.seq FROM audit_log t ORDER BY t.seq DESC LIMIT 1) AS audit_tail_seq, \
(SELECT t.hash FROM audit_log t ORDER BY t.seq DESC LIMIT 1) AS audit_tail_hash";

impl Tail {
    /// The tail read by [`TAIL_COLUMNS`]; `None` if the row lacks them.
    pub fn from_row(row: &Row<'_>) -> Option<Tail> {
        match (
            row.opt_i64("audit_tail_seq"),
            row.opt_text("audit_tail_hash"),
        ) {
            (Ok(Some(seq)), Ok(Some(hash))) => Some(Tail { seq, hash }),
            (Ok(None), Ok(None)) => Some(Tail {
                seq: 0,
                hash: GENESIS_HASH.to_owned(),
            }),
            _ => None,
        }
    }
}

/// Appends `entry` as the new tail of the chain and returns the stored row.
pub fn append(sql: &dyn Sql, clock: &dyn Clock, entry: Entry) -> Result<AuditRecord, StoreError> {
    let mut stored = append_all(sql, clock, None, vec![entry])?;
    stored
        .pop()
        .ok_or_else(|| StoreError::Unavailable("audit log append stored nothing".into()))
}

/// Appends `entries`, in order, as the new tail of the chain in one
/// statement (all or none), linking to `tail` when a statement just read it
/// ([`TAIL_COLUMNS`]), and returns the stored rows.
///
/// Concurrent appenders (threads, processes, edge nodes sharing one database)
/// each read the tail, compute `seq = tail + 1` and its hash, then insert.
/// `seq` is the primary key and `prev_hash` is UNIQUE, so of several writers
/// that read the same tail exactly one statement lands; the others fail on
/// the key as a whole and retry on the new tail. No transaction is needed,
/// and two rows can never share a `prev_hash`. On PostgreSQL the loser's
/// insert waits for the winner's commit on the key and then fails, so this
/// holds under READ COMMITTED too; a stale tail (a prefetched one, or one
/// read before another writer's commit) can only name a `seq` that already
/// exists (rows never change) and fails the same way (docs/consistency.md,
/// "Audit hash chain").
pub fn append_all(
    sql: &dyn Sql,
    clock: &dyn Clock,
    tail: Option<Tail>,
    entries: Vec<Entry>,
) -> Result<Vec<AuditRecord>, StoreError> {
    if entries.is_empty() {
        return Ok(vec![]);
    }
    let entries: Vec<(Entry, String)> = entries
        .into_iter()
        .map(|mut e| {
            redact_secrets(&mut e.detail);
            let detail = canonical_json(&e.detail);
            (e, detail)
        })
        .collect();
    let mut tail = tail;
    for _ in 0..MAX_ATTEMPTS {
        let Tail {
            seq: tail_seq,
            hash: tail_hash,
        } = match tail.take() {
            Some(t) => t,
            None => read_tail(sql)?,
        };
        let at = clock.now();
        let mut records = Vec::with_capacity(entries.len());
        let mut prev_hash = tail_hash;
        for (i, (entry, detail)) in entries.iter().enumerate() {
            let seq = tail_seq + 1 + i as i64;
            let hash = entry_hash(&HashInput {
                prev_hash: &prev_hash,
                seq,
                at,
                actor: &entry.actor,
                action: &entry.action,
                subject: entry.subject.as_deref(),
                detail,
            });
            records.push(AuditRecord {
                seq,
                at,
                actor: entry.actor.clone(),
                action: entry.action.clone(),
                subject: entry.subject.clone(),
                detail: detail.clone(),
                prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                hash,
            });
        }
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; records.len()].join(", ");
        let params: Vec<SqlValue> = records
            .iter()
            .flat_map(|r| {
                [
                    SqlValue::Integer(r.seq),
                    SqlValue::Integer(r.at),
                    r.actor.as_str().into(),
                    r.action.as_str().into(),
                    r.subject.clone().into(),
                    r.detail.as_str().into(),
                    r.prev_hash.as_str().into(),
                    r.hash.as_str().into(),
                ]
            })
            .collect();
        let inserted = sql.execute(
            &format!(
                "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
                 VALUES {values} RETURNING seq"
            ),
            &params,
        );
        match inserted {
            Ok(rows) if rows.rows.len() == records.len() => return Ok(records),
            // Lost the race for these seqs: someone else extended the chain.
            Err(StoreError::Constraint(_)) => continue,
            Ok(_) => {
                return Err(StoreError::Unavailable(
                    "audit log insert returned the wrong number of rows".into(),
                ))
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Unavailable(
        "audit log append kept losing races".into(),
    ))
}

/// `(seq, hash)` of the newest row, or `(0, GENESIS_HASH)` for an empty log.
fn read_tail(sql: &dyn Sql) -> Result<Tail, StoreError> {
    let rows = sql.execute(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let Some(row) = rows.rows.first() else {
        return Ok(Tail {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        });
    };
    let seq = row.first().and_then(SqlValue::as_i64);
    let hash = row.get(1).and_then(SqlValue::as_str);
    match (seq, hash) {
        (Some(seq), Some(hash)) => Ok(Tail {
            seq,
            hash: hash.to_owned(),
        }),
        _ => Err(StoreError::Unavailable(
            "audit_log tail row is malformed".into(),
        )),
    }
}

/// Entries about one citizen, newest first, strictly older than `before_seq`
/// when given (pass the last `seq` of the previous page as a cursor).
/// `limit` is clamped to 1..=500.
pub fn entries_about(
    sql: &dyn Sql,
    subject: &str,
    limit: u32,
    before_seq: Option<i64>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let limit = i64::from(limit).clamp(1, MAX_PAGE);
    let rows = sql.execute(
        &format!(
            "SELECT {COLUMNS} FROM audit_log WHERE subject = ? AND seq < ? \
             ORDER BY seq DESC LIMIT ?"
        ),
        &[
            subject.into(),
            SqlValue::Integer(before_seq.unwrap_or(i64::MAX)),
            SqlValue::Integer(limit),
        ],
    )?;
    rows.rows
        .iter()
        .map(|r| {
            record_from_row(r)
                .ok_or_else(|| StoreError::Unavailable("audit_log row is malformed".into()))
        })
        .collect()
}

/// Up to `limit` rows with `seq` above `after`, in `seq` order, selected
/// with [`COLUMNS`]: one page of [`super::verify::verify`]'s keyset walk.
pub(super) fn page_after(sql: &dyn Sql, after: i64, limit: i64) -> Result<SqlRows, StoreError> {
    sql.execute(
        &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"),
        &[SqlValue::Integer(after), SqlValue::Integer(limit)],
    )
}

/// Reads a row selected with [`COLUMNS`]; `None` if any column has the wrong
/// type (only a tampered row can).
pub(super) fn record_from_row(row: &[SqlValue]) -> Option<AuditRecord> {
    let text = |i: usize| row.get(i).and_then(SqlValue::as_str).map(str::to_owned);
    let int = |i: usize| match row.get(i) {
        Some(SqlValue::Integer(v)) => Some(*v),
        _ => None,
    };
    let subject = match row.get(4) {
        Some(SqlValue::Null) => None,
        Some(SqlValue::Text(s)) => Some(s.clone()),
        _ => return None,
    };
    Some(AuditRecord {
        seq: int(0)?,
        at: int(1)?,
        actor: text(2)?,
        action: text(3)?,
        subject,
        detail: text(5)?,
        prev_hash: text(6)?,
        hash: text(7)?,
    })
}

/// Appends after the change the entry describes was committed. A failed
/// append neither undoes nor fails that change (a retry could repeat it, or
/// lose something shown only once); the whole entry goes to the log output
/// instead, tagged with `context` (component or request id), so the event is
/// never silently lost. Entries never hold secrets.
pub fn append_or_log(sql: &dyn Sql, clock: &dyn Clock, context: &str, entry: Entry) {
    append_or_log_after(sql, clock, context, None, entry);
}

/// [`append_or_log`] linking to a `tail` a statement just read, if any.
pub fn append_or_log_after(
    sql: &dyn Sql,
    clock: &dyn Clock,
    context: &str,
    tail: Option<Tail>,
    entry: Entry,
) {
    if let Err(e) = append_all(sql, clock, tail, vec![entry.clone()]) {
        log_unrecorded(context, &e, &entry);
    }
}

/// The log line of an entry that could not be appended (see
/// [`append_or_log`]), tagged with `context` and saying why.
pub fn log_unrecorded(context: &str, why: &dyn std::fmt::Display, entry: &Entry) {
    eprintln!(
        "[{context}] AUDIT APPEND FAILED ({why}); unrecorded entry: actor={} action={} subject={} detail={}",
        entry.actor,
        entry.action,
        entry.subject.as_deref().unwrap_or("-"),
        entry.detail
    );
}
