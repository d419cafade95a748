//! Framework-agnostic HTTP edge: request/response structs, body decoding,
//! routing and the `finish` step that every component response goes through.
//!
//! Components convert their `spin-sdk` request into a [`Request`], run a
//! handler returning `Result<Response, ApiError>`, and hand the result to
//! [`finish`], which renders errors in the caller's language and stamps the
//! `x-request-id` that SPEC §4 requires on every response.
//!
//! ```
//! use cds_shared::error::ApiError;
//! use cds_shared::http::{finish, json_body, Request, Response, Router};
//! use cds_shared::ports::OsRandom;
//!
//! #[derive(serde::Deserialize)]
//! struct Rating { score: u8 }
//!
//! let req = Request::from_uri("POST", "/api/v1/feedback/fb_1/rating")
//!     .with_body("application/json", br#"{"score":5}"#.to_vec());
//! let result = Router::new()
//!     .get("/api/v1/feedback/:id", |_req, p| Ok(Response::json(200, &p.get("id")?)))
//!     .post("/api/v1/feedback/:id/rating", |req, p| {
//!         let rating: Rating = json_body(req)?;
//!         if !(1..=5).contains(&rating.score) {
//!             return Err(ApiError::invalid_field("score", "must be between 1 and 5"));
//!         }
//!         Ok(Response::json(201, &serde_json::json!({"id": p.get("id")?, "score": rating.score})))
//!     })
//!     .dispatch(&req);
//! let resp = finish(&req, result, &OsRandom);
//! assert_eq!(resp.status, 201);
//! assert!(resp.header("x-request-id").is_some());
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::lang::Lang;
use crate::ports::Random;

/// Largest JSON or form body accepted (SPEC §4: 64 KiB).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// Longest client `x-request-id` echoed back; longer ones are replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

const JSON: &str = "application/json";
const JSON_UTF8: &str = "application/json; charset=utf-8";
const FORM: &str = "application/x-www-form-urlencoded";

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

    /// The client's `x-request-id` when it is safe to echo (1–128 characters
    /// of `[A-Za-z0-9._:-]`), else `None`. See [`request_id`] for the
    /// generating version.
    pub fn request_id(&self) -> Option<&str> {
        let id = self.header("x-request-id")?;
        let sane = !id.is_empty()
            && id.len() <= MAX_REQUEST_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        sane.then_some(id)
    }
}

