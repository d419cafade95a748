//! Feedback and complaints (góp ý, phản ánh), their handling workflow,
//! satisfaction ratings and the Open311 GeoReport v2 mapping (docs/feedback.md).
//!
//! Plain domain logic behind the [`crate::ports`]; the `feedback` component
//! only routes, decodes, calls these functions and encodes. Tables live in
//! `infra/migrations/0005_feedback.sql`.
//!
//! Rules, and where each one is enforced:
//! * submission: [`validate`] (text length in Unicode characters after NFC,
//!   real coordinate ranges, known category) and [`submit`], one atomic
//!   INSERT that also applies the sender's quota ([`FeedbackPolicy`]) and
//!   numbers the tracking code `PA-<year>-<6 digits>` ([`tracking`]);
//! * workflow: [`status::transition`] is the whole state machine as a table;
//!   [`change`] applies it with a conditional UPDATE on the status the
//!   official saw, so of two officials acting at once only one wins; the
//!   history row is written by a trigger inside that UPDATE;
//! * visibility: [`access`] decides owner / handling official / public /
//!   hidden; [`view`] renders each, and [`redact`] is the public redaction
//!   (no name, no phone, address rounded to the street);
//! * ratings: [`rating`], one conditional INSERT;
//! * Open311: [`open311`] maps services and requests onto the same rows.

pub mod access;
pub mod categories;
mod change;
mod error;
pub mod open311;
pub mod policy;
pub mod rating;
pub mod redact;
pub mod status;
mod store;
mod submit;
pub mod tracking;
pub mod validate;
pub mod view;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
pub(crate) mod test_support;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests;

pub use access::{access, Access, Viewer};
pub use categories::{list_categories, Category};
pub use change::{change, ChangeRequest, Changed, Official};
pub use error::{FeedbackError, MESSAGES};
pub use policy::FeedbackPolicy;
pub use rating::{rate, stats, CategoryStats, RatingInput};
pub use status::{transition, Status, Transition};
pub use store::{find, history, list_owned, list_public, list_unit, HistoryEntry, ListFilter};
pub use submit::{submit, Created, Submitter};
pub use validate::{validate, Draft, LocationDraft, Report, Valid};

/// One feedback item as stored, with the names of its category and unit.
///
/// `sender` is read for the views that may show it (the owner's and the
/// handling official's); the public view never looks at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    /// Opaque random id, `fb_…`.
    pub id: String,
    /// `PA-2026-000123`.
    pub tracking_code: String,
    /// The category's code.
    pub category_code: String,
    /// Its name.
    pub category_name: String,
    /// The handling unit.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// What was reported.
    pub report: Report,
    /// The citizen who sent it, when sent logged in.
    pub owner_id: Option<String>,
    /// The owner asked that officials not see who they are.
    pub anonymous: bool,
    /// How it arrived.
    pub source: Source,
    /// The Open311 partner (issuer code) that posted it.
    pub partner_code: Option<String>,
    /// Where it stands in the workflow.
    pub status: Status,
    /// The note of the latest status change: the city's answer.
    pub response: Option<String>,
    /// Shown in the public views.
    pub published: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// The owner's rating, once given.
    pub rating: Option<Rating>,
    /// The owner's account details (see the type's docs).
    pub sender: Option<Sender>,
}

/// How a feedback item arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Sent by a logged-in citizen.
    Citizen,
    /// Sent without logging in.
    Anonymous,
    /// Posted by an Open311 partner app.
    Open311,
}

impl Source {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Citizen => "citizen",
            Source::Anonymous => "anonymous",
            Source::Open311 => "open311",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "citizen" => Some(Source::Citizen),
            "anonymous" => Some(Source::Anonymous),
            "open311" => Some(Source::Open311),
            _ => None,
        }
    }
}

/// The owner's satisfaction rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// 1..=5.
    pub score: u8,
    /// Optional, NFC.
    pub comment: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// The owner's account as the owner and the handling official see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// As given in the profile.
    pub full_name: Option<String>,
    /// E.164.
    pub phone: String,
}
