//! The last step of every component response: render an error in the
//! caller's language and stamp `x-request-id` and `nosniff`.

use crate::error::ApiError;
use crate::ports::Random;

use super::{request_id, Request, Response};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_helpers::{body_json, rng};
    use serde_json::json;

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
}