/// The request id to use: the client's when sane, otherwise 16 fresh random
/// bytes as 32 lower-case hex digits. Echoing only a narrow alphabet keeps
/// clients from injecting into our logs or headers.
pub fn request_id(req: &Request, rng: &dyn Random) -> String {
    match req.request_id() {
        Some(id) => id.to_owned(),
        None => {
            let mut bytes = [0u8; 16];
            rng.fill(&mut bytes);
            hex(&bytes)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// An outgoing HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    /// Headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response (`content-type: application/json; charset=utf-8`).
    ///
    /// Serializing plain `#[derive(Serialize)]` data cannot fail; if a custom
    /// `Serialize` does fail, the answer is a 500 `internal` in Vietnamese
    /// rather than a panic. Use [`Response::try_json`] to handle it yourself.
    pub fn json(status: u16, value: &impl Serialize) -> Response {
        Response::try_json(status, value).unwrap_or_else(|err| Response::from_error(&err, Lang::Vi))
    }

    /// Like [`Response::json`] but returns `Err(ApiError::Internal)` when
    /// serialization fails, so the error is rendered in the caller's language.
    pub fn try_json(status: u16, value: &impl Serialize) -> Result<Response, ApiError> {
        let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
        Ok(Response::bytes(status, JSON_UTF8, body))
    }

    /// 204 with no body.
    pub fn no_content() -> Response {
        Response {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Raw bytes with their content type (documents, QR images, HTML).
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body,
        }
    }

    /// The SPEC §4 error body, with `Retry-After` and `Allow` when they apply.
    pub fn from_error(err: &ApiError, lang: Lang) -> Response {
        // Building the body from a `Value` of strings and numbers cannot fail.
        let body = serde_json::to_vec(&err.to_json(lang)).unwrap_or_default();
        let mut resp = Response::bytes(err.status(), JSON_UTF8, body);
        if let Some(secs) = err.retry_after() {
            resp.set_header("retry-after", &secs.to_string());
        }
        if let Some(allow) = err.allow() {
            resp.set_header("allow", &allow);
        }
        resp
    }

    /// Adds a header (builder style); the name is lower-cased.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Replaces every value of a header with one value.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
    }

    /// The first value of a header; the name is matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Turns a handler's result into the response to send: errors are rendered
/// in the request's language, and every response gets `x-request-id` (see
/// [`request_id`]) and `x-content-type-options: nosniff`.
pub fn finish(req: &Request, result: Result<Response, ApiError>, rng: &dyn Random) -> Response {
    finish_with_id(req, result, &request_id(req, rng))
}

/// [`finish`] with a request id the component already chose (e.g. because it
/// logged with it before answering).
pub fn finish_with_id(req: &Request, result: Result<Response, ApiError>, id: &str) -> Response {
    let mut resp = result.unwrap_or_else(|err| Response::from_error(&err, req.lang()));
    resp.set_header("x-request-id", id);
    if resp.header("x-content-type-options").is_none() {
        resp.headers
            .push(("x-content-type-options".to_owned(), "nosniff".to_owned()));
    }
    resp
}

/// Whether the request's `content-type` is `media_type`, ignoring case and
/// parameters such as `charset`.
fn has_content_type(req: &Request, media_type: &str) -> bool {
    req.header("content-type")
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
}

/// Decodes a JSON body into `T`.
///
/// * `content-type` not `application/json` (parameters allowed) → 415
/// * body over 64 KiB → 413
/// * not UTF-8, not JSON, or trailing garbage → 400 `bad_request`
/// * valid JSON that is not an object (every body of this API is one), or an
///   object of the wrong shape → 422 `validation_failed`, with the
///   offending field's path (`citizen.phone`, `items[2].qty`, or `body` for
///   the top level) in `fields`
/// * a [`crate::phone::Phone`] field that does not parse → 422 `invalid_phone`
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    json_body_with_limit(req, MAX_JSON_BYTES)
}

/// [`json_body`] with another size limit, for the few routes whose JSON
/// legitimately carries a file (an issuer's `content_base64`, SPEC §7.3).
pub fn json_body_with_limit<T: DeserializeOwned>(
    req: &Request,
    limit: usize,
) -> Result<T, ApiError> {
    if !has_content_type(req, JSON) {
        return Err(ApiError::UnsupportedMediaType { expected: &[JSON] });
    }
    if req.body.len() > limit {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    require_object(&req.body)?;
    let mut de = serde_json::Deserializer::from_slice(&req.body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        json_error(&path, err.into_inner())
    })?;
    de.end().map_err(|err| json_error(".", err))?;
    Ok(value)
}

/// Serde reads a struct from an array too (`[null, null]` fills the first two
/// fields in order), so a body that is not an object could pass for one.
/// Every JSON body of this API is an object (the OpenAPI document): anything
/// else that is well-formed JSON → 422 on `body`; malformed JSON stays 400.
fn require_object(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(());
    }
    let text =
        std::str::from_utf8(body).map_err(|_| ApiError::bad_request("body is not valid UTF-8"))?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|err| json_error(".", err))?;
    Err(ApiError::invalid_field("body", "must be a JSON object"))
}

fn json_error(path: &str, err: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = strip_position(&err.to_string());
    match err.classify() {
        Category::Data => data_error(path, &message),
        Category::Io | Category::Syntax | Category::Eof => ApiError::bad_request(message),
    }
}

