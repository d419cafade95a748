//! The endpoints services call directly: discovery, JWKS, token, revocation,
//! UserInfo and the document pull (docs/sso.md). Errors leave as OAuth's
//! `{"error", "error_description"}` bodies (see `oauth_error` in lib.rs).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::documents::profile::read_profile;
use cds_shared::documents::store::documents as vault;
use cds_shared::error::ApiError;
use cds_shared::hex::sha256_hex;
use cds_shared::http::{form_body, Response};
use cds_shared::identity::get_account;
use cds_shared::sso::claims;
use cds_shared::sso::client::RelyingParty;
use cds_shared::sso::client_auth::{authenticate, field, Presented};
use cds_shared::sso::provider::Provider;
use cds_shared::sso::resource::{self, Bearer};
use cds_shared::sso::scope::Scope;
use cds_shared::sso::token::{self, Issued};
use cds_shared::sso::SsoError;
use serde_json::{json, Value};

/// `GET /.well-known/openid-configuration`.
pub fn discovery(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    Ok(Response::json(200, &provider.discovery())
        .with_header("cache-control", "public, max-age=300"))
}

/// `GET /sso/jwks`: the current key, and the previous one during a rotation.
pub fn jwks(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    Ok(Response::json(200, &provider.keys.jwks())
        .with_header("cache-control", "public, max-age=300"))
}

/// The client authenticating the token or revocation request `form`.
fn client_of_request(
    ctx: &Ctx<'_>,
    provider: &Provider,
    form: &[(String, String)],
) -> Result<RelyingParty, ApiError> {
    let presented = Presented {
        authorization: ctx.req.header("authorization"),
        form,
    };
    Ok(authenticate(ctx.ports()?, provider, &presented)?)
}

/// `POST /sso/token`.
pub fn token(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    let form = form_body(ctx.req)?;
    let ports = ctx.ports()?;
    let client = client_of_request(ctx, &provider, &form)?;
    let level_of = |account_id: &str| -> Result<_, SsoError> {
        Ok(get_account(ports, account_id)?.map(|a| a.level))
    };
    let issued = match field(&form, "grant_type")? {
        Some("authorization_code") => {
            token::exchange_code(ports, &provider, &client, &form, &level_of)
        }
        Some("refresh_token") => token::refresh(ports, &provider, &client, &form, &level_of),
        Some(_) => Err(SsoError::UnsupportedGrantType),
        None => Err(SsoError::InvalidRequest("grant_type is required")),
    };
    let issued = match issued {
        Ok(issued) => issued,
        Err(SsoError::Replayed { account_id }) => {
            // The statement that found the reuse revoked the grant; the
            // citizen's log shows why their service was logged out.
            ctx.audit(
                Entry::new(Actor::Service(client.id.clone()), action::SSO_GRANT_REVOKED)
                    .about(account_id)
                    .detail(json!({
                        "client_id": client.id,
                        "client_name": client.name,
                        "why": "replayed",
                    })),
            );
            return Err(SsoError::InvalidGrant.into());
        }
        Err(e) => return Err(e.into()),
    };
    audit_issued(ctx, &client, &issued);
    cds_shared::sso::housekeeping::maybe_purge(ports);
    Ok(Response::json(200, &issued.to_json())
        .no_store()
        .with_header("pragma", "no-cache"))
}

fn audit_issued(ctx: &Ctx<'_>, client: &RelyingParty, issued: &Issued) {
    ctx.audit(
        Entry::new(
            Actor::Service(issued.grant.client_id.clone()),
            action::SSO_TOKEN_ISSUED,
        )
        .about(issued.grant.account_id.clone())
        .detail(json!({
            "client_id": issued.grant.client_id,
            "client_name": client.name,
            "purpose": client.purpose,
            "grant_id": issued.grant.id,
            "grant_type": issued.grant_type,
            "scope": issued.grant.scope,
        })),
    );
}

/// `POST /sso/revoke` (RFC 7009): 200 whether or not the token was live.
pub fn revoke(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    let form = form_body(ctx.req)?;
    let ports = ctx.ports()?;
    let client = client_of_request(ctx, &provider, &form)?;
    token::revoke(ports, &provider, &client, &form)?;
    Ok(Response::bytes(200, "text/plain; charset=utf-8", Vec::new()).no_store())
}

