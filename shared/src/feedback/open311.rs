//! Open311 GeoReport v2 (JSON) mapped onto feedback (docs/feedback.md).
//!
//! * a **service** is a feedback category: `service_code` = category code,
//!   `group` = the handling unit's name, `metadata` false (no extra
//!   attributes), `type` `realtime` (the id comes back at once);
//! * a **service request** is a published feedback item in its public,
//!   redacted form (see [`super::redact`]): `service_request_id` = tracking
//!   code, `status` `open` (received, in progress) or `closed` (resolved,
//!   rejected), `status_notes` = the city's response, `agency_responsible`
//!   = the unit's name, times in RFC 3339 with +07:00;
//! * `POST requests.json` (form-encoded) needs a partner `api_key` (a key
//!   from `POST /api/v1/admin/issuers` with the `open311` scope; any other
//!   key is refused with 403 `key_scope`), `service_code`, `lat` and
//!   `long` (this platform locates every item), and `description`; the title
//!   is the description's first line. The personal fields GeoReport allows
//!   (`email`, `first_name`, `last_name`, `phone`, `device_id`,
//!   `account_id`) are not stored: the partner keeps its users' contact
//!   details, the city gets the problem — and since they are never looked
//!   up, the answer cannot tell a partner whether a phone has an account;
//! * errors are GeoReport arrays `[{"code":…, "description":…}]` with the
//!   HTTP status as `code`: 403 for a missing or bad key, 404 for an unknown
//!   service or request, 429 over quota, 400 for anything else the client
//!   must fix.

use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;

use super::categories::Category;
use super::error::FeedbackError;
use super::redact::{mask_personal_data, round_coordinate, street_only};
use super::status::Status;
use super::submit::Created;
use super::validate::{Draft, LocationDraft, TITLE_MAX_CHARS};
use super::Feedback;

/// The GeoReport reads of published requests (their SQL is the store's).
pub use super::store::{find_request, list_requests};
use crate::apikey::KeyRefused;
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::identity::rfc3339_vn;
use crate::lang::Lang;

/// GeoReport's default and maximum window of `GET requests`.
pub const MAX_RANGE_SECONDS: i64 = 90 * 86_400;
/// Most requests one `GET requests` returns.
pub const MAX_REQUESTS: i64 = 1_000;

/// Most `service_code` values one query filters by (there are far fewer
/// services; the bound keeps a hostile query within SQL parameter limits).
const MAX_SERVICE_CODES: usize = 100;

/// Search words for the seeded categories (GeoReport `keywords`).
const KEYWORDS: &[(&str, &str)] = &[
    (
        "environment",
        "rác thải, ô nhiễm, nước thải, cây xanh, vệ sinh môi trường",
    ),
    (
        "traffic",
        "ổ gà, đèn tín hiệu, biển báo, ùn tắc, hư hỏng đường",
    ),
    (
        "urban-order",
        "lấn chiếm vỉa hè, xây dựng trái phép, quảng cáo, trật tự",
    ),
    (
        "public-services",
        "thủ tục hành chính, một cửa, hồ sơ, dịch vụ công",
    ),
    (
        "health",
        "bệnh viện, trạm y tế, an toàn thực phẩm, dịch bệnh",
    ),
    ("education", "trường học, học phí, giáo viên"),
];

/// One entry of `services.json`.
pub fn service_json(c: &Category) -> Value {
    let keywords = KEYWORDS
        .iter()
        .find(|(code, _)| *code == c.code)
        .map_or_else(|| c.name.clone(), |(_, k)| (*k).to_owned());
    json!({
        "service_code": c.code,
        "service_name": c.name,
        "description": format!("Phản ánh về {}; do {} tiếp nhận và xử lý.", c.name.to_lowercase(), c.unit_name),
        "metadata": false,
        "type": "realtime",
        "keywords": keywords,
        "group": c.unit_name,
    })
}

/// `services/{code}.json`: no extra attributes for any service.
pub fn service_definition_json(c: &Category) -> Value {
    json!({"service_code": c.code, "attributes": []})
}

