//! Sign-up component (docs/identity.md): a phone and a one-time code make a
//! provisional account and its first session. A phone that already has an
//! account is simply logged in, with the same response shape.
//!
//! The code-and-session steps are `cds_shared::otp_flow`, shared with the
//! `auth` component, so their limits, audit and errors are the same.

use cds_shared::component::Ctx;
use cds_shared::documents::text::optional_name;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response, Router};
use cds_shared::identity::{Purpose, StartRequest};
use cds_shared::otp_flow::{self, citizen_json, session_json, ChannelIn, ClientIn};
use cds_shared::phone::Phone;
use serde::Deserialize;
use serde_json::json;

cds_shared::entry!(routes);

/// Every route of the component.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .post("/api/v1/signup", |_, _| request_code(ctx))
        .post("/api/v1/signup/verify", |_, _| verify(ctx))
        .dispatch(ctx.req)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupBody {
    phone: Phone,
    channel: ChannelIn,
    full_name: Option<String>,
    /// Not in docs/identity.md: lets a kiosk sign a citizen up into a short kiosk
    /// session instead of a 12-hour web one on a shared screen.
    #[serde(default)]
    client: ClientIn,
}

/// `POST /api/v1/signup` → 202, the same for known and unknown phones.
fn request_code(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: SignupBody = json_body(ctx.req)?;
    let full_name = clean_full_name(body.full_name.as_deref())?;
    otp_flow::start(
        ctx,
        &StartRequest {
            phone: body.phone,
            channel: body.channel.into(),
            purpose: Purpose::Signup,
            client: body.client.into(),
            origin: otp_flow::origin(ctx)?,
            full_name,
        },
    )
}

/// `POST /api/v1/signup/verify` → 201 with a new account, 200 when the phone
/// already had one (then it is a login), `{citizen, session}` either way.
fn verify(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let done = otp_flow::verify(ctx)?;
    Ok(Response::json(
        if done.created { 201 } else { 200 },
        &json!({
            "citizen": citizen_json(&done.account),
            "session": session_json(&done.session),
        }),
    )
    .no_store())
}

/// The profile's name rule (`documents::text::optional_name`), checked
/// before any code is sent: blank means no name; a name `PATCH /api/v1/me`
/// would refuse is 422 on `full_name` here too.
fn clean_full_name(name: Option<&str>) -> Result<Option<String>, ApiError> {
    optional_name(name).map_err(|reason| ApiError::invalid_field("full_name", reason))
}
