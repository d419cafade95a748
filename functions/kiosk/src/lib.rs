//! Kiosk component (docs/kiosk.md): serves the touch-screen page for
//! public-service centres at `GET /kiosk/` and its static assets, all
//! embedded in the component. The page talks to the public API from the
//! browser; this component holds no state and reads one setting, `dev_mode`,
//! which alone lets a test shorten the idle logout (`/kiosk/?idle=N`).
//! `/kiosk/?district=<area code>` names the district whose official alerts
//! the start screen shows (docs/alerts.md).

mod assets;
mod headers;
mod page;

use cds_shared::component::{Ctx, Shape};
use cds_shared::delivery::is_dev_mode;
use cds_shared::error::ApiError;
use cds_shared::http::{allow, Response};

/// Every answer gets the page's security headers, errors and the settings
/// gate's refusal included: a 404 is still a document a browser may render.
const SHAPE: Shape = Shape {
    headers: headers::secure,
    ..Shape::API
};

cds_shared::entry!(routes, SHAPE);

/// Every route of the component: the page, its redirect and its assets.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let req = ctx.req;
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
                is_dev_mode(ctx.settings()),
                req.query_param("idle"),
                req.query_param("district"),
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