/// Serde's text without " at line 1 column 5", which means nothing to a user
/// of a form and varies with whitespace.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn data_error(path: &str, message: &str) -> ApiError {
    // A missing field is reported against its parent's path, with the
    // field's name only in the message: put it back on the path. (An unknown
    // field's path already ends with its name.)
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (missing, path) {
        (Some(name), "." | "") => name.to_owned(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, "." | "") => "body".to_owned(),
        (None, p) => p.to_owned(),
    };
    if let Some(reason) = message.strip_prefix(crate::phone::PHONE_ERROR_PREFIX) {
        let mut fields = Map::new();
        fields.insert(field, Value::from(reason));
        return ApiError::Invalid {
            code: "invalid_phone",
            fields,
        };
    }
    ApiError::invalid_field(&field, message)
}

/// Decodes an `application/x-www-form-urlencoded` body (Open311) into
/// name/value pairs, in order. Same 415/413 rules as [`json_body`]; a body
/// that is not UTF-8 → 400.
pub fn form_body(req: &Request) -> Result<Vec<(String, String)>, ApiError> {
    if !has_content_type(req, FORM) {
        return Err(ApiError::UnsupportedMediaType { expected: &[FORM] });
    }
    if req.body.len() > MAX_JSON_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_JSON_BYTES,
        });
    }
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| ApiError::bad_request("body is not valid UTF-8"))?;
    Ok(parse_urlencoded(text))
}

/// `a=1&b=x+y` → `[("a","1"),("b","x y")]`; invalid percent-escapes are kept
/// literally and invalid UTF-8 becomes U+FFFD, as browsers do.
pub fn parse_urlencoded(input: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(input.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn split_uri(uri: &str) -> (&str, Option<&str>) {
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

/// Checks the method of a request whose path already matched: `Ok` when it
/// is one of `methods`, else 405 with `Allow: <methods>`.
///
/// ```
/// use cds_shared::http::{allow, Request};
/// let req = Request::from_uri("PUT", "/api/v1/me");
/// let err = allow(&["GET", "PATCH"], &req).unwrap_err();
/// assert_eq!(err.allow().as_deref(), Some("GET, PATCH"));
/// ```
pub fn allow(methods: &[&str], req: &Request) -> Result<(), ApiError> {
    if methods.iter().any(|m| *m == req.method) {
        Ok(())
    } else {
        Err(ApiError::MethodNotAllowed {
            allow: methods.iter().map(|m| (*m).to_owned()).collect(),
        })
    }
}

/// The `:name` captures of a matched route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params<'a> {
    pairs: Vec<(&'static str, &'a str)>,
}

impl<'a> Params<'a> {
    /// The value captured by `:name`. A name that is not in the route's
    /// pattern is a programming error, reported as 500 `internal`.
    pub fn get(&self, name: &str) -> Result<&'a str, ApiError> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| ApiError::internal(format!("route has no parameter `{name}`")))
    }

    /// All captures in pattern order.
    pub fn values(&self) -> Vec<&'a str> {
        self.pairs.iter().map(|(_, v)| *v).collect()
    }
}

type Handler<'r> = Box<dyn Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r>;

struct Route<'r> {
    method: &'static str,
    pattern: &'static str,
    handler: Handler<'r>,
}

/// A small method + path router over closures.
///
/// A path names the resource of the most specific pattern it matches (the
/// one with the fewest captures; among equals, the first added), so a literal
/// route such as `/appointments/desk` wins over `/appointments/:id` whatever
/// the order. The route of that pattern with the request's method runs; if
/// there is none, `OPTIONS` gets 204 and any other method 405, both with
/// `Allow` listing the pattern's methods; if no pattern matched, 404
/// `not_found`. Handlers may borrow the component's ports (`'r`).
///
/// ```
/// use cds_shared::http::{Request, Response, Router};
/// let router = Router::new()
///     .get("/api/v1/documents/:id", |_req, p| Ok(Response::json(200, &p.get("id")?)))
///     .delete("/api/v1/documents/:id", |_req, _p| Ok(Response::no_content()));
///
/// let ok = router.dispatch(&Request::from_uri("GET", "/api/v1/documents/d_1")).unwrap();
/// assert_eq!(ok.body, br#""d_1""#);
/// let err = router.dispatch(&Request::from_uri("PUT", "/api/v1/documents/d_1")).unwrap_err();
/// assert_eq!(err.allow().as_deref(), Some("GET, DELETE"));
/// ```
#[derive(Default)]
pub struct Router<'r> {
    routes: Vec<Route<'r>>,
}

