//! The personal QR code (docs/documents.md): one per citizen, in the national
//! personal-QR layout of Decision 1405/QĐ-BTTTT, signed so that the platform
//! can prove it issued a code, and rotatable.
//!
//! Payload: `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT` ([`payload`]).
//! Officials' scanners send it back to `POST /api/v1/officials/verify-qr`,
//! which answers who it is or why not ([`verify`]).
//!
//! `SoGiayTo` carries only a CCCD number an official has confirmed: a
//! provisional citizen's declared number is never signed into a code, so a
//! code cannot lend a claimed number the platform's signature. The verify
//! answer says whether the data is confirmed ([`unconfirmed_notice`]).

pub mod payload;
pub mod render;
pub mod store;
pub mod verify;

pub use payload::{QrFields, LOAI_CCCD, LOAI_PLATFORM};
pub use render::{png, svg, EcLevel};
pub use store::{ensure, rotate, QrRecord};
pub use verify::{unconfirmed_notice, verify, Reason, Verdict};

use super::error::DocError;
use crate::ports::Settings;

/// The `qr_secret` setting as key bytes. Blank or unset → 503 (`Config`):
/// without it no code can be signed or checked, and a default secret would
/// let anyone forge codes.
pub fn qr_secret(settings: &dyn Settings) -> Result<Vec<u8>, DocError> {
    let secret = settings.get("qr_secret").unwrap_or_default();
    // Trimmed because secrets often arrive from files with a trailing newline.
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(DocError::Config("qr_secret"));
    }
    Ok(secret.as_bytes().to_vec())
}

/// `001099012345` → `******012345`: what a verifying official sees. The
/// first six digits (province, century/gender, birth year) are hidden; the
/// last six are enough to compare with the card in front of them.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let hidden = chars.len().min(6);
    let mut out = "*".repeat(hidden);
    out.extend(&chars[hidden..]);
    out
}
