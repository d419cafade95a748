//! The feedback workflow as an explicit state machine (docs/feedback.md):
//! received → in_progress → resolved | rejected.
//!
//! [`transition`] lists every (from, to) pair, so adding a status fails to
//! compile until each of its pairs has been decided.

/// Where a feedback item is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Đã tiếp nhận: submitted, nobody has picked it up yet.
    Received,
    /// Đang xử lý: an official of the unit is handling it.
    InProgress,
    /// Đã xử lý: handled; the response says how.
    Resolved,
    /// Từ chối: not acted on; the response says why.
    Rejected,
}

/// Whether a status change is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The change may be made.
    Allowed,
    /// 409 `invalid_transition`.
    Refused,
}

/// The whole workflow, one line per (from, to) pair.
///
/// Rejecting is a decision taken while handling, so an item is first taken
/// in progress (which records who picked it up) and rejected from there.
/// Closed items stay closed: a new problem is a new submission. Staying in
/// the same status is not a change and is refused too.
pub fn transition(from: Status, to: Status) -> Transition {
    use Status::*;
    use Transition::*;
    match (from, to) {
        (Received, Received) => Refused,
        (Received, InProgress) => Allowed,
        (Received, Resolved) => Refused,
        (Received, Rejected) => Refused,
        (InProgress, Received) => Refused,
        (InProgress, InProgress) => Refused,
        (InProgress, Resolved) => Allowed,
        (InProgress, Rejected) => Allowed,
        (Resolved, Received) => Refused,
        (Resolved, InProgress) => Refused,
        (Resolved, Resolved) => Refused,
        (Resolved, Rejected) => Refused,
        (Rejected, Received) => Refused,
        (Rejected, InProgress) => Refused,
        (Rejected, Resolved) => Refused,
        (Rejected, Rejected) => Refused,
    }
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 4] = [
        Status::Received,
        Status::InProgress,
        Status::Resolved,
        Status::Rejected,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Rejected => "rejected",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Resolved or rejected: handling is over, the owner may rate it.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Resolved | Status::Rejected)
    }

    /// Whether moving to this status needs a response text: the citizen is
    /// owed an explanation of what was done, or why nothing will be.
    pub fn needs_response(self) -> bool {
        self.is_closed()
    }

    /// The GeoReport v2 status: `open` or `closed`.
    pub fn open311(self) -> &'static str {
        if self.is_closed() {
            "closed"
        } else {
            "open"
        }
    }
}
