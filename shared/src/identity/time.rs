//! Unix seconds → RFC 3339 in the city's zone (SPEC §4).
//!
//! Asia/Ho_Chi_Minh has been UTC+07:00 without daylight saving since 1975, so
//! a fixed offset is exact for every timestamp the platform deals with.

const OFFSET_SECONDS: i64 = 7 * 3_600;

/// `1795935900` → `"2026-11-29T14:05:00+07:00"`.
pub fn rfc3339_vn(unix_seconds: i64) -> String {
    let local = unix_seconds.saturating_add(OFFSET_SECONDS);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+07:00",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`, exact for the whole `i64` range we use).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
