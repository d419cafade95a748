//! HTTP routing with Spin's semantics, plus the `spin-*` request headers.
//!
//! Routes are exact (`/api/v1/health`), trailing-wildcard (`/api/v1/...`, also
//! written `/api/v1/*`, matching `/api/v1` and everything below) and may hold
//! `:name` segments (`/api/v1/documents/:id`). Trailing slashes of both route and
//! path are ignored for matching, as Spin's router does.
//!
//! Among matching routes the most specific wins, compared segment by segment
//! from the left: a literal segment beats a `:param`, which beats the `...`
//! wildcard; when one route is the other plus a trailing wildcard, the one
//! without it wins. This yields "exact beats wildcard", "longer prefix wins" and
//! (Spin 3) "`:param` beats `...` at the same position".
//!
//! Unlike `spin up`, which logs duplicate routes and lets the last one win,
//! edge-host refuses them ("route conflict"): a silently unreachable component
//! is a bug. The application base is always `/` (Spin 3 rejects any other
//! `base`; see `manifest`).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::{anyhow, bail};

/// Paths under this prefix are answered by the runtime itself (`health`,
/// `info`) before routing, as in Spin.
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

/// Routes of an application, most specific first.
#[derive(Debug, Clone)]
pub struct Router {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    component_id: String,
    /// As written in the manifest.
    raw_route: String,
    /// Absolutized, single trailing `/` removed: Spin's "based route".
    based_route: String,
    pattern: Pattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    segments: Vec<Segment>,
    trailing_wildcard: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Exact(String),
    Param(String),
}

/// The outcome of routing one request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The component that serves the request.
    pub component_id: String,
    /// `spin-matched-route`: the route absolutized, without a single trailing
    /// `/` (so route `/` gives `""`, as in Spin).
    pub matched_route: String,
    /// `spin-raw-component-route`: the route exactly as written.
    pub raw_route: String,
    /// `spin-base-path`: always `/`.
    pub base_path: String,
    /// `spin-component-route`: the written route without a trailing `/...`.
    pub component_route: String,
    /// `spin-path-info`: the part of the path the trailing wildcard matched,
    /// with a leading `/` (and the request's trailing `/`); `""` otherwise.
    pub path_info: String,
    /// Values of the `:name` segments.
    pub params: BTreeMap<String, String>,
}

impl RouteMatch {
    /// The match Spin fabricates for a service-chaining request
    /// (`http://<component>.spin.internal/<path>`): as if routed by `/...`.
    pub fn synthetic(component_id: &str, path: &str) -> RouteMatch {
        RouteMatch {
            component_id: component_id.to_string(),
            matched_route: "/...".into(),
            raw_route: "/...".into(),
            base_path: "/".into(),
            component_route: String::new(),
            path_info: path.to_string(),
            params: BTreeMap::new(),
        }
    }
}

impl Router {
    /// Builds a router from `(route, component id)` pairs, e.g.
    /// `Manifest::http_routes()`. Fails on malformed routes and on two routes
    /// that match exactly the same paths ("route conflict").
    pub fn build<R: AsRef<str>, C: AsRef<str>>(routes: &[(R, C)]) -> anyhow::Result<Router> {
        let mut entries: Vec<Entry> = Vec::with_capacity(routes.len());
        for (route, component) in routes {
            let (raw_route, component_id) = (route.as_ref(), component.as_ref());
            let based_route = based(raw_route);
            let pattern = parse_route(&based_route).map_err(|e| {
                anyhow!("invalid route {raw_route:?} of component {component_id:?}: {e}")
            })?;
            if let Some(other) = entries.iter().find(|e| e.pattern.same_paths(&pattern)) {
                bail!(
                    "route conflict: route {raw_route:?} of component {component_id:?} matches the same paths as route {:?} of component {:?}",
                    other.raw_route,
                    other.component_id
                );
            }
            entries.push(Entry {
                component_id: component_id.to_string(),
                raw_route: raw_route.to_string(),
                based_route,
                pattern,
            });
        }
        // Stable, so equally specific routes (which never match the same path)
        // keep manifest order.
        entries.sort_by(|a, b| a.pattern.specificity_cmp(&b.pattern));
        Ok(Router { entries })
    }

