//! The public redaction of a feedback item (docs/feedback.md: "no personal data").
//!
//! The public view never includes the sender's name, phone or account, and
//! coarsens what could point at a home:
//!
//! * **Address → street** ([`street_only`]). The address is split at commas.
//!   In each part, a number that comes before the part's first word, or
//!   right after a word that introduces a house-level number (`số`, `nhà`,
//!   `sn`, `kiệt`, `hẻm`, `ngõ`, `ngách`, `lô`, `tổ`, `khối`, `phòng`,
//!   `tầng`, `căn`, `hộ`, `k`), is dropped together with those words: house,
//!   alley, lot, apartment and residential-group numbers. Numbers that are
//!   part of a name stay: after a name (`Hải Châu 1`), in date-named streets
//!   (`2 Tháng 9`), numbered roads (`Quốc lộ 1A`, `QL14B`, `ĐT605`) and
//!   numbered streets (`Đường số 5`). Parts left empty are dropped:
//!   `"K45/12 Lê Duẩn, Tổ 5, Hải Châu 1, Hải Châu"` →
//!   `"Lê Duẩn, Hải Châu 1, Hải Châu"`.
//! * **Coordinates → about 100 m** ([`round_coordinate`]): 3 decimals.
//! * **Personal data in the text** ([`mask_personal_data`]), each replaced by
//!   `***` in the title, content and response:
//!   - e-mail addresses (`an@example.vn`, also `an (at) example.vn`,
//!     `an[at]example.vn` and the full-width `＠`);
//!   - Vietnamese mobile numbers in any spelling: `0905123456`,
//!     `+84 905 123 456`, `84905123456`, `(+84) 905-123-456`,
//!     `0905.123.456`, `+84 (0) 905 123 456`, one digit per group;
//!   - CCCD numbers: 12 digits starting with a province code `001`–`096`,
//!     written whole or in groups (`048 095 000 123`, `048.095.000.123`,
//!     `048-095-000-123`).
//!
//!   Landlines stay (`0236 3822 123` is almost always an agency's hotline
//!   that the text is pointing people to), and so do amounts and years.

use crate::phone::Phone;

/// Decimal places kept in public coordinates (0.001° ≈ 110 m).
const PUBLIC_DECIMALS: f64 = 1_000.0;

/// Most space-separated groups and bytes a written number spans (a CCCD
/// written one digit per group has 12).
const MAX_GROUPS: usize = 12;
const MAX_NUMBER_BYTES: usize = 48;

/// Digits of a CCCD (citizen identity card) number.
const CCCD_DIGITS: usize = 12;
/// Highest province code a CCCD starts with (001 Hà Nội … 096 Cà Mau).
const MAX_PROVINCE_CODE: u32 = 96;

/// What replaces personal data in public text.
pub const MASK: &str = "***";

/// Words that introduce a house-level number (compared lower-case, with a
/// trailing `.` removed).
const NUMBER_WORDS: &[&str] = &[
    "số", "so", "nhà", "sn", "kiệt", "kiet", "hẻm", "hem", "ngõ", "ngo", "ngách", "lô", "tổ",
    "khối", "phòng", "tầng", "căn", "hộ", "k",
];

/// Words after which a number names a road, not a house.
const ROAD_WORDS: &[&str] = &["lộ", "ql", "đt", "tl", "quốc", "tỉnh"];

/// Token prefixes of road codes written as one word (`QL1A`, `ĐT605`).
const ROAD_CODES: &[&str] = &["ql", "đt", "tl", "dt"];

