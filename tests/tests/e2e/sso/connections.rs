//! The citizen's connected services: listed with their names and the
//! scopes consented, and withdrawn — the service's tokens stop at once and
//! the next login asks for consent again.

use super::*;

#[test]
fn connections_list_the_service_and_withdrawing_revokes_it() {
    let host = HostBuilder::app().start();
    let mut c = connected(&host);
    let me = c.browser.session_token();
    let r = host.get_auth("/api/v1/me/connections", &me);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["client_id"], c.service.client_id.as_str());
    assert_eq!(items[0]["name"], e2e::sso::SERVICE_NAME);
    assert_eq!(items[0]["purpose"], e2e::sso::PURPOSE);
    let mut scopes: Vec<&str> = items[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["openid", "phone", "profile"], "{items:?}");
    // Another citizen sees none of it.
    let other = e2e::session::login(&host, "0935111222");
    let r = host.get_auth("/api/v1/me/connections", &other);
    assert_eq!(r.json()["items"], json!([]), "{}", r.text());
    let r = host.delete_auth(
        &format!("/api/v1/me/connections/{}", c.service.client_id),
        &other,
    );
    assert_eq!(r.status, 404, "{}", r.text());

    // Consent remembered: the next login comes straight back with a code.
    let (req, code) = silent_code(&mut c.browser, &c.service);
    let second = tokens(&host, &c.service, &req, &code);
    assert_token_works(&host, &text(&c.tokens, "access_token"));

    let r = host.delete_auth(
        &format!("/api/v1/me/connections/{}", c.service.client_id),
        &me,
    );
    assert_eq!(r.status, 204, "{}", r.text());
    for issued in [&c.tokens, &second] {
        assert_token_refused(&host, &text(issued, "access_token"));
        let r = refresh(&host, &c.service, &text(issued, "refresh_token"));
        assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
    }
    let r = host.get_auth("/api/v1/me/connections", &me);
    assert_eq!(r.json()["items"], json!([]), "{}", r.text());

    // Still logged in, but asked again: the consent page, not a code.
    let req = AuthRequest::new(&c.service, SCOPE);
    let page = c.browser.get(&req.path());
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.header("location"), None);
    assert!(
        e2e::sso::form_of(&page.text(), "consent").is_some(),
        "{}",
        page.text()
    );
    let code = code_of(&c.browser.consent(&page), &req);
    tokens(&host, &c.service, &req, &code);

    let r = host.delete_auth(
        &format!("/api/v1/me/connections/{}", c.service.client_id),
        "not-a-session",
    );
    assert_eq!(r.status, 401, "{}", r.text());
}
