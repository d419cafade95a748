//! Official alerts (docs/alerts.md): officials with the `alerts` role
//! publish warnings for the city, its districts or its wards in the fields
//! of the Common Alerting Protocol 1.2; the citizens whose address is in the
//! area get a notice; everyone reads the active ones as JSON or CAP XML.
//!
//! An alert is a chain of CAP messages (`Alert`, then `Update`s, perhaps a
//! final `Cancel`), each a row of `alerts` (migration 0016) that references
//! the one before it. Storing a message is one statement, and the notices
//! are written by the migration's trigger inside it.
//!
//! - [`cap`]: the protocol's closed vocabularies;
//! - [`area`]: the city's areas and which alerts concern one;
//! - [`draft`]: what an official sends, checked whole;
//! - [`publish`]: publishing, updating and cancelling;
//! - [`publishers`]: the `alerts` role;
//! - [`feed`]: the active alerts and one alert, as JSON;
//! - [`xml`]: the CAP 1.2 document of a message and the feed's index.

pub mod area;
pub mod cap;
pub mod draft;
mod error;
pub mod feed;
pub mod publish;
pub mod publishers;
mod store;
pub mod xml;

#[cfg(test)]
mod tests;

pub use error::{AlertError, MESSAGES};

use cap::{Category, Certainty, MsgType, Severity, Status, Urgency};

/// The CAP `sender` of every message: the platform, for the city.
pub const SENDER: &str = "congdanso.danang.gov.vn";

/// One stored CAP message of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message's CAP identifier, `<alert_id>.<version>`.
    pub id: String,
    /// The alert it belongs to.
    pub alert_id: String,
    /// 1 for the first message, then one more per update or cancel.
    pub version: i64,
    /// `Alert`, `Update` or `Cancel`.
    pub msg_type: MsgType,
    /// The message it follows.
    pub previous_id: Option<String>,
    /// CAP `sender`.
    pub sender: String,
    /// When it was published, Unix seconds.
    pub sent: i64,
    /// CAP `status`.
    pub status: Status,
    /// CAP `category`.
    pub category: Category,
    /// CAP `event`: what it is about, in a few words ("Ngập lụt").
    pub event: String,
    /// CAP `urgency`.
    pub urgency: Urgency,
    /// CAP `severity`.
    pub severity: Severity,
    /// CAP `certainty`.
    pub certainty: Certainty,
    /// From when it holds, Unix seconds.
    pub effective: i64,
    /// Until when it holds, Unix seconds.
    pub expires: i64,
    /// One line.
    pub headline: String,
    /// What is happening.
    pub description: String,
    /// What to do.
    pub instruction: Option<String>,
    /// The codes of its areas (rows of `areas`), in the order given.
    pub areas: Vec<String>,
    /// The official who published it.
    pub published_by: String,
}

impl Message {
    /// Whether it is in the active feed at `now`: not cancelled, real, in
    /// force.
    pub fn active_at(&self, now: i64) -> bool {
        self.msg_type != MsgType::Cancel
            && self.status == Status::Actual
            && self.effective <= now
            && now < self.expires
    }
}
