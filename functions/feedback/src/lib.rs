//! Feedback component (SPEC §8): feedback and complaints (góp ý, phản ánh),
//! the officials' workflow, public views, satisfaction ratings and the
//! Open311 GeoReport v2 endpoint under `/open311/v2/`.
//!
//! Thin by design: route, decode, call `cds_shared::feedback`, encode. The
//! rules (validation, quotas, tracking codes, transitions, redaction,
//! ratings, GeoReport mapping) all live and are tested there.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod api;
mod ctx;
mod open311;

use cds_shared::http::{finish_with_id, request_id};
use cds_shared::ports::OsRandom;
use cds_shared::spin_adapter::{request_from_spin, response_to_spin};
use spin_sdk::http_component;

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    let req = request_from_spin(&req);
    // Chosen up front so log lines and the response carry the same id.
    let id = request_id(&req, &OsRandom);
    let result = if req.path == "/open311" || req.path.starts_with("/open311/") {
        // GeoReport clients get GeoReport errors, never the SPEC §4 shape.
        Ok(open311::serve(&req, &id))
    } else {
        api::serve(&req, &id)
    };
    response_to_spin(finish_with_id(&req, result, &id))
}
