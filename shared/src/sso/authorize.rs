//! The authorization request (OIDC Core §3.1.2): checking it in the order
//! that decides where a refusal may go, and issuing the code once the
//! citizen is logged in and has consented.
//!
//! Until the client and its exact redirect URI are known, a refusal is an
//! error page on the platform and never a redirect: redirecting to an
//! unchecked URI would make the provider an open redirector.

use super::client::{find_live, RelyingParty};
use super::error::SsoError;
use super::pkce::plausible_challenge;
use super::provider::CODE_TTL;
use super::scope::{Scope, ScopeSet};
use super::store::grants::{self, CodeRow, Grant};
use crate::identity::secret::{b64url, sha256};
use crate::identity::Ports;
use crate::ids::random_id;
use crate::ports::{Sql, StoreError};

/// What the citizen is asked, per `prompt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Ask only what is needed.
    Default,
    /// `none`: never show a page; refuse with `login_required` or
    /// `consent_required` instead.
    None,
    /// `login`: ask for a fresh login even with a live session.
    Login,
    /// `consent`: show the consent page even if consent is remembered.
    Consent,
}

/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The client.
    pub client: RelyingParty,
    /// Exactly one of the client's redirect URIs.
    pub redirect_uri: String,
    /// What it asks for (always with `openid`).
    pub scopes: ScopeSet,
    /// Echoed back.
    pub state: Option<String>,
    /// Put in the ID token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// `prompt`.
    pub prompt: Prompt,
}

impl AuthRequest {
    /// The parameters that carry this request from page to page (hidden
    /// fields of the login and consent forms), in a fixed order.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client.id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scopes.to_string()),
            ("code_challenge", self.code_challenge.clone()),
            ("code_challenge_method", "S256".to_owned()),
        ];
        if let Some(state) = &self.state {
            out.push(("state", state.clone()));
        }
        if let Some(nonce) = &self.nonce {
            out.push(("nonce", nonce.clone()));
        }
        // `prompt=consent` must survive the login pages, or a citizen who
        // logs in first never sees the consent page the service asked for.
        // `login` is met by the login itself and is not carried (the
        // consent page's language toggle would ask for a code again), and
        // `none` shows no page at all.
        if self.prompt == Prompt::Consent {
            out.push(("prompt", "consent".to_owned()));
        }
        out
    }
}

/// Why a request was refused, and so where the refusal goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Shown on the platform's error page: the client or redirect URI
    /// cannot be trusted.
    Page(SsoError),
    /// Sent back to the client's redirect URI.
    Redirect {
        /// The checked redirect URI.
        redirect_uri: String,
        /// The request's state.
        state: Option<String>,
        /// The OAuth error code (`invalid_scope`, `access_denied`, …).
        error: &'static str,
        /// A short English description.
        description: &'static str,
    },
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Store(e)
    }
}

/// Longest `state` or `nonce` kept.
const MAX_OPAQUE_CHARS: usize = 512;

