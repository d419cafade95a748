//! What can go wrong verifying the audit chain, and its API error rendering.
//!
//! A broken chain is not an error: it is a [`super::VerifyReport`] with
//! `ok: false`. Errors are only a store that does not answer and a starting
//! point the caller named that is not a checkpoint.

use std::fmt;

use crate::error::ApiError;
use crate::ports::StoreError;

/// A failed verification call; becomes an [`ApiError`] by `From`.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyError {
    /// The database failed (503, the cause for the log only).
    Store(StoreError),
    /// The walk was asked to start at this `seq`, but no checkpoint there
    /// passes its check (none, a bad MAC, or its row changed): 422 on `from`.
    NotACheckpoint(i64),
}

impl From<StoreError> for VerifyError {
    fn from(e: StoreError) -> VerifyError {
        VerifyError::Store(e)
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Store(e) => write!(f, "{e}"),
            VerifyError::NotACheckpoint(seq) => write!(f, "no valid checkpoint at seq {seq}"),
        }
    }
}

impl From<VerifyError> for ApiError {
    fn from(e: VerifyError) -> ApiError {
        match e {
            VerifyError::Store(e) => e.into(),
            VerifyError::NotACheckpoint(_) => ApiError::invalid_field("from", "not_a_checkpoint"),
        }
    }
}