    /// Routes a request path (no query string; not percent-decoded, as in Spin).
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let trimmed = path.trim_start_matches('/').trim_end_matches('/');
        let sections: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        self.entries.iter().find_map(|entry| {
            let (params, rest) = entry.pattern.matches(&sections)?;
            let path_info = if entry.pattern.trailing_wildcard {
                // Spin reports the request's trailing slash in path-info even
                // though matching ignored it.
                match (rest.is_empty(), path.ends_with('/')) {
                    (true, false) => String::new(),
                    (true, true) => "/".into(),
                    (false, false) => format!("/{rest}"),
                    (false, true) => format!("/{rest}/"),
                }
            } else {
                String::new()
            };
            Some(RouteMatch {
                component_id: entry.component_id.clone(),
                matched_route: entry.based_route.clone(),
                raw_route: entry.raw_route.clone(),
                base_path: "/".into(),
                component_route: entry
                    .raw_route
                    .strip_suffix("/...")
                    .unwrap_or(&entry.raw_route)
                    .to_string(),
                path_info,
                params,
            })
        })
    }

    /// `(route as written, component id)`, most specific first.
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.raw_route.as_str(), e.component_id.as_str()))
    }
}

/// Spin's `sanitize_with_base("/", route)`: absolutize, drop one trailing `/`.
fn based(raw_route: &str) -> String {
    let absolute = if raw_route.starts_with('/') {
        raw_route.to_string()
    } else {
        format!("/{raw_route}")
    };
    match absolute.strip_suffix('/') {
        Some(stripped) => stripped.to_string(),
        None => absolute,
    }
}

fn parse_route(based_route: &str) -> Result<Pattern, String> {
    let (prefix, trailing_wildcard) = if based_route == "/..." || based_route == "/*" {
        ("", true)
    } else if let Some(p) = based_route
        .strip_suffix("/...")
        .or_else(|| based_route.strip_suffix("/*"))
    {
        (p, true)
    } else {
        (based_route, false)
    };
    let mut segments = Vec::new();
    for section in prefix.split('/').filter(|s| !s.is_empty()) {
        let segment = if section == "..." || section.starts_with('*') {
            return Err("a wildcard (`...`) is only allowed as the last segment".into());
        } else if let Some(name) = section.strip_prefix(':') {
            if name.is_empty() {
                return Err("parameters must be named (`:name`)".into());
            }
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "parameter segment {section:?} is not supported by edge-host: a `:name` must fill the whole segment"
                ));
            }
            if segments
                .iter()
                .any(|s| matches!(s, Segment::Param(n) if n == name))
            {
                return Err(format!("parameter `:{name}` appears twice"));
            }
            Segment::Param(name.to_string())
        } else {
            Segment::Exact(section.to_string())
        };
        segments.push(segment);
    }
    Ok(Pattern {
        segments,
        trailing_wildcard,
    })
}

impl Pattern {
    /// On a match: the captured params and the unmatched rest (wildcard only).
    fn matches(&self, sections: &[&str]) -> Option<(BTreeMap<String, String>, String)> {
        let fixed = self.segments.len();
        if sections.len() < fixed || (!self.trailing_wildcard && sections.len() != fixed) {
            return None;
        }
        let mut params = BTreeMap::new();
        for (segment, section) in self.segments.iter().zip(sections) {
            match segment {
                Segment::Exact(text) if text == section => {}
                Segment::Param(name) if !section.is_empty() => {
                    params.insert(name.clone(), (*section).to_string());
                }
                _ => return None,
            }
        }
        Some((params, sections[fixed..].join("/")))
    }

    /// Kinds left to right, higher is more specific: literal 3, param 2, wildcard 1.
    fn ranks(&self) -> impl Iterator<Item = u8> + '_ {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Exact(_) => 3,
                Segment::Param(_) => 2,
            })
            .chain(self.trailing_wildcard.then_some(1))
    }

    /// `Less` means `self` is more specific (sorts first).
    fn specificity_cmp(&self, other: &Pattern) -> Ordering {
        let (mut a, mut b) = (self.ranks(), other.ranks());
        loop {
            match (a.next(), b.next()) {
                (Some(x), Some(y)) if x == y => continue,
                (Some(x), Some(y)) => return y.cmp(&x),
                // A common prefix of kinds: the shorter one has no trailing
                // wildcard where the longer has, so it is the more specific.
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (None, None) => return Ordering::Equal,
            }
        }
    }

    /// True when both match exactly the same paths (param names aside).
    fn same_paths(&self, other: &Pattern) -> bool {
        self.trailing_wildcard == other.trailing_wildcard
            && self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (Segment::Exact(a), Segment::Exact(b)) => a == b,
                    (Segment::Param(_), Segment::Param(_)) => true,
                    _ => false,
                })
    }
}

