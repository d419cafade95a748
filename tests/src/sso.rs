//! A small OpenID Connect relying party and browser for the provider's
//! end-to-end tests (`tests/tests/e2e/sso/`, docs/sso.md): a service
//! registered through the admin API, an authorization request with PKCE
//! (S256), a browser that walks the provider's pages the way a citizen does
//! (phone form, the one-time code from the dev outbox, the consent form;
//! every form re-sent with the hidden fields the page carries) and keeps the
//! provider's login cookie, and the service's calls to the token and
//! UserInfo endpoints.
//!
//! The browser follows no redirect: a redirect back to the service is the
//! answer a test checks (its `Location` and the parameters on it).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cds_shared::http::parse_urlencoded;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::encode::{enc, form};
use crate::{session, Client, Host, Method, Resp, ADMIN_TOKEN};

/// The redirect URI the test services register.
pub const REDIRECT_URI: &str = "https://dichvucong.test/callback";

/// The name the test services register, shown on the consent page.
pub const SERVICE_NAME: &str = "Cổng dịch vụ công thử nghiệm";

/// What the test services say they need the data for.
pub const PURPOSE: &str = "Điền sẵn hồ sơ thủ tục hành chính";

/// The form content type.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// A registered service: its id and, for a confidential client, its secret.
#[derive(Debug, Clone)]
pub struct Service {
    /// `rp_…`.
    pub client_id: String,
    /// The secret shown once at registration (confidential clients).
    pub client_secret: Option<String>,
    /// Its (only) redirect URI.
    pub redirect_uri: String,
    /// The whole 201 body of the registration.
    pub registered: Value,
}

/// `POST /api/v1/admin/clients` with the admin token: the raw answer.
pub fn register_raw(host: &Host, body: &Value) -> Resp {
    host.post_json_auth("/api/v1/admin/clients", ADMIN_TOKEN, body)
}

