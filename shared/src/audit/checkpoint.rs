//! Checkpoints of the hash chain: verifying tens of millions of entries a
//! bounded piece at a time (docs/consistency.md, "Checkpoints of the audit
//! chain"; docs/admin.md).
//!
//! A checkpoint (`audit_checkpoints`, migration 0013) records that a walk
//! found rows `1..=seq` intact and that row `seq` hashed to `hash`, with an
//! HMAC-SHA256 over both under a key derived from the `token_secret`
//! setting ([`CheckpointKey`]). [`verify_incremental`] starts from the
//! newest checkpoint that passes its check — its MAC is right *and* its
//! `audit_log` row still exists and still hashes to `hash` — walks forward
//! for at most a budget of rows, and, when it found no break, writes a
//! checkpoint at the last row it verified. The next call continues from
//! there, so each call costs the budget at most however long the log is,
//! and a log that only grows is re-read never.
//!
//! What that proves: every row after the starting checkpoint, as a full walk
//! would; and that the checkpointed rows still carry the hashes a walk once
//! proved from genesis. What it does **not** prove: that a row *older* than
//! the starting checkpoint was not edited since that checkpoint was written,
//! as long as the edit left the checkpointed row's own hash alone (edits
//! below a checkpoint only break links below it). Only a walk from genesis
//! ([`Start::Genesis`], `?full=true`) finds those.
//!
//! A checkpoint failing its check is skipped for the next older one and
//! reported ([`RejectedCheckpoint`]): a bad MAC means someone wrote to the
//! table without the key (or `token_secret` changed), a changed row means
//! history was rewritten (or truncated) after it was verified.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::chain::{netstring, GENESIS_HASH};
use super::error::VerifyError;
use super::store::{record_from_row, COLUMNS};
use super::verify::{recompute, walk};
use super::VerifyReport;
use crate::hex;
use crate::ports::{Clock, Settings, Sql, SqlValue, StoreError};

/// Rows one call of [`verify_incremental`] checks at most: a few seconds of
/// work in a component (docs/performance.md, "The audit chain at size"), far
/// inside the 60 s request limit (docs/runtime.md), so a 20-million-entry
/// log is verified from genesis in 100 calls and then kept up in one.
pub const VERIFY_BUDGET: u64 = 200_000;

/// Candidate checkpoints read per query while looking for a valid one.
const CANDIDATE_PAGE: i64 = 200;

/// Rejected checkpoints kept in a report for the log; all are counted.
const REJECTED_KEPT: usize = 20;

/// The domain-separation label of the key derivation: the key is used for
/// nothing else, and a new scheme gets a new label.
const KEY_LABEL: &[u8] = b"cds audit checkpoint v1";

/// The first field of every MAC input, framing version and purpose.
const MAC_TAG: &[u8] = b"cds-audit-checkpoint-v1";

/// The key used in development when `token_secret` is unset: public, so
/// its checkpoints prove nothing against someone who reads this file — as
/// the development pepper of one-time codes.
const DEV_SECRET: &[u8] = b"cds-development-token-secret-not-secret";

/// The checkpoints' MAC key: HMAC-SHA256(`token_secret`, [`KEY_LABEL`]).
#[derive(Clone)]
pub struct CheckpointKey([u8; 32]);

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("CheckpointKey(..)")
    }
}

impl CheckpointKey {
    /// The key derived from `secret` (the `token_secret` setting's bytes).
    /// Derived rather than the secret itself, so a checkpoint MAC can never
    /// be confused with anything else the secret keys.
    pub fn derive(secret: &[u8]) -> CheckpointKey {
        CheckpointKey(hmac_sha256(secret, &[KEY_LABEL]))
    }

    /// The key of the `token_secret` setting (trimmed: secrets often come
    /// from files ending in a newline). In `dev_mode` an unset secret falls
    /// back to a fixed, public one; otherwise `None` — outside development
    /// the settings check refuses every request first (docs/settings.md).
    pub fn from_settings(settings: &dyn Settings) -> Option<CheckpointKey> {
        let secret = settings.get("token_secret").unwrap_or_default();
        let secret = secret.trim();
        if !secret.is_empty() {
            return Some(CheckpointKey::derive(secret.as_bytes()));
        }
        crate::delivery::is_dev_mode(settings).then(|| CheckpointKey::derive(DEV_SECRET))
    }

