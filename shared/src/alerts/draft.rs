//! What an official sends to publish or update an alert, checked whole:
//! every broken field is named in one 422, and nothing is stored.

use serde::Deserialize;

use super::area::{self, Area};
use super::cap::{Category, Certainty, Severity, Status, Urgency};
use super::{AlertError, Message};
use crate::local_time::parse_instant_or_date;
use crate::text::{clean_line, clean_multiline};

/// Longest `event`, in characters.
pub const EVENT_MAX: usize = 100;
/// Longest `headline` (CAP 1.2 asks for at most 160).
pub const HEADLINE_MAX: usize = 160;
/// Longest `description`.
pub const DESCRIPTION_MAX: usize = 2_000;
/// Longest `instruction`.
pub const INSTRUCTION_MAX: usize = 1_000;
/// Most areas one message names.
pub const MAX_AREAS: usize = 30;
/// Longest an alert may stay in force.
pub const MAX_DURATION_SECONDS: i64 = 30 * 86_400;

/// The body of a publish or an update. On an update every absent field
/// keeps the previous message's value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    /// `Actual` (default), `Exercise` or `Test`.
    pub status: Option<String>,
    /// CAP category.
    pub category: Option<String>,
    /// What it is about.
    pub event: Option<String>,
    /// CAP urgency.
    pub urgency: Option<String>,
    /// CAP severity.
    pub severity: Option<String>,
    /// CAP certainty.
    pub certainty: Option<String>,
    /// RFC 3339 instant or a date; default now.
    pub effective: Option<String>,
    /// RFC 3339 instant or a date.
    pub expires: Option<String>,
    /// One line.
    pub headline: Option<String>,
    /// What is happening.
    pub description: Option<String>,
    /// What to do; an empty string removes it on an update.
    pub instruction: Option<String>,
    /// Area codes (`GET /api/v1/alerts/areas`).
    pub areas: Option<Vec<String>>,
}

/// The body of a cancel.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// Why, for the citizens (default: a fixed sentence).
    pub reason: Option<String>,
}

/// A message's content, checked: everything but its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// CAP status.
    pub status: Status,
    /// CAP category.
    pub category: Category,
    /// CAP event.
    pub event: String,
    /// CAP urgency.
    pub urgency: Urgency,
    /// CAP severity.
    pub severity: Severity,
    /// CAP certainty.
    pub certainty: Certainty,
    /// In force from.
    pub effective: i64,
    /// In force until.
    pub expires: i64,
    /// One line.
    pub headline: String,
    /// What is happening.
    pub description: String,
    /// What to do.
    pub instruction: Option<String>,
    /// Area codes, each known, without repeats.
    pub areas: Vec<String>,
}

impl Content {
    /// The content of a stored message.
    pub fn of(m: &Message) -> Content {
        Content {
            status: m.status,
            category: m.category,
            event: m.event.clone(),
            urgency: m.urgency,
            severity: m.severity,
            certainty: m.certainty,
            effective: m.effective,
            expires: m.expires,
            headline: m.headline.clone(),
            description: m.description.clone(),
            instruction: m.instruction.clone(),
            areas: m.areas.clone(),
        }
    }
}

struct Errors(Vec<(String, String)>);

impl Errors {
    fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0.push((field.to_owned(), problem.into()));
    }

    fn word<T: Copy>(
        &mut self,
        field: &str,
        given: Option<&str>,
        base: Option<T>,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        match given {
            Some(s) => {
                let found = parse(s.trim());
                if found.is_none() {
                    self.add(field, expected());
                }
                found
            }
            None => {
                if base.is_none() {
                    self.add(field, "required");
                }
                base
            }
        }
    }

    fn text(
        &mut self,
        field: &str,
        given: Option<&str>,
        base: Option<&str>,
        clean: fn(&str, usize) -> Result<String, &'static str>,
        max: usize,
    ) -> Option<String> {
        match (given, base) {
            (Some(s), _) => clean(s, max).map_err(|why| self.add(field, why)).ok(),
            (None, Some(b)) => Some(b.to_owned()),
            (None, None) => {
                self.add(field, "required");
                None
            }
        }
    }

    fn instant(&mut self, field: &str, given: Option<&str>, base: Option<i64>) -> Option<i64> {
        match given {
            Some(s) => {
                let t = parse_instant_or_date(s);
                if t.is_none() {
                    self.add(
                        field,
                        "must be an RFC 3339 date-time with offset, or a date",
                    );
                }
                t
            }
            None => {
                if base.is_none() {
                    self.add(field, "required");
                }
                base
            }
        }
    }
}

