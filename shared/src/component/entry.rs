//! [`serve_as`]: Spin's request in, Spin's response out, with the settings gate,
//! the request id, error rendering and the one log line of a 5xx between.

use spin_sdk::http::{Request as SpinRequest, Response as SpinResponse};

use super::Ctx;
use crate::error::ApiError;
use crate::http::{finish_with_id, request_id, Request, Response};
use crate::ports::OsRandom;
use crate::spin_adapter::{request_from_spin, response_to_spin, SpinSettings};

/// How a component answers where it differs from the JSON API. Start from
/// [`Shape::API`] and change what differs.
#[derive(Clone, Copy)]
pub struct Shape {
    /// Exact paths answered whatever the settings are (platform's health,
    /// which is where an operator learns which setting is wrong).
    pub ungated: &'static [&'static str],
    /// Renders an error in another shape for the requests that need one
    /// (Open311's GeoReport errors); `None` gives the JSON error body.
    pub render_error: fn(&Request, &ApiError) -> Option<Response>,
    /// Applied to every response, errors included (the kiosk page's
    /// security headers: a 404 is still a document a browser may render).
    pub headers: fn(Response) -> Response,
}

impl Shape {
    /// The JSON API: every path gated, errors as JSON, headers as set.
    pub const API: Shape = Shape {
        ungated: &[],
        render_error: |_, _| None,
        headers: |resp| resp,
    };
}

/// Converts the request, picks the request id, refuses with 503
/// `not_configured` while the deployment's settings fail
/// [`crate::config::check`] (except on `shape.ungated` paths), and
/// otherwise lets `routes` answer with a fresh [`Ctx`]. An error is logged
/// when it is a 5xx (once, with the request id and its unrendered cause)
/// and rendered in the request's language; every answer carries
/// `x-request-id`.
pub fn serve_as(
    req: &SpinRequest,
    shape: Shape,
    routes: fn(&Ctx<'_>) -> Result<Response, ApiError>,
) -> SpinResponse {
    let req = request_from_spin(req);
    // Chosen up front so log lines and the response carry the same id.
    let id = request_id(&req, &OsRandom);
    let gated = !shape.ungated.contains(&req.path.as_str());
    let result = match gated.then(|| settings_gate(&id)) {
        // The gate logged its refusal with the problem in full.
        Some(Err(refused)) => Err(refused),
        _ => routes(&Ctx::new(&req, &id)).inspect_err(|e| log_failure(&id, e)),
    };
    let resp = result.unwrap_or_else(|e| {
        (shape.render_error)(&req, &e).unwrap_or_else(|| Response::from_error(&e, req.lang()))
    });
    response_to_spin(finish_with_id(&req, Ok((shape.headers)(resp)), &id))
}

/// The one log line of a failed request: only server-side failures, which
/// an operator must see (client errors are the client's to read).
fn log_failure(id: &str, e: &ApiError) {
    if e.status() >= 500 {
        eprintln!("[{id}] {}", e.log_line());
    }
}

/// [`crate::config::check`] on the component's Spin variables, logged and
/// as the 503 every gated route answers.
fn settings_gate(id: &str) -> Result<(), ApiError> {
    crate::config::check(&SpinSettings).map_err(|problem| {
        eprintln!("[{id}] refused: settings not usable ({problem})");
        problem.to_api()
    })
}
