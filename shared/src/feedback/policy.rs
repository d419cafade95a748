//! Submission quotas, read from settings (Spin variables) with defaults.
//!
//! Each is a sliding one-hour window counted over the feedback rows
//! themselves (`quota_key`), inside the submitting INSERT:
//! * `feedback_citizen_hourly` (20): per logged-in citizen;
//! * `feedback_anonymous_ip_hourly` (5): per client IP for senders without a
//!   session — stricter, because an anonymous sender costs nothing to be;
//! * `open311_partner_hourly` (500): per Open311 partner key, which sends on
//!   behalf of many people.

use crate::ports::Settings;

/// The quota window.
pub const WINDOW_SECONDS: i64 = 3_600;

/// Upper bound of every setting: high enough for load tests, low enough
/// that a typo cannot mean "unlimited" by overflow.
const MAX_PER_HOUR: u32 = 1_000_000;

/// How many submissions each kind of sender may make per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackPolicy {
    /// Per logged-in citizen.
    pub citizen_hourly: u32,
    /// Per anonymous client network.
    pub anonymous_ip_hourly: u32,
    /// Per Open311 partner.
    pub partner_hourly: u32,
}

impl Default for FeedbackPolicy {
    fn default() -> FeedbackPolicy {
        FeedbackPolicy {
            citizen_hourly: 20,
            anonymous_ip_hourly: 5,
            partner_hourly: 500,
        }
    }
}

impl FeedbackPolicy {
    /// The settings, each falling back to its default when unset, not a
    /// whole number, zero or absurdly large.
    pub fn from_settings(settings: &dyn Settings) -> FeedbackPolicy {
        let d = FeedbackPolicy::default();
        FeedbackPolicy {
            citizen_hourly: read(settings, "feedback_citizen_hourly", d.citizen_hourly),
            anonymous_ip_hourly: read(
                settings,
                "feedback_anonymous_ip_hourly",
                d.anonymous_ip_hourly,
            ),
            partner_hourly: read(settings, "open311_partner_hourly", d.partner_hourly),
        }
    }
}

fn read(settings: &dyn Settings, name: &str, default: u32) -> u32 {
    settings
        .get(name)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|v| (1..=MAX_PER_HOUR).contains(v))
        .unwrap_or(default)
}
