//! `application/x-www-form-urlencoded` body decoding (Open311).

use crate::error::ApiError;

use super::json::has_content_type;
use super::url::parse_urlencoded;
use super::{Request, MAX_JSON_BYTES};

const FORM: &str = "application/x-www-form-urlencoded";

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
