//! `GET/DELETE /api/v1/me/connections`: the services the citizen let log
//! them in, what each may see, and withdrawing that.

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::Response;
use cds_shared::identity::rfc3339_vn;
use cds_shared::sso::client::plausible_client_id;
use cds_shared::sso::store::{consents, grants};
use serde_json::json;

/// `GET /api/v1/me/connections`.
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let items: Vec<_> = consents::connections(ctx.sql()?, &me.account_id)?
        .into_iter()
        .map(|c| {
            json!({
                "client_id": c.client_id,
                "name": c.name,
                "purpose": c.purpose,
                "client_uri": c.client_uri,
                "scopes": c.scopes.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "first_granted_at": rfc3339_vn(c.first_granted_at),
                "last_granted_at": rfc3339_vn(c.last_granted_at),
            })
        })
        .collect();
    Ok(Response::json(200, &json!({"items": items})).no_store())
}

/// `DELETE /api/v1/me/connections/{client_id}` → 204: the consent is
/// forgotten (the next login asks again) and every grant to the service is
/// revoked, so its tokens stop working at once.
pub fn remove(ctx: &Ctx<'_>, client_id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    if !plausible_client_id(client_id) {
        return Err(ApiError::not_found());
    }
    let ports = ctx.ports()?;
    let now = ports.clock.now();
    // Consent first: no new grant can be given silently after this, and the
    // revocation below then ends every grant made before it.
    let had_consent = consents::withdraw(ports.sql, &me.account_id, client_id)?;
    let revoked = grants::revoke_grants_of(ports.sql, &me.account_id, client_id, now)?;
    if !had_consent && revoked == 0 {
        return Err(ApiError::not_found());
    }
    ctx.audit(
        Entry::new(
            Actor::Citizen(me.account_id.clone()),
            action::SSO_GRANT_REVOKED,
        )
        .about(me.account_id.clone())
        .detail(json!({"client_id": client_id, "grants": revoked, "why": "disconnected"})),
    );
    Ok(Response::no_content())
}
