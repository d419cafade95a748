//! Append-only, SHA-256 hash-chained audit log of security-relevant events
//! (docs/api.md and docs/documents.md and docs/admin.md).
//!
//! Each row's `hash` covers its own fields and the previous row's `hash`
//! (encoding documented in [`chain`]), so editing, deleting or reordering any
//! row breaks [`verify`] from that row on. Truncating the newest rows cannot
//! be detected from the table alone: publish [`VerifyReport::head_hash`]
//! somewhere else (a log line, a signed daily digest) to anchor it.
//!
//! At tens of millions of rows a walk from genesis does not fit in one
//! request, so [`verify_incremental`] walks from the newest MAC-signed
//! checkpoint for a bounded budget of rows and leaves a new checkpoint where
//! it stopped (`checkpoint.rs` explains what that proves and what it does
//! not).
//!
//! `detail` must never carry secrets — no tokens, OTP codes, keys — and phone
//! numbers go in masked ([`mask_phone`]); see [`redact`].

pub mod action;
mod actor;
pub mod chain;
mod checkpoint;
mod error;
pub mod redact;
mod store;
mod verify;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod checkpoint_tests;

pub use actor::Actor;
pub use chain::{canonical_json, GENESIS_HASH};
pub use checkpoint::{
    verify_incremental, CheckpointKey, RejectReason, RejectedCheckpoint, Start, VERIFY_BUDGET,
};
pub use error::VerifyError;
pub use redact::mask_phone;
pub use store::{
    append, append_all, append_or_log, append_or_log_after, entries_about, log_unrecorded, Tail,
    TAIL_COLUMNS,
};
pub use verify::verify;

use serde_json::Value;

/// An event to record. `actor` names who acted, rendered from an [`Actor`]
/// (`citizen:<id>`, `official:<id>`, `issuer:<code>`, `admin`, …);
/// `subject` is the citizen id the event is about (their access log shows it).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Who acted (see [`Actor`](crate::audit::Actor)).
    pub actor: String,
    /// What happened (one of [`action`](crate::audit::action)).
    pub action: String,
    /// The citizen the event is about, if any.
    pub subject: Option<String>,
    /// Details (never secrets).
    pub detail: Value,
}

impl Entry {
    /// An entry with no subject and an empty `{}` detail.
    pub fn new(actor: Actor, action: &str) -> Entry {
        Entry {
            actor: actor.to_string(),
            action: action.to_owned(),
            subject: None,
            detail: Value::Object(Default::default()),
        }
    }

    /// An entry by any actor name: for the tests of the log's own mechanics
    /// (chain, redaction), which do not care who acted.
    #[cfg(test)]
    pub(crate) fn by_name(actor: impl Into<String>, action: &str) -> Entry {
        Entry {
            actor: actor.into(),
            ..Entry::new(Actor::Anonymous, action)
        }
    }

    /// Sets the citizen the event is about.
    pub fn about(mut self, subject: impl Into<String>) -> Entry {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the detail object (secret-looking keys are redacted on append).
    pub fn detail(mut self, detail: Value) -> Entry {
        self.detail = detail;
        self
    }
}

/// One stored row of `audit_log`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened (Unix seconds).
    pub at: i64,
    /// Who acted (see [`Actor`](crate::audit::Actor)).
    pub actor: String,
    /// What happened (one of [`action`](crate::audit::action)).
    pub action: String,
    /// The citizen the event is about, if any.
    pub subject: Option<String>,
    /// Canonical JSON text, exactly as hashed.
    pub detail: String,
    /// The previous row's hash (the genesis hash for the first).
    pub prev_hash: String,
    /// This row's hash (see [`chain`](crate::audit::chain)).
    pub hash: String,
}

impl AuditRecord {
    /// `detail` parsed back to JSON (`null` if the stored text is not JSON,
    /// which only a tampered row can be).
    pub fn detail_value(&self) -> Value {
        serde_json::from_str(&self.detail).unwrap_or(Value::Null)
    }
}

/// The outcome of a walk of the chain (docs/admin.md, "The audit chain's
/// check").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// No break was found: every row read links to its predecessor and
    /// hashes to its stored `hash`.
    pub ok: bool,
    /// The chain's length proven intact from genesis: `verified_through`
    /// (seqs run 1, 2, 3 … without gaps, so the last one is the count).
    pub entries: u64,
    /// The first `seq` at which the chain breaks: a row that does not hash or
    /// link correctly, or a missing `seq` (deleted or renumbered row).
    pub first_bad_seq: Option<i64>,
    /// `hash` of the row at `verified_through` when `ok` and that is not 0 —
    /// publish it to detect truncation.
    pub head_hash: Option<String>,
    /// The walk reached the tail or a break; `false` when the budget ran out
    /// first (call again: the next walk starts where this one stopped).
    pub complete: bool,
    /// The row the walk started after: 0 for genesis, or the checkpoint it
    /// trusted.
    pub verified_from: i64,
    /// The last `seq` proven intact (`verified_from` if no row was).
    pub verified_through: i64,
    /// The checkpoint this walk wrote (or found already written by a
    /// concurrent verifier) at `verified_through`; `None` when it wrote none
    /// (a break, nothing new, or no checkpoints kept).
    pub checkpoint_seq: Option<i64>,
    /// How many checkpoints failed their check while choosing where to
    /// start (those newer than the one the walk started from) — evidence of
    /// tampering, or of a changed `token_secret`.
    pub rejected_checkpoints: u64,
    /// The newest of them (at most 20), for the log.
    pub rejected: Vec<RejectedCheckpoint>,
}

impl VerifyReport {
    fn from_walk(
        from: i64,
        walked: verify::Walked,
        checkpoint_seq: Option<i64>,
        (rejected_checkpoints, rejected): (u64, Vec<RejectedCheckpoint>),
    ) -> VerifyReport {
        let ok = walked.first_bad_seq.is_none();
        VerifyReport {
            ok,
            entries: u64::try_from(walked.through).unwrap_or(0),
            first_bad_seq: walked.first_bad_seq,
            head_hash: (ok && walked.through > 0).then_some(walked.hash),
            complete: walked.complete,
            verified_from: from,
            verified_through: walked.through,
            checkpoint_seq,
            rejected_checkpoints,
            rejected,
        }
    }
}
