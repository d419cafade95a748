//! RFC 3339 in +07:00.

use crate::civil::civil_from_days;
use crate::identity::rfc3339_vn;
use crate::identity::test_support::T0;

#[test]
fn formats_in_the_city_zone() {
    assert_eq!(rfc3339_vn(T0), "2026-11-29T14:05:00+07:00");
    assert_eq!(rfc3339_vn(0), "1970-01-01T07:00:00+07:00");
    // 17:00 UTC is already the next day in Đà Nẵng.
    assert_eq!(rfc3339_vn(1_709_226_000), "2024-03-01T00:00:00+07:00");
    assert_eq!(rfc3339_vn(1_709_225_999), "2024-02-29T23:59:59+07:00");
    assert_eq!(rfc3339_vn(-25_201), "1969-12-31T23:59:59+07:00");
}

#[test]
fn civil_dates_match_known_days() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(-719_468), (0, 3, 1));
    assert_eq!(civil_from_days(47_540), (2100, 2, 28));
    assert_eq!(civil_from_days(47_541), (2100, 3, 1)); // 2100 is not a leap year
}
