//! The incoming request, read into memory: its parts, headers, query,
//! bearer token, language and the client's rate-limit key.

use crate::error::ApiError;
use crate::lang::Lang;

use super::url::{parse_urlencoded, split_uri};

/// An incoming HTTP request, already read into memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Upper-case method as sent (`GET`, `POST`, …).
    pub method: String,
    /// The path without query string, still percent-encoded.
    pub path: String,
    /// Query parameters in order, percent-decoded, `+` read as space.
    pub query: Vec<(String, String)>,
    /// Headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body as sent (empty when there was none).
    pub body: Vec<u8>,
    /// The client's address: the peer, or behind a trusted proxy the client
    /// it forwards for (see [`crate::client_addr`]), when known.
    pub client_ip: Option<String>,
}

impl Request {
    /// A request from the parts a host hands over: `path` without query,
    /// `query` the raw query string (without `?`, may be empty). Header names
    /// are lower-cased and the method upper-cased here, so adapters need not.
    pub fn new(
        method: &str,
        path: &str,
        query: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        client_ip: Option<String>,
    ) -> Request {
        // Tolerate a host that leaves the query on the path.
        let (path, query_in_path) = split_uri(path);
        let mut pairs = parse_urlencoded(query_in_path.unwrap_or(""));
        pairs.extend(parse_urlencoded(query));
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: pairs,
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect(),
            body,
            client_ip,
        }
    }

    /// A request for `method` and `uri`, which may be a path with a query
    /// (`/a?b=c`) or an absolute URL (`http://host/a?b=c`). Handy in tests.
    pub fn from_uri(method: &str, uri: &str) -> Request {
        let (path, query) = split_uri(uri);
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.map(parse_urlencoded).unwrap_or_default(),
            ..Request::default()
        }
    }

    /// Adds a header (the name is lower-cased). For adapters and tests.
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Sets the body and its `content-type`.
    pub fn with_body(self, content_type: &str, body: Vec<u8>) -> Request {
        let mut req = self.with_header("content-type", content_type);
        req.body = body;
        req
    }

    /// Sets the client address.
    pub fn with_client_ip(mut self, ip: &str) -> Request {
        self.client_ip = Some(ip.to_owned());
        self
    }

    /// The key every per-client limit counts this request under: IPv4
    /// whole, IPv6 by /64, [`crate::client_addr::UNKNOWN_CLIENT`] when the
    /// host named no address. Use this, never `client_ip`, to key a limit.
    pub fn client_key(&self) -> String {
        crate::client_addr::rate_key_of(self.client_ip.as_deref())
    }

    /// The first value of a header; the name is matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a query parameter that may appear at most once. Given
    /// twice or more it is 422 `validation_failed` on `name` (`repeated`):
    /// which value the client meant would be a guess.
    pub fn query_param_once(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.query.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        match values.next() {
            None => Ok(first),
            Some(_) => Err(ApiError::invalid_field(name, "repeated")),
        }
    }

    /// The token of an `Authorization: Bearer <token>` header, if any.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        let sane = !token.is_empty() && !token.contains(char::is_whitespace);
        (scheme.eq_ignore_ascii_case("bearer") && sane).then_some(token)
    }

    /// The language to answer in, from `Accept-Language`.
    pub fn lang(&self) -> Lang {
        Lang::from_accept_language(self.header("accept-language"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_path_and_decodes_query() {
        let req = Request::from_uri(
            "get",
            "/api/v1/feedback?category=m%C3%B4i+tr%C6%B0%E1%BB%9Dng&status=&x=a%2Bb",
        );
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/api/v1/feedback");
        assert_eq!(req.query_param("category"), Some("môi trường"));
        assert_eq!(req.query_param("status"), Some(""));
        assert_eq!(req.query_param("x"), Some("a+b"));
        assert_eq!(req.query_param("missing"), None);
    }

    #[test]
    fn a_parameter_meant_once_is_refused_when_repeated() {
        let once = Request::from_uri("GET", "/x?type=other&limit=2");
        assert_eq!(once.query_param_once("type"), Ok(Some("other")));
        assert_eq!(once.query_param_once("missing"), Ok(None));
        let twice = Request::from_uri("GET", "/x?type=&type=other");
        assert_eq!(
            twice.query_param_once("type"),
            Err(ApiError::invalid_field("type", "repeated"))
        );
    }

    #[test]
    fn builds_from_host_parts() {
        let req = Request::new(
            "post",
            "/api/v1/auth/otp",
            "a=1&b=x+y",
            vec![("Content-Type".into(), "application/json".into())],
            b"{}".to_vec(),
            Some("203.0.113.9".into()),
        );
        assert_eq!(req.method, "POST");
        assert_eq!(
            req.query,
            vec![("a".into(), "1".into()), ("b".into(), "x y".into())]
        );
        assert_eq!(req.headers[0].0, "content-type");
        assert_eq!(req.client_ip.as_deref(), Some("203.0.113.9"));
        let odd = Request::new("GET", "/x?c=3", "", Vec::new(), Vec::new(), None);
        assert_eq!((odd.path.as_str(), odd.query_param("c")), ("/x", Some("3")));
    }

    #[test]
    fn accepts_absolute_urls_and_bad_escapes() {
        let req = Request::from_uri("GET", "https://cds.danang.gov.vn/api/v1/me?q=%ZZ%E0#frag");
        assert_eq!(req.path, "/api/v1/me");
        assert_eq!(req.query_param("q"), Some("%ZZ\u{fffd}"));
        assert_eq!(Request::from_uri("GET", "http://host").path, "/");
        assert_eq!(
            Request::from_uri("GET", "http://host?a=1").query_param("a"),
            Some("1")
        );
        assert_eq!(Request::from_uri("GET", "").path, "/");
    }

    #[test]
    fn finds_headers_case_insensitively() {
        let req = Request::from_uri("GET", "/").with_header("X-Thing", "1");
        assert_eq!(req.headers[0].0, "x-thing");
        assert_eq!(req.header("X-THING"), Some("1"));
    }

    #[test]
    fn extracts_bearer_tokens() {
        let with = |v: &str| Request::from_uri("GET", "/").with_header("authorization", v);
        assert_eq!(with("Bearer abc.def").bearer_token(), Some("abc.def"));
        assert_eq!(with("bearer   iss_123  ").bearer_token(), Some("iss_123"));
        assert_eq!(with("Basic dXNlcjpwYXNz").bearer_token(), None);
        assert_eq!(with("Bearer").bearer_token(), None);
        assert_eq!(with("Bearer ").bearer_token(), None);
        assert_eq!(with("Bearer a b").bearer_token(), None);
        assert_eq!(Request::from_uri("GET", "/").bearer_token(), None);
    }
}
