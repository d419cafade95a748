//! The admin's client registry: only with the admin token, secrets shown
//! once and never listed, a rotated secret replacing the old one at once,
//! and a disabled client losing its tokens and its logins.

use super::*;

#[test]
fn the_client_registry_needs_the_admin_token() {
    let host = HostBuilder::app().start();
    let body = json!({
        "name": "Không có quyền",
        "kind": "confidential",
        "redirect_uris": [e2e::sso::REDIRECT_URI],
        "scopes": SCOPE,
        "purpose": "Thử",
    });
    let existing = service(&host);
    let secret_path = format!("/api/v1/admin/clients/{}/secret", existing.client_id);
    let disable_path = format!("/api/v1/admin/clients/{}/disable", existing.client_id);
    for token in [None, Some("not-the-admin-token"), Some("")] {
        let with = |rb: reqwest::blocking::RequestBuilder| match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        };
        let answers = [
            host.send(with(
                host.request(e2e::Method::POST, "/api/v1/admin/clients")
                    .json(&body),
            )),
            host.send(with(
                host.request(e2e::Method::GET, "/api/v1/admin/clients"),
            )),
            host.send(with(host.request(e2e::Method::POST, &secret_path))),
            host.send(with(host.request(e2e::Method::POST, &disable_path))),
        ];
        for r in answers {
            assert_eq!(
                (r.status, r.error_code()),
                (401, "unauthorized".into()),
                "{token:?}: {}",
                r.text()
            );
        }
    }
    // Nothing happened: one client, its secret still the one it was given.
    let list = host.get_auth("/api/v1/admin/clients", ADMIN_TOKEN).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["disabled_at"], Value::Null, "{list}");
    let req = AuthRequest::new(&existing, SCOPE);
    let code = Browser::new(&host).authorize(&req, PHONE);
    tokens(&host, &existing, &req, &code);
}

#[test]
fn the_listing_shows_each_client_without_any_secret() {
    let host = HostBuilder::app().start();
    let confidential = service(&host);
    let public = register(&host, "public", "openid phone");
    let secret = confidential.client_secret.clone().unwrap();
    assert!(secret.len() >= 43, "{secret}");
    assert_eq!(public.client_secret, None, "{}", public.registered);
    assert_eq!(confidential.registered["kind"], "confidential");

    let r = host.get_auth("/api/v1/admin/clients", ADMIN_TOKEN);
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = r.json();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{listed}");
    let find = |id: &str| items.iter().find(|c| c["client_id"] == id).unwrap();
    let c = find(&confidential.client_id);
    assert_eq!(c["name"], e2e::sso::SERVICE_NAME);
    assert_eq!(c["purpose"], e2e::sso::PURPOSE);
    assert_eq!(c["redirect_uris"], json!([e2e::sso::REDIRECT_URI]));
    assert_eq!(c["scopes"], SCOPE);
    assert_eq!(c["has_secret"], true);
    assert_eq!(find(&public.client_id)["has_secret"], false);
    assert!(
        items.iter().all(|c| c.get("client_secret").is_none()),
        "{listed}"
    );
    // Nowhere in the answer: neither the secret nor any field that could be
    // it (its hash included).
    assert!(!r.text().contains(&secret), "{}", r.text());
    assert!(!r.text().contains("secret_hash"), "{}", r.text());
    let stored_hash = db(&host).text(
        "SELECT secret_hash FROM sso_clients WHERE id = ?1",
        params![confidential.client_id.as_str()],
    );
    assert!(!r.text().contains(&stored_hash), "{}", r.text());
}

#[test]
fn rotating_the_secret_makes_the_old_one_fail_at_the_token_endpoint() {
    let host = HostBuilder::app().start();
    let old = service(&host);
    let r = host.post_json_auth(
        &format!("/api/v1/admin/clients/{}/secret", old.client_id),
        ADMIN_TOKEN,
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let rotated = r.json();
    assert_eq!(rotated["client_id"], old.client_id.as_str());
    let new_secret = text(&rotated, "client_secret");
    assert_ne!(Some(&new_secret), old.client_secret.as_ref());
    let new = Service {
        client_secret: Some(new_secret),
        ..old.clone()
    };

    let req = AuthRequest::new(&old, SCOPE);
    let code = Browser::new(&host).authorize(&req, PHONE);
    let r = exchange(&host, &old, &req, &code);
    assert_eq!(refusal(&r), (401, "invalid_client".into()), "{}", r.text());
    let issued = tokens(&host, &new, &req, &code);
    let r = refresh(&host, &old, &text(&issued, "refresh_token"));
    assert_eq!(refusal(&r), (401, "invalid_client".into()), "{}", r.text());
    let r = refresh(&host, &new, &text(&issued, "refresh_token"));
    assert_eq!(r.status, 200, "{}", r.text());

    let r = host.post_json_auth(
        "/api/v1/admin/clients/rp_AAAAAAAAAAAAAAAAAAAAAA/secret",
        ADMIN_TOKEN,
        &json!({}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (404, "client_not_found".into()),
        "{}",
        r.text()
    );
}

#[test]
fn a_disabled_client_loses_its_tokens_and_its_logins() {
    let host = HostBuilder::app().start();
    let mut c = connected(&host);
    let access = text(&c.tokens, "access_token");
    assert_token_works(&host, &access);
    // A code issued before the client is disabled.
    let (pending_req, pending_code) = silent_code(&mut c.browser, &c.service);

    let r = host.post_json_auth(
        &format!("/api/v1/admin/clients/{}/disable", c.service.client_id),
        ADMIN_TOKEN,
        &json!({}),
    );
    assert_eq!(r.status, 204, "{}", r.text());

    assert_token_refused(&host, &access);
    let r = refresh(&host, &c.service, &text(&c.tokens, "refresh_token"));
    assert_eq!(refusal(&r), (401, "invalid_client".into()), "{}", r.text());
    let r = exchange(&host, &c.service, &pending_req, &pending_code);
    assert_eq!(refusal(&r), (401, "invalid_client".into()), "{}", r.text());
    // Even the logged-in, consented citizen gets the error page, not a code.
    let req = AuthRequest::new(&c.service, SCOPE);
    assert_error_page(&c.browser.get(&req.path()), "invalid_client");
    assert_error_page(&Browser::new(&host).get(&req.path()), "invalid_client");

    let listed = host.get_auth("/api/v1/admin/clients", ADMIN_TOKEN).json();
    assert!(listed["items"][0]["disabled_at"].is_string(), "{listed}");
    let r = host.post_json_auth(
        &format!("/api/v1/admin/clients/{}/disable", c.service.client_id),
        ADMIN_TOKEN,
        &json!({}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (404, "client_not_found".into()),
        "{}",
        r.text()
    );
}
