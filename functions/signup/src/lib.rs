//! Sign-up component (SPEC §6.1): a phone and a one-time code make a
//! provisional account and its first session. A phone that already has an
//! account is simply logged in, with the same response shape.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

// The code-and-session steps are shared with the `auth` component; one file,
// compiled into both, keeps their limits, audit and errors identical.

use cds_shared::documents::text::optional_name;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Request, Response, Router};
use cds_shared::identity::{Purpose, StartRequest};
use cds_shared::phone::Phone;
use serde::Deserialize;
use serde_json::json;
use spin_sdk::http_component;

use cds_shared::otp_flow::{citizen_json, session_json, ChannelIn, ClientIn};

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    cds_shared::spin_adapter::handle(&req, |req, rid| {
        Router::new()
            .post("/api/v1/signup", |r, _| request_code(r, rid))
            .post("/api/v1/signup/verify", |r, _| verify(r, rid))
            .dispatch(req)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupBody {
    phone: Phone,
    channel: ChannelIn,
    full_name: Option<String>,
    /// Not in SPEC §6.1: lets a kiosk sign a citizen up into a short kiosk
    /// session instead of a 12-hour web one on a shared screen.
    #[serde(default)]
    client: ClientIn,
}

/// `POST /api/v1/signup` → 202, the same for known and unknown phones.
fn request_code(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let body: SignupBody = json_body(req)?;
    let full_name = clean_full_name(body.full_name.as_deref())?;
    cds_shared::otp_flow::start(
        rid,
        &StartRequest {
            phone: body.phone,
            channel: body.channel.into(),
            purpose: Purpose::Signup,
            client: body.client.into(),
            origin: cds_shared::otp_flow::origin(req, rid)?,
            full_name,
        },
    )
}

/// `POST /api/v1/signup/verify` → 201 with a new account, 200 when the phone
/// already had one (then it is a login), `{citizen, session}` either way.
fn verify(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let done = cds_shared::otp_flow::verify(req, rid)?;
    Ok(Response::json(
        if done.created { 201 } else { 200 },
        &json!({
            "citizen": citizen_json(&done.account),
            "session": session_json(&done.session),
        }),
    )
    .with_header("cache-control", "no-store"))
}

/// The profile's name rule (`documents::text::optional_name`), checked
/// before any code is sent: blank means no name; a name `PATCH /api/v1/me`
/// would refuse is 422 on `full_name` here too.
fn clean_full_name(name: Option<&str>) -> Result<Option<String>, ApiError> {
    optional_name(name).map_err(|reason| ApiError::invalid_field("full_name", reason))
}
