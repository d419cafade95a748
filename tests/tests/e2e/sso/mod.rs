//! The platform as an OpenID Connect provider end to end (docs/sso.md): the
//! `sso` component served by edge-host, driven by a test service registered
//! through the admin API and a citizen's browser walking the login and
//! consent pages (`e2e::sso`). Refusals carry the code RFC 6749, RFC 6750
//! or OpenID Connect Core names; before the client and its exact redirect
//! URI are known, a refusal is the provider's error page and never a
//! redirect. On the PostgreSQL setup every request goes round-robin to
//! another node, and the concurrency tests aim each racing request at a
//! node of its own.

use std::sync::Arc;

use e2e::db::db;
use e2e::sso::{
    assert_error_page, assert_token_refused, assert_token_works, code_of, exchange,
    exchange_fields, oauth_error, param, redirected, refresh, register, service, text, token,
    tokens, AuthRequest, Browser, Service, FORM,
};
use e2e::time::now;
use e2e::{parallel, params, Host, HostBuilder, ADMIN_TOKEN};
use serde_json::{json, Value};

/// The citizen of most tests.
const PHONE: &str = "0912345678";

/// The scopes most tests ask for (all the test service may ask).
const SCOPE: &str = "openid profile phone";

/// A citizen connected to a service: the browser they logged in with (its
/// cookie live), the service and the first token response.
struct Connected<'h> {
    browser: Browser<'h>,
    service: Service,
    tokens: Value,
}

/// Registers the test service and walks `PHONE` through its first login
/// and consent to a token response.
fn connected(host: &Host) -> Connected<'_> {
    let service = service(host);
    let req = AuthRequest::new(&service, SCOPE);
    let mut browser = Browser::new(host);
    let code = browser.authorize(&req, PHONE);
    let tokens = tokens(host, &service, &req, &code);
    Connected {
        browser,
        service,
        tokens,
    }
}

/// A fresh code for `service` from a citizen already logged in and
/// consented in `browser` (the provider redirects straight back).
fn silent_code(browser: &mut Browser<'_>, service: &Service) -> (AuthRequest, String) {
    let req = AuthRequest::new(service, SCOPE);
    let r = browser.get(&req.path());
    let code = code_of(&r, &req);
    (req, code)
}

/// `(status, error)` of an OAuth error answer.
fn refusal(r: &e2e::Resp) -> (u16, String) {
    (r.status, oauth_error(r))
}

mod authorize;
mod clients;
mod concurrency;
mod connections;
mod pages;
mod token;
