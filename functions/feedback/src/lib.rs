//! Feedback component (docs/architecture.md, feedback): feedback and
//! complaints (góp ý, phản ánh), the officials' workflow, public views,
//! satisfaction ratings and the Open311 GeoReport v2 endpoint under
//! `/open311/v2/`.
//!
//! Route, decode, call `cds_shared::feedback`, encode. The rules
//! (validation, quotas, tracking codes, transitions, redaction, ratings,
//! GeoReport mapping) all live and are tested there.

mod api;
mod open311;

use cds_shared::component::{Ctx, Shape};
use cds_shared::error::ApiError;
use cds_shared::feedback::open311::error_response;
use cds_shared::http::{Request, Response, Router};

/// GeoReport clients get GeoReport errors; everything else is the JSON API.
const SHAPE: Shape = Shape {
    render_error: georeport_error,
    ..Shape::API
};

cds_shared::entry!(routes, SHAPE);

/// GeoReport clients get GeoReport errors (the settings refusal included),
/// never the JSON API's shape.
fn georeport_error(req: &Request, e: &ApiError) -> Option<Response> {
    let open311 = req.path == "/open311" || req.path.starts_with("/open311/");
    open311.then(|| error_response(e, req.lang()))
}

/// Every route of the component: route, decode, call, encode.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .get("/api/v1/feedback/categories", |_, _| api::categories(ctx))
        .get("/api/v1/feedback/stats", |_, _| api::stats(ctx))
        .get("/api/v1/feedback/queue", |_, _| api::queue(ctx))
        .get("/api/v1/feedback", |_, _| api::public_list(ctx))
        .post("/api/v1/feedback", |_, _| api::submit(ctx))
        .get("/api/v1/me/feedback", |_, _| api::mine(ctx))
        .get("/api/v1/feedback/:id", |_, p| api::one(ctx, p.get("id")?))
        .patch("/api/v1/feedback/:id", |_, p| {
            api::change(ctx, p.get("id")?)
        })
        .get("/api/v1/feedback/:id/history", |_, p| {
            api::history(ctx, p.get("id")?)
        })
        .post("/api/v1/feedback/:id/rating", |_, p| {
            api::rate(ctx, p.get("id")?)
        })
        .get("/open311/v2/services.json", |_, _| open311::services(ctx))
        .get("/open311/v2/services/:code.json", |_, p| {
            open311::service(ctx, p.get("code")?)
        })
        .post("/open311/v2/requests.json", |_, _| {
            open311::post_request(ctx)
        })
        .get("/open311/v2/requests.json", |_, _| open311::requests(ctx))
        .get("/open311/v2/requests/:id.json", |_, p| {
            open311::one_request(ctx, p.get("id")?)
        })
        .dispatch(ctx.req)
}
