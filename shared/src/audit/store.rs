//! Appending to and reading from `audit_log`.

use super::chain::{canonical_json, entry_hash, HashInput, GENESIS_HASH};
use super::redact::redact_secrets;
use super::{AuditRecord, Entry};
use crate::ports::{Clock, Sql, SqlRows, SqlValue, StoreError};

/// How often [`append`] re-reads the tail after losing a race. Every lost
/// race means another writer succeeded, so the log always makes progress;
/// this only bounds how long one caller waits under extreme contention.
const MAX_ATTEMPTS: usize = 64;

/// Most rows [`entries_about`] returns in one call.
const MAX_PAGE: i64 = 500;

pub(super) const COLUMNS: &str = "seq, at, actor, action, subject, detail, prev_hash, hash";

/// Appends `entry` as the new tail of the chain and returns the stored row.
///
/// Concurrent appenders (threads, processes, edge nodes sharing one database)
/// each read the tail, compute `seq = tail + 1` and its hash, then insert with
/// `INSERT OR IGNORE`. `seq` is the primary key and `prev_hash` is UNIQUE, so
/// of several writers that read the same tail exactly one row lands; the
/// others insert nothing (or see a constraint error) and retry on the new
/// tail. No transaction is needed, and two rows can never share a `prev_hash`.
pub fn append(sql: &dyn Sql, clock: &dyn Clock, entry: Entry) -> Result<AuditRecord, StoreError> {
    let mut detail = entry.detail;
    redact_secrets(&mut detail);
    let detail = canonical_json(&detail);

    for _ in 0..MAX_ATTEMPTS {
        let (tail_seq, tail_hash) = read_tail(sql)?;
        let seq = tail_seq + 1;
        let at = clock.now();
        let input = HashInput {
            prev_hash: &tail_hash,
            seq,
            at,
            actor: &entry.actor,
            action: &entry.action,
            subject: entry.subject.as_deref(),
            detail: &detail,
        };
        let hash = entry_hash(&input);
        let inserted = sql.execute(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq",
            &[
                SqlValue::Integer(seq),
                SqlValue::Integer(at),
                entry.actor.as_str().into(),
                entry.action.as_str().into(),
                entry.subject.clone().into(),
                detail.as_str().into(),
                tail_hash.as_str().into(),
                hash.as_str().into(),
            ],
        );
        match inserted {
            Ok(rows) if !rows.is_empty() => {
                return Ok(AuditRecord {
                    seq,
                    at,
                    actor: entry.actor,
                    action: entry.action,
                    subject: entry.subject,
                    detail,
                    prev_hash: tail_hash,
                    hash,
                });
            }
            // Lost the race for this seq: someone else extended the chain.
            Ok(_) | Err(StoreError::Constraint(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Unavailable(
        "audit log append kept losing races".into(),
    ))
}

/// `(seq, hash)` of the newest row, or `(0, GENESIS_HASH)` for an empty log.
fn read_tail(sql: &dyn Sql) -> Result<(i64, String), StoreError> {
    let rows = sql.execute(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let Some(row) = rows.rows.first() else {
        return Ok((0, GENESIS_HASH.to_owned()));
    };
    let seq = row.first().and_then(SqlValue::as_i64);
    let hash = row.get(1).and_then(SqlValue::as_str);
    match (seq, hash) {
        (Some(seq), Some(hash)) => Ok((seq, hash.to_owned())),
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
    if let Err(e) = append(sql, clock, entry.clone()) {
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
