//! The language a response is written in, chosen from `Accept-Language` (docs/api.md).
//!
//! Vietnamese is the platform's language: English is only chosen when the
//! client prefers it over Vietnamese, so a missing, empty or unusual header
//! always gets Vietnamese.

/// A language the platform speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    /// Vietnamese (the default).
    Vi,
    /// English.
    En,
}

/// Items past this many are ignored: real browsers send fewer than ten, and a
/// hostile header should not buy more work than that.
const MAX_ITEMS: usize = 32;

impl Lang {
    /// Picks the language from an `Accept-Language` header value.
    ///
    /// The highest-q item that names Vietnamese (`vi`, `vi-VN`, `*`) or English
    /// (`en`, `en-US`, …) wins; on a tie the earlier item wins; `q=0` means
    /// "not this one". Anything else, or no header, is Vietnamese.
    ///
    /// ```
    /// use cds_shared::lang::Lang;
    /// assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9,vi;q=0.8")), Lang::En);
    /// assert_eq!(Lang::from_accept_language(Some("fr-FR")), Lang::Vi);
    /// assert_eq!(Lang::from_accept_language(None), Lang::Vi);
    /// ```
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Vi;
        };
        let mut best: Option<(u16, Lang)> = None;
        for item in header.split(',').take(MAX_ITEMS) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let Some(lang) = lang_of_tag(tag) else {
                continue;
            };
            let mut quality = Some(1000);
            for param in parts {
                let param = param.trim();
                if let Some((name, value)) = param.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        quality = parse_qvalue(value.trim());
                    }
                }
            }
            // A malformed q-value makes the item unusable rather than preferred.
            let Some(quality) = quality else {
                continue;
            };
            if quality == 0 {
                continue;
            }
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or(Lang::Vi)
    }

    /// The BCP 47 primary tag (`vi` or `en`), e.g. for `Content-Language`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

fn lang_of_tag(tag: &str) -> Option<Lang> {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("en") {
        Some(Lang::En)
    } else if primary.eq_ignore_ascii_case("vi") || primary == "*" {
        Some(Lang::Vi)
    } else {
        None
    }
}

/// RFC 9110 qvalue in thousandths: `0`, `0.5`, `0.125`, `1`, `1.000`.
fn parse_qvalue(value: &str) -> Option<u16> {
    let (whole, frac) = match value.split_once('.') {
        Some((w, f)) => (w, f),
        None => (value, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        let scale = [100, 10, 1][i];
        thousandths += u16::from(b - b'0') * scale;
    }
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(h: &str) -> Lang {
        Lang::from_accept_language(Some(h))
    }

    #[test]
    fn defaults_to_vietnamese_without_header() {
        assert_eq!(Lang::from_accept_language(None), Lang::Vi);
        assert_eq!(pick(""), Lang::Vi);
        assert_eq!(Lang::default(), Lang::Vi);
    }

    #[test]
    fn chooses_english_for_en_and_regional_variants() {
        assert_eq!(pick("en"), Lang::En);
        assert_eq!(pick("en-US"), Lang::En);
        assert_eq!(pick("EN-gb"), Lang::En);
        assert_eq!(pick("en_US"), Lang::En);
    }

    #[test]
    fn chooses_vietnamese_for_unsupported_languages() {
        assert_eq!(pick("fr-FR"), Lang::Vi);
        assert_eq!(pick("zh-CN,ja;q=0.9"), Lang::Vi);
        assert_eq!(pick("english"), Lang::Vi);
        assert_eq!(pick(";;;,,,=q"), Lang::Vi);
    }

    #[test]
    fn respects_q_values() {
        assert_eq!(pick("vi;q=0.5, en;q=0.8"), Lang::En);
        assert_eq!(pick("en;q=0.5, vi;q=0.8"), Lang::Vi);
        assert_eq!(pick("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7"), Lang::Vi);
        assert_eq!(pick("en-US,en;q=0.9,vi;q=0.8"), Lang::En);
        assert_eq!(pick("fr, en;q=0.3"), Lang::En);
        assert_eq!(pick("en;q=0.001"), Lang::En);
        assert_eq!(pick("en ; Q = 1.000"), Lang::En);
    }

    #[test]
    fn earlier_item_wins_a_tie() {
        assert_eq!(pick("en, vi"), Lang::En);
        assert_eq!(pick("vi, en"), Lang::Vi);
    }

    #[test]
    fn treats_q_zero_as_refusal() {
        assert_eq!(pick("en;q=0"), Lang::Vi);
        assert_eq!(pick("en;q=0.000, fr"), Lang::Vi);
    }

    #[test]
    fn ignores_items_with_malformed_q_values() {
        assert_eq!(pick("en;q=2"), Lang::Vi);
        assert_eq!(pick("en;q=NaN"), Lang::Vi);
        assert_eq!(pick("en;q=-1"), Lang::Vi);
        assert_eq!(pick("en;q=0.5555"), Lang::Vi);
        assert_eq!(pick("en;q=1.5"), Lang::Vi);
        assert_eq!(pick("en;q="), Lang::Vi);
    }

    #[test]
    fn wildcard_means_vietnamese() {
        assert_eq!(pick("*"), Lang::Vi);
        assert_eq!(pick("*, en;q=0.5"), Lang::Vi);
    }

    #[test]
    fn survives_huge_headers() {
        let header = "xx;q=0.1,".repeat(100_000) + "en";
        // Only the first items are read, so the trailing `en` is never seen.
        assert_eq!(pick(&header), Lang::Vi);
    }
}