/// One service request, in the public redacted form.
pub fn request_json(f: &Feedback) -> Value {
    json!({
        "service_request_id": f.tracking_code,
        "status": f.status.open311(),
        "status_notes": f.response.as_deref().map(mask_personal_data),
        "service_name": f.category_name,
        "service_code": f.category_code,
        "description": mask_personal_data(&f.report.content),
        "agency_responsible": f.unit_name,
        "service_notice": Value::Null,
        "requested_datetime": rfc3339_vn(f.created_at),
        "updated_datetime": rfc3339_vn(f.updated_at),
        "expected_datetime": Value::Null,
        "address": f.report.address.as_deref().and_then(street_only),
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": round_coordinate(f.report.lat),
        "long": round_coordinate(f.report.lng),
        "media_url": f.report.media_url,
    })
}

/// The answer to `POST requests.json`.
pub fn created_json(c: &Created, unit_name: &str, lang: Lang) -> Value {
    let notice = match lang {
        Lang::Vi => format!(
            "Đã tiếp nhận phản ánh {}; {unit_name} sẽ xem xét và xử lý.",
            c.tracking_code
        ),
        Lang::En => format!(
            "Report {} received; {unit_name} will review and handle it.",
            c.tracking_code
        ),
    };
    json!([{"service_request_id": c.tracking_code, "service_notice": notice, "account_id": Value::Null}])
}

/// The first value of a form field, when present and not blank (GeoReport:
/// an empty parameter is the same as a missing one).
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// Reads a `POST requests.json` form into a [`Draft`] (validated later by
/// [`super::validate`]; run its error through [`rename_fields`]).
pub fn draft_from_form(pairs: &[(String, String)]) -> Result<Draft, FeedbackError> {
    let mut problems = Vec::new();
    let mut number = |name: &'static str| match field(pairs, name) {
        None => {
            problems.push((name, "required"));
            0.0
        }
        Some(v) => v.trim().parse::<f64>().unwrap_or_else(|_| {
            problems.push((name, "not_a_number"));
            0.0
        }),
    };
    let lat = number("lat");
    let lng = number("long");
    if !problems.is_empty() {
        return Err(FeedbackError::Invalid(problems));
    }
    let description = field(pairs, "description").unwrap_or_default();
    Ok(Draft {
        category: field(pairs, "service_code").unwrap_or_default().to_owned(),
        title: title_from(description),
        content: description.to_owned(),
        location: LocationDraft {
            lat,
            lng,
            address: field(pairs, "address_string").map(str::to_owned),
        },
        anonymous: false,
        media_url: field(pairs, "media_url").map(str::to_owned),
    })
}

/// GeoReport has no title: use the description's first non-blank line,
/// shortened with "…" to fit.
fn title_from(description: &str) -> String {
    let nfc: String = description.nfc().collect();
    let line = nfc
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.chars().count() <= TITLE_MAX_CHARS {
        return line.to_owned();
    }
    let mut short: String = line.chars().take(TITLE_MAX_CHARS - 1).collect();
    short.push('…');
    short
}

/// Renames our field paths to the GeoReport parameter a client sent.
pub fn rename_fields(e: FeedbackError) -> FeedbackError {
    match e {
        FeedbackError::Invalid(list) => {
            let mut renamed: Vec<(&'static str, &'static str)> = Vec::new();
            for (field, reason) in list {
                let name = match field {
                    "category" => "service_code",
                    "title" | "content" => "description",
                    "location.lat" => "lat",
                    "location.lng" => "long",
                    "location.address" => "address_string",
                    other => other,
                };
                if !renamed.iter().any(|(n, _)| *n == name) {
                    renamed.push((name, reason));
                }
            }
            FeedbackError::Invalid(renamed)
        }
        other => other,
    }
}

/// A refused submission in GeoReport terms: an unknown `service_code` is
/// 404 `service_not_found` (GeoReport: "service_code … was not found"),
/// other field problems are named by the parameter the client sent.
pub fn submission_error(e: FeedbackError) -> ApiError {
    match rename_fields(e) {
        FeedbackError::Invalid(list) if list.contains(&("service_code", "unknown_value")) => {
            ApiError::NotFound {
                code: "service_not_found",
            }
        }
        other => other.into(),
    }
}

/// A refused partner key in GeoReport terms: 403 for a missing or unknown
/// key (GeoReport has no 401), 403 `key_scope` for a key of another kind,
/// 503 when the store failed.
pub fn partner_key_error(refused: KeyRefused) -> ApiError {
    match refused {
        KeyRefused::Unknown => ApiError::Forbidden,
        other => other.into(),
    }
}