impl<'r> Router<'r> {
    pub fn new() -> Router<'r> {
        Router { routes: Vec::new() }
    }

    /// Adds a route for `method` (upper-case) and `pattern` (see [`match_path`]).
    pub fn route<F>(mut self, method: &'static str, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.routes.push(Route {
            method,
            pattern,
            handler: Box::new(handler),
        });
        self
    }

    pub fn get<F>(self, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.route("GET", pattern, handler)
    }

    pub fn post<F>(self, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.route("POST", pattern, handler)
    }

    pub fn put<F>(self, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.route("PUT", pattern, handler)
    }

    pub fn patch<F>(self, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.route("PATCH", pattern, handler)
    }

    pub fn delete<F>(self, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.route("DELETE", pattern, handler)
    }

    /// Runs the matching handler (see the type's docs for 404/405/OPTIONS).
    pub fn dispatch(&self, req: &Request) -> Result<Response, ApiError> {
        // The resource a path names is the most specific pattern it matches:
        // `/appointments/desk` is the desk, not appointment "desk", so the
        // methods of `/appointments/:id` neither run for it nor appear in its
        // `Allow`. Among equally specific patterns the first added wins.
        let mut best: Option<(usize, &'static str)> = None;
        for route in &self.routes {
            if match_path(route.pattern, &req.path).is_none() {
                continue;
            }
            let captures = capture_names(route.pattern).count();
            if best.map_or(true, |(fewest, _)| captures < fewest) {
                best = Some((captures, route.pattern));
            }
        }
        let Some((_, pattern)) = best else {
            return Err(ApiError::not_found());
        };
        let mut allowed: Vec<String> = Vec::new();
        for route in self.routes.iter().filter(|r| r.pattern == pattern) {
            if route.method == req.method {
                let values = match_path(route.pattern, &req.path).unwrap_or_default();
                let params = Params {
                    pairs: capture_names(route.pattern).zip(values).collect(),
                };
                return (route.handler)(req, &params);
            }
            if !allowed.iter().any(|m| m == route.method) {
                allowed.push(route.method.to_owned());
            }
        }
        // RFC 9110 §9.3.7: OPTIONS asks which methods a resource supports.
        // Unless a route handles it, the answer is 204 with that `Allow`.
        if req.method == "OPTIONS" {
            return Ok(Response::no_content().with_header("allow", &allowed.join(", ")));
        }
        Err(ApiError::MethodNotAllowed { allow: allowed })
    }
}