    /// Lowercase hex HMAC-SHA256 over the netstrings of [`MAC_TAG`], `seq`
    /// (decimal) and `hash`.
    pub fn mac(&self, seq: i64, hash: &str) -> String {
        hex::encode(&hmac_sha256(&self.0, &[&mac_input(seq, hash)]))
    }

    /// Whether `mac` is the MAC of (`seq`, `hash`), compared in constant
    /// time so that timing does not help forge one digit at a time.
    fn checks(&self, seq: i64, hash: &str, mac: &str) -> bool {
        let want = self.mac(seq, hash);
        want.len() == mac.len()
            && want
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn mac_input(seq: i64, hash: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(110);
    netstring(&mut out, MAC_TAG);
    netstring(&mut out, seq.to_string().as_bytes());
    netstring(&mut out, hash.as_bytes());
    out
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail; the fallback
    // keeps the function total without a panic path.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Where a walk starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After the newest checkpoint that passes its check (genesis if none).
    Newest,
    /// From genesis, trusting no checkpoint: the full walk (`?full=true`).
    Genesis,
    /// After the checkpoint at this `seq`, which must pass its check: how
    /// a full walk continues (`?full=true&from=<verified_through>`). 0 is
    /// genesis.
    Checkpoint(i64),
}

/// Why a checkpoint was not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// Its MAC is wrong: not written with this key.
    Mac,
    /// Its `audit_log` row is gone, has another hash, or no longer hashes to
    /// it.
    Row,
}

impl RejectReason {
    /// `mac` or `row`, for the log.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Mac => "mac",
            RejectReason::Row => "row",
        }
    }
}

/// A checkpoint that failed its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectedCheckpoint {
    /// Its `seq`.
    pub seq: i64,
    /// What failed.
    pub reason: RejectReason,
}

/// The checkpoints seen while choosing where to start.
#[derive(Default)]
struct Rejections {
    count: u64,
    kept: Vec<RejectedCheckpoint>,
}

impl Rejections {
    fn add(&mut self, seq: i64, reason: RejectReason) {
        self.count += 1;
        if self.kept.len() < REJECTED_KEPT {
            self.kept.push(RejectedCheckpoint { seq, reason });
        }
    }
}

/// Verifies the chain from `start` for at most `budget` rows and, when no
/// break was found and rows were verified, writes a checkpoint at the last
/// one (see the module docs). Run it again while the report says
/// `complete: false` (with [`Start::Checkpoint`] at its `verified_through`
/// to continue a full walk).
pub fn verify_incremental(
    sql: &dyn Sql,
    clock: &dyn Clock,
    key: &CheckpointKey,
    start: Start,
    budget: u64,
) -> Result<VerifyReport, VerifyError> {
    let mut rejected = Rejections::default();
    let (from, from_hash) = match start {
        Start::Genesis | Start::Checkpoint(0) => (0, GENESIS_HASH.to_owned()),
        Start::Newest => newest_valid(sql, key, &mut rejected)?,
        Start::Checkpoint(seq) => {
            at_seq(sql, key, seq, &mut rejected)?.ok_or(VerifyError::NotACheckpoint(seq))?
        }
    };
    let walked = walk(sql, from, &from_hash, budget)?;
    let checkpoint_seq = if walked.first_bad_seq.is_none() && walked.through > from {
        write(sql, clock, key, walked.through, &walked.hash)?;
        Some(walked.through)
    } else {
        None
    };
    Ok(VerifyReport::from_walk(
        from,
        walked,
        checkpoint_seq,
        (rejected.count, rejected.kept),
    ))
}

/// Each checkpoint with its `audit_log` row (NULLs when the row is gone).
fn candidates_sql(filter: &str) -> String {
    let row_columns = COLUMNS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT c.seq, c.hash, c.mac, {row_columns} FROM audit_checkpoints c \
         LEFT JOIN audit_log a ON a.seq = c.seq WHERE {filter} \
         ORDER BY c.seq DESC, c.mac DESC LIMIT ?"
    )
}

