//! Human text as the platform stores it: trimmed, NFC-normalised (so the
//! same name typed on two keyboards is the same bytes), bounded in Unicode
//! characters and free of control characters; plus the folds used to match
//! Vietnamese text typed without its diacritics.
//!
//! Each cleaner returns a snake_case reason (`required`,
//! `control_characters`, `too_long`) that the caller puts on its 422 field.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One line of text: NFC, trimmed, 1..=`max` characters, no control
/// characters (a line break in a title or address is a control character).
pub fn clean_line(text: &str, max: usize) -> Result<String, &'static str> {
    clean_keeping(text, max, &[])
}

/// Free text: like [`clean_line`] but line breaks (`\r\n` and `\r` become
/// `\n`) and tabs are kept.
pub fn clean_multiline(text: &str, max: usize) -> Result<String, &'static str> {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    clean_keeping(&unified, max, &['\n', '\t'])
}

/// Like [`clean_line`], but the control characters in `keep` are allowed.
pub fn clean_keeping(text: &str, max: usize, keep: &[char]) -> Result<String, &'static str> {
    let nfc: String = text.trim().nfc().collect();
    if nfc.is_empty() {
        return Err("required");
    }
    if nfc.chars().any(|c| c.is_control() && !keep.contains(&c)) {
        return Err("control_characters");
    }
    if nfc.chars().count() > max {
        return Err("too_long");
    }
    Ok(nfc)
}

/// Applies `check` to a present, non-blank value; blank means absent.
pub fn optional(
    value: Option<&str>,
    check: impl Fn(&str) -> Result<String, &'static str>,
) -> Result<Option<String>, &'static str> {
    match value {
        Some(v) if !v.trim().is_empty() => check(v).map(Some),
        _ => Ok(None),
    }
}

/// Trimmed and NFC, `None` when nothing is left (no length or character
/// rule: for values that are only echoed back, such as a device label).
pub fn trimmed_nfc(value: Option<&str>) -> Option<String> {
    let s: String = value?.trim().nfc().collect();
    (!s.is_empty()).then_some(s)
}

/// Runs of whitespace become one space; leading and trailing ones go.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Vietnamese diacritics removed, case kept: NFD with the combining marks
/// dropped, and `Đ`/`đ` (separate letters, not a D with a mark) mapped to
/// `D`/`d`. `"Nguyễn Đức"` → `"Nguyen Duc"`.
pub fn strip_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_multiline_text_share_one_rule() {
        assert_eq!(clean_line(" Ha\u{309}i ", 5), Ok("Hải".to_owned()));
        assert_eq!(clean_line("a\nb", 5), Err("control_characters"));
        assert_eq!(clean_multiline("a\r\nb\tc", 9), Ok("a\nb\tc".to_owned()));
        assert_eq!(clean_keeping("a\nb", 5, &['\n']), Ok("a\nb".to_owned()));
        assert_eq!(clean_line(" ", 5), Err("required"));
        assert_eq!(clean_line("abcdef", 5), Err("too_long"));
        assert_eq!(optional(Some("  "), |v| clean_line(v, 5)), Ok(None));
        assert_eq!(trimmed_nfc(Some("  ")), None);
        assert_eq!(collapse_spaces("  a \t b "), "a b");
        assert_eq!(strip_diacritics("Nguyễn Đức đi"), "Nguyen Duc di");
    }
}
