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

use cds_shared::feedback::open311::error_response;
use cds_shared::spin_adapter::{handle_unchecked, settings_gate};
use spin_sdk::http_component;

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    // Unchecked here because Open311 answers the settings refusal in its own
    // shape too; both branches run the same gate first.
    handle_unchecked(&req, |req, id| {
        let gate = settings_gate(id);
        if req.path == "/open311" || req.path.starts_with("/open311/") {
            // GeoReport clients get GeoReport errors, never the SPEC §4 shape.
            Ok(match gate {
                Ok(()) => open311::serve(req, id),
                Err(e) => error_response(&e, req.lang()),
            })
        } else {
            gate?;
            api::serve(req, id)
        }
    })
}
