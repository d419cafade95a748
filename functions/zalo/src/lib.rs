//! Zalo component (docs/architecture.md, zalo): `POST /api/v1/zalo/webhook`,
//! the Official Account's webhook. Checks the event's signature, handles
//! each event once, lets the bot answer and sends the replies through the OA
//! API — all within Zalo's 2-second budget, so outbound calls have short
//! timeouts.

use std::time::Duration;

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{Response, Router, MAX_JSON_BYTES};
use cds_shared::ports::HttpTimeouts;
use cds_shared::zalo::{receive, BotPorts, Received};
use serde_json::json;

/// For the one-time code by ZNS: the citizen waits for it, so it may take a
/// little longer than a reply, but still fits Zalo's budget.
const ZNS_HTTP: HttpTimeouts = HttpTimeouts {
    connect: Duration::from_millis(700),
    first_byte: Duration::from_millis(1_200),
    between_bytes: Duration::from_millis(500),
};

/// For replies: a slow OA API costs a reply (logged), never the webhook.
const REPLY_HTTP: HttpTimeouts = HttpTimeouts {
    connect: Duration::from_millis(500),
    first_byte: Duration::from_millis(1_000),
    between_bytes: Duration::from_millis(500),
};

cds_shared::entry!(routes);

/// Every route of the component: route, decode, call, encode.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .post("/api/v1/zalo/webhook", |_, _| webhook(ctx))
        .dispatch(ctx.req)
}

/// `POST /api/v1/zalo/webhook` → 200 `{"status":"ok"|"duplicate"}`; 401 for
/// unsigned, wrongly signed, unreadable or stale events.
fn webhook(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let req = ctx.req;
    if req.body.len() > MAX_JSON_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_JSON_BYTES,
        });
    }
    let (zns_http, reply_http) = (ctx.http_within(ZNS_HTTP), ctx.http_within(REPLY_HTTP));
    let ports = BotPorts {
        core: ctx.ports()?,
        kv: ctx.kv()?,
        http: zns_http.as_ref(),
    };
    let signature = req.header("x-zevent-signature");
    let status = match receive(ports, reply_http.as_ref(), &req.body, signature)? {
        Received::Refused(why) => {
            ctx.log(format_args!("zalo event refused: {}", why.as_str()));
            return Err(ApiError::Unauthorized);
        }
        Received::Duplicate => "duplicate",
        Received::Handled(h) => {
            for line in h.log_lines() {
                ctx.log(format_args!("{line}"));
            }
            "ok"
        }
    };
    Ok(Response::json(200, &json!({"status": status})))
}
