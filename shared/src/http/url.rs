//! URL pieces: splitting a URI into path and query, and decoding
//! `a=1&b=x+y` pairs (queries and form bodies).

/// `a=1&b=x+y` → `[("a","1"),("b","x y")]`; invalid percent-escapes are kept
/// literally and invalid UTF-8 becomes U+FFFD, as browsers do.
pub fn parse_urlencoded(input: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(input.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(super) fn split_uri(uri: &str) -> (&str, Option<&str>) {
    let uri = uri.split('#').next().unwrap_or("");
    // Absolute form: drop `scheme://authority`.
    let uri = match uri.split_once("://") {
        Some((scheme, rest)) if !scheme.contains(['/', '?']) => {
            rest.find(['/', '?']).map_or("", |i| &rest[i..])
        }
        _ => uri,
    };
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    (if path.is_empty() { "/" } else { path }, query)
}
