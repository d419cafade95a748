//! Matching a request path against a route pattern (`/documents/:id`).

/// Matches `path` against `pattern`, returning the captured segments.
///
/// Pattern segments are literals or `:name` captures of one non-empty
/// segment; a capture may carry a literal suffix (`:id.json` matches
/// `123.json` and captures `123`). One or more trailing slashes on either
/// side are ignored. Segments are compared still percent-encoded.
///
/// ```
/// use cds_shared::http::match_path;
/// assert_eq!(match_path("/api/v1/documents/:id/content", "/api/v1/documents/d_42/content/"),
///            Some(vec!["d_42"]));
/// assert_eq!(match_path("/open311/v2/requests/:id.json", "/open311/v2/requests/77.json"),
///            Some(vec!["77"]));
/// assert_eq!(match_path("/api/v1/documents/:id", "/api/v1/documents"), None);
/// ```
pub fn match_path<'a>(pattern: &str, path: &'a str) -> Option<Vec<&'a str>> {
    let pattern = trim_trailing_slashes(pattern);
    let path = trim_trailing_slashes(path);
    let mut captures = Vec::new();
    let mut pat_segments = pattern.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (pat_segments.next(), path_segments.next()) {
            (None, None) => return Some(captures),
            (Some(pat), Some(seg)) => match pat.strip_prefix(':') {
                Some(capture) => {
                    let value = match capture.split_once('.') {
                        Some((_, suffix)) => seg.strip_suffix(suffix)?.strip_suffix('.')?,
                        None => seg,
                    };
                    if value.is_empty() {
                        return None;
                    }
                    captures.push(value);
                }
                None if pat == seg => {}
                None => return None,
            },
            _ => return None,
        }
    }
}

fn trim_trailing_slashes(s: &str) -> &str {
    let trimmed = s.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_paths_with_captures() {
        assert_eq!(
            match_path(
                "/api/v1/documents/:id/content",
                "/api/v1/documents/d1/content"
            ),
            Some(vec!["d1"])
        );
        assert_eq!(match_path("/api/v1/health", "/api/v1/health"), Some(vec![]));
        assert_eq!(match_path("/a/:x/b/:y", "/a/1/b/2"), Some(vec!["1", "2"]));
        assert_eq!(match_path("/", "/"), Some(vec![]));
        assert_eq!(match_path("/kiosk/", "/kiosk"), Some(vec![]));
    }

    #[test]
    fn tolerates_trailing_slashes() {
        assert_eq!(match_path("/api/v1/me", "/api/v1/me/"), Some(vec![]));
        assert_eq!(match_path("/api/v1/me/", "/api/v1/me"), Some(vec![]));
        assert_eq!(
            match_path("/api/v1/shared/:t", "/api/v1/shared/abc//"),
            Some(vec!["abc"])
        );
    }

    #[test]
    fn rejects_paths_that_differ() {
        assert_eq!(
            match_path("/api/v1/documents/:id", "/api/v1/documents"),
            None
        );
        assert_eq!(
            match_path("/api/v1/documents/:id", "/api/v1/documents/"),
            None
        );
        assert_eq!(
            match_path("/api/v1/documents/:id", "/api/v1/documents/a/b"),
            None
        );
        assert_eq!(
            match_path(
                "/api/v1/documents/:id/content",
                "/api/v1/documents//content"
            ),
            None
        );
        assert_eq!(match_path("/api/v1/me", "/api/v1/ME"), None);
        assert_eq!(match_path("/api/v1/me", "/api/v2/me"), None);
        assert_eq!(match_path("/api/v1/me", ""), None);
    }

    #[test]
    fn captures_with_literal_suffix() {
        let p = "/open311/v2/services/:code.json";
        assert_eq!(
            match_path(p, "/open311/v2/services/env.json"),
            Some(vec!["env"])
        );
        assert_eq!(
            match_path(p, "/open311/v2/services/a.b.json"),
            Some(vec!["a.b"])
        );
        assert_eq!(match_path(p, "/open311/v2/services/.json"), None);
        assert_eq!(match_path(p, "/open311/v2/services/env.xml"), None);
        assert_eq!(match_path(p, "/open311/v2/services/envjson"), None);
    }
}