/// The address without house-level detail (see the module docs), or `None`
/// when nothing is left.
pub fn street_only(address: &str) -> Option<String> {
    let parts: Vec<String> = address
        .split(',')
        .filter_map(|part| {
            let kept = street_part(part);
            (!kept.is_empty()).then_some(kept)
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn normalized(token: &str) -> String {
    token.trim_end_matches('.').to_lowercase()
}

/// One comma-separated part with its house-level numbers removed.
fn street_part(part: &str) -> String {
    let tokens: Vec<&str> = part.split_whitespace().collect();
    let lower: Vec<String> = tokens.iter().map(|t| normalized(t)).collect();
    let mut drop = vec![false; tokens.len()];
    // Whether any ordinary word came before: a number after a name
    // ("Hải Châu 1", "Khối 3") is part of that name.
    let mut seen_word = false;
    for i in 0..tokens.len() {
        let has_digit = tokens[i].chars().any(|c| c.is_ascii_digit());
        if !has_digit {
            if !NUMBER_WORDS.contains(&lower[i].as_str()) {
                seen_word = true;
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| lower[p].as_str());
        let prev2 = i.checked_sub(2).map(|p| lower[p].as_str());
        let next = lower.get(i + 1).map(String::as_str);
        let introduced = prev.is_some_and(|p| NUMBER_WORDS.contains(&p));
        let names_road = next == Some("tháng")
            || prev == Some("tháng")
            || prev.is_some_and(|p| ROAD_WORDS.contains(&p))
            || (prev == Some("số") && prev2 == Some("đường"))
            || ROAD_CODES.iter().any(|c| lower[i].starts_with(c));
        if names_road || (seen_word && !introduced) {
            continue;
        }
        drop[i] = true;
        // The words introducing this number go with it ("nhà số 12").
        let mut j = i;
        while j > 0 && NUMBER_WORDS.contains(&lower[j - 1].as_str()) && !drop[j - 1] {
            j -= 1;
            drop[j] = true;
        }
    }
    tokens
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(t, _)| *t)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A coordinate rounded for the public view.
pub fn round_coordinate(value: f64) -> f64 {
    (value * PUBLIC_DECIMALS).round() / PUBLIC_DECIMALS
}

/// `text` with every e-mail address, Vietnamese mobile number and CCCD
/// number replaced by [`MASK`] (see the module docs).
pub fn mask_personal_data(text: &str) -> String {
    mask_numbers(&mask_emails(text))
}

/// Spellings of the `@` of an address, longest first (compared ASCII
/// case-insensitively).
const AT_SIGNS: &[&str] = &[" (at) ", " [at] ", " @ ", "(at)", "[at]", "@", "\u{ff20}"];

/// `text` with every e-mail address replaced by [`MASK`]: a non-empty local
/// part, an `@` in one of [`AT_SIGNS`], and a domain of at least two labels
/// whose last is two or more letters.
pub fn mask_emails(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < text.len() {
        let Some(at_len) = at_sign(&text[i..]) else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let mut start = i;
        while start > copied && is_local_char(bytes[start - 1]) {
            start -= 1;
        }
        while start < i && bytes[start] == b'.' {
            start += 1;
        }
        let domain_start = i + at_len;
        let mut end = domain_start;
        while end < text.len() && is_domain_char(bytes[end]) {
            end += 1;
        }
        // A full stop or dash after the address belongs to the sentence.
        while end > domain_start && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if start < i && is_domain(&text[domain_start..end]) {
            out.push_str(&text[copied..start]);
            out.push_str(MASK);
            copied = end;
            i = end;
        } else {
            i += at_len;
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn at_sign(rest: &str) -> Option<usize> {
    AT_SIGNS
        .iter()
        .find(|sign| {
            rest.get(..sign.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(sign))
        })
        .map(|sign| sign.len())
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// `text` with every Vietnamese mobile number and CCCD number replaced by
/// [`MASK`].
fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit() || c == '+' || c == '(') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let run_len = after
            .find(|c: char| !is_phone_char(c))
            .unwrap_or(after.len());
        // The run ends at its last digit: a full stop or space after a
        // number belongs to the sentence. A run without digits ("(", "+")
        // is passed through one character at a time.
        let run_len = after[..run_len]
            .rfind(|c: char| c.is_ascii_digit())
            .map_or_else(|| after.chars().next().map_or(1, char::len_utf8), |i| i + 1);
        let run = &rest[start..start + run_len];
        out.push_str(&mask_run(run));
        rest = &rest[start + run_len..];
    }
    out.push_str(rest);
    out
}

/// A CCCD as people write it: 12 digits, optionally grouped by spaces, dots
/// or dashes (no `+` or brackets: those are phone spellings), starting with
/// a province code 001–096.
fn is_cccd(candidate: &str) -> bool {
    if !candidate
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '\u{a0}' | '.' | '-'))
    {
        return false;
    }
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    match digits.as_slice() {
        [0, a, b, ..] if digits.len() == CCCD_DIGITS => {
            (1..=MAX_PROVINCE_CODE).contains(&(a * 10 + b))
        }
        _ => false,
    }
}

fn is_phone_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')' | '\u{a0}')
}

/// Masks phone and CCCD numbers inside a run of digits and separators,
/// trying the longest sequence of whole space-separated pieces first so that
/// "số 12 0905 123 456" masks the number but keeps the 12.
fn mask_run(run: &str) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for piece in run.split([' ', '\u{a0}']) {
        if !piece.is_empty() {
            spans.push((offset, offset + piece.len()));
        }
        offset += piece.len()
            + run[offset + piece.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
    }
    let mut masked: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < spans.len() {
        // A number is written in at most a few groups ("+84 905 123 456"),
        // which bounds the work on a long run of digits to linear.
        let last = spans.len().min(i + MAX_GROUPS);
        let found = (i..last).rev().find(|&j| {
            let candidate = &run[spans[i].0..spans[j].1];
            let digits = candidate.chars().filter(char::is_ascii_digit).count();
            candidate.len() <= MAX_NUMBER_BYTES
                && (9..=14).contains(&digits)
                && (Phone::parse(candidate).is_ok() || is_cccd(candidate))
        });
        match found {
            Some(j) => {
                masked.push((spans[i].0, spans[j].1));
                i = j + 1;
            }
            None => i += 1,
        }
    }
    let mut out = String::with_capacity(run.len());
    let mut at = 0;
    for (s, e) in masked {
        out.push_str(&run[at..s]);
        out.push_str(MASK);
        at = e;
    }
    out.push_str(&run[at..]);
    out
}
