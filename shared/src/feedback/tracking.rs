//! Tracking codes: `PA-<year>-<6 digits>` ("phản ánh"), numbered from 1 in
//! each calendar year of the city's time zone.
//!
//! The number itself is chosen inside the submitting INSERT (see
//! [`super::submit`]); the SQL formats it the same way as [`format`]. Past
//! 999,999 items in a year the number simply grows a seventh digit.

/// The year (Asia/Ho_Chi_Minh) of a Unix time: an item sent at 23:30 on
/// 31 December in Đà Nẵng belongs to that year, not to UTC's next one.
pub fn year_of(unix_seconds: i64) -> i64 {
    crate::local_time::today_vn(unix_seconds).0
}

/// `(2026, 123)` → `"PA-2026-000123"`.
pub fn format(year: i64, seq: i64) -> String {
    format!("PA-{year:04}-{seq:06}")
}

/// Whether `s` has the shape of a tracking code (used to tell a code from an
/// id in `GET /api/v1/feedback/{id}`).
pub fn looks_like_code(s: &str) -> bool {
    parse(s).is_some()
}

/// `"PA-2026-000123"` → `(2026, 123)`.
pub fn parse(s: &str) -> Option<(i64, i64)> {
    let rest = s.strip_prefix("PA-")?;
    let (year, seq) = rest.split_once('-')?;
    let digits = |t: &str, min: usize, max: usize| {
        (min..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4, 4) || !digits(seq, 6, 9) {
        return None;
    }
    Some((year.parse().ok()?, seq.parse().ok()?))
}
