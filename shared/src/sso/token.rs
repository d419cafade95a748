//! The token endpoint's grants (RFC 6749 §4.1.3 and §6) and revocation
//! (RFC 7009): redeeming a code once, rotating refresh tokens with reuse
//! detection, and the tokens issued.

use serde_json::{json, Value};

use super::authorize::hash;
use super::client::RelyingParty;
use super::client_auth::field;
use super::error::SsoError;
use super::pkce;
use super::provider::{Provider, ACCESS_TTL, ID_TOKEN_TTL, REFRESH_TTL};
use super::scope::{Scope, ScopeSet};
use super::store::grants::{self, Grant};
use super::subject::pairwise;
use crate::identity::secret::{b64url, sha256};
use crate::identity::{Level, Ports};
use crate::ids::random_id;

/// What one successful token request issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The grant the tokens belong to.
    pub grant: Grant,
    /// The access token (an ES256 JWT, RFC 9068).
    pub access_token: String,
    /// Its id.
    pub access_jti: String,
    /// The ID token.
    pub id_token: String,
    /// The new refresh token (the old one, if any, is used up).
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// How the tokens were obtained: `authorization_code` or `refresh_token`.
    pub grant_type: &'static str,
}

impl Issued {
    /// The token response body (RFC 6749 §5.1, OIDC Core §3.1.3.3).
    pub fn to_json(&self) -> Value {
        json!({
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "id_token": self.id_token,
            "scope": self.grant.scope,
        })
    }
}

/// Whose level an ID token's `acr` reports, read by the caller (the
/// account may have been verified since the login).
pub type LevelOf<'a> = &'a dyn Fn(&str) -> Result<Option<Level>, SsoError>;

/// `grant_type=authorization_code`: redeems the code for `client`.
///
/// The code is marked used by the statement that finds it, so a second
/// redemption, concurrent or later, finds nothing; it then revokes the
/// grant the first one produced (RFC 6749 §4.1.2), and both get
/// `invalid_grant`.
pub fn exchange_code(
    ports: Ports<'_>,
    provider: &Provider,
    client: &RelyingParty,
    form: &[(String, String)],
    level_of: LevelOf<'_>,
) -> Result<Issued, SsoError> {
    let code = field(form, "code")?.ok_or(SsoError::InvalidRequest("code is required"))?;
    let redirect_uri =
        field(form, "redirect_uri")?.ok_or(SsoError::InvalidRequest("redirect_uri is required"))?;
    let verifier = field(form, "code_verifier")?
        .ok_or(SsoError::InvalidRequest("code_verifier is required (PKCE)"))?;
    if code.len() > 128 {
        return Err(SsoError::InvalidGrant);
    }
    let now = ports.clock.now();
    let code_hash = hash(code);
    let Some(row) = grants::redeem_code(ports.sql, &code_hash, &client.id, now)? else {
        return Err(
            match grants::revoke_grant_of_used_code(ports.sql, &code_hash, now)? {
                Some(account_id) => SsoError::Replayed { account_id },
                None => SsoError::InvalidGrant,
            },
        );
    };
    if row.expires_at <= now || row.redirect_uri != redirect_uri {
        return Err(SsoError::InvalidGrant);
    }
    if !pkce::verifies(verifier, &row.code_challenge) {
        return Err(SsoError::InvalidGrant);
    }
    let grant =
        grants::live_grant(ports.sql, &row.grant_id, &client.id)?.ok_or(SsoError::InvalidGrant)?;
    issue(
        ports,
        provider,
        grant,
        row.nonce.as_deref(),
        Some(&row.session_id),
        "authorization_code",
        level_of,
    )
}

/// `grant_type=refresh_token`: rotates the refresh token. A token already
/// used is a reuse: the whole family (the grant) is revoked.
pub fn refresh(
    ports: Ports<'_>,
    provider: &Provider,
    client: &RelyingParty,
    form: &[(String, String)],
    level_of: LevelOf<'_>,
) -> Result<Issued, SsoError> {
    let token = field(form, "refresh_token")?
        .ok_or(SsoError::InvalidRequest("refresh_token is required"))?;
    if token.len() > 128 {
        return Err(SsoError::InvalidGrant);
    }
    let now = ports.clock.now();
    let token_hash = hash(token);
    // A narrower scope may be asked for (RFC 6749 §6), never a wider one.
    // Checked before the token is redeemed, so a refused scope leaves the
    // token usable (a grant's scope never changes: reading it first races
    // nothing). A used or unknown token is not looked at here: redeeming
    // it below fails, and a reuse still revokes the family.
    let asked = field(form, "scope")?;
    let narrowed = |granted: &str| -> Result<ScopeSet, SsoError> {
        let granted = ScopeSet::parse(granted).map_err(|_| SsoError::InvalidGrant)?;
        let asked = ScopeSet::parse(asked.unwrap_or_default());
        match asked {
            Ok(asked) if asked.is_subset(&granted) => Ok(asked),
            _ => Err(SsoError::InvalidScope),
        }
    };
    if asked.is_some() {
        if let Some(granted) =
            grants::scope_of_unused_refresh(ports.sql, &token_hash, &client.id, now)?
        {
            narrowed(&granted)?;
        }
    }
    let Some(grant_id) = grants::redeem_refresh(ports.sql, &token_hash, &client.id, now)? else {
        let revoked =
            grants::revoke_grant_of_used_refresh(ports.sql, &token_hash, &client.id, now)?;
        return Err(match revoked {
            Some(account_id) => SsoError::Replayed { account_id },
            None => SsoError::InvalidGrant,
        });
    };
    let mut grant =
        grants::live_grant(ports.sql, &grant_id, &client.id)?.ok_or(SsoError::InvalidGrant)?;
    if asked.is_some() {
        // The tokens issued now carry the narrower scope; the new refresh
        // token keeps the grant's.
        grant.scope = narrowed(&grant.scope)?.to_string();
    }
    issue(
        ports,
        provider,
        grant,
        None,
        None,
        "refresh_token",
        level_of,
    )
}

