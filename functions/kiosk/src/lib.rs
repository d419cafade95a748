//! Kiosk component (SPEC §11): serves the touch-screen page for
//! public-service centres at `GET /kiosk/` and its static assets, all
//! embedded in the component. The page talks to the public API from the
//! browser; this component holds no state and reads one setting, `dev_mode`,
//! which alone lets a test shorten the idle logout (`/kiosk/?idle=N`).

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod assets;
mod headers;
mod page;

use cds_shared::delivery::is_dev_mode;
use cds_shared::error::ApiError;
use cds_shared::http::{allow, finish_with_id, request_id, Request, Response};
use cds_shared::ports::OsRandom;
use cds_shared::spin_adapter::{request_from_spin, response_to_spin, settings_gate, SpinSettings};
use spin_sdk::http_component;

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    let req = request_from_spin(&req);
    let rid = request_id(&req, &OsRandom);
    // Errors get the page's security headers too: a 404 is still a document
    // a browser may render.
    // The settings gate runs here rather than through `spin_adapter::handle`
    // so that its refusal carries the page's headers as well.
    let resp = settings_gate(&rid)
        .and_then(|()| serve(&req))
        .unwrap_or_else(|e| Response::from_error(&e, req.lang()));
    response_to_spin(finish_with_id(&req, Ok(headers::secure(resp)), &rid))
}

fn serve(req: &Request) -> Result<Response, ApiError> {
    let Some(rest) = req.path.strip_prefix("/kiosk") else {
        return Err(ApiError::not_found());
    };
    match rest {
        // Relative links need the trailing slash; send the browser there.
        "" => {
            allow(&["GET"], req)?;
            Ok(
                Response::bytes(308, "text/plain; charset=utf-8", b"/kiosk/".to_vec())
                    .with_header("location", "/kiosk/"),
            )
        }
        "/" | "/index.html" => {
            allow(&["GET"], req)?;
            Ok(page::render(
                is_dev_mode(&SpinSettings),
                req.query_param("idle"),
            ))
        }
        _ => {
            let name = rest.strip_prefix('/').unwrap_or(rest);
            let asset = assets::find(name).ok_or_else(ApiError::not_found)?;
            allow(&["GET"], req)?;
            Ok(assets::respond(asset, req))
        }
    }
}