/// The `(seq, hash)` to start from if this candidate row passes its check,
/// else why not.
fn check(key: &CheckpointKey, row: &[SqlValue]) -> Result<(i64, String), (i64, RejectReason)> {
    let seq = row.first().and_then(SqlValue::as_i64).unwrap_or(0);
    let (Some(hash), Some(mac)) = (
        row.get(1).and_then(SqlValue::as_str),
        row.get(2).and_then(SqlValue::as_str),
    ) else {
        return Err((seq, RejectReason::Mac));
    };
    if !key.checks(seq, hash, mac) {
        return Err((seq, RejectReason::Mac));
    }
    // The row must still be the one the walk proved: same hash stored, and
    // its fields still hashing to it (an edit that kept the hash column
    // would otherwise slip past, since the walk resumes *after* this row).
    match row.get(3..).and_then(record_from_row) {
        Some(r) if r.seq == seq && r.hash == hash && recompute(&r) == hash => {
            Ok((seq, hash.to_owned()))
        }
        _ => Err((seq, RejectReason::Row)),
    }
}

/// The newest checkpoint that passes its check, or genesis.
fn newest_valid(
    sql: &dyn Sql,
    key: &CheckpointKey,
    rejected: &mut Rejections,
) -> Result<(i64, String), StoreError> {
    // Keyset paging newest first over the key (seq, mac), so several rows at
    // one seq (a forged one beside the genuine one) are all seen.
    let statement = candidates_sql("(c.seq < ? OR (c.seq = ? AND c.mac < ?))");
    // Starts above everything: no row has a seq above i64::MAX, and none at
    // i64::MAX has a mac below ''.
    let mut cursor: (i64, String) = (i64::MAX, String::new());
    loop {
        let params = [
            SqlValue::Integer(cursor.0),
            SqlValue::Integer(cursor.0),
            SqlValue::Text(cursor.1.clone()),
            SqlValue::Integer(CANDIDATE_PAGE),
        ];
        let page = sql.execute(&statement, &params)?;
        for row in &page.rows {
            match check(key, row) {
                Ok(start) => return Ok(start),
                Err((seq, reason)) => rejected.add(seq, reason),
            }
            let mac = row.get(2).and_then(SqlValue::as_str).unwrap_or_default();
            cursor = (
                row.first().and_then(SqlValue::as_i64).unwrap_or(i64::MIN),
                mac.to_owned(),
            );
        }
        if (page.rows.len() as i64) < CANDIDATE_PAGE {
            return Ok((0, GENESIS_HASH.to_owned()));
        }
    }
}

/// The checkpoint at `seq` if one there passes its check.
fn at_seq(
    sql: &dyn Sql,
    key: &CheckpointKey,
    seq: i64,
    rejected: &mut Rejections,
) -> Result<Option<(i64, String)>, StoreError> {
    // Rows at one seq differ only by a forger's effort; a page of them is
    // plenty, and a genuine one sorts among them like any other.
    let page = sql.execute(
        &candidates_sql("c.seq = ?"),
        &[SqlValue::Integer(seq), SqlValue::Integer(CANDIDATE_PAGE)],
    )?;
    let mut found = None;
    for row in &page.rows {
        match check(key, row) {
            Ok(start) => found = found.or(Some(start)),
            Err((seq, reason)) => rejected.add(seq, reason),
        }
    }
    Ok(found)
}

/// Records that rows `1..=seq` were proven intact, `seq` hashing to `hash`.
/// Concurrent verifiers reaching the same row write the same (seq, mac), so
/// the key makes all but one skip: no error, no duplicate, on either engine.
fn write(
    sql: &dyn Sql,
    clock: &dyn Clock,
    key: &CheckpointKey,
    seq: i64,
    hash: &str,
) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO audit_checkpoints (seq, hash, mac, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (seq, mac) DO NOTHING",
        &[
            SqlValue::Integer(seq),
            hash.into(),
            key.mac(seq, hash).into(),
            SqlValue::Integer(clock.now()),
        ],
    )?;
    Ok(())
}