/// The live access token of the request's `Authorization: Bearer`.
fn bearer(ctx: &Ctx<'_>, provider: &Provider) -> Result<Bearer, ApiError> {
    let token = ctx.req.bearer_token().ok_or(SsoError::InvalidToken)?;
    Ok(resource::check(ctx.ports()?, provider, token)?)
}

/// The client's name and purpose, for the audit entries a citizen reads.
fn client_of(ctx: &Ctx<'_>, client_id: &str) -> Result<(String, String), ApiError> {
    Ok(cds_shared::sso::client::find_live(ctx.sql()?, client_id)?
        .map(|c| (c.name, c.purpose))
        .unwrap_or_default())
}

/// `GET`/`POST /sso/userinfo`: the consented claims.
pub fn userinfo(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    let bearer = bearer(ctx, &provider)?;
    bearer.require(&Scope::OpenId)?;
    let profile =
        read_profile(ctx.ports()?, &bearer.grant.account_id)?.ok_or(SsoError::InvalidToken)?;
    let (body, released) = claims::userinfo(&profile, &bearer.scopes, &bearer.sub);
    let (name, purpose) = client_of(ctx, &bearer.grant.client_id)?;
    ctx.audit(
        Entry::new(
            Actor::Service(bearer.grant.client_id.clone()),
            action::SSO_CLAIMS_RELEASED,
        )
        .about(bearer.grant.account_id.clone())
        .detail(json!({
            "client_id": bearer.grant.client_id,
            "client_name": name,
            "purpose": purpose,
            "claims": released,
        })),
    );
    Ok(Response::json(200, &body).no_store())
}

/// Most documents one pull returns.
const PULL_LIMIT: u32 = 20;

/// `GET /sso/documents?type=…`: the citizen's current (valid, unexpired)
/// documents of a consented type, with their content, newest first.
pub fn documents(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    let bearer = bearer(ctx, &provider)?;
    let kind = ctx
        .req
        .query_param_once("type")?
        .ok_or(SsoError::InvalidRequest("type is required"))?;
    let scope = Scope::parse(&format!("documents:{kind}"))
        .ok_or(SsoError::InvalidRequest("type is not a document type"))?;
    bearer.require(&scope)?;
    let sql = ctx.sql()?;
    let now = ctx.clock().now();
    let account = &bearer.grant.account_id;
    let (name, purpose) = client_of(ctx, &bearer.grant.client_id)?;
    let mut items = Vec::new();
    for meta in vault::list(sql, account, Some(kind), None, PULL_LIMIT)? {
        let current = meta.status == "valid" && meta.valid_until.is_none_or(|u| u > now);
        if !current {
            continue;
        }
        let Some((meta, content)) = vault::with_content(sql, &meta.id, Some(account))? else {
            continue;
        };
        // Bytes that no longer match their recorded hash are not handed out.
        if sha256_hex(&content) != meta.sha256 {
            ctx.log(format_args!(
                "document {} does not match its sha256; not pulled",
                meta.id
            ));
            continue;
        }
        ctx.audit(
            Entry::new(
                Actor::Service(bearer.grant.client_id.clone()),
                action::SSO_DOCUMENT_PULLED,
            )
            .about(account.clone())
            .detail(json!({
                "client_id": bearer.grant.client_id,
                "client_name": name,
                "purpose": purpose,
                "document_id": meta.id,
            })),
        );
        items.push(json!({
            "id": meta.id,
            "type": meta.doc_type,
            "title": meta.title,
            "issuer": meta.issuer.as_ref().map(|i| json!({"code": i.code, "name": i.name})),
            "issued_at": cds_shared::identity::rfc3339_vn(meta.issued_at),
            "valid_until": meta.valid_until.map(cds_shared::identity::rfc3339_vn),
            "content_type": meta.content_type,
            "size": meta.size,
            "sha256": meta.sha256,
            "content_base64": STANDARD.encode(&content),
        }));
    }
    Ok(Response::json(200, &json!({"items": Value::Array(items)})).no_store())
}
