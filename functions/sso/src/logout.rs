//! `GET`/`POST /sso/logout`: RP-initiated logout (OpenID Connect
//! RP-Initiated Logout 1.0). With a valid `id_token_hint` the platform
//! session ends at once and the browser returns to a registered
//! `post_logout_redirect_uri`; without one the citizen confirms on a page
//! first, so a link on another site cannot log them out.

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{form_body, Response};
use cds_shared::identity::logout as end_session;
use cds_shared::lang::Lang;
use cds_shared::sso::authorize::redirect_with;
use cds_shared::sso::client::find_live;
use cds_shared::sso::provider::Provider;
use cds_shared::sso::SsoError;
use serde_json::Value;

use crate::cookie;
use crate::html::{hidden, page, t};
use crate::pages::{error_page, html, toggle_href};

/// Serves both methods.
pub fn logout(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    let params = if ctx.req.method == "POST" {
        form_body(ctx.req)?
    } else {
        ctx.req.query.clone()
    };
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let lang = match get("lang").or(get("ui_locales")) {
        Some(l) if l.starts_with("en") => Lang::En,
        Some(l) if l.starts_with("vi") => Lang::Vi,
        _ => ctx.req.lang(),
    };
    // The client: named by the hint's audience (the signature checked, the
    // expiry not: a logout often comes after the ID token expired) or by
    // `client_id`.
    let hinted = get("id_token_hint").and_then(|h| provider.keys.verify(h).ok());
    let hint_ok = hinted
        .as_ref()
        .is_some_and(|(_, c)| c.get("iss").and_then(Value::as_str) == Some(&provider.issuer));
    let client_id = hinted
        .as_ref()
        .and_then(|(_, c)| c.get("aud").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| get("client_id").map(str::to_owned));
    if get("id_token_hint").is_some() && !hint_ok {
        let e = ApiError::from(SsoError::InvalidRequest("id_token_hint is not ours"));
        return Ok(error_page(ctx.req, lang, 400, &e));
    }
    let return_to = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let client = match client_id.as_deref() {
                Some(id) => find_live(ctx.sql()?, id)?,
                None => None,
            };
            match client {
                Some(c) if c.post_logout_redirect_uris.iter().any(|u| u == uri) => {
                    Some(uri.to_owned())
                }
                _ => {
                    let e = ApiError::from(SsoError::InvalidRequest(
                        "post_logout_redirect_uri is not registered for this client",
                    ));
                    return Ok(error_page(ctx.req, lang, 400, &e));
                }
            }
        }
    };
    let confirmed = hint_ok || (ctx.req.method == "POST" && get("confirm") == Some("yes"));
    if !confirmed {
        let mut fields: Vec<(&str, String)> = params
            .iter()
            .filter(|(k, _)| k != "confirm")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        fields.push(("confirm", "yes".to_owned()));
        let body = format!(
            "<h1>{title}</h1><p>{text}</p><form method=\"post\" action=\"/sso/logout\">{hidden}\
<button type=\"submit\">{go}</button></form>",
            title = t(lang, "Đăng xuất?", "Log out?"),
            text = t(
                lang,
                "Bạn sẽ đăng xuất khỏi Công dân số trên trình duyệt này.",
                "You will be logged out of Digital Citizen in this browser.",
            ),
            hidden = hidden(&fields),
            go = t(lang, "Đăng xuất", "Log out"),
        );
        return Ok(html(
            200,
            page(
                lang,
                t(lang, "Đăng xuất", "Log out"),
                &toggle_href(ctx.req, lang),
                &body,
            ),
        ));
    }
    if let Some(token) = cookie::read(&provider, ctx.req) {
        end_session(ctx.ports()?, token)?;
    }
    let resp = match return_to {
        Some(uri) => {
            let mut extra: Vec<(&str, &str)> = Vec::new();
            if let Some(state) = get("state") {
                extra.push(("state", state));
            }
            let status = if ctx.req.method == "POST" { 303 } else { 302 };
            Response::bytes(status, "text/plain; charset=utf-8", Vec::new())
                .with_header("location", &redirect_with(&uri, &extra))
                .no_store()
        }
        None => {
            let body = format!(
                "<h1>{}</h1><p>{}</p>",
                t(lang, "Đã đăng xuất", "Logged out"),
                t(
                    lang,
                    "Bạn đã đăng xuất khỏi Công dân số trên trình duyệt này.",
                    "You are logged out of Digital Citizen in this browser.",
                )
            );
            html(
                200,
                page(
                    lang,
                    t(lang, "Đã đăng xuất", "Logged out"),
                    &toggle_href(ctx.req, lang),
                    &body,
                ),
            )
        }
    };
    Ok(cookie::clear(&provider, resp))
}
