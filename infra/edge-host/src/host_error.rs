//! The answers `edge-host` makes itself, without a component: unrouted paths,
//! refused or slow bodies, a full server, a guest that failed or ran out of
//! time. They use the docs/api.md error shape
//! `{"error":{"code","message","fields"}}`, Vietnamese by default and English
//! for `Accept-Language: en`, and carry an `x-request-id`, so a client sees one
//! error format whether the host or the app refused it.
//!
//! The language and request-id rules mirror the app's (`shared/src/lang.rs`,
//! `shared/src/http.rs`); the runtime does not depend on the app's crate.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

/// Longest client `x-request-id` echoed back (the app's limit too).
const MAX_REQUEST_ID_LEN: usize = 128;
/// `Accept-Language` items looked at, as in the app.
const MAX_LANGUAGE_ITEMS: usize = 32;

/// Why the host answered instead of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostError {
    /// No route matches the path.
    NotFound,
    /// The body is (or would be) larger than `limit` bytes.
    PayloadTooLarge {
        /// The largest body accepted, in bytes.
        limit: u64,
    },
    /// The client did not send its whole body in time.
    BodyTimeout,
    /// The body could not be read (malformed chunked encoding, …).
    BadBody,
    /// Every request slot is busy.
    Overloaded {
        /// Seconds the client is told to wait (`Retry-After`).
        retry_after: u64,
    },
    /// The guest ran past the wall-clock limit before answering.
    Timeout,
    /// The guest trapped, ran out of memory or never answered.
    Internal,
}

/// The language of a host answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Vietnamese, the default.
    Vi,
    /// English, when the client prefers it.
    En,
}

impl HostError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            HostError::NotFound => 404,
            HostError::PayloadTooLarge { .. } => 413,
            HostError::BodyTimeout => 408,
            HostError::BadBody => 400,
            HostError::Overloaded { .. } => 503,
            HostError::Timeout => 504,
            HostError::Internal => 500,
        }
    }

    /// The stable code; the same codes as the app's where the meaning is the
    /// same (`not_found`, `payload_too_large`, `bad_request`, `internal`).
    pub fn code(&self) -> &'static str {
        match self {
            HostError::NotFound => "not_found",
            HostError::PayloadTooLarge { .. } => "payload_too_large",
            HostError::BodyTimeout => "request_timeout",
            HostError::BadBody => "bad_request",
            HostError::Overloaded { .. } => "overloaded",
            HostError::Timeout => "timeout",
            HostError::Internal => "internal",
        }
    }

    /// The human-readable message in `lang`.
    pub fn message(&self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            HostError::NotFound => ("Không tìm thấy tài nguyên.", "Resource not found."),
            HostError::PayloadTooLarge { .. } => {
                ("Dữ liệu gửi lên quá lớn.", "The request body is too large.")
            }
            HostError::BodyTimeout => (
                "Dữ liệu gửi lên quá chậm, vui lòng thử lại.",
                "The request body took too long to arrive. Please try again.",
            ),
            HostError::BadBody => ("Yêu cầu không hợp lệ.", "The request is malformed."),
            HostError::Overloaded { .. } => (
                "Hệ thống đang quá tải, vui lòng thử lại sau ít phút.",
                "The service is busy, please try again shortly.",
            ),
            HostError::Timeout => (
                "Yêu cầu xử lý quá lâu, vui lòng thử lại sau.",
                "The request took too long to process, please try again later.",
            ),
            HostError::Internal => (
                "Đã có lỗi xảy ra, vui lòng thử lại sau.",
                "Something went wrong, please try again later.",
            ),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// Seconds for `Retry-After`, when waiting helps.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            HostError::Overloaded { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Whether the connection must close after the answer: the rest of the
    /// request (its body) was not read and cannot be skipped.
    pub fn closes_connection(&self) -> bool {
        matches!(
            self,
            HostError::PayloadTooLarge { .. } | HostError::BodyTimeout | HostError::BadBody
        )
    }

    /// The docs/api.md body. `fields` is always present (empty when there is
    /// nothing to add) so clients can read it without a check.
    pub fn to_json(&self, lang: Lang) -> Value {
        let fields = match self {
            HostError::PayloadTooLarge { limit } => json!({ "limit": limit }),
            HostError::Overloaded { retry_after } => json!({ "retry_after": retry_after }),
            _ => json!({}),
        };
        json!({ "error": { "code": self.code(), "message": self.message(lang), "fields": fields } })
    }
}

