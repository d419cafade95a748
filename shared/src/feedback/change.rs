//! Officials moving an item through the workflow, and hiding or showing it
//! publicly: `PATCH /api/v1/feedback/{id}` `{status?, response?, published?}`.
//!
//! The UPDATE is conditional on the status the official saw, so when two
//! officials act at once exactly one change lands and the other gets 409
//! `status_changed`. The history row is written by a trigger inside that
//! same UPDATE (migration 0005); the audit entry ([`Changed::audit`]) is
//! appended after it by the component, like every other audit entry.

use serde::Deserialize;
use serde_json::json;

use super::access::{access, Access, Viewer};
use super::error::FeedbackError;
use super::status::{transition, Status, Transition};
use super::store::find;
use super::store::writes::{self, StatusChange};
use super::validate::RESPONSE_MAX_CHARS;
use super::Feedback;
use crate::audit::{action, Actor, Entry};
use crate::identity::Ports;
use crate::text::{clean_multiline, optional};

/// The PATCH body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// The new status.
    #[serde(default)]
    pub status: Option<String>,
    /// The note that goes with the new status; required for `resolved` and
    /// `rejected`, shown publicly as the city's answer.
    #[serde(default)]
    pub response: Option<String>,
    /// Hide the item from (false) or show it in (true) the public views,
    /// e.g. when its text carries someone's personal data.
    #[serde(default)]
    pub published: Option<bool>,
}

/// The acting official.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Official<'a> {
    /// The official's account id.
    pub account_id: &'a str,
    /// Their unit, if assigned.
    pub unit_code: Option<&'a str>,
}

/// The outcome of a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    /// The item after the change.
    pub feedback: Feedback,
    /// The status before, when the status changed.
    pub from: Option<Status>,
    /// The `feedback_status_changed` entry that records the change, for the
    /// component to append after it (audit is written in one layer; nothing
    /// here needs it in the same statement: the history row is the trigger's).
    pub audit: Entry,
}

/// Applies a change by an official of the item's unit.
///
/// Officials of another unit get 403 for a published item and 404 for a
/// hidden one (they may not know it exists); nobody handles their own item.
pub fn change(
    ports: Ports<'_>,
    official: Official<'_>,
    id_or_code: &str,
    req: &ChangeRequest,
) -> Result<Changed, FeedbackError> {
    let before = find(ports.sql, id_or_code)?.ok_or(FeedbackError::NotFound)?;
    let viewer = Viewer::Official {
        account_id: official.account_id,
        unit_code: official.unit_code,
    };
    match access(&before, &viewer) {
        Access::Handler => {}
        Access::Owner | Access::Public => return Err(FeedbackError::Forbidden),
        Access::Hidden => return Err(FeedbackError::NotFound),
    }
    let (to, response) = check_request(req)?;
    let actor = Actor::Official(official.account_id.to_owned());
    let actor_name = actor.to_string();
    let now = ports.clock.now();
    let from = match to {
        Some(to) => {
            if transition(before.status, to) == Transition::Refused {
                return Err(FeedbackError::InvalidTransition {
                    from: before.status,
                    to,
                });
            }
            let applied = writes::update_status(
                ports.sql,
                &StatusChange {
                    id: &before.id,
                    unit_code: &before.unit_code,
                    from: before.status,
                    to,
                    response: response.as_deref(),
                    published: req.published,
                    actor: &actor_name,
                    now,
                },
            )?;
            if !applied {
                let current = find(ports.sql, &before.id)?.map(|f| f.status);
                return Err(FeedbackError::StatusChanged { current });
            }
            Some(before.status)
        }
        None => {
            writes::update_published(ports.sql, &before.id, &before.unit_code, req.published, now)?;
            None
        }
    };
    let after = find(ports.sql, &before.id)?.ok_or(FeedbackError::NotFound)?;
    let mut audit = Entry::new(actor, action::FEEDBACK_STATUS_CHANGED).detail(json!({
        "feedback_id": after.id,
        "tracking_code": after.tracking_code,
        "unit": after.unit_code,
        "from": from.map(Status::as_str),
        "to": after.status.as_str(),
        "published": after.published,
    }));
    if let Some(owner) = &after.owner_id {
        // The owner's access log shows what happened to their feedback.
        audit = audit.about(owner.as_str());
    }
    Ok(Changed {
        feedback: after,
        from,
        audit,
    })
}

/// Validates the body: the status (if any), its response, and that the
/// body asks for something.
fn check_request(req: &ChangeRequest) -> Result<(Option<Status>, Option<String>), FeedbackError> {
    let mut problems = Vec::new();
    let status = match req.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => {
            let parsed = Status::parse(s);
            if parsed.is_none() {
                problems.push(("status", "unknown_value"));
            }
            parsed
        }
    };
    let response = match optional(req.response.as_deref(), |r| {
        clean_multiline(r, RESPONSE_MAX_CHARS)
    }) {
        Ok(r) => r,
        Err(reason) => {
            problems.push(("response", reason));
            None
        }
    };
    let asked_status = req.status.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !asked_status && req.published.is_none() {
        problems.push(("status", "required"));
    }
    if !asked_status && response.is_some() {
        // A note belongs to a status change; there is nothing to attach it to.
        problems.push(("status", "required"));
    }
    if status.is_some_and(Status::needs_response)
        && response.is_none()
        && !problems.iter().any(|p| p.0 == "response")
    {
        problems.push(("response", "required"));
    }
    problems.dedup();
    if problems.is_empty() {
        Ok((status, response))
    } else {
        Err(FeedbackError::Invalid(problems))
    }
}
