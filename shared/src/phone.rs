//! Vietnamese mobile numbers: lenient parsing, strict validation, E.164 storage (docs/api.md).
//!
//! # Accepted prefixes
//!
//! A number is valid when its national form is `0` + 9 digits and its first
//! three digits are one of the mobile ranges the regulator has handed to an
//! operator since the 2018 move to 10-digit numbers:
//!
//! | prefix | operator |
//! |---|---|
//! | 032–039, 086, 096, 097, 098 | Viettel |
//! | 081–085, 088, 091, 094 | VinaPhone |
//! | 070, 076–079, 089, 090, 093 | MobiFone |
//! | 052, 056, 058, 092 | Vietnamobile |
//! | 059, 099 | Gmobile |
//! | 055 | Reddi (Mobicast) |
//! | 087 | Itelecom |
//!
//! Rejected on purpose: 02x (landlines, e.g. Đà Nẵng `0236 …`, Hà Nội
//! `024 …`), 030, 031, 050, 051, 053, 054, 057, 071–075, 080 (not allocated to
//! any mobile operator), and 095 (S-Fone's range, withdrawn when it closed).
//!
//! The check is on the 3-digit prefix and not on finer 4-digit blocks (such as
//! libphonenumber's for 052 and 099): MVNOs open blocks inside these ranges
//! without notice, and wrongly refusing a citizen's real number locks them out,
//! while wrongly accepting one only costs a rate-limited, undeliverable OTP.
//! MVNOs that reuse a host network's ranges (e.g. Local, Wintel, Saymee) are
//! covered by their host's prefixes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ApiError;

/// Longest input considered at all. The longest sane spelling
/// (`(+84) 0905 . 123 . 456` with spaces everywhere) is well under this;
/// checking it first means a 1 MB body costs nothing to refuse.
const MAX_INPUT_BYTES: usize = 40;

/// Longest digit string that can still be a number: `0084` + `0` + 9 digits.
const MAX_DIGITS: usize = 14;

/// A valid Vietnamese mobile number, held in E.164 form (`+84905123456`).
///
/// `Display` and `Serialize` give the E.164 form; `Debug` is masked so that a
/// `{:?}` in a log line does not leak the full number. `Deserialize` validates
/// with [`Phone::parse`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// Why a string is not a Vietnamese mobile number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Nothing but spaces or punctuation.
    Empty,
    /// Longer than any spelling of a phone number.
    TooLong,
    /// A letter, a non-ASCII digit, a misplaced or doubled `+`, …
    InvalidCharacter,
    /// An international number for another country (`+85…`).
    NotVietnamese,
    /// A Vietnamese number with too few or too many digits.
    WrongLength,
    /// A landline or an unallocated prefix.
    NotMobile,
}

impl PhoneError {
    /// A short English description, used as the value in `fields`.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneError::Empty => "empty",
            PhoneError::TooLong => "too_long",
            PhoneError::InvalidCharacter => "invalid_character",
            PhoneError::NotVietnamese => "not_vietnamese",
            PhoneError::WrongLength => "wrong_length",
            PhoneError::NotMobile => "not_mobile",
        }
    }

    /// The 422 `invalid_phone` error naming `field` (e.g. `citizen.phone`).
    pub fn for_field(self, field: &str) -> ApiError {
        ApiError::Invalid {
            code: "invalid_phone",
            fields: serde_json::Map::new(),
        }
        .with_field(field, self.as_str())
    }
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PHONE_ERROR_PREFIX}{}", self.as_str())
    }
}

/// Lets `http::json_body` recognise a failed `Phone` field inside serde's
/// message and answer `invalid_phone` instead of `validation_failed`.
pub(crate) const PHONE_ERROR_PREFIX: &str = "invalid Vietnamese mobile number: ";

impl std::error::Error for PhoneError {}

impl From<PhoneError> for ApiError {
    /// 422 `invalid_phone` with `fields.phone` saying why.
    fn from(err: PhoneError) -> ApiError {
        err.for_field("phone")
    }
}

