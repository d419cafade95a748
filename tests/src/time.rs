//! The wall clock the tests compare the app's answers with, and Đà Nẵng's
//! local (+07:00) dates and times the app speaks in.
#![allow(clippy::unwrap_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use cds_shared::appointments::local_date::LocalDate;

/// Unix seconds now.
pub fn now() -> i64 {
    now_ms() / 1000
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Local (+07:00) `YYYY-MM-DD` and `HH:MM` of an instant.
pub fn local(unix: i64) -> (String, String) {
    let secs = (unix + 7 * 3_600).rem_euclid(86_400);
    (
        LocalDate::of_instant(unix).to_string(),
        format!("{:02}:{:02}", secs / 3_600, secs % 3_600 / 60),
    )
}

/// The `HH:MM` a slot from `start` to `end` (Unix seconds) ends at on the
/// start's local day: `24:00` when `end` is at or past the next midnight, so
/// a slot made near midnight stays on one day whatever the clock says.
pub fn local_end(start: i64, end: i64) -> String {
    let (start_day, _) = local(start);
    let (end_day, at) = local(end);
    if end_day == start_day {
        at
    } else {
        "24:00".to_owned()
    }
}

/// `YYYY-MM-DD` of the local day `days_ahead` days from today.
pub fn local_date(days_ahead: i64) -> String {
    local(now() + days_ahead * 86_400).0
}
