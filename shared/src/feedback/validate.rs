//! Checking a submission before anything is written (docs/feedback.md).
//!
//! Text is normalised to NFC and trimmed first, then measured in Unicode
//! scalar values (`char`s), not bytes: "ệ" is one character whether it
//! arrived precomposed (3 UTF-8 bytes) or as `e` + two combining marks. Every
//! problem is reported at once, each under its field's JSON path.

use crate::text::{clean_line, clean_multiline, optional};
use serde::Deserialize;

use super::error::FeedbackError;

/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest content, in characters (also GeoReport v2's description limit).
pub const CONTENT_MAX_CHARS: usize = 4_000;
/// Longest address, in characters.
pub const ADDRESS_MAX_CHARS: usize = 300;
/// Longest official response (status note), in characters.
pub const RESPONSE_MAX_CHARS: usize = 4_000;
/// Longest rating comment, in characters.
pub const COMMENT_MAX_CHARS: usize = 1_000;
/// Longest media URL (Open311 `media_url`), in bytes of ASCII.
pub const MEDIA_URL_MAX: usize = 2_000;

/// `POST /api/v1/feedback` as sent. Text fields default to empty so that a
/// missing one is reported as `required`, like an empty one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// A category code.
    #[serde(default)]
    pub category: String,
    /// Up to 200 characters.
    #[serde(default)]
    pub title: String,
    /// Up to 4,000 characters.
    #[serde(default)]
    pub content: String,
    /// Where it is.
    pub location: LocationDraft,
    /// Hide the sender from officials (logged-in senders only; a sender
    /// without a session is anonymous anyway).
    #[serde(default)]
    pub anonymous: bool,
    /// Only Open311 partners send media (`media_url`); not part of the JSON.
    #[serde(skip)]
    pub media_url: Option<String>,
}

/// `location` of a [`Draft`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationDraft {
    /// Latitude, −90..=90.
    pub lat: f64,
    /// Longitude, −180..=180.
    pub lng: f64,
    /// Up to 300 characters.
    #[serde(default)]
    pub address: Option<String>,
}

/// What was reported, as checked by [`validate`] and as stored: every text
/// NFC, trimmed and within its limit, coordinates finite and in range.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The title.
    pub title: String,
    /// The content (line breaks kept).
    pub content: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lng: f64,
    /// As the sender typed it; the public sees [`super::redact::street_only`].
    pub address: Option<String>,
    /// An Open311 partner's media URL.
    pub media_url: Option<String>,
}

/// A submission that passed [`validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    /// The category code (its existence is checked on insert).
    pub category: String,
    /// The checked texts and position.
    pub report: Report,
    /// Hide the sender from officials.
    pub anonymous: bool,
}

/// Checks every field; all problems come back together.
///
/// Whether the category exists is checked by the insert itself (see
/// [`super::submit`]); here only its shape is.
pub fn validate(draft: &Draft) -> Result<Valid, FeedbackError> {
    let mut problems = Vec::new();
    let mut note = |field: &'static str, r: Result<(), &'static str>| {
        if let Err(reason) = r {
            problems.push((field, reason));
        }
    };
    let category = draft.category.trim().to_owned();
    note("category", category_shape(&category));
    let title = clean_line(&draft.title, TITLE_MAX_CHARS);
    note("title", title.as_ref().map(|_| ()).map_err(|e| *e));
    let content = clean_multiline(&draft.content, CONTENT_MAX_CHARS);
    note("content", content.as_ref().map(|_| ()).map_err(|e| *e));
    let loc = &draft.location;
    note("location.lat", coordinate(loc.lat, 90.0));
    note("location.lng", coordinate(loc.lng, 180.0));
    let address = optional(loc.address.as_deref(), |a| clean_line(a, ADDRESS_MAX_CHARS));
    note(
        "location.address",
        address.as_ref().map(|_| ()).map_err(|e| *e),
    );
    let media_url = optional(draft.media_url.as_deref(), media_url);
    note("media_url", media_url.as_ref().map(|_| ()).map_err(|e| *e));
    match (title, content, address, media_url) {
        (Ok(title), Ok(content), Ok(address), Ok(media_url)) if problems.is_empty() => Ok(Valid {
            category,
            report: Report {
                title,
                content,
                lat: loc.lat,
                lng: loc.lng,
                address,
                media_url,
            },
            anonymous: draft.anonymous,
        }),
        _ => Err(FeedbackError::Invalid(problems)),
    }
}

/// Category codes have the admin shape `[a-z0-9_-]{2,40}`; anything else
/// cannot name a category.
fn category_shape(code: &str) -> Result<(), &'static str> {
    if code.is_empty() {
        return Err("required");
    }
    let ok = (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err("unknown_value")
    }
}

/// Latitude (`limit` 90) or longitude (180): a finite number within range.
pub fn coordinate(value: f64, limit: f64) -> Result<(), &'static str> {
    if !value.is_finite() {
        Err("not_a_number")
    } else if value.abs() > limit {
        Err("out_of_range")
    } else {
        Ok(())
    }
}

/// An absolute `http(s)` URL of printable ASCII: it is shown to the public
/// and to other clients, so nothing that could smuggle markup or a
/// `javascript:` link.
fn media_url(url: &str) -> Result<String, &'static str> {
    let url = url.trim();
    if url.len() > MEDIA_URL_MAX {
        return Err("too_long");
    }
    let lower = url.to_ascii_lowercase();
    let scheme_ok = ["https://", "http://"]
        .iter()
        .any(|s| lower.starts_with(s) && lower.len() > s.len());
    let chars_ok = url
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'\\'));
    if scheme_ok && chars_ok {
        Ok(url.to_owned())
    } else {
        Err("format")
    }
}