/// Checks the authorization request in `params` (the query of a `GET`, or
/// the form of a `POST`).
pub fn parse_request(sql: &dyn Sql, params: &[(String, String)]) -> Result<AuthRequest, Refusal> {
    let one = |name: &str| -> Result<Option<&str>, ()> {
        let mut found = params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = found.next();
        match found.next() {
            Some(_) => Err(()),
            None => Ok(first.filter(|v| !v.is_empty())),
        }
    };
    let page = |why| Refusal::Page(SsoError::InvalidRequest(why));
    let client_id = one("client_id")
        .map_err(|()| page("client_id is repeated"))?
        .ok_or_else(|| page("client_id is required"))?;
    let client = find_live(sql, client_id)?.ok_or(Refusal::Page(SsoError::InvalidClient))?;
    let redirect_uri = one("redirect_uri")
        .map_err(|()| page("redirect_uri is repeated"))?
        .ok_or_else(|| page("redirect_uri is required"))?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(page("redirect_uri is not registered for this client"));
    }
    let redirect_uri = redirect_uri.to_owned();
    let state = one("state").ok().flatten().map(str::to_owned);
    let back = |error, description| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description,
    };
    if state.as_ref().is_some_and(|s| s.len() > MAX_OPAQUE_CHARS) || one("state").is_err() {
        return Err(back("invalid_request", "state is repeated or too long"));
    }
    let get =
        |name: &str| one(name).map_err(|()| back("invalid_request", "a parameter is repeated"));
    for unsupported in ["request", "request_uri"] {
        if get(unsupported)?.is_some() {
            let code = if unsupported == "request" {
                "request_not_supported"
            } else {
                "request_uri_not_supported"
            };
            return Err(back(code, "request objects are not supported"));
        }
    }
    match get("response_type")? {
        Some("code") => {}
        Some(_) => {
            return Err(back(
                "unsupported_response_type",
                "only the authorization code flow (response_type=code) is supported",
            ))
        }
        None => return Err(back("invalid_request", "response_type is required")),
    }
    if get("response_mode")?.is_some_and(|m| m != "query") {
        return Err(back(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let scopes = ScopeSet::parse(get("scope")?.unwrap_or_default())
        .map_err(|_| back("invalid_scope", "an unknown scope was asked for"))?;
    if !scopes.contains(&Scope::OpenId) {
        return Err(back("invalid_scope", "the openid scope is required"));
    }
    if !scopes.is_subset(&client.scopes) {
        return Err(back(
            "invalid_scope",
            "a scope is not allowed for this client",
        ));
    }
    let code_challenge = match (get("code_challenge")?, get("code_challenge_method")?) {
        (Some(c), Some("S256")) if plausible_challenge(c) => c.to_owned(),
        (Some(_), Some("S256")) => {
            return Err(back(
                "invalid_request",
                "code_challenge is not an S256 challenge",
            ))
        }
        (Some(_), _) => {
            return Err(back(
                "invalid_request",
                "code_challenge_method must be S256",
            ))
        }
        (None, _) => {
            return Err(back(
                "invalid_request",
                "PKCE (code_challenge, S256) is required",
            ))
        }
    };
    let nonce = get("nonce")?.map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_OPAQUE_CHARS) {
        return Err(back("invalid_request", "nonce is too long"));
    }
    let prompt = match get("prompt")? {
        None => Prompt::Default,
        Some("none") => Prompt::None,
        Some("login") => Prompt::Login,
        Some("consent") => Prompt::Consent,
        Some(_) => {
            return Err(back(
                "invalid_request",
                "prompt must be none, login or consent",
            ))
        }
    };
    Ok(AuthRequest {
        client,
        redirect_uri,
        scopes,
        state,
        nonce,
        code_challenge,
        prompt,
    })
}

/// The citizen behind an approved request.
#[derive(Debug, Clone)]
pub struct Approver<'a> {
    /// Their account.
    pub account_id: &'a str,
    /// The platform session they approved in.
    pub session_id: &'a str,
    /// When that session's login happened.
    pub auth_time: i64,
}

/// Issues a code for `req` approved by `who`: a new grant, and the code
/// bound to it (stored hashed). Returns the code.
pub fn issue_code(
    ports: Ports<'_>,
    req: &AuthRequest,
    who: &Approver<'_>,
) -> Result<String, StoreError> {
    let now = ports.clock.now();
    let grant = Grant {
        id: random_id(ports.random, "gr_", 16),
        client_id: req.client.id.clone(),
        account_id: who.account_id.to_owned(),
        scope: req.scopes.to_string(),
        auth_time: who.auth_time,
    };
    grants::insert_grant(ports.sql, &grant, now)?;
    let code = random_id(ports.random, "", 32);
    let row = CodeRow {
        grant_id: grant.id,
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge.clone(),
        nonce: req.nonce.clone(),
        session_id: who.session_id.to_owned(),
        expires_at: now + CODE_TTL,
    };
    grants::insert_code(ports.sql, &hash(&code), &req.client.id, &row)?;
    Ok(code)
}

/// The token a consent form carries: a MAC, under a key derived from
/// `token_secret`, of the session that showed the page and the exact
/// request it showed. A form posted from another page, another session or
/// with any parameter changed does not carry it.
pub fn form_token(secret: &[u8], session_id: &str, req: &AuthRequest) -> String {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(b"cds sso consent form v1\0");
    mac.update(session_id.as_bytes());
    for (k, v) in req.params() {
        mac.update(b"\0");
        mac.update(k.as_bytes());
        mac.update(b"=");
        mac.update(v.as_bytes());
    }
    b64url(&mac.finalize().into_bytes())
}

/// Whether `presented` is [`form_token`] of this session and request.
pub fn form_token_matches(
    secret: &[u8],
    session_id: &str,
    req: &AuthRequest,
    presented: &str,
) -> bool {
    use subtle::ConstantTimeEq;
    let expected = form_token(secret, session_id, req);
    !expected.is_empty() && expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// The stored form of a code or refresh token.
pub(crate) fn hash(secret: &str) -> String {
    b64url(&sha256(secret.as_bytes()))
}

/// `redirect_uri` with the response parameters added to its query (RFC
/// 9207's `iss` included, so a client talking to several providers can tell
/// which answered).
pub fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    if params.is_empty() {
        return redirect_uri.to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{}", query.finish())
}
