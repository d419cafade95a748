//! The pages' protection in the browser: no framing (so no service can
//! overlay the consent buttons), no caching, and a login cookie that no
//! script reads and no cross-site form carries.

use super::*;

/// Asserts the security headers of one page.
fn assert_secure_page(r: &e2e::Resp, what: &str) {
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{what}: {:?}",
        r.headers
    );
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp:?}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp:?}");
    assert_eq!(
        r.header("x-frame-options").as_deref(),
        Some("DENY"),
        "{what}"
    );
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("no-store"),
        "{what}"
    );
}

#[test]
fn every_page_forbids_framing_and_caching() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let mut browser = Browser::new(&host);
    let phone_page = browser.get(&req.path());
    assert_eq!(phone_page.status, 200, "{}", phone_page.text());
    assert_secure_page(&phone_page, "phone page");
    let code_page = browser.submit(
        &phone_page,
        "phone",
        &[("phone", PHONE), ("channel", "sms")],
    );
    assert_eq!(code_page.status, 200, "{}", code_page.text());
    assert_secure_page(&code_page, "code page");
    let wrong = browser.submit(&code_page, "code", &[("code", "12345x")]);
    assert_eq!(wrong.status, 401, "{}", wrong.text());
    assert_secure_page(&wrong, "code page after a wrong code");
    let code = e2e::session::outbox_code(&host, &e2e::sso::e164(PHONE));
    let consent = browser.submit(&wrong, "code", &[("code", &code)]);
    assert_eq!(consent.status, 200, "{}", consent.text());
    assert!(
        e2e::sso::form_of(&consent.text(), "consent").is_some(),
        "{}",
        consent.text()
    );
    assert_secure_page(&consent, "consent page");
    let back = browser.consent(&consent);
    assert_eq!(back.header("cache-control").as_deref(), Some("no-store"));
    code_of(&back, &req);

    let unknown = AuthRequest::new(&service, SCOPE).with("client_id", "rp_nobody");
    let error = browser.get(&unknown.path());
    assert_error_page(&error, "invalid_client");
    assert_secure_page(&error, "error page");
}

#[test]
fn the_login_cookie_is_http_only_same_site_lax_and_host_only() {
    // public_base_url is https (the harness's), so the cookie is the
    // production one: `__Host-` and Secure.
    let host = HostBuilder::app().start();
    let service = service(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let mut browser = Browser::new(&host);
    let r = browser.login(&req, PHONE);
    let set = r.header("set-cookie").unwrap();
    let mut parts = set.split(';').map(str::trim);
    let pair = parts.next().unwrap();
    assert!(pair.starts_with("__Host-cds_sso="), "{set}");
    let attrs: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
    for wanted in ["httponly", "samesite=lax", "secure", "path=/"] {
        assert!(attrs.iter().any(|a| a == wanted), "{wanted} in {set}");
    }
    assert!(
        !attrs.iter().any(|a| a.starts_with("domain=")),
        "a __Host- cookie has no Domain: {set}"
    );
    let max_age: i64 = attrs
        .iter()
        .find_map(|a| a.strip_prefix("max-age="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age > 0, "{set}");
    // It is the citizen's platform session, which the API accepts.
    let me = host.get_auth("/api/v1/me/connections", &browser.session_token());
    assert_eq!(me.status, 200, "{}", me.text());

    // "Not you?" ends that session and clears the cookie.
    let switched = browser.submit(&r, "switch", &[]);
    assert_eq!(switched.status, 200, "{}", switched.text());
    let cleared = switched.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with("__Host-cds_sso=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert_eq!(browser.cookie, None);
    let token = me_token_of(&set);
    let r = host.get_auth("/api/v1/me/connections", &token);
    assert_eq!(r.status, 401, "{}", r.text());
}

/// The session token a `Set-Cookie` header carries.
fn me_token_of(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}
