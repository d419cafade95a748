//! The authorization request (OIDC Core §3.1.2.1): until the client and its
//! exact redirect URI are known a refusal is the platform's error page
//! (never a redirect to an unchecked URI); after that it goes back to the
//! client with the OAuth error code.

use serde_json::json;

use super::helpers::{auth_params, new_client, pkce, public, set, without, NONCE, REDIRECT, STATE};
use crate::sso::authorize::{parse_request, AuthRequest, Prompt, Refusal};
use crate::sso::client::{disable, register, RelyingParty};
use crate::sso::SsoError;
use crate::testing::World;

/// A public client allowed `openid profile phone`.
fn client(w: &World) -> RelyingParty {
    public(w, "openid profile phone")
}

fn good(client: &RelyingParty) -> Vec<(String, String)> {
    auth_params(&client.id, "openid profile", &pkce(1).challenge)
}

fn parse(w: &World, params: &[(String, String)]) -> Result<AuthRequest, Refusal> {
    parse_request(&w.db, params)
}

/// The error code of a refusal sent back to the client, checking it goes
/// to the registered URI with the request's state.
fn redirected(w: &World, params: &[(String, String)]) -> &'static str {
    match parse(w, params) {
        Err(Refusal::Redirect {
            redirect_uri,
            state,
            error,
            ..
        }) => {
            assert_eq!(redirect_uri, REDIRECT);
            assert_eq!(state.as_deref(), Some(STATE));
            error
        }
        other => panic!("expected a redirect with an error, got {other:?}"),
    }
}

/// Whether the refusal is the error page.
fn page(w: &World, params: &[(String, String)]) -> SsoError {
    match parse(w, params) {
        Err(Refusal::Page(e)) => e,
        other => panic!("expected the error page, got {other:?}"),
    }
}

#[test]
fn a_good_request_is_accepted_as_asked() {
    let w = World::new();
    let c = client(&w);
    let params = set(&good(&c), "scope", "profile openid");
    let req = parse(&w, &params).unwrap();
    assert_eq!(req.client.id, c.id);
    assert_eq!(req.redirect_uri, REDIRECT);
    assert_eq!(req.scopes.to_string(), "openid profile");
    assert_eq!(req.state.as_deref(), Some(STATE));
    assert_eq!(req.nonce.as_deref(), Some(NONCE));
    assert_eq!(req.code_challenge, pkce(1).challenge);
    assert_eq!(req.prompt, Prompt::Default);
    // The hidden fields the pages carry parse back to the same request.
    let carried: Vec<(String, String)> = req
        .params()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let again = parse(&w, &carried).unwrap();
    assert_eq!(again.params(), req.params());
}

#[test]
fn an_unknown_or_disabled_client_gets_the_error_page() {
    let w = World::new();
    let c = client(&w);
    let params = good(&c);
    assert_eq!(
        page(&w, &set(&params, "client_id", "rp_NoSuchService")),
        SsoError::InvalidClient
    );
    assert_eq!(
        page(&w, &set(&params, "client_id", "portal'--")),
        SsoError::InvalidClient
    );
    assert!(matches!(
        page(&w, &without(&params, "client_id")),
        SsoError::InvalidRequest(_)
    ));
    assert!(parse(&w, &params).is_ok());
    disable(w.ports(), &c.id).unwrap();
    assert_eq!(page(&w, &params), SsoError::InvalidClient);
}

#[test]
fn a_redirect_uri_not_registered_exactly_gets_the_error_page() {
    let w = World::new();
    let (c, _) = register(
        w.ports(),
        new_client(
            "public",
            "openid",
            json!({ "redirect_uris": [REDIRECT, "http://127.0.0.1:8765/cb"] }),
        ),
    )
    .unwrap();
    let params = good(&c);
    let params = set(&params, "scope", "openid");
    assert!(parse(&w, &params).is_ok());
    assert!(parse(
        &w,
        &set(&params, "redirect_uri", "http://127.0.0.1:8765/cb")
    )
    .is_ok());
    let prefix = &REDIRECT[..REDIRECT.len() - 3];
    for wrong in [
        prefix.to_owned(),
        format!("{REDIRECT}/../../evil"),
        format!("{REDIRECT}x"),
        format!("{REDIRECT}?next=https://evil.example"),
        REDIRECT.replace("https://", "http://"),
        REDIRECT.replace("dichvucong", "DICHVUCONG"),
        REDIRECT.replace(".gov.vn", ".gov.vn:8443"),
        "http://127.0.0.1:8766/cb".to_owned(),
        "http://127.0.0.1/cb".to_owned(),
        "http://localhost:8765/cb".to_owned(),
        "https://evil.example/cb".to_owned(),
    ] {
        assert!(
            matches!(
                page(&w, &set(&params, "redirect_uri", &wrong)),
                SsoError::InvalidRequest(_)
            ),
            "{wrong}"
        );
    }
    assert!(matches!(
        page(&w, &without(&params, "redirect_uri")),
        SsoError::InvalidRequest(_)
    ));
    // Even a request wrong in every other way shows the page, not a
    // redirect, while the redirect URI is unchecked.
    let mut bad = set(&params, "redirect_uri", "https://evil.example/cb");
    bad = set(&bad, "response_type", "token");
    bad = without(&bad, "code_challenge");
    assert!(matches!(page(&w, &bad), SsoError::InvalidRequest(_)));
}

