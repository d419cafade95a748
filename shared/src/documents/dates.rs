//! Calendar dates and instants as clients send them: `YYYY-MM-DD` (real
//! dates only) and RFC 3339 with an offset. The city's zone is a fixed
//! +07:00 (see `identity::time`).

pub use crate::civil::{civil_from_days, days_from_civil};

const VN_OFFSET: i64 = 7 * 3_600;
const DAY: i64 = 86_400;

/// A real date written exactly `YYYY-MM-DD` (years 1000–9999).
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = digits(&s[0..4])?.into();
    let m = digits(&s[5..7])?;
    let d = digits(&s[8..10])?;
    if y < 1000 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn digits(s: &str) -> Option<u32> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Today's date in Đà Nẵng at `now` (Unix seconds).
pub fn today_vn(now: i64) -> (i64, u32, u32) {
    civil_from_days((now + VN_OFFSET).div_euclid(DAY))
}

/// Midnight +07:00 of a date, in Unix seconds.
pub fn vn_midnight(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * DAY - VN_OFFSET
}

/// An instant: RFC 3339 (`2026-01-15T09:30:00+07:00`, `…Z`, fractions
/// ignored) or a bare date, read as midnight in Đà Nẵng. Offsets are
/// required on times so that "09:30" can never mean two instants.
pub fn parse_instant(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 10 {
        let (y, m, d) = parse_date(s)?;
        return Some(vn_midnight(y, m, d));
    }
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let (y, m, d) = parse_date(date)?;
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t'))?;
    let (hms, mut zone) = (rest.get(..8)?, rest.get(8..)?);
    let hb = hms.as_bytes();
    if hb[2] != b':' || hb[5] != b':' {
        return None;
    }
    let (h, mi, sec) = (
        digits(&hms[0..2])?,
        digits(&hms[3..5])?,
        digits(&hms[6..8])?,
    );
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    if let Some(frac) = zone.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        zone = &frac[n..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let zb = zone.as_bytes();
            if zb.len() != 6 || zb[3] != b':' {
                return None;
            }
            let sign = match zb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = (digits(&zone[1..3])?, digits(&zone[4..6])?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * i64::from(oh * 3_600 + om * 60)
        }
    };
    let local = days_from_civil(y, m, d) * DAY + i64::from(h * 3_600 + mi * 60 + sec.min(59));
    Some(local - offset)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identity::rfc3339_vn;

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
        assert_eq!(parse_instant("2026-11-29T14:05:00+07:00"), Some(t));
        assert_eq!(parse_instant("2026-11-29T07:05:00Z"), Some(t));
        assert_eq!(parse_instant("2026-11-29T07:05:00.123Z"), Some(t));
        assert_eq!(parse_instant("2026-11-29T02:05:00-05:00"), Some(t));
        assert_eq!(
            rfc3339_vn(parse_instant("2026-11-29").unwrap()),
            "2026-11-29T00:00:00+07:00"
        );
        assert_eq!(parse_instant("2026-11-29T14:05:00"), None);
        assert_eq!(parse_instant("2026-11-29 14:05:00+07:00"), None);
        assert_eq!(parse_instant("2026-11-29T24:05:00+07:00"), None);
        assert_eq!(parse_instant("2026-11-29T14:05:00+7:00"), None);
        assert_eq!(parse_instant(""), None);
        assert_eq!(parse_instant("2026-11-29T14:05:00.+07:00"), None);
    }

    #[test]
    fn today_is_the_local_date() {
        // 2026-11-29T23:30:00+07:00 is still the 29th in Đà Nẵng.
        let late = parse_instant("2026-11-29T23:30:00+07:00").unwrap();
        assert_eq!(today_vn(late), (2026, 11, 29));
        assert_eq!(today_vn(late + 1_800), (2026, 11, 30));
    }
}
