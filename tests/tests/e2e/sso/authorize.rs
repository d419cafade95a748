//! The authorization endpoint: a whole login (phone, code, consent, back
//! with a code; the next login silent), and its refusals — an unknown
//! client or an inexact redirect URI on the error page, everything else
//! sent back to the service with `error` and `state`.

use super::*;

#[test]
fn a_citizen_logs_in_consents_and_the_service_reads_the_consented_claims() {
    let host = HostBuilder::app().start();
    let mut c = connected(&host);
    assert_eq!(c.tokens["token_type"], "Bearer", "{}", c.tokens);
    assert_eq!(c.tokens["expires_in"], 600, "{}", c.tokens);
    assert_eq!(c.tokens["scope"], SCOPE, "{}", c.tokens);
    for name in ["access_token", "refresh_token", "id_token"] {
        assert!(!text(&c.tokens, name).is_empty(), "{name}: {}", c.tokens);
    }
    let claims = assert_token_works(&host, &text(&c.tokens, "access_token"));
    assert_eq!(claims["phone_number"], "+84912345678", "{claims}");
    assert_eq!(claims["phone_number_verified"], true, "{claims}");
    assert!(!text(&claims, "sub").is_empty(), "{claims}");

    // Logged in and consented: the next request comes straight back with a
    // code, no page shown, and it redeems to the same subject.
    let (req, code) = silent_code(&mut c.browser, &c.service);
    let again = tokens(&host, &c.service, &req, &code);
    let claims_again = assert_token_works(&host, &text(&again, "access_token"));
    assert_eq!(claims_again["sub"], claims["sub"]);
}

#[test]
fn an_unknown_client_gets_the_error_page_never_a_redirect() {
    let host = HostBuilder::app().start();
    let known = service(&host);
    let mut browser = Browser::new(&host);
    // The registered client with the same request is served the login page,
    // so only the client id makes the difference below.
    let req = AuthRequest::new(&known, SCOPE);
    assert_eq!(browser.get(&req.path()).status, 200);

    for unknown in ["rp_AAAAAAAAAAAAAAAAAAAAAA", "not-a-client-id"] {
        let req = AuthRequest::new(&known, SCOPE).with("client_id", unknown);
        assert_error_page(&browser.get(&req.path()), "invalid_client");
        let mut fields = req.params.clone();
        fields.push(("step".into(), "phone".into()));
        fields.push(("phone".into(), PHONE.into()));
        assert_error_page(&browser.post(&fields), "invalid_client");
    }
    let req = AuthRequest::new(&known, SCOPE).without("client_id");
    assert_error_page(&browser.get(&req.path()), "invalid_request");
    assert!(
        host.get(&e2e::session::outbox_path(&e2e::sso::e164(PHONE)))
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "no code was sent for an unknown client"
    );
}

#[test]
fn a_redirect_uri_not_registered_exactly_gets_the_error_page() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let mut browser = Browser::new(&host);
    let registered = AuthRequest::new(&service, SCOPE);
    assert_eq!(browser.get(&registered.path()).status, 200);
    for wrong in [
        "https://dichvucong.test/callback/extra",
        "https://dichvucong.test:8443/callback",
        "https://dichvucong.test/callback/",
        "https://dichvucong.test/callback?next=/admin",
        "http://dichvucong.test/callback",
        "https://DICHVUCONG.test/callback",
        "https://evil.test/callback",
    ] {
        let req = AuthRequest::new(&service, SCOPE).with("redirect_uri", wrong);
        let r = browser.get(&req.path());
        assert_error_page(&r, "invalid_request");
        // Not even an error that the page itself would send on: a refusal
        // that would otherwise redirect (no PKCE) stays on the page too.
        let r = browser.get(&req.clone().without("code_challenge").path());
        assert_error_page(&r, "invalid_request");
    }
    let req = AuthRequest::new(&service, SCOPE).without("redirect_uri");
    assert_error_page(&browser.get(&req.path()), "invalid_request");
}

/// The redirect of a refused request: `error`, the request's `state` and
/// the issuer, and no code.
fn refused_back(r: &e2e::Resp, req: &AuthRequest, error: &str) {
    let params = redirected(r, req.get("redirect_uri").unwrap());
    assert_eq!(param(&params, "error"), Some(error), "{params:?}");
    assert_eq!(param(&params, "state"), req.get("state"), "{params:?}");
    assert_eq!(
        param(&params, "iss"),
        Some(e2e::PUBLIC_BASE_URL),
        "{params:?}"
    );
    assert_eq!(param(&params, "code"), None, "{params:?}");
}

#[test]
fn a_request_without_s256_pkce_is_sent_back_as_invalid_request() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let mut browser = Browser::new(&host);
    let good = AuthRequest::new(&service, SCOPE);
    assert_eq!(browser.get(&good.path()).status, 200);
    let verifier = good.verifier.clone();
    for req in [
        good.clone().without("code_challenge"),
        good.clone()
            .without("code_challenge")
            .without("code_challenge_method"),
        // RFC 7636's `plain`: the challenge is the verifier itself.
        good.clone()
            .with("code_challenge", &verifier)
            .with("code_challenge_method", "plain"),
        // No method means plain (RFC 7636 §4.3).
        good.clone().without("code_challenge_method"),
        good.clone().with("code_challenge", "too-short"),
    ] {
        refused_back(&browser.get(&req.path()), &req, "invalid_request");
    }
}

#[test]
fn a_scope_the_client_may_not_ask_for_is_sent_back_as_invalid_scope() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let mut browser = Browser::new(&host);
    let allowed = AuthRequest::new(&service, "openid phone");
    assert_eq!(browser.get(&allowed.path()).status, 200);
    for scope in [
        "openid phone address",
        "openid documents:birth_certificate",
        "openid no_such_scope",
        "profile phone",
    ] {
        let req = AuthRequest::new(&service, scope);
        refused_back(&browser.get(&req.path()), &req, "invalid_scope");
    }
}

#[test]
fn response_type_token_is_sent_back_as_unsupported_response_type() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let mut browser = Browser::new(&host);
    for response_type in ["token", "id_token", "code token"] {
        let req = AuthRequest::new(&service, SCOPE).with("response_type", response_type);
        refused_back(&browser.get(&req.path()), &req, "unsupported_response_type");
    }
    let req = AuthRequest::new(&service, SCOPE).without("response_type");
    refused_back(&browser.get(&req.path()), &req, "invalid_request");
}
