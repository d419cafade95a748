//! Entity tags for document content: the SHA-256 of the bytes, so a tag
//! never changes unless the bytes do (RFC 9110 §8.8.3, §13.1.2).

/// The `ETag` header value of content with this hex SHA-256.
pub fn etag(sha256_hex: &str) -> String {
    format!("\"{sha256_hex}\"")
}

/// Whether `If-None-Match` already names this content, i.e. the answer is
/// 304. Weak comparison, as RFC 9110 prescribes for `If-None-Match`: `W/`
/// prefixes are ignored, `*` matches, and a list matches if any tag does.
pub fn if_none_match_hits(header: Option<&str>, sha256_hex: &str) -> bool {
    let Some(header) = header else {
        return false;
    };
    let ours = etag(sha256_hex);
    header.split(',').map(str::trim).any(|tag| {
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || tag == ours
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn matches_quoted_weak_listed_and_star() {
        let h = "ab12";
        assert!(if_none_match_hits(Some("\"ab12\""), h));
        assert!(if_none_match_hits(Some("W/\"ab12\""), h));
        assert!(if_none_match_hits(Some("\"zz\", \"ab12\""), h));
        assert!(if_none_match_hits(Some("*"), h));
        assert!(!if_none_match_hits(Some("ab12"), h), "tags are quoted");
        assert!(!if_none_match_hits(Some("\"ab1\""), h));
        assert!(!if_none_match_hits(None, h));
        assert_eq!(etag(h), "\"ab12\"");
    }
}