#[test]
fn a_response_type_other_than_code_goes_back_as_unsupported_response_type() {
    let w = World::new();
    let params = good(&client(&w));
    for kind in ["token", "id_token", "code id_token", "code token"] {
        assert_eq!(
            redirected(&w, &set(&params, "response_type", kind)),
            "unsupported_response_type",
            "{kind}"
        );
    }
    assert_eq!(
        redirected(&w, &without(&params, "response_type")),
        "invalid_request"
    );
    assert_eq!(
        redirected(&w, &set(&params, "response_mode", "fragment")),
        "invalid_request"
    );
    assert!(parse(&w, &set(&params, "response_mode", "query")).is_ok());
    assert_eq!(
        redirected(&w, &set(&params, "request", "eyJhbGciOiJub25lIn0.e30.")),
        "request_not_supported"
    );
}

#[test]
fn a_scope_without_openid_or_not_allowed_for_the_client_goes_back_as_invalid_scope() {
    let w = World::new();
    let params = good(&client(&w));
    for scope in [
        "profile",
        "",
        "openid id_number",
        "openid profile address",
        "openid documents:birth_certificate",
        "openid email",
    ] {
        assert_eq!(
            redirected(&w, &set(&params, "scope", scope)),
            "invalid_scope",
            "{scope:?}"
        );
    }
    assert!(parse(&w, &set(&params, "scope", "openid phone profile")).is_ok());
}

#[test]
fn pkce_s256_is_required() {
    let w = World::new();
    let params = good(&client(&w));
    let challenge = pkce(1).challenge;
    for (why, request) in [
        (
            "no PKCE",
            without(&without(&params, "code_challenge"), "code_challenge_method"),
        ),
        ("no challenge", without(&params, "code_challenge")),
        (
            "no method (plain by default)",
            without(&params, "code_challenge_method"),
        ),
        ("plain", set(&params, "code_challenge_method", "plain")),
        ("plain with a verifier as challenge", {
            let p = set(&params, "code_challenge_method", "plain");
            set(&p, "code_challenge", &pkce(1).verifier)
        }),
        ("short", set(&params, "code_challenge", &challenge[..42])),
        (
            "long",
            set(&params, "code_challenge", &format!("{challenge}A")),
        ),
        (
            "padded",
            set(&params, "code_challenge", &format!("{}=", &challenge[..42])),
        ),
        (
            "not base64url",
            set(&params, "code_challenge", &format!("+{}", &challenge[1..])),
        ),
        ("S512", set(&params, "code_challenge_method", "S512")),
    ] {
        assert_eq!(redirected(&w, &request), "invalid_request", "{why}");
    }
}

#[test]
fn a_repeated_parameter_is_refused() {
    let w = World::new();
    let params = good(&client(&w));
    let twice = |name: &str, value: &str| {
        let mut p = params.clone();
        // Twice more: repeated whether or not the request had it.
        p.push((name.to_owned(), value.to_owned()));
        p.push((name.to_owned(), value.to_owned()));
        p
    };
    // Before the redirect URI is trusted: the page.
    let c = params[1].1.clone();
    assert!(matches!(
        page(&w, &twice("client_id", &c)),
        SsoError::InvalidRequest(_)
    ));
    assert!(matches!(
        page(&w, &twice("redirect_uri", REDIRECT)),
        SsoError::InvalidRequest(_)
    ));
    // After: back to the client.
    for (name, value) in [
        ("scope", "openid"),
        ("response_type", "code"),
        ("code_challenge", pkce(2).challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("nonce", "another"),
        ("prompt", "none"),
    ] {
        assert_eq!(
            redirected(&w, &twice(name, value)),
            "invalid_request",
            "{name}"
        );
    }
    // A repeated state is not echoed: neither value is the request's.
    match parse(&w, &twice("state", "other")) {
        Err(Refusal::Redirect {
            error,
            state,
            redirect_uri,
            ..
        }) => {
            assert_eq!(
                (error, state, redirect_uri.as_str()),
                ("invalid_request", None, REDIRECT)
            );
        }
        other => panic!("expected a redirect, got {other:?}"),
    }
}

#[test]
fn an_overlong_state_or_nonce_is_refused() {
    let w = World::new();
    let params = good(&client(&w));
    assert!(parse(&w, &set(&params, "state", &"s".repeat(512))).is_ok());
    assert!(matches!(
        parse(&w, &set(&params, "state", &"s".repeat(513))),
        Err(Refusal::Redirect {
            error: "invalid_request",
            ..
        })
    ));
    assert_eq!(
        redirected(&w, &set(&params, "nonce", &"n".repeat(513))),
        "invalid_request"
    );
}

#[test]
fn prompt_none_login_and_consent_are_read_and_others_refused() {
    let w = World::new();
    let params = good(&client(&w));
    for (value, prompt) in [
        ("none", Prompt::None),
        ("login", Prompt::Login),
        ("consent", Prompt::Consent),
        ("", Prompt::Default),
    ] {
        assert_eq!(
            parse(&w, &set(&params, "prompt", value)).unwrap().prompt,
            prompt,
            "{value:?}"
        );
    }
    for value in ["select_account", "login consent", "NONE"] {
        assert_eq!(
            redirected(&w, &set(&params, "prompt", value)),
            "invalid_request",
            "{value}"
        );
    }
}
