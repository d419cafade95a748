//! Human text as stored (NFC, trimmed) and as printed in a personal QR
//! (upper-case ASCII without Vietnamese diacritics).

use unicode_normalization::UnicodeNormalization;

use crate::text::{collapse_spaces, optional, strip_diacritics};

/// Longest full name accepted.
pub const NAME_MAX_CHARS: usize = 100;

/// A person's name as stored: NFC, single spaces, and only letters, spaces
/// and the marks names really use (`'`, `-`, `.`). Anything else — digits,
/// `|` (the QR field separator), emoji — is refused rather than silently
/// dropped, so what the citizen typed is what officials see.
pub fn clean_name(name: &str) -> Result<String, &'static str> {
    let nfc: String = name.nfc().collect();
    let collapsed = collapse_spaces(&nfc);
    if collapsed.is_empty() {
        return Err("required");
    }
    if collapsed.chars().count() > NAME_MAX_CHARS {
        return Err("too_long");
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.');
    if !collapsed.chars().all(allowed) {
        return Err("letters_only");
    }
    Ok(collapsed)
}

/// A name offered at sign-up (`POST /api/v1/signup` `full_name`): absent or
/// blank means none, anything else must pass [`clean_name`] exactly as a
/// `PATCH /api/v1/me` would. One rule for both doors, so no account can start
/// with a name the profile would refuse (`An|Binh` would split the personal
/// QR's `|`-separated fields).
pub fn optional_name(name: Option<&str>) -> Result<Option<String>, &'static str> {
    optional(name, clean_name)
}

/// `"Nguyễn Văn Đức"` → `"NGUYEN VAN DUC"`: the HoTen field of the personal
/// QR (Decision 1405/QĐ-BTTTT). Diacritics are removed by decomposing (NFD)
/// and dropping combining marks; `Đ`/`đ` are separate letters, not a D with
/// a mark, so they are mapped explicitly.
pub fn fold_upper_ascii(name: &str) -> String {
    let upper: String = strip_diacritics(name)
        .chars()
        .flat_map(char::to_uppercase)
        .collect();
    collapse_spaces(&upper)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::clean_line as clean_text;

    #[test]
    fn folds_vietnamese_names_to_upper_ascii() {
        assert_eq!(fold_upper_ascii("Nguyễn Văn Đức"), "NGUYEN VAN DUC");
        assert_eq!(fold_upper_ascii("Trần Thị Bích Ngọc"), "TRAN THI BICH NGOC");
        assert_eq!(fold_upper_ascii("đặng ưng hoàng"), "DANG UNG HOANG");
        // Typed with combining marks (NFD) it folds the same.
        assert_eq!(fold_upper_ascii("Nguye\u{302}\u{303}n"), "NGUYEN");
        assert!(fold_upper_ascii("Lê Thị Ánh Tuyết Ỷ Ữ").is_ascii());
    }

    #[test]
    fn a_sign_up_name_follows_the_profile_rule() {
        assert_eq!(optional_name(None), Ok(None));
        assert_eq!(optional_name(Some("   ")), Ok(None));
        assert_eq!(
            optional_name(Some("  Nguyễn   Văn An ")),
            Ok(Some("Nguyễn Văn An".to_owned()))
        );
        let long = "A".repeat(NAME_MAX_CHARS + 1);
        for bad in ["An|Binh", "An2", "An\u{0}", "😀", long.as_str()] {
            assert_eq!(optional_name(Some(bad)), clean_name(bad).map(Some), "{bad}");
            assert!(optional_name(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_stored_nfc_with_single_spaces() {
        let nfd = "  Nguye\u{302}\u{303}n   Văn  An ";
        assert_eq!(clean_name(nfd), Ok("Nguyễn Văn An".to_owned()));
        assert_eq!(
            clean_name("O'Brien-Lê Jr."),
            Ok("O'Brien-Lê Jr.".to_owned())
        );
    }

    #[test]
    fn names_refuse_digits_separators_and_empties() {
        assert_eq!(clean_name("   "), Err("required"));
        assert_eq!(clean_name("An|Bình"), Err("letters_only"));
        assert_eq!(clean_name("An 2"), Err("letters_only"));
        assert_eq!(clean_name(&"a".repeat(101)), Err("too_long"));
    }

    #[test]
    fn free_text_is_trimmed_nfc_and_bounded() {
        assert_eq!(
            clean_text(" 12 Ha\u{309}i Phòng ", 50),
            Ok("12 Hải Phòng".to_owned())
        );
        assert_eq!(clean_text("a\u{7}b", 50), Err("control_characters"));
        assert_eq!(clean_text("", 50), Err("required"));
        assert_eq!(clean_text("abc", 2), Err("too_long"));
    }
}
