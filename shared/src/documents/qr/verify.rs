//! Deciding whether a scanned personal QR is genuine, and if not, why.
//!
//! Order of checks: layout → signature → QID → version → current profile.
//! A bad signature is told apart as `altered` when the code's own `EXT`
//! is the genuine signature of that citizen's real data (someone edited the
//! readable fields of a real code), otherwise `forged`.

use super::payload::{parse, QrFields};
use super::store::find_by_qid;
use crate::documents::profile::{read_profile, Profile};
use crate::identity::Ports;
use crate::lang::Lang;
use crate::ports::StoreError;

/// Why a code was refused. Stable spellings: scanner apps branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Not a personal QR in the 1405 layout at all.
    Malformed,
    /// The signature is not ours: made up, or signed with another key.
    Forged,
    /// A real code whose readable fields were edited.
    Altered,
    /// A real code the citizen has since replaced by rotating.
    Rotated,
    /// Signed by us, but no citizen holds this QID (any more).
    Unknown,
    /// A real, current code whose data no longer matches the citizen's
    /// profile (name, date of birth or id number changed since it was shown).
    Outdated,
}

impl Reason {
    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::Forged => "forged",
            Reason::Altered => "altered",
            Reason::Rotated => "rotated",
            Reason::Unknown => "unknown",
            Reason::Outdated => "outdated",
        }
    }

    /// What to tell the official, in their language.
    pub fn message(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Reason::Malformed => (
                "Mã QR không đúng định dạng mã QR cá nhân.",
                "This is not a personal QR code.",
            ),
            Reason::Forged => (
                "Mã QR giả mạo: chữ ký không do hệ thống cấp.",
                "Forged code: the signature was not issued by the platform.",
            ),
            Reason::Altered => (
                "Mã QR đã bị sửa đổi thông tin.",
                "The information in this code has been altered.",
            ),
            Reason::Rotated => (
                "Mã QR đã được công dân thay mới; mã này không còn hiệu lực.",
                "The citizen has replaced this code; it is no longer valid.",
            ),
            Reason::Unknown => (
                "Không tìm thấy công dân của mã QR này.",
                "No citizen holds this code.",
            ),
            Reason::Outdated => (
                "Thông tin trên mã QR không còn khớp với hồ sơ công dân.",
                "The code's information no longer matches the citizen's profile.",
            ),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// What a verifying official is told about a genuine code of a citizen no
/// official has verified yet: the name, birth date and id number are the
/// citizen's own declaration, not confirmed data.
pub fn unconfirmed_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Mã QR do hệ thống cấp, nhưng danh tính chưa được cán bộ xác minh: họ tên, ngày sinh và số CCCD \
                     là do công dân tự khai. Hãy đối chiếu với giấy tờ gốc.",
        Lang::En => "The code was issued by the platform, but no official has verified this identity yet: the name, \
                     date of birth and CCCD number are the citizen's own declaration. Check them against the card.",
    }
}

/// The answer to one verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The code is ours, current, and matches the profile.
    Genuine {
        /// The citizen's current profile (boxed: a rejection is small, and
        /// most verdicts are built and dropped within one request).
        profile: Box<Profile>,
        /// The code's QR id.
        qid: String,
        /// The code's version.
        version: i64,
    },
    /// The code is refused.
    Rejected {
        /// Why.
        reason: Reason,
        /// The citizen the code points at, when it points at a real one
        /// (their access log shows the attempt).
        citizen_id: Option<String>,
        /// The code's QR id, when it could be read.
        qid: Option<String>,
    },
}

impl Verdict {
    fn rejected(reason: Reason, citizen_id: Option<String>, qid: Option<String>) -> Verdict {
        Verdict::Rejected {
            reason,
            citizen_id,
            qid,
        }
    }

    /// The citizen concerned, if any.
    pub fn citizen_id(&self) -> Option<&str> {
        match self {
            Verdict::Genuine { profile, .. } => Some(&profile.citizen_id),
            Verdict::Rejected { citizen_id, .. } => citizen_id.as_deref(),
        }
    }

    /// `"valid"` or the reason's spelling.
    pub fn result(&self) -> &'static str {
        match self {
            Verdict::Genuine { .. } => "valid",
            Verdict::Rejected { reason, .. } => reason.as_str(),
        }
    }
}

/// Checks `payload` against the signing `secret` and the stored state.
pub fn verify(ports: Ports<'_>, secret: &[u8], payload: &str) -> Result<Verdict, StoreError> {
    let Some(presented) = parse(payload) else {
        return Ok(Verdict::rejected(Reason::Malformed, None, None));
    };
    let fields = &presented.fields;
    let qid = Some(fields.qid.clone());
    let record = find_by_qid(ports.sql, &fields.qid)?;
    let profile = match &record {
        Some(r) => read_profile(ports, &r.citizen_id)?,
        None => None,
    };
    if !fields.signed_by(secret, &presented.signature) {
        let citizen_id = profile.as_ref().map(|p| p.citizen_id.clone());
        let altered = profile.as_ref().is_some_and(|p| {
            QrFields::for_profile(p, &fields.qid, fields.version)
                .signed_by(secret, &presented.signature)
        });
        let reason = if altered {
            Reason::Altered
        } else {
            Reason::Forged
        };
        return Ok(Verdict::rejected(reason, citizen_id, qid));
    }
    let (Some(record), Some(profile)) = (record, profile) else {
        return Ok(Verdict::rejected(Reason::Unknown, None, qid));
    };
    let citizen_id = Some(profile.citizen_id.clone());
    if fields.version < record.version {
        return Ok(Verdict::rejected(Reason::Rotated, citizen_id, qid));
    }
    if fields.version > record.version {
        // Signed by us for a version never reached: the database was rolled
        // back. The citizen's current code is the one to trust.
        return Ok(Verdict::rejected(Reason::Unknown, citizen_id, qid));
    }
    if QrFields::for_profile(&profile, &record.qid, record.version) != *fields {
        return Ok(Verdict::rejected(Reason::Outdated, citizen_id, qid));
    }
    Ok(Verdict::Genuine {
        profile: Box::new(profile),
        qid: record.qid,
        version: record.version,
    })
}
