//! Profile, personal QR, document vault, sharing and access log (docs/documents.md).
//!
//! Plain domain logic behind the [`crate::ports`]; the `documents` component
//! only routes, decodes and encodes. Every counter and every "only once"
//! (issuer idempotency, share use counts, QR versions) is one atomic SQL
//! statement, so it holds under parallel requests and across edge nodes.
//! Tables: `infra/migrations/0004_documents.sql` (the profile lives in the
//! `citizens` columns of 0002).
//!
//! # Where document bytes live
//!
//! Content is an SQL BLOB in the same `documents` row as its metadata, not a
//! key-value entry. Spin gives one auto-committed statement per call and no
//! transaction spanning the SQL database and the KV store, so bytes in KV
//! would need two writes that can half-fail: metadata without content, or
//! orphaned content that an issuer retry then duplicates. In one row, an
//! issuer push is a single `INSERT … ON CONFLICT DO NOTHING`, a delete is a
//! single `DELETE`, and the SHA-256 stored next to the bytes always
//! describes them. Documents are capped at 5 MiB ([`kinds::MAX_DOCUMENT_BYTES`]),
//! well inside SQLite's and libSQL's row limits; `content` is the last
//! column so listing metadata never reads the overflow pages holding bytes.
//! The hash is computed on the way in and checked again on the way out
//! ([`vault::content`]): corrupted bytes are refused, never served.

pub mod access_log;
pub mod download;
pub mod error;
pub mod etag;
pub mod issuer;
pub mod kinds;
pub mod officials;
pub mod profile;
pub mod qr;
pub mod quota;
pub mod shares;
pub mod store;
pub mod text;
pub mod vault;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
pub(crate) mod test_support;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests;

pub use error::DocError;
pub use profile::{read_profile, Profile};

pub use crate::hex::sha256_hex;
