//! The token endpoint: codes redeemed once and only within their 60
//! seconds, client authentication, refresh-token rotation with reuse
//! detection, and bad requests that cost the service nothing.

use super::*;

#[test]
fn a_replayed_code_is_refused_and_revokes_what_the_first_exchange_issued() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let mut browser = Browser::new(&host);
    let code = browser.authorize(&req, PHONE);
    let first = tokens(&host, &service, &req, &code);
    let access = text(&first, "access_token");
    assert_token_works(&host, &access);

    let r = exchange(&host, &service, &req, &code);
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_token_refused(&host, &access);
    let r = refresh(&host, &service, &text(&first, "refresh_token"));
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
}

#[test]
fn a_code_lives_sixty_seconds_and_an_expired_one_is_invalid_grant() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let mut browser = Browser::new(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let issued_after = now();
    let code = browser.authorize(&req, PHONE);
    let db = db(&host);
    let expires_at = db.int(
        "SELECT expires_at FROM sso_codes WHERE client_id = ?1",
        params![service.client_id.as_str()],
    );
    assert!(
        (issued_after + 60..=now() + 60).contains(&expires_at),
        "expires at {expires_at}, issued between {issued_after} and {}",
        now()
    );
    // The app has no clock to turn: the code's 60 s are spent by moving its
    // expiry to the past, as if the service had waited a minute.
    db.run(
        "UPDATE sso_codes SET expires_at = ?1 WHERE client_id = ?2",
        params![now() - 1, service.client_id.as_str()],
    );
    let r = exchange(&host, &service, &req, &code);
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());

    // A code within its lifetime redeems.
    let (req, code) = silent_code(&mut browser, &service);
    tokens(&host, &service, &req, &code);
}

#[test]
fn a_wrong_client_secret_is_invalid_client_and_costs_the_code_nothing() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let code = Browser::new(&host).authorize(&req, PHONE);
    let secret = service.client_secret.clone().unwrap();

    let wrong = Service {
        client_secret: Some(format!("{secret}x")),
        ..service.clone()
    };
    let r = exchange(&host, &wrong, &req, &code);
    assert_eq!(refusal(&r), (401, "invalid_client".into()), "{}", r.text());
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.starts_with("Basic")),
        "{:?}",
        r.headers
    );
    // client_secret_post with the wrong secret, then another client's id.
    let fields = exchange_fields(&req, &code);
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.extend([
        ("client_id", service.client_id.as_str()),
        ("client_secret", "cs_wrong"),
    ]);
    let r = host.post_form("/sso/token", FORM, e2e::encode::form(&form));
    assert_eq!(refusal(&r), (401, "invalid_client".into()), "{}", r.text());
    let other = register(&host, "confidential", SCOPE);
    let r = exchange(&host, &other, &req, &code);
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());

    // None of these used the code up.
    let ok = tokens(&host, &service, &req, &code);
    assert_token_works(&host, &text(&ok, "access_token"));
}

#[test]
fn a_refresh_asking_more_than_was_granted_is_invalid_scope() {
    let host = HostBuilder::app().start();
    let service = register(&host, "confidential", "openid profile phone address");
    let req = AuthRequest::new(&service, "openid phone");
    let code = Browser::new(&host).authorize(&req, PHONE);
    let first = tokens(&host, &service, &req, &code);
    let r = token(
        &host,
        &service,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &text(&first, "refresh_token")),
            ("scope", "openid phone address"),
        ],
    );
    assert_eq!(refusal(&r), (400, "invalid_scope".into()), "{}", r.text());
}

#[test]
fn a_refresh_asking_more_than_was_granted_leaves_the_refresh_token_usable() {
    let host = HostBuilder::app().start();
    let service = register(&host, "confidential", "openid profile phone address");
    let req = AuthRequest::new(&service, "openid phone");
    let code = Browser::new(&host).authorize(&req, PHONE);
    let first = tokens(&host, &service, &req, &code);
    let refresh_token = text(&first, "refresh_token");
    let r = token(
        &host,
        &service,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("scope", "openid phone address"),
        ],
    );
    assert_eq!(refusal(&r), (400, "invalid_scope".into()), "{}", r.text());
    // The refused request redeemed nothing: the same refresh token rotates.
    let r = refresh(&host, &service, &refresh_token);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_token_works(&host, &text(&r.json(), "access_token"));
}

#[test]
fn a_refresh_rotates_and_reusing_an_old_refresh_token_revokes_the_family() {
    let host = HostBuilder::app().start();
    let c = connected(&host);
    let first_refresh = text(&c.tokens, "refresh_token");
    let r = refresh(&host, &c.service, &first_refresh);
    assert_eq!(r.status, 200, "{}", r.text());
    let second = r.json();
    let newest_refresh = text(&second, "refresh_token");
    let newest_access = text(&second, "access_token");
    assert_ne!(newest_refresh, first_refresh, "rotated");
    assert_eq!(second["scope"], SCOPE);
    assert_token_works(&host, &newest_access);

    // The used refresh token again (stolen and replayed, say).
    let r = refresh(&host, &c.service, &first_refresh);
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
    // The whole family is gone: the newest refresh token and access token,
    // and the first access token.
    assert_token_refused(&host, &newest_access);
    assert_token_refused(&host, &text(&c.tokens, "access_token"));
    let r = refresh(&host, &c.service, &newest_refresh);
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
}

#[test]
fn a_malformed_token_request_leaves_the_code_redeemable() {
    let host = HostBuilder::app().start();
    let service = service(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let code = Browser::new(&host).authorize(&req, PHONE);
    let secret = service.client_secret.clone().unwrap();
    let fields = exchange_fields(&req, &code);
    let body: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();

    // Not form-encoded: the same fields as JSON, then as plain text.
    let r = host.send(
        host.request(e2e::Method::POST, "/sso/token")
            .basic_auth(&service.client_id, Some(&secret))
            .json(&body),
    );
    assert_eq!(r.status, 415, "{}", r.text());
    assert_eq!(oauth_error(&r), "unsupported_media_type", "{}", r.text());
    let r = host.send(
        host.request(e2e::Method::POST, "/sso/token")
            .basic_auth(&service.client_id, Some(&secret))
            .header("content-type", "text/plain")
            .body(e2e::encode::form(&fields)),
    );
    assert_eq!(r.status, 415, "{}", r.text());

    // Form-encoded but incomplete or wrong.
    let without = |name: &str| -> Vec<(&str, &str)> {
        fields.iter().copied().filter(|(k, _)| *k != name).collect()
    };
    let r = token(&host, &service, &without("grant_type"));
    assert_eq!(refusal(&r), (400, "invalid_request".into()), "{}", r.text());
    let r = token(&host, &service, &without("code_verifier"));
    assert_eq!(refusal(&r), (400, "invalid_request".into()), "{}", r.text());
    let r = token(&host, &service, &without("code"));
    assert_eq!(refusal(&r), (400, "invalid_request".into()), "{}", r.text());
    let mut password = without("grant_type");
    password.push(("grant_type", "password"));
    let r = token(&host, &service, &password);
    assert_eq!(
        refusal(&r),
        (400, "unsupported_grant_type".into()),
        "{}",
        r.text()
    );
    let mut repeated = fields.to_vec();
    repeated.push(("grant_type", "authorization_code"));
    let r = token(&host, &service, &repeated);
    assert_eq!(refusal(&r), (400, "invalid_request".into()), "{}", r.text());

    let ok = tokens(&host, &service, &req, &code);
    assert_token_works(&host, &text(&ok, "access_token"));
}