/// Second and third national digits accepted after each first digit, as
/// bit sets (bit n set = digit n allowed). See the module docs for the table.
fn is_mobile_prefix(first: u8, second: u8) -> bool {
    let allowed: u16 = match first {
        3 => 0b11_1111_1100, // 032–039
        5 => 0b11_0110_0100, // 052, 055, 056, 058, 059
        7 => 0b11_1100_0001, // 070, 076–079
        8 => 0b11_1111_1110, // 081–089
        9 => 0b11_1101_1111, // 090–094, 096–099
        _ => 0,
    };
    second < 10 && allowed & (1 << second) != 0
}

impl Phone {
    /// Parses any common spelling of a Vietnamese mobile number.
    ///
    /// Accepts `0905123456`, `+84 905 123 456`, `84905123456`,
    /// `(+84) 905.123.456`, `0084 905 123 456`, `+84 0905 123 456` and
    /// spaces, dots, dashes and parentheses anywhere.
    ///
    /// ```
    /// use cds_shared::phone::Phone;
    /// let p = Phone::parse("(+84) 905.123.456").unwrap();
    /// assert_eq!(p.as_e164(), "+84905123456");
    /// assert_eq!(p.national(), "0905123456");
    /// assert!(Phone::parse("0236 3822 123").is_err()); // Đà Nẵng landline
    /// ```
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        if input.len() > MAX_INPUT_BYTES {
            return Err(PhoneError::TooLong);
        }
        let mut digits = [0u8; MAX_DIGITS];
        let mut len = 0;
        let mut plus = false;
        for c in input.chars() {
            match c {
                '0'..='9' => {
                    if len == MAX_DIGITS {
                        return Err(PhoneError::WrongLength);
                    }
                    digits[len] = c as u8 - b'0';
                    len += 1;
                }
                // Only one `+`, and only before any digit: `84+905…` and
                // `++84…` are typos we should not guess about.
                '+' if !plus && len == 0 => plus = true,
                ' ' | '\t' | '\u{a0}' | '.' | '-' | '(' | ')' => {}
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        let digits = &digits[..len];
        if digits.is_empty() {
            return Err(if plus {
                PhoneError::InvalidCharacter
            } else {
                PhoneError::Empty
            });
        }

        let (national, had_country_code) = if plus {
            (
                digits
                    .strip_prefix(&[8, 4])
                    .ok_or(PhoneError::NotVietnamese)?,
                true,
            )
        } else if let Some(rest) = digits.strip_prefix(&[0, 0]) {
            // `00` is the international dialling prefix: `0084…`.
            (
                rest.strip_prefix(&[8, 4])
                    .ok_or(PhoneError::NotVietnamese)?,
                true,
            )
        } else if let Some(rest) = digits.strip_prefix(&[0]) {
            (rest, false)
        } else if let Some(rest) = digits.strip_prefix(&[8, 4]).filter(|r| r.len() >= 9) {
            (rest, true)
        } else {
            // Bare subscriber numbers (`905123456`) are refused: without a 0
            // or a country code a typo cannot be told from a number.
            return Err(PhoneError::WrongLength);
        };
        // People often keep the trunk 0 after the country code: `+84 0905…`.
        let national = match national {
            [0, rest @ ..] if had_country_code => rest,
            other => other,
        };

        match national.first() {
            Some(2) => return Err(PhoneError::NotMobile),
            Some(_) => {}
            None => return Err(PhoneError::WrongLength),
        }
        if national.len() != 9 {
            return Err(PhoneError::WrongLength);
        }
        if !is_mobile_prefix(national[0], national[1]) {
            return Err(PhoneError::NotMobile);
        }
        let mut e164 = String::with_capacity(12);
        e164.push_str("+84");
        e164.extend(national.iter().map(|d| char::from(b'0' + d)));
        Ok(Phone(e164))
    }

    /// E.164, the stored form: `+84905123456`.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The national form Vietnamese people write: `0905123456`.
    pub fn national(&self) -> String {
        format!("0{}", self.subscriber())
    }

    /// The form Zalo's ZNS API wants: `84905123456`.
    pub fn zalo_format(&self) -> String {
        self.0.trim_start_matches('+').to_owned()
    }

    /// For logs: `+84905***456`.
    pub fn masked(&self) -> String {
        let (head, tail) = (self.0.get(..6).unwrap_or(""), self.0.get(9..).unwrap_or(""));
        format!("{head}***{tail}")
    }

    fn subscriber(&self) -> &str {
        self.0.get(3..).unwrap_or("")
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl std::str::FromStr for Phone {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Phone, PhoneError> {
        Phone::parse(s)
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Phone, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Phone::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The messages (vi, en) of the codes of a phone number that is not a Vietnamese mobile; see
/// `crate::messages`.
pub const MESSAGES: &[crate::error::Message] = &[(
    "invalid_phone",
    "Số điện thoại không hợp lệ. Vui lòng nhập số di động Việt Nam, ví dụ 0905 123 456.",
    "Invalid phone number. Please enter a Vietnamese mobile number, e.g. 0905 123 456.",
)];

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const ACCEPTED: [&str; 36] = [
        "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097",
        "098", // Viettel
        "081", "082", "083", "084", "085", "088", "091", "094", // VinaPhone
        "070", "076", "077", "078", "079", "089", "090", "093", // MobiFone
        "052", "056", "058", "092", // Vietnamobile
        "059", "099", // Gmobile
        "055", // Reddi
        "087", // Itelecom
    ];

    fn e164(s: &str) -> Result<String, PhoneError> {
        Phone::parse(s).map(|p| p.as_e164().to_owned())
    }

    #[test]
    fn accepts_every_allocated_mobile_prefix() {
        for prefix in ACCEPTED {
            let national = format!("{prefix}1234567");
            let want = format!("+84{}1234567", &prefix[1..]);
            assert_eq!(e164(&national).as_deref(), Ok(want.as_str()), "{national}");
        }
    }

    #[test]
    fn accepts_exactly_the_documented_prefixes() {
        let mut accepted = Vec::new();
        for p in 0..100 {
            let national = format!("0{p:02}1234567");
            if Phone::parse(&national).is_ok() {
                accepted.push(format!("0{p:02}"));
            }
        }
        let mut want: Vec<String> = ACCEPTED.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(accepted, want);
    }

    #[test]
    fn normalises_all_common_spellings() {
        for s in [
            "0905123456",
            "+84905123456",
            "+84 905 123 456",
            "84905123456",
            "(+84) 905.123.456",
            "0905.123.456",
            "0905-123-456",
            "0905 123 456",
            "  0905123456  ",
            "+84-905-123-456",
            "0084 905 123 456",
            "+84 0905 123 456",
            "840905123456",
            "(0905) 123 456",
            "0905\u{a0}123\u{a0}456",
            "\t0905123456\t",
        ] {
            assert_eq!(e164(s).as_deref(), Ok("+84905123456"), "{s:?}");
        }
    }

    #[test]
    fn accepts_vinaphone_084_without_confusing_it_with_the_country_code() {
        assert_eq!(e164("0841234567").as_deref(), Ok("+84841234567"));
        assert_eq!(e164("+84841234567").as_deref(), Ok("+84841234567"));
        assert_eq!(e164("84841234567").as_deref(), Ok("+84841234567"));
    }

    #[test]
    fn rejects_landline_numbers() {
        assert_eq!(e164("0236 3822 123"), Err(PhoneError::NotMobile)); // Đà Nẵng
        assert_eq!(e164("024 3825 1234"), Err(PhoneError::NotMobile)); // Hà Nội
        assert_eq!(e164("028 3829 1234"), Err(PhoneError::NotMobile)); // TP.HCM
        assert_eq!(e164("+84 236 3822 123"), Err(PhoneError::NotMobile));
    }

    #[test]
    fn rejects_unallocated_and_withdrawn_prefixes() {
        for p in [
            "030", "031", "050", "051", "053", "054", "057", "071", "075", "080", "095", "010",
            "060", "069",
        ] {
            assert_eq!(
                e164(&format!("{p}1234567")),
                Err(PhoneError::NotMobile),
                "{p}"
            );
        }
    }

    #[test]
    fn rejects_wrong_lengths() {
        assert_eq!(e164("09051234567"), Err(PhoneError::WrongLength)); // 11 digits
        assert_eq!(e164("090512345"), Err(PhoneError::WrongLength)); // 9 digits
        assert_eq!(e164("+849051234567"), Err(PhoneError::WrongLength));
        assert_eq!(e164("+8490512345"), Err(PhoneError::WrongLength));
        assert_eq!(e164("0"), Err(PhoneError::WrongLength));
        assert_eq!(e164("+84"), Err(PhoneError::WrongLength));
        assert_eq!(e164("905123456"), Err(PhoneError::WrongLength)); // no 0, no +84
        assert_eq!(e164("012345678901234"), Err(PhoneError::WrongLength));
    }

    #[test]
    fn rejects_old_eleven_digit_prefixes() {
        // 0162… became 032… in 2018; the old form must not be accepted.
        assert!(e164("01621234567").is_err());
        assert!(e164("+841621234567").is_err());
    }

    #[test]
    fn rejects_letters_and_symbols() {
        assert_eq!(e164("0905abc456"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("O905123456"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("0905123456#"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("0905/123/456"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("tel:0905123456"), Err(PhoneError::InvalidCharacter));
    }

    #[test]
    fn rejects_empty_and_punctuation_only() {
        assert_eq!(e164(""), Err(PhoneError::Empty));
        assert_eq!(e164("   "), Err(PhoneError::Empty));
        assert_eq!(e164(".-() .-"), Err(PhoneError::Empty));
        assert_eq!(e164("+"), Err(PhoneError::InvalidCharacter));
    }

    #[test]
    fn rejects_unicode_digits() {
        assert_eq!(
            e164("０９０５１２３４５６"),
            Err(PhoneError::InvalidCharacter)
        ); // full-width
        assert_eq!(e164("٠٩٠٥١٢٣٤٥٦"), Err(PhoneError::InvalidCharacter)); // Arabic-Indic
        assert_eq!(e164("0905１23456"), Err(PhoneError::InvalidCharacter));
    }

    #[test]
    fn rejects_other_countries() {
        assert_eq!(e164("+85 905 123 456"), Err(PhoneError::NotVietnamese));
        assert_eq!(e164("+856 20 5512 3456"), Err(PhoneError::NotVietnamese)); // Laos
        assert_eq!(e164("+1 202 555 0143"), Err(PhoneError::NotVietnamese));
        assert_eq!(e164("0085 905 123 456"), Err(PhoneError::NotVietnamese));
    }

    #[test]
    fn rejects_double_or_misplaced_plus() {
        assert_eq!(e164("++84905123456"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("+ +84905123456"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("84+905123456"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("0905123456+"), Err(PhoneError::InvalidCharacter));
    }

    #[test]
    fn rejects_a_megabyte_quickly() {
        let huge = "0".repeat(1 << 20);
        let start = Instant::now();
        assert_eq!(e164(&huge), Err(PhoneError::TooLong));
        let spaced = format!("0905123456{}", " ".repeat(1 << 20));
        assert_eq!(e164(&spaced), Err(PhoneError::TooLong));
        assert!(start.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn formats_for_each_audience() -> Result<(), PhoneError> {
        let p = Phone::parse("0905 123 456")?;
        assert_eq!(p.as_e164(), "+84905123456");
        assert_eq!(p.to_string(), "+84905123456");
        assert_eq!(p.national(), "0905123456");
        assert_eq!(p.zalo_format(), "84905123456");
        assert_eq!(p.masked(), "+84905***456");
        assert_eq!(format!("{p:?}"), "Phone(+84905***456)");
        Ok(())
    }

    #[test]
    fn serializes_as_e164_and_validates_on_deserialize() -> Result<(), serde_json::Error> {
        let p: Phone = serde_json::from_str("\"0905.123.456\"")?;
        assert_eq!(
            serde_json::to_string(&p).ok().as_deref(),
            Some("\"+84905123456\"")
        );
        assert!(serde_json::from_str::<Phone>("\"0236 3822 123\"").is_err());
        assert!(serde_json::from_str::<Phone>("905").is_err());
        Ok(())
    }

    #[test]
    fn converts_to_invalid_phone_api_error() {
        let e: ApiError = PhoneError::NotMobile.into();
        assert_eq!(e.status(), 422);
        assert_eq!(e.code(), "invalid_phone");
        assert_eq!(e.fields()["phone"], "not_mobile");
        assert_eq!(
            PhoneError::Empty.for_field("citizen.phone").fields()["citizen.phone"],
            "empty"
        );
    }
}
