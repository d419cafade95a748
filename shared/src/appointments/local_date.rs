//! Calendar dates, clock times and instants in the city's zone,
//! Asia/Ho_Chi_Minh (SPEC §4).
//!
//! The zone has been a fixed UTC+07:00 without daylight saving since 1975, so
//! a local date is the UTC calendar date of `instant + 7 h`, and a local
//! day runs from `days × 86 400 − 7 h` to the next local midnight. Every
//! "which day is this slot on" question in appointments goes through here, so
//! a slot at 23:30 +07:00 belongs to its local day, never to the UTC one.
//!
//! ```
//! use cds_shared::appointments::local_date::{parse_clock, LocalDate};
//!
//! let d = LocalDate::parse("2026-12-01").unwrap();
//! let late = d.at(parse_clock("23:30").unwrap());
//! assert_eq!(late, 1_796_142_600); // 2026-12-01T16:30:00Z
//! assert_eq!(LocalDate::of_instant(late), d);
//! assert_eq!(d.to_string(), "2026-12-01");
//! ```

use crate::civil::{civil_from_days, days_from_civil};
use crate::local_time::{days_in_month, digits, local_days, local_midnight, parse_date};
use std::fmt;

/// `24:00`, the only clock time past the last minute of a day (a day's end).
pub const END_OF_DAY_MINUTES: u32 = 24 * 60;

/// A calendar date in Asia/Ho_Chi_Minh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate {
    /// Days since 1970-01-01.
    days: i64,
}

impl LocalDate {
    /// A strict `YYYY-MM-DD` (years 1970–9999, a real day of the month).
    pub fn parse(s: &str) -> Option<LocalDate> {
        let (y, m, d) = parse_date(s)?;
        LocalDate::from_ymd(y, m, d)
    }

    /// The date of year/month/day, when it exists (years 1970–9999).
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Option<LocalDate> {
        if !(1970..=9999).contains(&y)
            || !(1..=12).contains(&m)
            || d == 0
            || d > days_in_month(y, m)
        {
            return None;
        }
        Some(LocalDate {
            days: days_from_civil(y, m, d),
        })
    }

    /// The local date an instant (Unix seconds) falls on.
    pub fn of_instant(unix_seconds: i64) -> LocalDate {
        LocalDate {
            days: local_days(unix_seconds),
        }
    }

    /// Local midnight at the start of this date, in Unix seconds.
    pub fn start(self) -> i64 {
        local_midnight(self.days)
    }

    /// The instant `minutes` after local midnight (`24:00` is the next
    /// day's midnight).
    pub fn at(self, minutes: u32) -> i64 {
        self.start() + i64::from(minutes) * 60
    }

    /// The next date.
    pub fn next(self) -> LocalDate {
        LocalDate {
            days: self.days + 1,
        }
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: LocalDate) -> i64 {
        other.days - self.days
    }

    /// ISO weekday: Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        (self.days + 3).rem_euclid(7) as u32 + 1
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// `HH:MM` from `00:00` to `24:00` → minutes after midnight.
pub fn parse_clock(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let (h, m) = (digits(&b[0..2])?, digits(&b[3..5])?);
    let minutes = h * 60 + m;
    (m < 60 && minutes <= END_OF_DAY_MINUTES).then_some(minutes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identity::rfc3339_vn;
    use crate::local_time::parse_instant;

    fn date(s: &str) -> LocalDate {
        LocalDate::parse(s).unwrap()
    }

    #[test]
    fn dates_round_trip_through_day_counts() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "2026-03-01",
            "9999-12-31",
        ] {
            assert_eq!(date(s).to_string(), s);
        }
        assert_eq!(date("2026-12-31").next(), date("2027-01-01"));
        assert_eq!(date("2028-02-28").next(), date("2028-02-29"));
        assert_eq!(date("2026-12-01").days_until(date("2026-12-08")), 7);
    }

    #[test]
    fn rejects_dates_that_do_not_exist_or_are_not_strict() {
        for s in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "",
            "1969-12-31",
            "２０２６-01-01",
            "2026-01-01T",
        ] {
            assert_eq!(LocalDate::parse(s), None, "{s}");
        }
    }

    #[test]
    fn local_midnight_is_seventeen_hundred_utc_the_day_before() {
        let d = date("2026-12-01");
        assert_eq!(rfc3339_vn(d.start()), "2026-12-01T00:00:00+07:00");
        assert_eq!(d.start(), 1_796_058_000); // 2026-11-30T17:00:00Z
        assert_eq!(
            rfc3339_vn(d.at(END_OF_DAY_MINUTES)),
            "2026-12-02T00:00:00+07:00"
        );
    }

    #[test]
    fn instants_belong_to_their_local_day_not_the_utc_one() {
        let d = date("2026-12-01");
        // 23:30 +07:00 is 16:30Z the same day; 06:30 +07:00 is 23:30Z the day before.
        assert_eq!(LocalDate::of_instant(d.at(23 * 60 + 30)), d);
        assert_eq!(LocalDate::of_instant(d.at(6 * 60 + 30)), d);
        assert_eq!(LocalDate::of_instant(d.start()), d);
        assert_eq!(LocalDate::of_instant(d.start() - 1), date("2026-11-30"));
        assert_eq!(
            LocalDate::of_instant(d.at(END_OF_DAY_MINUTES)),
            date("2026-12-02")
        );
    }

    #[test]
    fn weekdays_follow_the_calendar() {
        assert_eq!(date("2026-11-30").weekday(), 1); // Monday
        assert_eq!(date("2026-12-06").weekday(), 7); // Sunday
        assert_eq!(date("1970-01-01").weekday(), 4);
    }

    #[test]
    fn clock_times_run_from_midnight_to_midnight() {
        assert_eq!(parse_clock("00:00"), Some(0));
        assert_eq!(parse_clock("07:30"), Some(450));
        assert_eq!(parse_clock("23:59"), Some(1_439));
        assert_eq!(parse_clock("24:00"), Some(1_440));
        for bad in [
            "24:01", "7:30", "07:60", "0730", "07:3a", "", "-1:00", "25:00",
        ] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_rfc3339_with_any_offset() {
        let local = 1_796_086_800; // 2026-12-01T08:00:00+07:00
        assert_eq!(parse_instant("2026-12-01T08:00:00+07:00"), Some(local));
        assert_eq!(parse_instant("2026-12-01T01:00:00Z"), Some(local));
        assert_eq!(parse_instant("2026-12-01t01:00:00.123456z"), Some(local));
        assert_eq!(parse_instant("2026-11-30T20:00:00-05:00"), Some(local));
        // An unescaped `+` in a query string arrives as a space.
        assert_eq!(parse_instant("2026-12-01T08:00:00 07:00"), Some(local));
        for bad in [
            "2026-12-01",
            "2026-12-01T08:00:00",
            "2026-12-01T24:00:00Z",
            "2026-12-01T08:00:00+7:00",
            "2026-12-01T08:00:00.Z",
            "x",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }
}
