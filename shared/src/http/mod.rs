//! Framework-agnostic HTTP edge: request/response structs, body decoding,
//! routing and the `finish` step that every component response goes through.
//!
//! Components convert their `spin-sdk` request into a [`Request`], run a
//! handler returning `Result<Response, ApiError>`, and hand the result to
//! [`finish`], which renders errors in the caller's language and stamps the
//! `x-request-id` that docs/api.md requires on every response.
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

mod finish;
mod form;
mod json;
mod path;
mod request;
mod request_id;
mod response;
mod router;
#[cfg(test)]
mod test_helpers;
mod url;

pub use finish::{finish, finish_with_id};
pub use form::form_body;
pub use json::{json_body, json_body_with_limit, MAX_JSON_BYTES};
pub use path::match_path;
pub use request::Request;
pub use request_id::request_id;
pub use response::Response;
pub use router::{allow, Params, Router};
pub use url::parse_urlencoded;
