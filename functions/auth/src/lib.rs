//! Auth component (docs/identity.md and docs/settings.md): login by one-time code, the caller's
//! sessions (list, revoke one, log out) and, in development mode only, the
//! outbox where codes are delivered instead of SMS/Zalo.

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::delivery::{is_dev_mode, list_outbox};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response, Router};
use cds_shared::identity::{logout, revoke_session, rfc3339_vn, sessions_page, StartRequest};
use cds_shared::otp_flow::{self, citizen_json, session_json, ChannelIn, ClientIn};
use cds_shared::pagination::Page;
use cds_shared::phone::Phone;
use serde::Deserialize;
use serde_json::json;

cds_shared::entry!(routes);

/// Every route of the component.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let mut router = Router::new()
        .post("/api/v1/auth/otp", |_, _| request_code(ctx))
        .post("/api/v1/auth/verify", |_, _| verify(ctx))
        .post("/api/v1/auth/logout", |_, _| sign_out(ctx))
        .get("/api/v1/auth/sessions", |_, _| sessions(ctx))
        .delete("/api/v1/auth/sessions/:id", |_, p| {
            revoke(ctx, p.get("id")?)
        });
    // Outside development the route does not exist at all: every method
    // gets the same 404 as any unknown path, so production does not
    // reveal it.
    if is_dev_mode(ctx.settings()) {
        router = router.get("/api/v1/dev/outbox", |_, _| outbox(ctx));
    }
    router.dispatch(ctx.req)
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
fn request_code(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: OtpBody = json_body(ctx.req)?;
    otp_flow::start(
        ctx,
        &StartRequest {
            phone: body.phone,
            channel: body.channel.into(),
            purpose: cds_shared::identity::Purpose::Login,
            client: body.client.into(),
            origin: otp_flow::origin(ctx)?,
            full_name: None,
        },
    )
}

/// `POST /api/v1/auth/verify` → 200 `{token, expires_at, citizen}`.
fn verify(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let done = otp_flow::verify(ctx)?;
    // Login answers flat: the session's fields next to the citizen.
    let mut body = session_json(&done.session);
    body["citizen"] = citizen_json(&done.account);
    Ok(Response::json(200, &body).no_store())
}

/// `POST /api/v1/auth/logout` → 204; the presented token stops working.
fn sign_out(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    // The caller was authenticated, so the bearer token is present.
    let token = ctx.req.bearer_token().ok_or(ApiError::Unauthorized)?;
    logout(ctx.ports()?, token)?;
    // The session is already closed; failing the request now would only make
    // the client believe it is still signed in.
    ctx.audit(
        Entry::new(Actor::account(me.role, &me.account_id), action::LOGOUT)
            .about(me.account_id.clone())
            .detail(json!({"session_id": me.session_id})),
    );
    Ok(Response::no_content())
}

/// `GET /api/v1/auth/sessions` → the caller's active sessions, newest first,
/// with `current` marking the one making this request.
fn sessions(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let after: Option<(i64, String)> = page.after()?;
    let me = ctx.caller()?;
    let limit = usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX);
    let rows = sessions_page(ctx.ports()?, &me.account_id, after.as_ref(), limit)?;
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
fn revoke(ctx: &Ctx<'_>, session_id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    if !revoke_session(ctx.ports()?, &me.account_id, session_id)? {
        return Err(ApiError::not_found());
    }
    // As for logout: the revocation already happened.
    ctx.audit(
        Entry::new(
            Actor::account(me.role, &me.account_id),
            action::SESSION_REVOKED,
        )
        .about(me.account_id.clone())
        .detail(json!({"session_id": session_id, "current": session_id == me.session_id})),
    );
    Ok(Response::no_content())
}

/// `GET /api/v1/dev/outbox?phone=…` (development only) → the codes sent to a
/// phone, newest first.
fn outbox(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let raw = ctx
        .req
        .query_param("phone")
        .ok_or_else(|| ApiError::invalid_field("phone", "required"))?;
    let phone = Phone::parse(raw)?;
    let limit = Page::from_request(ctx.req)?.limit;
    let items: Vec<_> = list_outbox(ctx.sql()?, phone.as_e164(), limit)?
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
    Ok(Response::json(200, &json!({"items": items})).no_store())
}
