//! JSON body decoding with the API's 415/413/400/422 answers and field paths.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

use super::Request;

/// Largest JSON or form body accepted (docs/api.md: 64 KiB).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

const JSON: &str = "application/json";

/// Whether the request's `content-type` is `media_type`, ignoring case and
/// parameters such as `charset`.
pub(super) fn has_content_type(req: &Request, media_type: &str) -> bool {
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
/// legitimately carries a file (an issuer's `content_base64`, docs/documents.md).
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

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
}