fn capture_names(pattern: &'static str) -> impl Iterator<Item = &'static str> {
    pattern.split('/').filter_map(|seg| {
        let name = seg.strip_prefix(':')?;
        Some(name.split_once('.').map_or(name, |(n, _)| n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use std::cell::Cell;

    /// Deterministic "randomness" so generated ids can be asserted.
    struct Counter(Cell<u8>);
    impl Random for Counter {
        fn fill(&self, buf: &mut [u8]) {
            for b in buf {
                *b = self.0.get();
                self.0.set(self.0.get().wrapping_add(1));
            }
        }
    }

    fn rng() -> Counter {
        Counter(Cell::new(0))
    }

    fn body_json(resp: &Response) -> Value {
        serde_json::from_slice(&resp.body).unwrap_or(Value::Null)
    }

    fn json_req(body: &str) -> Request {
        Request::from_uri("POST", "/x").with_body("application/json", body.as_bytes().to_vec())
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Signup {
        phone: String,
        channel: String,
        full_name: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Issue {
        citizen: Citizen,
        items: Vec<u32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Citizen {
        phone: crate::phone::Phone,
    }

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

    #[test]
    fn echoes_sane_client_request_id() {
        let req = Request::from_uri("GET", "/").with_header("X-Request-Id", "abc-123_x.y:z");
        assert_eq!(request_id(&req, &rng()), "abc-123_x.y:z");
        let long = "a".repeat(128);
        let req = Request::from_uri("GET", "/").with_header("x-request-id", &long);
        assert_eq!(request_id(&req, &rng()), long);
    }

    #[test]
    fn replaces_unsafe_client_request_id() {
        for bad in [
            "",
            "a b",
            "x\r\nset-cookie: a=b",
            "<script>",
            "đ",
            &"a".repeat(129),
        ] {
            let req = Request::from_uri("GET", "/").with_header("x-request-id", bad);
            assert_eq!(
                request_id(&req, &rng()),
                "000102030405060708090a0b0c0d0e0f",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generates_request_id_when_absent() {
        let id = request_id(&Request::from_uri("GET", "/"), &rng());
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn finish_stamps_request_id_on_success_and_error() {
        let req = Request::from_uri("GET", "/").with_header("x-request-id", "req-1");
        let ok = finish(&req, Ok(Response::no_content()), &rng());
        assert_eq!(ok.header("x-request-id"), Some("req-1"));
        assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
        let err = finish(&req, Err(ApiError::Forbidden), &rng());
        assert_eq!(err.status, 403);
        assert_eq!(err.header("x-request-id"), Some("req-1"));
        assert_eq!(
            err.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }

    #[test]
    fn finish_renders_errors_in_the_request_language() {
        let en = Request::from_uri("POST", "/").with_header("accept-language", "en-US,en;q=0.9");
        let resp = finish(&en, Err(ApiError::OtpInvalid { attempts_left: 4 }), &rng());
        assert_eq!(
            body_json(&resp),
            json!({"error":{"code":"otp_invalid","message":"The verification code is incorrect.","fields":{"attempts_left":4}}})
        );
        let vi = Request::from_uri("POST", "/");
        let resp = finish(&vi, Err(ApiError::OtpInvalid { attempts_left: 4 }), &rng());
        assert_eq!(
            body_json(&resp)["error"]["message"],
            "Mã xác thực không đúng."
        );
    }

    #[test]
    fn finish_replaces_a_handler_set_request_id() {
        let req = Request::from_uri("GET", "/").with_header("x-request-id", "mine");
        let resp = finish(
            &req,
            Ok(Response::no_content().with_header("X-Request-Id", "other")),
            &rng(),
        );
        let ids: Vec<_> = resp
            .headers
            .iter()
            .filter(|(n, _)| n == "x-request-id")
            .collect();
        assert_eq!(ids, vec![&("x-request-id".to_owned(), "mine".to_owned())]);
    }

    #[test]
    fn error_responses_carry_retry_after_and_allow() {
        let r = Response::from_error(&ApiError::RateLimited { retry_after: 42 }, Lang::Vi);
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after"), Some("42"));
        let r = Response::from_error(
            &ApiError::MethodNotAllowed {
                allow: vec!["GET".into()],
            },
            Lang::En,
        );
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET"));
    }

    #[test]
    fn builds_json_and_bytes_responses() {
        let r = Response::json(202, &json!({"challenge_id":"c1","expires_in":300}));
        assert_eq!(r.status, 202);
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(body_json(&r)["expires_in"], 300);
        let b = Response::bytes(200, "image/png", vec![1, 2]);
        assert_eq!(b.header("Content-Type"), Some("image/png"));
        assert_eq!(Response::no_content().status, 204);
    }

    #[test]
    fn json_serialization_failure_is_a_500_not_a_panic() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let r = Response::json(200, &map);
        assert_eq!(r.status, 500);
        assert_eq!(Response::try_json(200, &map), Err(ApiError::internal("")));
    }

    #[test]
    fn decodes_json_bodies() -> Result<(), ApiError> {
        let req = json_req(r#"{"phone":"0905123456","channel":"sms"}"#);
        let got: Signup = json_body(&req)?;
        assert_eq!(got.phone, "0905123456");
        assert_eq!(got.full_name, None);
        Ok(())
    }

    #[test]
    fn accepts_json_content_type_with_params_and_any_case() {
        let req = Request::from_uri("POST", "/").with_body(
            "Application/JSON ; charset=UTF-8",
            br#"{"phone":"1","channel":"zalo"}"#.to_vec(),
        );
        assert!(json_body::<Signup>(&req).is_ok());
    }

    #[test]
    fn refuses_json_with_wrong_content_type() {
        for ct in [
            "text/plain",
            "application/jsonp",
            "application/x-www-form-urlencoded",
            "",
        ] {
            let req = Request::from_uri("POST", "/").with_body(ct, b"{}".to_vec());
            let err = json_body::<Value>(&req).err();
            assert_eq!(err.as_ref().map(ApiError::status), Some(415), "{ct}");
        }
        let no_header = Request {
            body: b"{}".to_vec(),
            ..Request::from_uri("POST", "/")
        };
        assert_eq!(
            json_body::<Value>(&no_header).err().map(|e| e.status()),
            Some(415)
        );
    }

    #[test]
    fn refuses_json_bodies_over_64_kib() {
        let at_limit = format!("{{\"a\":\"{}\"}}", "a".repeat(MAX_JSON_BYTES - 8));
        assert!(json_body::<Value>(&json_req(&at_limit)).is_ok());
        let over = format!("{{\"a\":\"{}\"}}", "a".repeat(MAX_JSON_BYTES - 7));
        let err = json_body::<Value>(&json_req(&over)).err();
        assert_eq!(err, Some(ApiError::PayloadTooLarge { limit: 65_536 }));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        for body in [
            "",
            "{",
            "{\"phone\":}",
            "not json",
            "{} {}",
            "\u{feff}{}",
            "[1,]",
        ] {
            let err = json_body::<Value>(&json_req(body)).err();
            assert_eq!(
                err.as_ref().map(ApiError::code),
                Some("bad_request"),
                "{body:?}"
            );
        }
        let bad_utf8 =
            Request::from_uri("POST", "/").with_body("application/json", b"\"\xff\xfe\"".to_vec());
        assert_eq!(
            json_body::<Value>(&bad_utf8).err().map(|e| e.status()),
            Some(400)
        );
    }

    #[test]
    fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
        let body = "[".repeat(50_000);
        assert_eq!(
            json_body::<Value>(&json_req(&body))
                .err()
                .map(|e| e.status()),
            Some(400)
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused_even_if_serde_would_read_it() {
        // `[null, null]` deserializes into a struct whose first two fields are
        // optional: it must not pass for `{}` (schemathesis found PATCH
        // /api/v1/me accepting it).
        for body in [
            "[\"0905123456\", \"sms\"]",
            "[null, null]",
            "\"x\"",
            "1",
            "null",
            " []",
        ] {
            let err = json_body::<Signup>(&json_req(body)).err();
            assert_eq!(err.as_ref().map(ApiError::status), Some(422), "{body}");
            assert!(
                err.is_some_and(|e| e.fields().contains_key("body")),
                "{body}"
            );
        }
        assert!(json_body::<Signup>(&json_req(" \n{\"phone\":\"1\",\"channel\":\"sms\"}")).is_ok());
    }

    #[test]
    fn bad_request_detail_has_no_position_noise() {
        let err = json_body::<Value>(&json_req("{")).err();
        assert!(
            matches!(&err, Some(ApiError::BadRequest(d)) if !d.is_empty() && !d.contains("line")),
            "{err:?}"
        );
    }

    #[test]
    fn missing_field_is_422_naming_the_field() {
        let e = json_body::<Signup>(&json_req(r#"{"phone":"0905123456"}"#)).err();
        let e = e.unwrap_or(ApiError::internal(""));
        assert_eq!(e.status(), 422);
        assert_eq!(e.code(), "validation_failed");
        assert_eq!(e.fields()["channel"], "missing field `channel`");
    }

    #[test]
    fn wrong_type_is_422_naming_the_field() {
        let err = json_body::<Signup>(&json_req(r#"{"phone":905123456,"channel":"sms"}"#)).err();
        let fields = err.map(|e| e.fields()).unwrap_or_default();
        assert_eq!(
            fields["phone"],
            "invalid type: integer `905123456`, expected a string"
        );
    }

    #[test]
    fn nested_field_errors_carry_the_full_path() {
        let e = json_body::<Issue>(&json_req(r#"{"citizen":{},"items":[]}"#)).err();
        assert!(e.is_some_and(|e| e.fields().contains_key("citizen.phone")));
        let e = json_body::<Issue>(&json_req(
            r#"{"citizen":{"phone":"0905123456"},"items":[1,"x"]}"#,
        ))
        .err();
        assert!(e.is_some_and(|e| e.fields().contains_key("items[1]")));
        let e = json_body::<Issue>(&json_req(
            r#"{"citizen":{"phone":"0905123456","x":1},"items":[]}"#,
        ))
        .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.fields().contains_key("citizen.x")),
            "{e:?}"
        );
        let e = json_body::<Issue>(&json_req(
            r#"{"citizen":{"phone":"0905123456"},"items":[],"y":2}"#,
        ))
        .err();
        assert!(
            e.is_some_and(|e| e.fields().contains_key("y")),
            "top-level unknown field"
        );
        let e = json_body::<Issue>(&json_req("[]")).err();
        assert!(e.is_some_and(|e| e.status() == 422 && e.fields().contains_key("body")));
    }

    #[test]
    fn invalid_phone_field_is_reported_as_invalid_phone() {
        let e = json_body::<Issue>(&json_req(
            r#"{"citizen":{"phone":"0236 3822 123"},"items":[]}"#,
        ))
        .err();
        let e = e.unwrap_or(ApiError::internal(""));
        assert_eq!(e.code(), "invalid_phone");
        assert_eq!(e.fields()["citizen.phone"], "not_mobile");
    }

    #[test]
    fn decodes_form_bodies() {
        let req = Request::from_uri("POST", "/open311/v2/requests.json").with_body(
            "application/x-www-form-urlencoded; charset=UTF-8",
            b"api_key=k1&service_code=env&description=R%C3%A1c+th%E1%BA%A3i&lat=16.05".to_vec(),
        );
        let pairs = form_body(&req).unwrap_or_default();
        assert_eq!(pairs[2], ("description".to_owned(), "Rác thải".to_owned()));
        assert_eq!(pairs.len(), 4);
    }

    #[test]
    fn form_bodies_follow_the_same_limits() {
        let wrong = Request::from_uri("POST", "/").with_body("application/json", b"a=1".to_vec());
        assert_eq!(form_body(&wrong).err().map(|e| e.status()), Some(415));
        let big = Request::from_uri("POST", "/").with_body(FORM, vec![b'a'; MAX_JSON_BYTES + 1]);
        assert_eq!(form_body(&big).err().map(|e| e.status()), Some(413));
        let binary = Request::from_uri("POST", "/").with_body(FORM, vec![0xff, b'=', 0xfe]);
        assert_eq!(form_body(&binary).err().map(|e| e.status()), Some(400));
    }

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

    #[test]
    fn allow_yields_405_with_allow_list() {
        let req = Request::from_uri("DELETE", "/x");
        assert_eq!(allow(&["DELETE"], &req), Ok(()));
        let err = allow(&["GET", "POST"], &req).err();
        assert_eq!(err.as_ref().map(ApiError::status), Some(405));
        assert_eq!(err.and_then(|e| e.allow()).as_deref(), Some("GET, POST"));
    }

    #[test]
    fn router_dispatches_by_method_and_path() {
        let calls = Cell::new(0);
        let router = Router::new()
            .get("/api/v1/appointments/:id", |_r, p| {
                calls.set(calls.get() + 1);
                Ok(Response::json(200, &json!({"id": p.get("id")?})))
            })
            .delete("/api/v1/appointments/:id", |_r, _p| {
                Ok(Response::no_content())
            })
            .post("/api/v1/appointments/:id/reschedule", |_r, p| {
                Ok(Response::json(200, &p.values()))
            });
        let r = router.dispatch(&Request::from_uri("GET", "/api/v1/appointments/a1"));
        assert_eq!(r.map(|r| body_json(&r)), Ok(json!({"id":"a1"})));
        assert_eq!(calls.get(), 1);
        let r = router.dispatch(&Request::from_uri("DELETE", "/api/v1/appointments/a1/"));
        assert_eq!(r.map(|r| r.status), Ok(204));
        let r = router.dispatch(&Request::from_uri(
            "POST",
            "/api/v1/appointments/a1/reschedule",
        ));
        assert_eq!(r.map(|r| body_json(&r)), Ok(json!(["a1"])));
    }

    #[test]
    fn router_answers_405_with_every_allowed_method() {
        let router = Router::new()
            .get("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .patch("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .get("/api/v1/me", |_r, _p| Ok(Response::no_content()));
        let err = router
            .dispatch(&Request::from_uri("POST", "/api/v1/me"))
            .err();
        assert_eq!(
            err,
            Some(ApiError::MethodNotAllowed {
                allow: vec!["GET".into(), "PATCH".into()]
            })
        );
    }

    #[test]
    fn router_prefers_a_literal_route_to_a_capture_whatever_the_order() {
        let router = Router::new()
            .get("/api/v1/appointments/:id", |_r, p| {
                Ok(Response::json(200, &json!({"id": p.get("id")?})))
            })
            .delete("/api/v1/appointments/:id", |_r, _p| {
                Ok(Response::no_content())
            })
            .get("/api/v1/appointments/desk", |_r, _p| {
                Ok(Response::json(200, &json!("desk")))
            });
        let desk = router.dispatch(&Request::from_uri("GET", "/api/v1/appointments/desk"));
        assert_eq!(desk.map(|r| body_json(&r)), Ok(json!("desk")));
        // The desk is not appointment "desk": DELETE is not one of its methods.
        let err = router
            .dispatch(&Request::from_uri("DELETE", "/api/v1/appointments/desk"))
            .err();
        assert_eq!(
            err,
            Some(ApiError::MethodNotAllowed {
                allow: vec!["GET".into()]
            })
        );
        let one = router.dispatch(&Request::from_uri("GET", "/api/v1/appointments/a1"));
        assert_eq!(one.map(|r| body_json(&r)), Ok(json!({"id":"a1"})));
    }

    #[test]
    fn router_answers_options_with_the_allowed_methods() {
        let router = Router::new()
            .get("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .patch("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .get("/api/v1/:any", |_r, _p| Ok(Response::no_content()))
            .post("/api/v1/:any", |_r, _p| Ok(Response::no_content()));
        let resp = router.dispatch(&Request::from_uri("OPTIONS", "/api/v1/me"));
        let resp = resp.unwrap_or_else(|e| Response::from_error(&e, Lang::En));
        assert_eq!(resp.status, 204);
        assert_eq!(resp.header("allow"), Some("GET, PATCH"));
        assert!(resp.body.is_empty());
        assert_eq!(
            router
                .dispatch(&Request::from_uri("OPTIONS", "/api/v1/a/b"))
                .err(),
            Some(ApiError::not_found())
        );
    }

    #[test]
    fn router_answers_404_for_unknown_paths() {
        let router = Router::new().get("/api/v1/me", |_r, _p| Ok(Response::no_content()));
        assert_eq!(
            router
                .dispatch(&Request::from_uri("GET", "/api/v1/you"))
                .err(),
            Some(ApiError::not_found())
        );
    }

    #[test]
    fn params_report_unknown_names_as_internal() {
        let router = Router::new().get("/s/:code.json", |_r, p| {
            assert_eq!(p.get("code"), Ok("env"));
            p.get("id").map(|_| Response::no_content())
        });
        assert_eq!(
            router
                .dispatch(&Request::from_uri("GET", "/s/env.json"))
                .err(),
            Some(ApiError::internal(""))
        );
    }
}
