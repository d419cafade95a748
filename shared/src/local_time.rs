//! Time in the city's zone, Asia/Ho_Chi_Minh: the one home of the +07:00
//! offset, of RFC 3339 formatting and of date and instant parsing.
//!
//! The zone has been a fixed UTC+07:00 without daylight saving since 1975, so
//! a fixed offset is exact for every timestamp the platform deals with: a
//! local date is the UTC calendar date of `instant + 7 h`, and a local day
//! starts at `days × 86 400 − 7 h`.
//!
//! One instant grammar serves every door (appointments' `starts_at`,
//! documents' `issued_at`, Open311's `start_date`): RFC 3339 as W3C-DTF
//! profiles it — `YYYY-MM-DDThh:mm[:ss[.f]]` then `Z` or an offset
//! `±hh:mm`/`±hhmm` (a space is read as `+`, because an unescaped `+` in a
//! query string arrives decoded as a space). An offset is always required,
//! so that "09:30" can never mean two instants.
//!
//! ```
//! use cds_shared::local_time::{parse_instant, rfc3339_vn};
//!
//! let t = parse_instant("2026-11-29T07:05:00Z").unwrap();
//! assert_eq!(rfc3339_vn(t), "2026-11-29T14:05:00+07:00");
//! ```

use crate::civil::{civil_from_days, days_from_civil};

/// The city's offset from UTC, in seconds.
pub const OFFSET_SECONDS: i64 = 7 * 3_600;
/// Seconds in a (local or UTC) day; the zone has no daylight saving.
pub const DAY_SECONDS: i64 = 86_400;

/// `1795935900` → `"2026-11-29T14:05:00+07:00"`.
pub fn rfc3339_vn(unix_seconds: i64) -> String {
    let local = unix_seconds.saturating_add(OFFSET_SECONDS);
    let (days, secs) = (local.div_euclid(DAY_SECONDS), local.rem_euclid(DAY_SECONDS));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+07:00",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// The local day (days since 1970-01-01 in +07:00) an instant falls on.
pub fn local_days(unix_seconds: i64) -> i64 {
    unix_seconds
        .saturating_add(OFFSET_SECONDS)
        .div_euclid(DAY_SECONDS)
}

/// Local midnight at the start of day `days`, in Unix seconds.
pub fn local_midnight(days: i64) -> i64 {
    days * DAY_SECONDS - OFFSET_SECONDS
}

/// Today's date in Đà Nẵng at `now` (Unix seconds).
pub fn today_vn(now: i64) -> (i64, u32, u32) {
    civil_from_days(local_days(now))
}

/// Midnight +07:00 of a date, in Unix seconds.
pub fn vn_midnight(y: i64, m: u32, d: u32) -> i64 {
    local_midnight(days_from_civil(y, m, d))
}

/// A real date written exactly `YYYY-MM-DD` (years 1000–9999), as
/// (year, month, day).
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i64::from(digits(&b[0..4])?);
    let (m, d) = (digits(&b[5..7])?, digits(&b[8..10])?);
    let real = (1000..=9999).contains(&y)
        && (1..=12).contains(&m)
        && (1..=days_in_month(y, m)).contains(&d);
    real.then_some((y, m, d))
}

/// Days in month `m` (1–12) of year `y`, leap years included.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// ASCII digits → their value; `None` when empty or anything else is there.
pub fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// An instant in the grammar of the module doc (offset required) → Unix
/// seconds. A leap second (`:60`) is read as `:59`.
pub fn parse_instant(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 17 || !matches!(b[10], b'T' | b't') || b[13] != b':' {
        return None;
    }
    let (y, m, d) = parse_date(s.get(..10)?)?;
    let (h, mi) = (digits(&b[11..13])?, digits(&b[14..16])?);
    let mut rest = &b[16..];
    let mut sec = 0;
    if let [b':', s1, s2, tail @ ..] = rest {
        sec = digits(&[*s1, *s2])?;
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let frac = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if frac == 0 {
                return None;
            }
            rest = &tail[frac..];
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let offset = parse_offset(rest)?;
    let utc_midnight = days_from_civil(y, m, d) * DAY_SECONDS;
    Some(utc_midnight + i64::from(h * 3_600 + mi * 60 + sec.min(59)) - offset)
}

/// An instant as [`parse_instant`], or a bare `YYYY-MM-DD` read as midnight
/// in Đà Nẵng; surrounding whitespace is ignored.
pub fn parse_instant_or_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 10 {
        let (y, m, d) = parse_date(s)?;
        return Some(vn_midnight(y, m, d));
    }
    parse_instant(s)
}

