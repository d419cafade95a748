//! Zalo component (SPEC §10): `POST /api/v1/zalo/webhook`, the Official
//! Account's webhook. Checks the event's signature, handles each event once,
//! lets the bot answer and sends the replies through the OA API — all
//! within Zalo's 2-second budget, so outbound calls have short timeouts.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod timed_http;

use std::time::Duration;

use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response, Router, MAX_JSON_BYTES};
use cds_shared::otp_flow::{log, open_sql};
use cds_shared::ports::{OsRandom, SystemClock};
use cds_shared::spin_adapter::{SpinKv, SpinSettings};
use cds_shared::zalo::{receive, BotPorts, Received, WebhookError};
use serde_json::json;
use spin_sdk::http_component;

use timed_http::TimedHttp;

/// For the one-time code by ZNS: the citizen waits for it, so it may take a
/// little longer than a reply, but still fits Zalo's budget.
const ZNS_HTTP: TimedHttp = TimedHttp {
    connect: Duration::from_millis(700),
    first_byte: Duration::from_millis(1_200),
    between_bytes: Duration::from_millis(500),
};

/// For replies: a slow OA API costs a reply (logged), never the webhook.
const REPLY_HTTP: TimedHttp = TimedHttp {
    connect: Duration::from_millis(500),
    first_byte: Duration::from_millis(1_000),
    between_bytes: Duration::from_millis(500),
};

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    cds_shared::spin_adapter::handle(&req, |req, rid| {
        Router::new()
            .post("/api/v1/zalo/webhook", |r, _| webhook(r, rid))
            .dispatch(req)
    })
}

/// `POST /api/v1/zalo/webhook` → 200 `{"status":"ok"|"duplicate"}`; 401 for
/// unsigned, wrongly signed, unreadable or stale events.
fn webhook(req: &Request, rid: &str) -> Result<Response, ApiError> {
    if req.body.len() > MAX_JSON_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_JSON_BYTES,
        });
    }
    let sql = open_sql(rid)?;
    let kv = SpinKv::open_default().map_err(|e| {
        log(rid, format_args!("kv unavailable: {e}"));
        ApiError::store_unavailable("kv", &e)
    })?;
    let ports = BotPorts {
        sql: &sql,
        kv: &kv,
        clock: &SystemClock,
        random: &OsRandom,
        settings: &SpinSettings,
        http: &ZNS_HTTP,
    };
    let signature = req.header("x-zevent-signature");
    let received = receive(ports, &REPLY_HTTP, &req.body, signature).map_err(|e| {
        log(rid, format_args!("zalo event not handled: {e}"));
        match e {
            // Not a store outage: Zalo's retries cannot help until an
            // operator sets the OA secret, and the code says so.
            WebhookError::NotConfigured(setting) => ApiError::NotConfigured { setting },
            WebhookError::Store(s) => s.into(),
        }
    })?;
    let status = match received {
        Received::Refused(why) => {
            log(rid, format_args!("zalo event refused: {}", why.as_str()));
            return Err(ApiError::Unauthorized);
        }
        Received::Duplicate => "duplicate",
        Received::Handled(h) => {
            for note in &h.notes {
                log(rid, format_args!("{note}"));
            }
            if let Some(e) = &h.reply_error {
                log(
                    rid,
                    format_args!(
                        "reply {} of {} not sent: {e}",
                        h.replies_sent + 1,
                        h.replies
                    ),
                );
            }
            "ok"
        }
    };
    Ok(Response::json(200, &json!({"status": status})))
}
