//! Auth component (SPEC §6.2, §14): login by one-time code, the caller's
//! sessions (list, revoke one, log out) and, in development mode only, the
//! outbox where codes are delivered instead of SMS/Zalo.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

use cds_shared::audit::{self, action, Entry};
use cds_shared::delivery::{is_dev_mode, list_outbox};
use cds_shared::error::ApiError;
use cds_shared::guard::authenticate_request;
use cds_shared::http::{json_body, Request, Response, Router};
use cds_shared::identity::{
    list_sessions, logout, revoke_session, rfc3339_vn, SessionInfo, StartRequest,
};
use cds_shared::pagination::Page;
use cds_shared::phone::Phone;
use cds_shared::spin_adapter::SpinSettings;
use serde::Deserialize;
use serde_json::json;
use spin_sdk::http_component;

use cds_shared::otp_flow::{
    actor, citizen_json, log, open_sql, ports, session_json, ChannelIn, ClientIn,
};

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    cds_shared::spin_adapter::handle(&req, |req, rid| {
        let mut router = Router::new()
            .post("/api/v1/auth/otp", |r, _| request_code(r, rid))
            .post("/api/v1/auth/verify", |r, _| verify(r, rid))
            .post("/api/v1/auth/logout", |r, _| sign_out(r, rid))
            .get("/api/v1/auth/sessions", |r, _| sessions(r, rid))
            .delete("/api/v1/auth/sessions/:id", |r, p| {
                revoke(r, rid, p.get("id")?)
            });
        // Outside development the route does not exist at all: every method
        // gets the same 404 as any unknown path, so production does not
        // reveal it.
        if is_dev_mode(&SpinSettings) {
            router = router.get("/api/v1/dev/outbox", |r, _| outbox(r, rid));
        }
        router.dispatch(req)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OtpBody {
    phone: Phone,
    channel: ChannelIn,
    #[serde(default)]
    client: ClientIn,
}

/// `POST /api/v1/auth/otp` → 202, the same for known and unknown phones.
fn request_code(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let body: OtpBody = json_body(req)?;
    cds_shared::otp_flow::start(
        rid,
        &StartRequest {
            phone: body.phone,
            channel: body.channel.into(),
            purpose: cds_shared::identity::Purpose::Login,
            client: body.client.into(),
            origin: cds_shared::otp_flow::origin(req, rid)?,
            full_name: None,
        },
    )
}

/// `POST /api/v1/auth/verify` → 200 `{token, expires_at, citizen}`.
fn verify(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let done = cds_shared::otp_flow::verify(req, rid)?;
    // Login answers flat: the session's fields next to the citizen.
    let mut body = session_json(&done.session);
    body["citizen"] = citizen_json(&done.account);
    Ok(Response::json(200, &body).with_header("cache-control", "no-store"))
}

/// `POST /api/v1/auth/logout` → 204; the presented token stops working.
fn sign_out(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let sql = open_sql(rid)?;
    let ports = ports(&sql);
    let me = authenticate_request(ports, req)?;
    // authenticate_request succeeded, so the bearer token is present.
    let token = req.bearer_token().ok_or(ApiError::Unauthorized)?;
    logout(ports, token)?;
    let entry = Entry::new(actor(me.role, &me.account_id), action::LOGOUT)
        .about(me.account_id.clone())
        .detail(json!({"session_id": me.session_id}));
    // The session is already closed; failing the request now would only make
    // the client believe it is still signed in.
    if let Err(e) = audit::append(ports.sql, ports.clock, entry) {
        log(rid, format_args!("audit of logout not written: {e}"));
    }
    Ok(Response::no_content())
}

/// `GET /api/v1/auth/sessions` → the caller's active sessions, newest first,
/// with `current` marking the one making this request.
fn sessions(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let page = Page::from_request(req)?;
    let after: Option<(i64, String)> = page.after()?;
    let sql = open_sql(rid)?;
    let ports = ports(&sql);
    let me = authenticate_request(ports, req)?;
    // A citizen has a handful of sessions (each needs a fresh code, and codes
    // are capped per day), so paging happens here rather than in SQL. The
    // list is ordered by (created_at DESC, id ASC); the cursor is that key.
    let rows: Vec<SessionInfo> = list_sessions(ports, &me.account_id)?
        .into_iter()
        .filter(|s| match &after {
            Some((at, id)) => s.created_at < *at || (s.created_at == *at && s.id > *id),
            None => true,
        })
        .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
        .collect();
    let out = page.paginate(rows, |s| (s.created_at, s.id.clone()))?;
    let items: Vec<_> = out
        .items
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "client": s.client.as_str(),
                "created_at": rfc3339_vn(s.created_at),
                "last_seen_at": rfc3339_vn(s.last_seen_at),
                "expires_at": rfc3339_vn(s.expires_at),
                "absolute_expires_at": rfc3339_vn(s.absolute_expires_at),
                "current": s.id == me.session_id,
            })
        })
        .collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    ))
}

/// `DELETE /api/v1/auth/sessions/{id}` → 204; another citizen's session, or
/// one already ended, is 404 like an unknown id.
fn revoke(req: &Request, rid: &str, session_id: &str) -> Result<Response, ApiError> {
    let sql = open_sql(rid)?;
    let ports = ports(&sql);
    let me = authenticate_request(ports, req)?;
    if !revoke_session(ports, &me.account_id, session_id)? {
        return Err(ApiError::not_found());
    }
    let entry = Entry::new(actor(me.role, &me.account_id), action::SESSION_REVOKED)
        .about(me.account_id.clone())
        .detail(json!({"session_id": session_id, "current": session_id == me.session_id}));
    // As for logout: the revocation already happened.
    if let Err(e) = audit::append(ports.sql, ports.clock, entry) {
        log(
            rid,
            format_args!("audit of session revocation not written: {e}"),
        );
    }
    Ok(Response::no_content())
}

/// `GET /api/v1/dev/outbox?phone=…` (development only) → the codes sent to a
/// phone, newest first.
fn outbox(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let raw = req
        .query_param("phone")
        .ok_or_else(|| ApiError::invalid_field("phone", "required"))?;
    let phone = Phone::parse(raw)?;
    let limit = Page::from_request(req)?.limit;
    let sql = open_sql(rid)?;
    let items: Vec<_> = list_outbox(&sql, phone.as_e164(), limit)?
        .into_iter()
        .map(|m| {
            json!({
                "phone": m.phone,
                "channel": m.channel,
                "text": m.text,
                "code": m.code,
                "sent_at": rfc3339_vn(m.sent_at),
            })
        })
        .collect();
    Ok(Response::json(200, &json!({"items": items})).with_header("cache-control", "no-store"))
}
