//! The outgoing response and its builders (JSON, bytes, 204, the error body).

use serde::Serialize;

use crate::error::ApiError;
use crate::lang::Lang;

const JSON_UTF8: &str = "application/json; charset=utf-8";

/// An outgoing HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// Headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body bytes, sent as they are.
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

    /// Like [`Response::json`] but returns `Err(ApiError::Internal { .. })` when
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

    /// The docs/api.md error body, with `Retry-After` and `Allow` when they apply.
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

    /// Keeps the response out of every cache (`cache-control: no-store`):
    /// for answers that carry personal data, secrets or one-time links.
    /// Replaces any `cache-control` set before, so there is one answer.
    pub fn no_store(mut self) -> Response {
        self.set_header("cache-control", "no-store");
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_helpers::body_json;
    use serde_json::json;

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
    fn no_store_keeps_the_response_out_of_caches() {
        let r = Response::json(200, &json!({"token":"t"})).no_store();
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let r = Response::no_content()
            .with_header("Cache-Control", "public, max-age=60")
            .no_store();
        let values: Vec<_> = r
            .headers
            .iter()
            .filter(|(n, _)| n == "cache-control")
            .collect();
        assert_eq!(
            values,
            vec![&("cache-control".to_owned(), "no-store".to_owned())]
        );
    }

    #[test]
    fn json_serialization_failure_is_a_500_not_a_panic() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let r = Response::json(200, &map);
        assert_eq!(r.status, 500);
        assert_eq!(Response::try_json(200, &map), Err(ApiError::internal("")));
    }
}
