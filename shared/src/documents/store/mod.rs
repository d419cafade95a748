//! The documents domain's SQL: every statement on `documents`, `shares`, the
//! profile columns of `citizens` with `id_number_claims`, and the access-log
//! read of `audit_log`, with the mapping of their rows. The rule files
//! (`vault`, `issuer`, `shares`, `profile`, `access_log`) decide what to ask;
//! only this module (and `qr::store` for `personal_qr`) speaks SQL.
//!
//! Every "only once" and every limit is part of the one statement that
//! writes (a `WHERE` on the `INSERT … SELECT` or `UPDATE`, a unique index
//! with `ON CONFLICT`), never a read followed by a write; the statement docs
//! say which. Reads that follow a refused write only choose the error shown.

pub mod audit_reads;
pub mod documents;
pub mod profiles;
pub mod shares;

use crate::ports::{Sql, StoreError};
use crate::rows::first;

/// The display name of an organisational unit (`None` for an unknown code),
/// shown in a citizen's access log next to the official's unit code.
pub fn unit_name(sql: &dyn Sql, code: &str) -> Result<Option<String>, StoreError> {
    let rows = sql.execute("SELECT name FROM units WHERE code = ?1", &[code.into()])?;
    first(&rows).map(|r| r.text("name")).transpose()
}
