//! The headers a document's bytes are served with, to the owner
//! (`/api/v1/documents/{id}/content`) and through a share link
//! (`/api/v1/shared/{token}/content`).
//!
//! The bytes come from citizens and issuers, so a browser must never treat
//! them as part of the platform's origin:
//! * `Content-Security-Policy: sandbox` — even if a file is rendered as a
//!   page (a PDF viewer, a mislabelled upload), it runs in a unique origin
//!   without scripts, forms or the platform's cookies and storage;
//! * `Content-Disposition` — `inline` only for the types a browser shows
//!   without running anything of ours (PDF, JPEG, PNG: [`ContentType`]),
//!   `attachment` for anything else; the filename comes from the title, as
//!   RFC 6266 wants: an ASCII `filename` fallback (diacritics folded,
//!   everything else outside `[A-Za-z0-9._-]` replaced by `_`) and the real
//!   title as `filename*=UTF-8''…`, percent-encoded.

use unicode_normalization::UnicodeNormalization;

use super::kinds::ContentType;

/// The value of `Content-Security-Policy` on every document download.
pub const SANDBOX_CSP: &str = "sandbox";

/// Longest filename stem kept (characters), so a long title cannot make a
/// header that proxies refuse.
const STEM_MAX_CHARS: usize = 80;

/// `inline` or `attachment`, with the filename parameters.
pub fn content_disposition(title: &str, content_type: &str) -> String {
    let kind = ContentType::from_header(content_type);
    let disposition = if kind.is_some() {
        "inline"
    } else {
        "attachment"
    };
    let ext = kind.map_or("bin", ContentType::extension);
    let stem = utf8_stem(title);
    let ascii = ascii_stem(&stem);
    format!(
        "{disposition}; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}",
        percent_encode(&stem)
    )
}

/// The title as a filename stem: NFC, control characters and path or quote
/// characters replaced by `_`, whitespace collapsed, shortened; `tai-lieu`
/// when nothing is left.
fn utf8_stem(title: &str) -> String {
    let cleaned: String = title
        .nfc()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let collapsed = crate::text::collapse_spaces(&cleaned);
    let short: String = collapsed.chars().take(STEM_MAX_CHARS).collect();
    let short = short.trim().trim_matches('.').to_owned();
    if short.is_empty() {
        "tai-lieu".to_owned()
    } else {
        short
    }
}

/// The ASCII fallback: diacritics folded (`Giấy khai sinh` → `Giay_khai_sinh`),
/// any other character outside `[A-Za-z0-9._-]` → `_`.
fn ascii_stem(stem: &str) -> String {
    let folded: String = stem
        .nfd()
        .filter(|c| !matches!(c, '\u{0300}'..='\u{036F}'))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') => c,
            _ => '_',
        })
        .collect();
    let trimmed = folded.trim_matches(|c| c == '_' || c == '.');
    if trimmed.is_empty() {
        "tai-lieu".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// RFC 8187 `value-chars`: attr-char stays, every other byte is `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        let attr_char = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_and_images_are_inline_with_the_title_as_filename() {
        assert_eq!(
            content_disposition("Giấy khai sinh", "application/pdf"),
            "inline; filename=\"Giay_khai_sinh.pdf\"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"
        );
        assert!(content_disposition("Ảnh thẻ", "image/png")
            .starts_with("inline; filename=\"Anh_the.png\""));
        assert!(content_disposition("x", "image/jpeg; charset=binary").starts_with("inline;"));
    }

    #[test]
    fn anything_else_is_an_attachment() {
        for ct in [
            "text/html",
            "image/svg+xml",
            "application/octet-stream",
            "",
            "text/html; x=application/pdf",
        ] {
            let d = content_disposition("Trang", ct);
            assert!(
                d.starts_with("attachment; filename=\"Trang.bin\""),
                "{ct}: {d}"
            );
        }
    }

    #[test]
    fn titles_cannot_break_out_of_the_header_or_name_a_path() {
        let d = content_disposition(
            "a\"; filename=evil.html\r\nX-Injected: 1/../..\\b",
            "application/pdf",
        );
        assert!(!d.contains('\r') && !d.contains('\n'), "{d}");
        assert_eq!(d.matches('"').count(), 2, "{d}");
        assert!(!d.contains('/') && !d.contains('\\'), "{d}");
        // Only one filename= and one filename*= parameter.
        assert_eq!(d.matches("filename=").count(), 1, "{d}");
        assert_eq!(d.matches("filename*=").count(), 1, "{d}");
        assert!(d.is_ascii(), "{d}");
    }

    #[test]
    fn empty_or_long_titles_still_give_a_usable_name() {
        assert_eq!(
            content_disposition("  ", "application/pdf"),
            "inline; filename=\"tai-lieu.pdf\"; filename*=UTF-8''tai-lieu.pdf"
        );
        assert_eq!(
            content_disposition("ữ", "application/pdf"),
            "inline; filename=\"u.pdf\"; filename*=UTF-8''%E1%BB%AF.pdf"
        );
        assert_eq!(
            content_disposition("中文", "image/png"),
            "inline; filename=\"tai-lieu.png\"; filename*=UTF-8''%E4%B8%AD%E6%96%87.png"
        );
        let long = content_disposition(&"Đ".repeat(500), "application/pdf");
        assert!(long.len() < 1_000, "{}", long.len());
    }
}