/// The filters of `GET requests.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestQuery {
    /// `service_request_id` (comma-delimited): overrides every other filter.
    pub ids: Vec<String>,
    /// `service_code` (comma-delimited); empty = all.
    pub service_codes: Vec<String>,
    /// Empty = all; otherwise the statuses `open`/`closed` stand for.
    pub statuses: Vec<Status>,
    /// Inclusive bounds on `requested_datetime` (Unix seconds).
    pub start: i64,
    /// See `start`.
    pub end: i64,
}

fn list_param(req: &Request, name: &str) -> Vec<String> {
    req.query
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

impl RequestQuery {
    /// Reads the query. Without dates the window is the last 90 days; with
    /// one date it is the 90 days after `start_date` or before `end_date`;
    /// two dates may not be more than 90 days apart.
    pub fn from_request(req: &Request, now: i64) -> Result<RequestQuery, FeedbackError> {
        let mut problems = Vec::new();
        let mut statuses = Vec::new();
        for s in list_param(req, "status") {
            match s.as_str() {
                "open" => statuses.extend([Status::Received, Status::InProgress]),
                "closed" => statuses.extend([Status::Resolved, Status::Rejected]),
                _ => problems.push(("status", "unknown_value")),
            }
        }
        // Only an empty value means "not given": one of blanks (a form
        // feed, spaces) is a date that does not parse, and says so.
        let mut date = |name: &'static str| {
            let raw = req.query_param(name).filter(|v| !v.is_empty())?;
            let parsed = crate::local_time::parse_instant_or_date(raw);
            if parsed.is_none() {
                problems.push((name, "format"));
            }
            parsed
        };
        let (start, end) = match (date("start_date"), date("end_date")) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, s.saturating_add(MAX_RANGE_SECONDS)),
            (None, Some(e)) => (e.saturating_sub(MAX_RANGE_SECONDS), e),
            (None, None) => (now - MAX_RANGE_SECONDS, now),
        };
        if problems.is_empty() && end < start {
            problems.push(("end_date", "before_start_date"));
        } else if problems.is_empty() && end - start > MAX_RANGE_SECONDS {
            problems.push(("end_date", "range_over_90_days"));
        }
        if !problems.is_empty() {
            return Err(FeedbackError::Invalid(problems));
        }
        let mut ids = list_param(req, "service_request_id");
        ids.truncate(usize::try_from(MAX_REQUESTS).unwrap_or(1_000));
        let mut service_codes = list_param(req, "service_code");
        service_codes.truncate(MAX_SERVICE_CODES);
        statuses.sort_by_key(|s| s.as_str());
        statuses.dedup();
        Ok(RequestQuery {
            ids,
            service_codes,
            statuses,
            start,
            end,
        })
    }
}

/// An error as GeoReport wants it: the HTTP status (403 for anything about
/// the key, 404, 405, 429, 503, otherwise 400) and a body
/// `[{"code": status, "description": …}]`, one entry per invalid field.
pub fn error_response(err: &ApiError, lang: Lang) -> Response {
    let status = match err.status() {
        401 | 403 => 403,
        s @ (404 | 405 | 429 | 500 | 503) => s,
        _ => 400,
    };
    let message = err.message(lang);
    let fields = err.fields();
    let entries: Vec<Value> = match err {
        ApiError::Invalid { .. } if !fields.is_empty() => fields
            .iter()
            .map(|(name, reason)| {
                let reason = reason
                    .as_str()
                    .map_or_else(|| reason.to_string(), str::to_owned);
                json!({"code": status, "description": format!("{message} {name}: {reason}")})
            })
            .collect(),
        _ => {
            let detail = match err {
                ApiError::BadRequest(d) if !d.is_empty() => format!("{message} ({d})"),
                // The code tells a partner why its key was refused.
                ApiError::Denied { code } => format!("{message} ({code})"),
                _ => message.to_owned(),
            };
            vec![json!({"code": status, "description": detail})]
        }
    };
    let mut resp = Response::json(status, &Value::Array(entries));
    if let Some(secs) = err.retry_after() {
        resp.set_header("retry-after", &secs.to_string());
    }
    if let Some(allow) = err.allow() {
        resp.set_header("allow", &allow);
    }
    resp
}
