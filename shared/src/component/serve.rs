//! [`serve`]: one request through a component's routes, whatever the host —
//! the settings gate, the request id, error rendering and the one log line
//! of a 5xx. [`Component`] is what a component crate exports for it.

use super::{Ctx, Runtime};
use crate::error::ApiError;
use crate::http::{finish_with_id, request_id, Request, Response};
use crate::ports::{OsRandom, Settings};

/// A component's route table: route, decode, call, encode.
pub type Routes = fn(&Ctx<'_>) -> Result<Response, ApiError>;

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

/// What [`crate::entry!`] exports from a component crate as `COMPONENT`:
/// Spin's entry serves it, and so can a native host of the same routes.
#[derive(Clone, Copy)]
pub struct Component {
    /// Every route of the component.
    pub routes: Routes,
    /// Where it answers differently from the JSON API.
    pub shape: Shape,
}

/// Picks the request id, refuses with 503 `not_configured` while the
/// deployment's settings fail [`crate::config::check`] (except on
/// `shape.ungated` paths), and otherwise lets `routes` answer with a fresh
/// [`Ctx`]. An error is logged when it is a 5xx (once, with the request id
/// and its unrendered cause) and rendered in the request's language; every
/// answer carries `x-request-id`.
pub fn serve(runtime: &dyn Runtime, req: &Request, component: Component) -> Response {
    let Component { routes, shape } = component;
    // Chosen up front so log lines and the response carry the same id.
    let id = request_id(req, &OsRandom);
    let gated = !shape.ungated.contains(&req.path.as_str());
    let result = match gated.then(|| settings_gate(runtime.settings(), &id)) {
        // The gate logged its refusal with the problem in full.
        Some(Err(refused)) => Err(refused),
        _ => routes(&Ctx::new(runtime, req, &id)).inspect_err(|e| log_failure(&id, e)),
    };
    let resp = result.unwrap_or_else(|e| {
        (shape.render_error)(req, &e).unwrap_or_else(|| Response::from_error(&e, req.lang()))
    });
    finish_with_id(req, Ok((shape.headers)(resp)), &id)
}

/// The one log line of a failed request: only server-side failures, which
/// an operator must see (client errors are the client's to read).
fn log_failure(id: &str, e: &ApiError) {
    if e.status() >= 500 {
        eprintln!("[{id}] {}", e.log_line());
    }
}

/// [`crate::config::check`] on the component's variables, logged and as
/// the 503 every gated route answers.
fn settings_gate(settings: &dyn Settings, id: &str) -> Result<(), ApiError> {
    crate::config::check(settings).map_err(|problem| {
        eprintln!("[{id}] refused: settings not usable ({problem})");
        problem.to_api()
    })
}
