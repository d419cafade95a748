//! The text inside a personal QR: `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT`.
//!
//! * `SoGiayTo` — the 12-digit CCCD number once an official has confirmed
//!   it (verification), empty before: a number the citizen only declared is
//!   not signed into a code;
//! * `HoTen` — the full name upper-case without diacritics (`Đ` → `D`);
//! * `NgaySinh` — `YYYY-MM-DD`, empty until given;
//! * `LoaiDinhDanh` — what identifies the person: [`LOAI_CCCD`] when
//!   `SoGiayTo` holds a CCCD, [`LOAI_PLATFORM`] when only the QID does;
//! * `QID` — the platform's stable code for the citizen (16 characters of
//!   Crockford base32, never changes);
//! * `EXT` — `<version>.<signature>`: the QR version (bumped by rotation)
//!   and the first 128 bits of HMAC-SHA256 under `qr_secret` over the other
//!   five fields and the version, in unpadded base64url (22 characters).
//!
//! 128 bits is far beyond guessing (each guess costs an official's verified
//! request) and keeps the code small enough for printed cards at EC level Q.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::super::profile::Profile;
use super::super::text::fold_upper_ascii;

/// `LoaiDinhDanh` when `SoGiayTo` is a CCCD number.
pub const LOAI_CCCD: &str = "CCCD";
/// `LoaiDinhDanh` when the citizen has not given one: the QID identifies.
pub const LOAI_PLATFORM: &str = "CDS";

/// Signature bytes kept in `EXT`.
const SIG_BYTES: usize = 16;
/// Separates the signed data from other uses of the same secret.
const DOMAIN: &[u8] = b"cds-personal-qr/1\n";
/// Longest payload looked at; ours are about 90 bytes.
const MAX_PAYLOAD_BYTES: usize = 512;
/// Characters of a QID.
pub const QID_CHARS: usize = 16;
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The five data fields and the version, as printed in a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrFields {
    /// `SoGiayTo`: the confirmed CCCD number, or empty.
    pub so_giay_to: String,
    /// `HoTen`: the full name.
    pub ho_ten: String,
    /// `NgaySinh`: the date of birth as in the profile (`YYYY-MM-DD`).
    pub ngay_sinh: String,
    /// `LoaiDinhDanh`: what kind of number `so_giay_to` is.
    pub loai_dinh_danh: String,
    /// The citizen's stable QR id.
    pub qid: String,
    /// The code's version (bumped by each rotation).
    pub version: i64,
}

/// A payload as presented to a verifier, parsed but not yet trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// The readable fields.
    pub fields: QrFields,
    /// The `EXT` signature bytes.
    pub signature: Vec<u8>,
}

impl QrFields {
    /// The fields of `profile`'s code with this QID and version. Only the
    /// confirmed id number is used (see the module docs).
    pub fn for_profile(profile: &Profile, qid: &str, version: i64) -> QrFields {
        let id = profile.id_number.clone().unwrap_or_default();
        QrFields {
            loai_dinh_danh: if id.is_empty() {
                LOAI_PLATFORM
            } else {
                LOAI_CCCD
            }
            .to_owned(),
            so_giay_to: id,
            ho_ten: fold_upper_ascii(profile.full_name.as_deref().unwrap_or("")),
            ngay_sinh: profile.date_of_birth.clone().unwrap_or_default(),
            qid: qid.to_owned(),
            version,
        }
    }

    fn data(&self) -> String {
        [
            &self.so_giay_to,
            &self.ho_ten,
            &self.ngay_sinh,
            &self.loai_dinh_danh,
            &self.qid,
        ]
        .map(String::as_str)
        .join("|")
    }

    /// The truncated HMAC binding the five fields and the version.
    pub fn signature(&self, secret: &[u8]) -> [u8; SIG_BYTES] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(m) => m,
            Err(_) => return [0; SIG_BYTES],
        };
        mac.update(DOMAIN);
        mac.update(self.data().as_bytes());
        mac.update(format!("|{}", self.version).as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; SIG_BYTES];
        out.copy_from_slice(&full[..SIG_BYTES]);
        out
    }

    /// The whole payload, `EXT` included.
    pub fn encode(&self, secret: &[u8]) -> String {
        let sig = URL_SAFE_NO_PAD.encode(self.signature(secret));
        format!("{}|{}.{sig}", self.data(), self.version)
    }

    /// Whether `signature` is this code's under `secret`, in constant time.
    pub fn signed_by(&self, secret: &[u8], signature: &[u8]) -> bool {
        self.signature(secret).ct_eq(signature).into()
    }
}

/// Reads a scanned payload. `None` when it is not in the layout at all;
/// trailing line breaks that scanners append are ignored.
pub fn parse(payload: &str) -> Option<Presented> {
    let payload = payload.trim_end_matches(['\r', '\n']);
    if payload.len() > MAX_PAYLOAD_BYTES {
        return None;
    }
    let parts: Vec<&str> = payload.split('|').collect();
    let [so_giay_to, ho_ten, ngay_sinh, loai, qid, ext] = parts.as_slice() else {
        return None;
    };
    if !plausible_qid(qid) {
        return None;
    }
    let (version, sig) = ext.split_once('.')?;
    if version.is_empty()
        || version.len() > 9
        || !version.bytes().all(|b| b.is_ascii_digit())
        || version.starts_with('0')
    {
        return None;
    }
    let signature = URL_SAFE_NO_PAD
        .decode(sig)
        .ok()
        .filter(|s| s.len() == SIG_BYTES)?;
    Some(Presented {
        fields: QrFields {
            so_giay_to: (*so_giay_to).to_owned(),
            ho_ten: (*ho_ten).to_owned(),
            ngay_sinh: (*ngay_sinh).to_owned(),
            loai_dinh_danh: (*loai).to_owned(),
            qid: (*qid).to_owned(),
            version: version.parse().ok()?,
        },
        signature,
    })
}

/// A fresh QID from 80 random bits.
pub fn new_qid(random: &dyn crate::ports::Random) -> String {
    let mut bytes = [0u8; 10];
    random.fill(&mut bytes);
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    (0..QID_CHARS)
        .rev()
        .map(|i| char::from(CROCKFORD[((bits >> (i * 5)) & 31) as usize]))
        .collect()
}

/// Whether `s` could be a QID (checked before any query).
pub fn plausible_qid(s: &str) -> bool {
    s.len() == QID_CHARS && s.bytes().all(|b| CROCKFORD.contains(&b))
}
