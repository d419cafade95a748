//! The `personal_qr` rows: each citizen's stable QID and current version.

use super::payload::new_qid;
use crate::identity::Ports;
use crate::ports::{Sql, StoreError};
use crate::rows::{first, Row};

/// A citizen's QR identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrRecord {
    /// Whose code it is.
    pub citizen_id: String,
    /// The stable QR id printed in every version.
    pub qid: String,
    /// Only codes of this version verify.
    pub version: i64,
    /// First use, Unix seconds.
    pub created_at: i64,
    /// Latest rotation, if any.
    pub rotated_at: Option<i64>,
}

const COLUMNS: &str = "citizen_id, qid, version, created_at, rotated_at";

fn record(r: &Row<'_>) -> Result<QrRecord, StoreError> {
    Ok(QrRecord {
        citizen_id: r.text("citizen_id")?,
        qid: r.text("qid")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        rotated_at: r.opt_i64("rotated_at")?,
    })
}

/// The citizen's QR identity, created (version 1) on first use. Parallel
/// first uses agree on one QID: the insert is keyed on the citizen.
pub fn ensure(ports: Ports<'_>, citizen_id: &str) -> Result<QrRecord, StoreError> {
    // A QID collision (80 random bits) is astronomically rare; a retry with
    // fresh bits settles it without a read-then-write.
    for _ in 0..3 {
        let inserted = ports.sql.execute(
            "INSERT INTO personal_qr (citizen_id, qid, version, created_at) VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (citizen_id) DO NOTHING",
            &[citizen_id.into(), new_qid(ports.random).into(), ports.clock.now().into()],
        );
        match inserted {
            Ok(_) => break,
            Err(StoreError::Constraint(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    let rows = ports.sql.execute(
        &format!("SELECT {COLUMNS} FROM personal_qr WHERE citizen_id = ?1"),
        &[citizen_id.into()],
    )?;
    first(&rows)
        .map(|r| record(&r))
        .transpose()?
        .ok_or_else(|| StoreError::Unavailable("personal_qr row missing after insert".into()))
}

/// Bumps the version: every code printed or shown before stops verifying
/// (as `rotated`). The QID stays.
pub fn rotate(ports: Ports<'_>, citizen_id: &str) -> Result<QrRecord, StoreError> {
    ensure(ports, citizen_id)?;
    let rows = ports.sql.execute(
        &format!(
            "UPDATE personal_qr SET version = version + 1, rotated_at = ?2 WHERE citizen_id = ?1 \
             RETURNING {COLUMNS}"
        ),
        &[citizen_id.into(), ports.clock.now().into()],
    )?;
    first(&rows)
        .map(|r| record(&r))
        .transpose()?
        .ok_or_else(|| StoreError::Unavailable("personal_qr row missing on rotate".into()))
}

/// The record holding `qid`.
pub fn find_by_qid(sql: &dyn Sql, qid: &str) -> Result<Option<QrRecord>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {COLUMNS} FROM personal_qr WHERE qid = ?1"),
        &[qid.into()],
    )?;
    first(&rows).map(|r| record(&r)).transpose()
}