/// Mints the access, ID and refresh tokens of `grant`.
fn issue(
    ports: Ports<'_>,
    provider: &Provider,
    grant: Grant,
    nonce: Option<&str>,
    session_id: Option<&str>,
    grant_type: &'static str,
    level_of: LevelOf<'_>,
) -> Result<Issued, SsoError> {
    let now = ports.clock.now();
    let sub = pairwise(
        &provider.subject_secret,
        &grant.client_id,
        &grant.account_id,
    );
    let jti = random_id(ports.random, "at_", 16);
    grants::insert_access(ports.sql, &jti, &grant.id, now + ACCESS_TTL)?;
    let access_token = provider.keys.sign(
        "at+jwt",
        &json!({
            "iss": provider.issuer,
            "sub": sub,
            "aud": provider.issuer,
            "client_id": grant.client_id,
            "scope": grant.scope,
            "jti": jti,
            "iat": now,
            "exp": now + ACCESS_TTL,
            "auth_time": grant.auth_time,
        }),
    );
    let scopes = ScopeSet::parse(&grant.scope).map_err(|_| SsoError::InvalidGrant)?;
    let mut id_claims = json!({
        "iss": provider.issuer,
        "sub": sub,
        "aud": grant.client_id,
        "azp": grant.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_TTL,
        "auth_time": grant.auth_time,
        "amr": ["otp"],
        // The access token's hash (OIDC Core §3.3.2.11), so a client can
        // tell the two tokens were issued together.
        "at_hash": half_hash(&access_token),
    });
    if let Some(nonce) = nonce {
        id_claims["nonce"] = Value::from(nonce);
    }
    if let Some(session) = session_id {
        // Pairwise like `sub`: the platform's session id never leaves it.
        id_claims["sid"] = Value::from(pairwise(
            &provider.subject_secret,
            &grant.client_id,
            session,
        ));
    }
    if scopes.contains(&Scope::Level) {
        if let Some(level) = level_of(&grant.account_id)? {
            id_claims["acr"] = Value::from(level.as_str());
        }
    }
    let id_token = provider.keys.sign("JWT", &id_claims);
    let refresh_token = random_id(ports.random, "", 32);
    grants::insert_refresh(
        ports.sql,
        &hash(&refresh_token),
        &grant.id,
        now,
        now + REFRESH_TTL,
    )?;
    Ok(Issued {
        grant,
        access_token,
        access_jti: jti,
        id_token,
        refresh_token,
        expires_in: ACCESS_TTL,
        grant_type,
    })
}

/// The left half of the token's SHA-256, base64url (OIDC `at_hash`).
fn half_hash(token: &str) -> String {
    let digest = sha256(token.as_bytes());
    b64url(&digest[..16])
}

/// RFC 7009: revokes `token` if it is one of `client`'s. The answer is the
/// same whether or not it was (§2.2), so the caller always says 200.
pub fn revoke(
    ports: Ports<'_>,
    provider: &Provider,
    client: &RelyingParty,
    form: &[(String, String)],
) -> Result<bool, SsoError> {
    let token = field(form, "token")?.ok_or(SsoError::InvalidRequest("token is required"))?;
    let now = ports.clock.now();
    // An access token is a JWT we signed (checked, so its jti is ours);
    // anything else may be a refresh token. The hint only orders the tries.
    if let Ok((_, claims)) = provider.keys.verify(token) {
        if let Some(jti) = claims.get("jti").and_then(Value::as_str) {
            return Ok(grants::revoke_access(ports.sql, jti, &client.id, now)?);
        }
    }
    if token.len() > 128 {
        return Ok(false);
    }
    Ok(grants::revoke_grant_of_refresh(
        ports.sql,
        &hash(token),
        &client.id,
        now,
    )?)
}