/// `spin-full-url`: `scheme://host` + path and query; host defaults to
/// `localhost` when the request has no `Host` header, as in Spin.
pub fn full_url(scheme: &str, host: Option<&str>, path_and_query: &str) -> String {
    format!("{scheme}://{}{path_and_query}", host.unwrap_or("localhost"))
}

/// The headers Spin adds to a routed request, in Spin's order. Insert them
/// replacing any same-named header the client sent, so clients cannot spoof
/// them. A param `user_id` yields `spin-path-match-user-id`.
pub fn spin_headers(
    m: &RouteMatch,
    full_url: &str,
    client_addr: SocketAddr,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("spin-path-info".to_string(), m.path_info.clone()),
        ("spin-full-url".to_string(), full_url.to_string()),
        ("spin-matched-route".to_string(), m.matched_route.clone()),
        ("spin-base-path".to_string(), m.base_path.clone()),
        ("spin-raw-component-route".to_string(), m.raw_route.clone()),
        (
            "spin-component-route".to_string(),
            m.component_route.clone(),
        ),
        ("spin-client-addr".to_string(), client_addr.to_string()),
    ];
    for (name, value) in &m.params {
        let header = format!(
            "spin-path-match-{}",
            name.replace('_', "-").to_ascii_lowercase()
        );
        headers.push((header, value.clone()));
    }
    headers
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        Router::build(routes).unwrap()
    }

    fn component(r: &Router, path: &str) -> Option<String> {
        r.route(path).map(|m| m.component_id)
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    #[test]
    fn exact_route_matches_only_its_path() {
        let r = router(&[("/foo", "foo"), ("/foo/bar", "foobar")]);
        assert_eq!(component(&r, "/foo").as_deref(), Some("foo"));
        assert_eq!(component(&r, "/foo/bar").as_deref(), Some("foobar"));
        assert_eq!(component(&r, "/foo/baz"), None);
        assert_eq!(component(&r, "/foobar"), None);
        assert_eq!(component(&r, "/"), None);
    }

    #[test]
    fn trailing_slash_of_path_is_ignored() {
        let r = router(&[("/foo", "foo")]);
        assert_eq!(component(&r, "/foo/").as_deref(), Some("foo"));
    }

    #[test]
    fn trailing_slash_of_route_is_ignored() {
        let r = router(&[("/foo/", "foo")]);
        let m = r.route("/foo").unwrap();
        assert_eq!(m.matched_route, "/foo");
        assert_eq!(m.raw_route, "/foo/");
    }

    #[test]
    fn root_route_matches_only_root() {
        let r = router(&[("/", "root")]);
        assert_eq!(component(&r, "/").as_deref(), Some("root"));
        assert_eq!(component(&r, "/x"), None);
        // Spin's based route for "/" is the empty string.
        assert_eq!(r.route("/").unwrap().matched_route, "");
    }

    #[test]
    fn route_without_leading_slash_is_absolutized() {
        let r = router(&[("foo", "foo")]);
        let m = r.route("/foo").unwrap();
        assert_eq!(m.matched_route, "/foo");
        assert_eq!(m.raw_route, "foo");
    }

    #[test]
    fn wildcard_matches_its_prefix_and_everything_below() {
        let r = router(&[("/api/v1/...", "api")]);
        for path in ["/api/v1", "/api/v1/", "/api/v1/a", "/api/v1/a/b/c"] {
            assert_eq!(component(&r, path).as_deref(), Some("api"), "{path}");
        }
        assert_eq!(component(&r, "/api/v10"), None);
        assert_eq!(component(&r, "/api"), None);
    }

    #[test]
    fn root_wildcard_matches_everything() {
        let r = router(&[("/...", "all")]);
        for path in ["/", "/foo/bar", "/abc/", "/this/should/be/captured"] {
            assert_eq!(component(&r, path).as_deref(), Some("all"), "{path}");
        }
    }

    #[test]
    fn star_suffix_is_a_wildcard_too() {
        let r = router(&[("/static/*", "static")]);
        assert_eq!(
            r.route("/static/css/a.css").unwrap().path_info,
            "/css/a.css"
        );
    }

    #[test]
    fn path_info_follows_spin_trailing_slash_rules() {
        let r = router(&[("/test/...", "t")]);
        assert_eq!(r.route("/test").unwrap().path_info, "");
        assert_eq!(r.route("/test/").unwrap().path_info, "/");
        assert_eq!(r.route("/test/hello").unwrap().path_info, "/hello");
        assert_eq!(r.route("/test/hello/").unwrap().path_info, "/hello/");
        let r = router(&[("/...", "all")]);
        assert_eq!(r.route("/1/2/3").unwrap().path_info, "/1/2/3");
        assert_eq!(r.route("/").unwrap().path_info, "/");
    }

    #[test]
    fn exact_route_has_empty_path_info() {
        let r = router(&[("/api/v1/health", "h")]);
        assert_eq!(r.route("/api/v1/health").unwrap().path_info, "");
    }

    #[test]
    fn exact_beats_wildcard() {
        let r = router(&[("/...", "wild"), ("/one", "exact")]);
        assert_eq!(component(&r, "/one").as_deref(), Some("exact"));
        assert_eq!(component(&r, "/two").as_deref(), Some("wild"));
        let r = router(&[("/api/...", "wild"), ("/api", "exact")]);
        assert_eq!(component(&r, "/api").as_deref(), Some("exact"));
        assert_eq!(component(&r, "/api/x").as_deref(), Some("wild"));
    }

    #[test]
    fn longest_prefix_wins_regardless_of_order() {
        let routes = [
            ("/one/...", "one"),
            ("/one/two/...", "two"),
            ("/one/two/three/...", "three"),
        ];
        let mut reversed = routes;
        reversed.reverse();
        for r in [router(&routes), router(&reversed)] {
            assert_eq!(
                component(&r, "/one/two/three/four").as_deref(),
                Some("three")
            );
            assert_eq!(component(&r, "/one/two/x").as_deref(), Some("two"));
            assert_eq!(component(&r, "/one/x").as_deref(), Some("one"));
        }
    }

    #[test]
    fn parameter_route_beats_wildcard() {
        let r = router(&[
            ("/api/v1/documents/...", "wild"),
            ("/api/v1/documents/:id", "doc"),
        ]);
        assert_eq!(
            component(&r, "/api/v1/documents/42").as_deref(),
            Some("doc")
        );
        assert_eq!(
            component(&r, "/api/v1/documents/42/pdf").as_deref(),
            Some("wild")
        );
        assert_eq!(component(&r, "/api/v1/documents").as_deref(), Some("wild"));
    }

    #[test]
    fn exact_segment_beats_parameter() {
        let r = router(&[
            ("/api/v1/documents/:id", "doc"),
            ("/api/v1/documents/search", "search"),
        ]);
        assert_eq!(
            component(&r, "/api/v1/documents/search").as_deref(),
            Some("search")
        );
        assert_eq!(component(&r, "/api/v1/documents/7").as_deref(), Some("doc"));
    }

    #[test]
    fn leftmost_difference_decides_specificity() {
        let r = router(&[("/a/:x/c", "param-first"), ("/a/b/...", "literal-first")]);
        assert_eq!(component(&r, "/a/b/c").as_deref(), Some("literal-first"));
        assert_eq!(component(&r, "/a/z/c").as_deref(), Some("param-first"));
    }

    #[test]
    fn parameter_route_without_wildcard_beats_same_with_wildcard() {
        let r = router(&[("/u/:id/...", "wild"), ("/u/:id", "exact")]);
        assert_eq!(component(&r, "/u/9").as_deref(), Some("exact"));
        assert_eq!(component(&r, "/u/9/x").as_deref(), Some("wild"));
    }

    #[test]
    fn parameters_are_captured() {
        let r = router(&[("/api/v1/users/:user_id/documents/:id", "doc")]);
        let m = r.route("/api/v1/users/u1/documents/d%202").unwrap();
        assert_eq!(m.params["user_id"], "u1");
        assert_eq!(m.params["id"], "d%202");
        assert_eq!(m.path_info, "");
    }

    #[test]
    fn parameter_with_trailing_wildcard_captures_both() {
        let r = router(&[("/1/:two/...", "c")]);
        let m = r.route("/1/2/3").unwrap();
        assert_eq!(m.params["two"], "2");
        assert_eq!(m.path_info, "/3");
        assert_eq!(m.component_route, "/1/:two");
    }

    #[test]
    fn parameter_needs_a_non_empty_segment() {
        let r = router(&[("/a/:x", "c")]);
        assert_eq!(component(&r, "/a"), None);
        assert_eq!(component(&r, "/a/"), None);
        assert_eq!(component(&r, "/a/b/c"), None);
    }

    #[test]
    fn empty_inner_segments_do_not_match_literals() {
        let r = router(&[("/a/b", "c")]);
        assert_eq!(component(&r, "/a//b"), None);
    }

    #[test]
    fn duplicate_routes_are_a_route_conflict() {
        let e = Router::build(&[("/foo", "a"), ("/foo", "b")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("route conflict"), "{e}");
        assert!(e.contains("\"a\"") && e.contains("\"b\""), "{e}");
        for (x, y) in [
            ("/foo", "/foo/"),
            ("/x/...", "/x/*"),
            ("/u/:id", "/u/:name"),
            ("/...", "/*"),
        ] {
            let e = Router::build(&[(x, "a"), (y, "b")])
                .unwrap_err()
                .to_string();
            assert!(e.contains("route conflict"), "{x} vs {y}: {e}");
        }
    }

    #[test]
    fn distinct_routes_are_not_conflicts() {
        router(&[
            ("/", "a"),
            ("/...", "b"),
            ("/foo", "c"),
            ("/foo/...", "d"),
            ("/foo/:id", "e"),
        ]);
    }

    #[test]
    fn malformed_routes_are_rejected() {
        for bad in [
            "/a/.../b",
            "/a/*/b",
            "/a/:",
            "/a/:x.json",
            "/a/:x/:x",
            "/a/*rest",
        ] {
            assert!(Router::build(&[(bad, "c")]).is_err(), "{bad}");
        }
    }

    #[test]
    fn routes_are_listed_most_specific_first() {
        let r = router(&[
            ("/...", "all"),
            ("/api/...", "api"),
            ("/api/health", "health"),
        ]);
        let order: Vec<_> = r.routes().map(|(_, c)| c).collect();
        assert_eq!(order, ["health", "api", "all"]);
    }

    #[test]
    fn component_route_strips_only_the_wildcard() {
        let r = router(&[("/api/v1/...", "api"), ("/", "root"), ("/...", "all")]);
        assert_eq!(r.route("/api/v1/x").unwrap().component_route, "/api/v1");
        assert_eq!(r.route("/").unwrap().component_route, "/");
        assert_eq!(r.route("/zzz").unwrap().component_route, "");
    }

    #[test]
    fn spin_headers_match_spin_for_wildcard_route() {
        let r = router(&[("/foo/...", "DUMMY")]);
        let m = r.route("/foo/bar").unwrap();
        let url = full_url(
            "https",
            Some("fermyon.dev"),
            "/foo/bar?key1=value1&key2=value2",
        );
        let h = spin_headers(&m, &url, "127.0.0.1:8777".parse().unwrap());
        assert_eq!(
            header(&h, "spin-full-url"),
            "https://fermyon.dev/foo/bar?key1=value1&key2=value2"
        );
        assert_eq!(header(&h, "spin-path-info"), "/bar");
        assert_eq!(header(&h, "spin-matched-route"), "/foo/...");
        assert_eq!(header(&h, "spin-base-path"), "/");
        assert_eq!(header(&h, "spin-raw-component-route"), "/foo/...");
        assert_eq!(header(&h, "spin-component-route"), "/foo");
        assert_eq!(header(&h, "spin-client-addr"), "127.0.0.1:8777");
        assert_eq!(h.len(), 7);
    }

    #[test]
    fn spin_headers_include_path_matches() {
        let r = router(&[("/foo/:userid/...", "DUMMY"), ("/u/:user_id", "U")]);
        let m = r.route("/foo/42/bar").unwrap();
        let h = spin_headers(
            &m,
            "http://localhost/foo/42/bar",
            "[::1]:5000".parse().unwrap(),
        );
        assert_eq!(header(&h, "spin-path-match-userid"), "42");
        assert_eq!(header(&h, "spin-component-route"), "/foo/:userid");
        assert_eq!(header(&h, "spin-path-info"), "/bar");
        assert_eq!(header(&h, "spin-client-addr"), "[::1]:5000");
        let m = r.route("/u/7").unwrap();
        let h = spin_headers(&m, "http://localhost/u/7", "127.0.0.1:1".parse().unwrap());
        assert_eq!(header(&h, "spin-path-match-user-id"), "7");
    }

    #[test]
    fn full_url_defaults_host_to_localhost() {
        assert_eq!(full_url("http", None, "/a?b=c"), "http://localhost/a?b=c");
    }

    #[test]
    fn synthetic_match_routes_whole_path_as_path_info() {
        let m = RouteMatch::synthetic("worker", "/jobs/1");
        assert_eq!(m.path_info, "/jobs/1");
        assert_eq!(m.matched_route, "/...");
        assert_eq!(m.component_route, "");
    }

    #[test]
    fn empty_router_matches_nothing() {
        let r = Router::build::<&str, &str>(&[]).unwrap();
        assert_eq!(component(&r, "/"), None);
    }
}
