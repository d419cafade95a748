//! Shorthands shared by the provider's tests: a provider, registered
//! clients, a PKCE pair, a checked authorization request, a code, the token
//! requests, and a race of threads on one shared database.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;

use serde_json::{json, Value};

use crate::identity::secret::{b64url, sha256};
use crate::identity::Level;
use crate::ports::Clock;
use crate::sso::authorize::{issue_code, parse_request, Approver, AuthRequest};
use crate::sso::client::{register, NewClient, RelyingParty};
use crate::sso::jwt::{KeyRing, SigningKey};
use crate::sso::provider::Provider;
use crate::sso::token::{self, Issued};
use crate::sso::{resource, SsoError};
use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb, World};

/// The deployment's `token_secret` in these tests.
pub const SECRET: &[u8] = b"sso-test-token-secret-0123456789abcdef";
/// The issuer (`public_base_url`).
pub const ISSUER: &str = "https://id.danang.gov.vn";
/// The redirect URI every test client registers first.
pub const REDIRECT: &str = "https://dichvucong.danang.gov.vn/oidc/callback";
/// The `state` and `nonce` of every test request.
pub const STATE: &str = "af0ifjsldkj";
pub const NONCE: &str = "n-0S6_WzA2Mj";

/// The provider as `Provider::from_settings` builds it in development (the
/// signing key derived from the token secret).
pub fn provider() -> Provider {
    Provider {
        issuer: ISSUER.to_owned(),
        keys: KeyRing::new(SigningKey::derive_from_secret(SECRET), None),
        subject_secret: SECRET.to_vec(),
        insecure_cookies: false,
    }
}

/// A form body.
pub fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// What the admin posts to register a client.
pub fn new_client(kind: &str, scopes: &str, extra: Value) -> NewClient {
    let mut body = json!({
        "name": "Cổng dịch vụ công Đà Nẵng",
        "kind": kind,
        "redirect_uris": [REDIRECT],
        "scopes": scopes,
        "purpose": "Điền sẵn hồ sơ thủ tục hành chính",
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    serde_json::from_value(body).unwrap()
}

/// A registered confidential client allowed `scopes`, and its secret.
pub fn confidential(w: &World, scopes: &str) -> (RelyingParty, String) {
    let (client, secret) = register(w.ports(), new_client("confidential", scopes, json!({})))
        .unwrap_or_else(|e| panic!("registering: {e:?}"));
    (client, secret.expect("a confidential client gets a secret"))
}

/// A registered public client allowed `scopes`.
pub fn public(w: &World, scopes: &str) -> RelyingParty {
    let (client, secret) = register(w.ports(), new_client("public", scopes, json!({})))
        .unwrap_or_else(|e| panic!("registering: {e:?}"));
    assert_eq!(secret, None);
    client
}

/// A PKCE pair: a 43+ character verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

/// The `n`-th PKCE pair.
pub fn pkce(n: u32) -> Pkce {
    let verifier = format!("verifier-{n:04}-{}", "x".repeat(40));
    let challenge = b64url(&sha256(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// A well-formed authorization request of `client_id` for `scope`.
pub fn auth_params(client_id: &str, scope: &str, challenge: &str) -> Vec<(String, String)> {
    form(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", STATE),
        ("nonce", NONCE),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ])
}

/// `params` with `name` set to `value` (replacing every earlier value).
pub fn set(params: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out = without(params, name);
    out.push((name.to_owned(), value.to_owned()));
    out
}

/// `params` without `name`.
pub fn without(params: &[(String, String)], name: &str) -> Vec<(String, String)> {
    params.iter().filter(|(k, _)| k != name).cloned().collect()
}

/// A code the citizen approved, and what redeems it.
pub struct Code {
    pub code: String,
    pub verifier: String,
}

/// The checked request of `client` for `scope`.
pub fn request(w: &World, client: &RelyingParty, scope: &str, p: &Pkce) -> AuthRequest {
    parse_request(w.ports().sql, &auth_params(&client.id, scope, &p.challenge))
        .unwrap_or_else(|r| panic!("request refused: {r:?}"))
}

/// `account_id` logs in at `client` asking `scope` and approves: the code.
pub fn approve(w: &World, client: &RelyingParty, scope: &str, account_id: &str) -> Code {
    let p = pkce(7);
    let req = request(w, client, scope, &p);
    let code = issue_code(
        w.ports(),
        &req,
        &Approver {
            account_id,
            session_id: "se_test_session",
            auth_time: w.clock.now(),
        },
    )
    .unwrap();
    Code {
        code,
        verifier: p.verifier,
    }
}

/// No `acr`: the level is not looked up.
pub fn no_level(_: &str) -> Result<Option<Level>, SsoError> {
    Ok(None)
}

/// `grant_type=authorization_code` with these values.
pub fn exchange_with(
    w: &World,
    client: &RelyingParty,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<Issued, SsoError> {
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ]);
    token::exchange_code(w.ports(), &provider(), client, &body, &no_level)
}

/// Redeems `code` as its client would.
pub fn exchange(w: &World, client: &RelyingParty, code: &Code) -> Result<Issued, SsoError> {
    exchange_with(w, client, &code.code, &code.verifier, REDIRECT)
}

/// A full login of `account_id` at `client` for `scope`: the tokens.
pub fn tokens(w: &World, client: &RelyingParty, scope: &str, account_id: &str) -> Issued {
    let code = approve(w, client, scope, account_id);
    exchange(w, client, &code).unwrap_or_else(|e| panic!("exchange refused: {e:?}"))
}

/// `grant_type=refresh_token`, optionally asking `scope`.
pub fn refresh(
    w: &World,
    client: &RelyingParty,
    refresh_token: &str,
    scope: Option<&str>,
) -> Result<Issued, SsoError> {
    let mut body = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ]);
    if let Some(scope) = scope {
        body.push(("scope".to_owned(), scope.to_owned()));
    }
    token::refresh(w.ports(), &provider(), client, &body, &no_level)
}

/// Whether a service calling UserInfo with `access_token` gets through.
pub fn live(w: &World, access_token: &str) -> bool {
    match resource::check(w.ports(), &provider(), access_token) {
        Ok(_) => true,
        Err(SsoError::InvalidToken) => false,
        Err(e) => panic!("resource check failed: {e:?}"),
    }
}

/// The `n`-th test citizen.
pub fn citizen(w: &World, n: u32) -> String {
    w.citizen(&format!("+8490{n:07}"), "Nguyễn Văn An")
}

/// A database file shared by the threads of a race (a PostgreSQL database
/// with `CDS_TEST_SQL=postgres`), removed when dropped.
pub struct Shared(pub PathBuf);

impl Shared {
    /// A new shared database and a world on it.
    pub fn new(tag: &str) -> (Shared, World) {
        let path = temp_db_path(tag);
        let w = World::on(TestDb::create_file(&path), MapSettings::default(), 1);
        (Shared(path), w)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        remove_db(&self.0);
    }
}

/// Runs `work` on `n` threads, each with its own connection and a world
/// seeded apart (so ids never collide), released together by a barrier.
pub fn race<T: Send + 'static>(
    path: &Path,
    n: usize,
    work: impl Fn(usize, &World) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (path, work, barrier) = (path.to_path_buf(), work.clone(), barrier.clone());
            thread::spawn(move || {
                let w = World::on(TestDb::file(&path), MapSettings::default(), 500 + i as u64);
                barrier.wait();
                work(i, &w)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}