impl Lang {
    /// English only when the client prefers it over Vietnamese (`en`, `en-*`
    /// above `vi`, `vi-*` and `*`); anything else, or no header, is Vietnamese.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for item in header.unwrap_or("").split(',').take(MAX_LANGUAGE_ITEMS) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "en" => Lang::En,
                "vi" | "*" => Lang::Vi,
                _ => continue,
            };
            let mut quality = Some(1000);
            for param in parts {
                if let Some((name, value)) = param.trim().split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        quality = parse_qvalue(value.trim());
                    }
                }
            }
            match quality {
                Some(q) if q > 0 && best.is_none_or(|(b, _)| q > b) => best = Some((q, lang)),
                _ => {}
            }
        }
        best.map_or(Lang::Vi, |(_, lang)| lang)
    }
}

/// An RFC 9110 qvalue in thousandths (`0`, `0.5`, `1.000`); `None` if malformed.
fn parse_qvalue(text: &str) -> Option<u16> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The request id to answer with: the client's when safe to echo (1–128
/// characters of `[A-Za-z0-9._:-]`, so nothing can be injected into headers or
/// logs), otherwise 32 fresh hex digits.
pub fn request_id(client: Option<&str>) -> String {
    let sane = |id: &str| {
        !id.is_empty()
            && id.len() <= MAX_REQUEST_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    };
    match client {
        Some(id) if sane(id) => id.to_owned(),
        _ => fresh_id(),
    }
}

/// 128 bits that differ per request and per process: a request id needs to be
/// unique, not secret, so std's randomly keyed hasher over a counter will do.
fn fresh_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_the_spec_shape_in_both_languages() {
        let e = HostError::PayloadTooLarge { limit: 1024 };
        let vi = e.to_json(Lang::Vi);
        assert_eq!(vi["error"]["code"], "payload_too_large");
        assert_eq!(vi["error"]["message"], "Dữ liệu gửi lên quá lớn.");
        assert_eq!(vi["error"]["fields"]["limit"], 1024);
        let en = e.to_json(Lang::En);
        assert_eq!(en["error"]["message"], "The request body is too large.");
        assert_eq!(
            HostError::Timeout.to_json(Lang::Vi)["error"]["fields"],
            json!({})
        );
    }

    #[test]
    fn every_error_has_a_status_code_and_two_messages() {
        let all = [
            HostError::NotFound,
            HostError::PayloadTooLarge { limit: 1 },
            HostError::BodyTimeout,
            HostError::BadBody,
            HostError::Overloaded { retry_after: 1 },
            HostError::Timeout,
            HostError::Internal,
        ];
        for e in all {
            assert!((400..600).contains(&e.status()), "{e:?}");
            assert!(!e.code().is_empty());
            assert_ne!(e.message(Lang::Vi), e.message(Lang::En), "{e:?}");
        }
        assert_eq!(
            HostError::Overloaded { retry_after: 3 }.retry_after(),
            Some(3)
        );
        assert_eq!(
            HostError::Overloaded { retry_after: 3 }.to_json(Lang::En)["error"]["fields"]
                ["retry_after"],
            3
        );
        assert_eq!(HostError::Timeout.retry_after(), None);
    }

    #[test]
    fn english_only_when_preferred() {
        assert_eq!(Lang::from_accept_language(None), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("en-US,en;q=0.9,vi;q=0.8")),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language(Some("vi-VN,en;q=0.5")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("fr-FR")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en;q=0")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en;q=abc")), Lang::Vi);
        assert_eq!(
            Lang::from_accept_language(Some("vi;q=0.3, EN;q=0.7")),
            Lang::En
        );
    }

    #[test]
    fn request_ids_are_echoed_only_when_safe() {
        assert_eq!(request_id(Some("abc-123.X:y_z")), "abc-123.X:y_z");
        for bad in ["", "has space", "new\nline", &"a".repeat(129)] {
            let id = request_id(Some(bad));
            assert_ne!(id, bad);
            assert_eq!(id.len(), 32);
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert_ne!(request_id(None), request_id(None), "fresh ids differ");
    }
}