/// `Z`, `±hh:mm` or `±hhmm` (a space for `+`) → seconds east of UTC.
fn parse_offset(zone: &[u8]) -> Option<i64> {
    let (sign, oh, om) = match zone {
        [b'Z' | b'z'] => return Some(0),
        [sign @ (b'+' | b'-' | b' '), h1, h2, b':', m1, m2]
        | [sign @ (b'+' | b'-' | b' '), h1, h2, m1, m2] => {
            (*sign, digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
        }
        _ => return None,
    };
    if oh > 23 || om > 59 {
        return None;
    }
    let magnitude = i64::from(oh * 3_600 + om * 60);
    Some(if sign == b'-' { -magnitude } else { magnitude })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn local_days_start_at_seventeen_hundred_utc() {
        let d = local_days(1_796_058_000); // 2026-12-01T00:00:00+07:00
        assert_eq!(civil_from_days(d), (2026, 12, 1));
        assert_eq!(local_days(1_796_058_000 - 1), d - 1);
        assert_eq!(local_midnight(d), 1_796_058_000);
        assert_eq!(vn_midnight(2026, 12, 1), 1_796_058_000);
    }

    #[test]
    fn one_grammar_for_every_door() {
        let t = 1_795_935_900; // 2026-11-29T14:05:00+07:00
        for s in [
            "2026-11-29T14:05:00+07:00",
            "2026-11-29T14:05+07:00",
            "2026-11-29t07:05:00.5z",
            "2026-11-29T14:05:00 0700",
            "2026-11-29T14:05:60+07:00",
        ] {
            let want = if s.contains(":60") { t + 59 } else { t };
            assert_eq!(parse_instant(s), Some(want), "{s}");
        }
        for bad in [
            "2026-11-29",
            "2026-11-29T14:05",
            "2026-11-29T14:5:00Z",
            "2026-11-29T14:05:00+24:00",
            "2026-11-29T14:05:00+07:0",
            "0999-01-01T00:00:00Z",
            "2026-11-29T14:05:00.Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        assert_eq!(
            parse_instant_or_date(" 2026-11-29 "),
            Some(t - 14 * 3_600 - 300)
        );
    }

    #[test]
    fn only_real_dates_parse() {
        assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-04-31"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-1-01"), None);
        assert_eq!(parse_date("2024-01-01T00"), None);
        assert_eq!(parse_date("+024-01-01"), None);
        assert_eq!(parse_date("２０２４-01-01"), None);
    }

    #[test]
    fn days_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn instants_accept_offsets_and_bare_dates() {
        let t = 1_795_935_900; // 2026-11-29T14:05:00+07:00
        assert_eq!(parse_instant_or_date("2026-11-29T14:05:00+07:00"), Some(t));
        assert_eq!(parse_instant_or_date("2026-11-29T07:05:00Z"), Some(t));
        assert_eq!(parse_instant_or_date("2026-11-29T07:05:00.123Z"), Some(t));
        assert_eq!(parse_instant_or_date("2026-11-29T02:05:00-05:00"), Some(t));
        assert_eq!(
            rfc3339_vn(parse_instant_or_date("2026-11-29").unwrap()),
            "2026-11-29T00:00:00+07:00"
        );
        assert_eq!(parse_instant_or_date("2026-11-29T14:05:00"), None);
        assert_eq!(parse_instant_or_date("2026-11-29 14:05:00+07:00"), None);
        assert_eq!(parse_instant_or_date("2026-11-29T24:05:00+07:00"), None);
        assert_eq!(parse_instant_or_date("2026-11-29T14:05:00+7:00"), None);
        assert_eq!(parse_instant_or_date(""), None);
        assert_eq!(parse_instant_or_date("2026-11-29T14:05:00.+07:00"), None);
    }

    #[test]
    fn today_is_the_local_date() {
        // 2026-11-29T23:30:00+07:00 is still the 29th in Đà Nẵng.
        let late = parse_instant_or_date("2026-11-29T23:30:00+07:00").unwrap();
        assert_eq!(today_vn(late), (2026, 11, 29));
        assert_eq!(today_vn(late + 1_800), (2026, 11, 30));
    }
}