/// Registers a service of `kind` (`confidential` or `public`) that may ask
/// for `scopes`, redirecting to [`REDIRECT_URI`].
pub fn register(host: &Host, kind: &str, scopes: &str) -> Service {
    let r = register_raw(
        host,
        &json!({
            "name": SERVICE_NAME,
            "kind": kind,
            "redirect_uris": [REDIRECT_URI],
            "scopes": scopes,
            "purpose": PURPOSE,
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // The secret is shown this once: no cache may keep it.
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let body = r.json();
    Service {
        client_id: body["client_id"].as_str().unwrap().to_owned(),
        client_secret: body["client_secret"].as_str().map(str::to_owned),
        redirect_uri: REDIRECT_URI.to_owned(),
        registered: body,
    }
}

/// A confidential service allowed `openid profile phone`.
pub fn service(host: &Host) -> Service {
    register(host, "confidential", "openid profile phone")
}

/// A PKCE pair (RFC 7636): a fresh verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// The secret the service keeps.
    pub verifier: String,
    /// `BASE64URL(SHA256(verifier))`, sent with the authorization request.
    pub challenge: String,
}

impl Pkce {
    /// A verifier no other request in this run has.
    pub fn new() -> Pkce {
        static N: AtomicU64 = AtomicU64::new(0);
        let seed = format!(
            "{}-{}-{:?}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
        );
        let verifier = URL_SAFE_NO_PAD.encode(Sha256::digest(seed.as_bytes()));
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// An authorization request's parameters, in order; a test may change,
/// add or remove any of them.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The parameters as sent.
    pub params: Vec<(String, String)>,
    /// The verifier of the request's challenge.
    pub verifier: String,
}

impl AuthRequest {
    /// `response_type=code` for `service` asking `scope`, with a state, a
    /// nonce and a PKCE S256 challenge.
    pub fn new(service: &Service, scope: &str) -> AuthRequest {
        let pkce = Pkce::new();
        let params = [
            ("response_type", "code"),
            ("client_id", &service.client_id),
            ("redirect_uri", &service.redirect_uri),
            ("scope", scope),
            ("state", "st-8f2c1a"),
            ("nonce", "n-5d9e07"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        AuthRequest {
            params,
            verifier: pkce.verifier,
        }
    }

    /// Sets `name` to `value` (added if absent).
    pub fn with(mut self, name: &str, value: &str) -> AuthRequest {
        match self.params.iter_mut().find(|(k, _)| k == name) {
            Some(pair) => pair.1 = value.to_owned(),
            None => self.params.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    /// Removes `name`.
    pub fn without(mut self, name: &str) -> AuthRequest {
        self.params.retain(|(k, _)| k != name);
        self
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `/sso/authorize?…`.
    pub fn path(&self) -> String {
        let query: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        format!("/sso/authorize?{}", query.join("&"))
    }
}

/// The HTML forms of a page, each as its hidden fields (entities decoded),
/// in page order.
pub fn forms(html: &str) -> Vec<Vec<(String, String)>> {
    html.split("<form")
        .skip(1)
        .map(|rest| {
            let form = rest.split("</form>").next().unwrap_or_default();
            form.split("<input")
                .skip(1)
                .filter_map(|input| {
                    let tag = input.split('>').next()?;
                    if attr(tag, "type")? != "hidden" {
                        return None;
                    }
                    Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
                })
                .collect()
        })
        .collect()
}

/// The hidden fields of the page's form whose `step` is `step`.
pub fn form_of(html: &str, step: &str) -> Option<Vec<(String, String)>> {
    forms(html)
        .into_iter()
        .find(|f| f.iter().any(|(k, v)| k == "step" && v == step))
}

/// The value of a double-quoted attribute of one tag, entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// Decodes the entities the provider's pages write.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The parameters of a redirect back to `redirect_uri`: the answer must be
/// a 302 or 303 whose `Location` is exactly `redirect_uri` plus a query.
pub fn redirected(r: &Resp, redirect_uri: &str) -> Vec<(String, String)> {
    assert!(
        r.status == 302 || r.status == 303,
        "expected a redirect, got {}: {}",
        r.status,
        r.text()
    );
    let location = r.header("location").unwrap();
    let query = location
        .strip_prefix(&format!("{redirect_uri}?"))
        .unwrap_or_else(|| panic!("{location} does not go back to {redirect_uri}"));
    parse_urlencoded(query)
}

/// The one value of `name` in redirect parameters.
pub fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    let mut found = params.iter().filter(|(k, _)| k == name);
    let first = found.next().map(|(_, v)| v.as_str());
    assert!(found.next().is_none(), "{name} repeated in {params:?}");
    first
}

/// The `error` of a redirect's parameters, or of an OAuth error body.
pub fn oauth_error(r: &Resp) -> String {
    r.json()["error"].as_str().unwrap_or_default().to_owned()
}

/// The OAuth code an error page shows for whoever debugs the service.
pub fn page_error_code(r: &Resp) -> String {
    let text = r.text();
    let start = text.find("<code>").map(|i| i + 6).unwrap_or(0);
    let end = text[start..]
        .find("</code>")
        .map(|i| start + i)
        .unwrap_or(0);
    text.get(start..end).unwrap_or_default().to_owned()
}

/// Asserts `r` is the provider's HTML error page (400, no redirect) with
/// OAuth code `code`.
pub fn assert_error_page(r: &Resp, code: &str) {
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.header("location"), None, "an error page never redirects");
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        r.headers
    );
    assert_eq!(page_error_code(r), code, "{}", r.text());
}

/// A citizen's browser: no redirects followed, and the provider's cookie
/// kept between pages as a browser keeps it.
pub struct Browser<'h> {
    host: &'h Host,
    client: Client,
    /// `name=value` of the provider's login cookie, once set.
    pub cookie: Option<String>,
}

impl<'h> Browser<'h> {
    /// A browser with no cookie yet.
    pub fn new(host: &'h Host) -> Browser<'h> {
        Browser {
            host,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    fn send(&mut self, mut rb: reqwest::blocking::RequestBuilder) -> Resp {
        if let Some(cookie) = &self.cookie {
            rb = rb.header("cookie", cookie);
        }
        let r = self.host.send(rb);
        for set in r.headers.get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().trim();
            match pair.split_once('=') {
                Some((_, "")) => self.cookie = None,
                Some(_) => self.cookie = Some(pair.to_owned()),
                None => panic!("a cookie without a value: {pair}"),
            }
        }
        r
    }

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> Resp {
        let rb = self.client.request(Method::GET, self.host.at(path));
        self.send(rb)
    }

    /// `POST /sso/authorize` with these form fields.
    pub fn post(&mut self, fields: &[(String, String)]) -> Resp {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let rb = self
            .client
            .request(Method::POST, self.host.at("/sso/authorize"))
            .header("content-type", FORM)
            .body(form(&pairs));
        self.send(rb)
    }

    /// Submits the form of `page` whose step is `step`, with `extra` fields
    /// typed in.
    pub fn submit(&mut self, page: &Resp, step: &str, extra: &[(&str, &str)]) -> Resp {
        let mut fields = form_of(&page.text(), step)
            .unwrap_or_else(|| panic!("no {step} form on the page: {}", page.text()));
        fields.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self.post(&fields)
    }

    /// Opens the authorization request and logs `phone` (`09…`) in: the
    /// phone page, then the code page with the code from the dev outbox.
    /// The answer to the code (the consent page, or the redirect back when
    /// consent is remembered).
    pub fn login(&mut self, req: &AuthRequest, phone: &str) -> Resp {
        let page = self.get(&req.path());
        assert_eq!(page.status, 200, "{}", page.text());
        let code_page = self.submit(&page, "phone", &[("phone", phone), ("channel", "sms")]);
        assert_eq!(code_page.status, 200, "{}", code_page.text());
        let code = session::outbox_code(self.host, &e164(phone));
        let r = self.submit(&code_page, "code", &[("code", &code)]);
        assert!(self.cookie.is_some(), "no login cookie: {:?}", r.headers);
        r
    }

    /// Allows the consent page `page`: the redirect back.
    pub fn consent(&mut self, page: &Resp) -> Resp {
        assert_eq!(page.status, 200, "{}", page.text());
        self.submit(page, "consent", &[])
    }

    /// The whole walk for a first login of `phone`: login, consent, and the
    /// code on the redirect back (whose state and issuer are checked).
    pub fn authorize(&mut self, req: &AuthRequest, phone: &str) -> String {
        let consent = self.login(req, phone);
        let back = self.consent(&consent);
        code_of(&back, req)
    }

    /// The citizen's platform session token, which the cookie holds.
    pub fn session_token(&self) -> String {
        let cookie = self.cookie.as_deref().unwrap();
        cookie.split_once('=').unwrap().1.to_owned()
    }
}

/// The code on a redirect back for `req`, checking its state and issuer.
pub fn code_of(r: &Resp, req: &AuthRequest) -> String {
    let params = redirected(r, req.get("redirect_uri").unwrap());
    assert_eq!(param(&params, "error"), None, "{params:?}");
    assert_eq!(param(&params, "state"), req.get("state"), "{params:?}");
    assert_eq!(
        param(&params, "iss"),
        Some(crate::PUBLIC_BASE_URL),
        "{params:?}"
    );
    param(&params, "code").unwrap().to_owned()
}

/// `09…` → `+849…`.
pub fn e164(phone: &str) -> String {
    format!("+84{}", phone.strip_prefix('0').unwrap_or(phone))
}

/// `POST /sso/token` on the next node, authenticated as `service`
/// (`client_secret_basic`, or `client_id` in the form for a public client).
pub fn token(host: &Host, service: &Service, fields: &[(&str, &str)]) -> Resp {
    token_at(host, &host.at("/sso/token"), service, fields)
}

/// `POST /sso/token` at this URL.
pub fn token_at(host: &Host, url: &str, service: &Service, fields: &[(&str, &str)]) -> Resp {
    let mut fields = fields.to_vec();
    let mut rb = host.client.post(url).header("content-type", FORM);
    match &service.client_secret {
        Some(secret) => rb = rb.basic_auth(&service.client_id, Some(secret)),
        None => fields.push(("client_id", &service.client_id)),
    }
    host.send(rb.body(form(&fields)))
}

/// Redeems `code` of `req` for `service`.
pub fn exchange(host: &Host, service: &Service, req: &AuthRequest, code: &str) -> Resp {
    token(host, service, &exchange_fields(req, code))
}

/// The form of a code redemption.
pub fn exchange_fields<'a>(req: &'a AuthRequest, code: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", req.get("redirect_uri").unwrap()),
        ("code_verifier", &req.verifier),
    ]
}

/// Redeems `code`, which must succeed; the token response.
pub fn tokens(host: &Host, service: &Service, req: &AuthRequest, code: &str) -> Value {
    let r = exchange(host, service, req, code);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Rotates `refresh_token` for `service`.
pub fn refresh(host: &Host, service: &Service, refresh_token: &str) -> Resp {
    token(
        host,
        service,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

/// `GET /sso/userinfo` with `access_token`.
pub fn userinfo(host: &Host, access_token: &str) -> Resp {
    host.get_auth("/sso/userinfo", access_token)
}

/// Asserts UserInfo refuses `access_token` as RFC 6750 says: 401 with
/// `WWW-Authenticate: Bearer … error="invalid_token"`.
pub fn assert_token_refused(host: &Host, access_token: &str) {
    let r = userinfo(host, access_token);
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(oauth_error(&r), "invalid_token", "{}", r.text());
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""),
        "{challenge:?}"
    );
}

/// Asserts UserInfo accepts `access_token`; its claims.
pub fn assert_token_works(host: &Host, access_token: &str) -> Value {
    let r = userinfo(host, access_token);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// A string field of a JSON body.
pub fn text(v: &Value, name: &str) -> String {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {v}"))
        .to_owned()
}