/// Checks `input` as a new alert (`base` = `None`) or as an update of
/// `base`, at `now`, against the city's `areas`.
pub fn check(
    input: &DraftInput,
    base: Option<&Content>,
    areas: &[Area],
    now: i64,
) -> Result<Content, AlertError> {
    let mut e = Errors(Vec::new());
    let status = match input.status.as_deref() {
        None => Some(base.map_or(Status::Actual, |b| b.status)),
        Some(s) => e.word("status", Some(s), None, Status::parse, Status::expected),
    };
    let category = e.word(
        "category",
        input.category.as_deref(),
        base.map(|b| b.category),
        Category::parse,
        Category::expected,
    );
    let urgency = e.word(
        "urgency",
        input.urgency.as_deref(),
        base.map(|b| b.urgency),
        Urgency::parse,
        Urgency::expected,
    );
    let severity = e.word(
        "severity",
        input.severity.as_deref(),
        base.map(|b| b.severity),
        Severity::parse,
        Severity::expected,
    );
    let certainty = e.word(
        "certainty",
        input.certainty.as_deref(),
        base.map(|b| b.certainty),
        Certainty::parse,
        Certainty::expected,
    );
    let event = e.text(
        "event",
        input.event.as_deref(),
        base.map(|b| b.event.as_str()),
        clean_line,
        EVENT_MAX,
    );
    let headline = e.text(
        "headline",
        input.headline.as_deref(),
        base.map(|b| b.headline.as_str()),
        clean_line,
        HEADLINE_MAX,
    );
    let description = e.text(
        "description",
        input.description.as_deref(),
        base.map(|b| b.description.as_str()),
        clean_multiline,
        DESCRIPTION_MAX,
    );
    let instruction = match input.instruction.as_deref() {
        Some(s) if s.trim().is_empty() => None,
        Some(s) => clean_multiline(s, INSTRUCTION_MAX)
            .map_err(|why| e.add("instruction", why))
            .ok(),
        None => base.and_then(|b| b.instruction.clone()),
    };
    let effective = match input.effective.as_deref() {
        None => Some(base.map_or(now, |b| b.effective)),
        given => e.instant("effective", given, None),
    };
    let expires = e.instant("expires", input.expires.as_deref(), base.map(|b| b.expires));
    if let (Some(from), Some(until)) = (effective, expires) {
        if until <= from {
            e.add("expires", "must be after effective");
        } else if until <= now {
            e.add("expires", "must be in the future");
        } else if until - from > MAX_DURATION_SECONDS {
            e.add("expires", "at most 30 days after effective");
        }
    }
    let codes = match &input.areas {
        Some(list) => Some(list.clone()),
        None => base.map(|b| b.areas.clone()),
    };
    let mut chosen: Vec<String> = Vec::new();
    match codes {
        None => e.add("areas", "required"),
        Some(list) if list.is_empty() => e.add("areas", "at least one area"),
        Some(list) if list.len() > MAX_AREAS => e.add("areas", "at most 30 areas"),
        Some(list) => {
            for code in list {
                let code = code.trim().to_owned();
                if area::find(areas, &code).is_none() {
                    e.add("areas", format!("unknown area: {}", shorten(&code)));
                } else if !chosen.contains(&code) {
                    chosen.push(code);
                }
            }
        }
    }
    match (
        status,
        category,
        event,
        urgency,
        severity,
        certainty,
        effective,
        expires,
        headline,
        description,
    ) {
        (
            Some(status),
            Some(category),
            Some(event),
            Some(urgency),
            Some(severity),
            Some(certainty),
            Some(effective),
            Some(expires),
            Some(headline),
            Some(description),
        ) if e.0.is_empty() => Ok(Content {
            status,
            category,
            event,
            urgency,
            severity,
            certainty,
            effective,
            expires,
            headline,
            description,
            instruction,
            areas: chosen,
        }),
        _ => Err(AlertError::Invalid(e.0)),
    }
}

/// The cancel message's content: the alert as it stood, with the reason as
/// its description.
pub fn cancellation(input: &CancelInput, base: &Content, now: i64) -> Result<Content, AlertError> {
    let description = match input.reason.as_deref() {
        Some(s) if !s.trim().is_empty() => {
            clean_multiline(s, DESCRIPTION_MAX).map_err(|why| AlertError::field("reason", why))?
        }
        _ => "Cảnh báo này đã được hủy.".to_owned(),
    };
    Ok(Content {
        description,
        instruction: None,
        urgency: Urgency::Past,
        effective: base.effective.min(now),
        expires: base.expires.max(now + 1),
        ..base.clone()
    })
}

/// At most 40 characters of something the caller sent, for a 422.
fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}
