//! Racing redemptions, each request on a node of its own (round-robin over
//! the nodes on the PostgreSQL setup; one node on the embedded one): a code
//! or a refresh token is redeemed at most once, and the racing copies are
//! what they are, replays, which revoke the grant.
//!
//! Exactly one success is not what the provider promises
//! (`cds_shared::sso::token::exchange_code`): a replay, concurrent or later,
//! revokes the grant, and when a racing copy's revocation lands before the
//! first redemption has loaded the grant, that one is refused too. Either
//! way no token of the grant works once the race is over.

use super::*;

/// How many requests race.
const RACERS: usize = 8;

/// Sends `fields` to `/sso/token` as `service` from `RACERS` threads at once,
/// racer `i` on node `i mod nodes`; `(status, error, body of a 200)` of each.
fn race(
    host: &Arc<Host>,
    service: &Service,
    fields: Vec<(String, String)>,
) -> Vec<(u16, String, Option<Value>)> {
    let (h, s) = (host.clone(), service.clone());
    parallel(RACERS, move |i| {
        let url = format!("{}/sso/token", h.node_url(i % h.node_count()));
        let form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = e2e::sso::token_at(&h, &url, &s, &form);
        if r.status == 200 {
            (200, String::new(), Some(r.json()))
        } else {
            (r.status, oauth_error(&r), None)
        }
    })
}

/// At most one racer got tokens and every other one `invalid_grant`; the
/// token responses (none or one).
fn at_most_one_won(answers: &[(u16, String, Option<Value>)]) -> Vec<Value> {
    let summary: Vec<_> = answers.iter().map(|a| (a.0, &a.1)).collect();
    let won: Vec<Value> = answers.iter().filter_map(|a| a.2.clone()).collect();
    assert!(won.len() <= 1, "{summary:?}");
    assert!(
        answers
            .iter()
            .all(|a| a.0 == 200 || (a.0, a.1.as_str()) == (400, "invalid_grant")),
        "{summary:?}"
    );
    won
}

/// How many rows of `table` (an `sso_*` table with `grant_id`) belong to
/// `service`'s grants.
fn rows_of(host: &Host, table: &str, service: &Service) -> i64 {
    db(host).int(
        &format!(
            "SELECT count(*) FROM {table} t JOIN sso_grants g ON g.id = t.grant_id \
             WHERE g.client_id = ?1"
        ),
        params![service.client_id.as_str()],
    )
}

/// How many of `service`'s grants are live.
fn live_grants(host: &Host, service: &Service) -> i64 {
    db(host).int(
        "SELECT count(*) FROM sso_grants WHERE client_id = ?1 AND revoked_at IS NULL",
        params![service.client_id.as_str()],
    )
}

#[test]
fn parallel_redemptions_of_one_code_across_nodes_issue_at_most_once() {
    let host = Arc::new(HostBuilder::app().start());
    let service = service(&host);
    let req = AuthRequest::new(&service, SCOPE);
    let code = Browser::new(&host).authorize(&req, PHONE);
    let fields = exchange_fields(&req, &code)
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let won = at_most_one_won(&race(&host, &service, fields));
    // One redemption issued at most one access and one refresh token.
    assert_eq!(
        rows_of(&host, "sso_access_tokens", &service),
        won.len() as i64
    );
    assert_eq!(
        rows_of(&host, "sso_refresh_tokens", &service),
        won.len() as i64
    );
    // The copies were replays: the grant is revoked, whatever was issued is dead.
    assert_eq!(live_grants(&host, &service), 0);
    for tokens in &won {
        assert_token_refused(&host, &text(tokens, "access_token"));
        let r = refresh(&host, &service, &text(tokens, "refresh_token"));
        assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
    }
    let r = exchange(&host, &service, &req, &code);
    assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
}

#[test]
fn parallel_refreshes_of_one_refresh_token_across_nodes_rotate_at_most_once() {
    let host = Arc::new(HostBuilder::app().start());
    let c = connected(&host);
    let fields = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), text(&c.tokens, "refresh_token")),
    ];
    let won = at_most_one_won(&race(&host, &c.service, fields));
    // The first refresh token and at most one successor, each with its
    // access token.
    let issued = 1 + won.len() as i64;
    assert_eq!(rows_of(&host, "sso_refresh_tokens", &c.service), issued);
    assert_eq!(rows_of(&host, "sso_access_tokens", &c.service), issued);
    // Reuse: the family is revoked, the first tokens and any successor.
    assert_eq!(live_grants(&host, &c.service), 0);
    for tokens in won.iter().chain([&c.tokens]) {
        assert_token_refused(&host, &text(tokens, "access_token"));
        let r = refresh(&host, &c.service, &text(tokens, "refresh_token"));
        assert_eq!(refusal(&r), (400, "invalid_grant".into()), "{}", r.text());
    }
}
