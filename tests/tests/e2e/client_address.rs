//! Client addresses end to end (docs/identity.md, "Code requests and
//! limits"): `X-Forwarded-For` believed only from `trusted_proxies`, IPv6
//! clients grouped by /64, and code limits counted per client network so a
//! stranger cannot spend a victim's codes. edge-host connects tests from
//! 127.0.0.1, so "behind a proxy" means trusting 127.0.0.0/8 and sending
//! `X-Forwarded-For` as the proxy would.

use e2e::{Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
use serde_json::json;

const VICTIM: &str = "0905123456";

/// A login code for `phone`, sent as if forwarded for `xff` (when given).
fn ask(host: &Host, phone: &str, xff: Option<&str>) -> Resp {
    let mut rb = host
        .request(Method::POST, "/api/v1/auth/otp")
        .json(&json!({"phone": phone, "channel": "sms"}));
    if let Some(xff) = xff {
        rb = rb.header("x-forwarded-for", xff);
    }
    host.send(rb)
}

fn assert_status(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text());
    if status == 429 {
        assert_eq!(r.error_code(), "rate_limited", "{}", r.text());
    }
}

/// The app behind a proxy at 127.0.0.0/8, at most `per_ip` codes an hour per
/// client network.
fn behind_proxy(per_ip: u32) -> HostBuilder {
    HostBuilder::app()
        .var("trusted_proxies", "10.0.0.0/8, 127.0.0.0/8 ::1")
        .var("otp_ip_hourly", &per_ip.to_string())
}

#[test]
fn a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    // trusted_proxies left at its default (empty): 127.0.0.1 is the client,
    // whatever the header claims.
    let host = HostBuilder::app().var("otp_ip_hourly", "2").start();
    assert_status(&ask(&host, "0905000001", Some("198.51.100.1")), 202);
    assert_status(&ask(&host, "0905000002", Some("198.51.100.2")), 202);
    let r = ask(&host, "0905000003", Some("198.51.100.3"));
    assert_status(&r, 429);
    assert!(r.header("retry-after").is_some());
    assert_status(&ask(&host, "0905000004", None), 429);

    // Trusting some other network does not make this peer trusted either.
    let other = HostBuilder::app()
        .var("otp_ip_hourly", "1")
        .var("trusted_proxies", "10.0.0.0/8")
        .start();
    assert_status(&ask(&other, "0905000001", Some("198.51.100.1")), 202);
    assert_status(&ask(&other, "0905000002", Some("198.51.100.2")), 429);
}

#[test]
fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_cap() {
    let host = behind_proxy(2).start();
    assert_status(&ask(&host, "0905000001", Some("203.0.113.5")), 202);
    assert_status(&ask(&host, "0905000002", Some("203.0.113.5")), 202);
    assert_status(&ask(&host, "0905000003", Some("203.0.113.5")), 429);
    // The client cannot escape by prepending hops: the right-most untrusted
    // address is what counts, and trusted hops are walked past.
    assert_status(
        &ask(&host, "0905000003", Some("9.9.9.9, 203.0.113.5, 10.1.1.1")),
        429,
    );
    // Another client behind the same proxy is not blocked by the first.
    assert_status(&ask(&host, "0905000003", Some("9.9.9.9, 203.0.113.9")), 202);
    assert_status(&ask(&host, "0905000004", Some("203.0.113.9:40123")), 202);
    // A garbled header ends the walk at the proxy itself: one shared bucket,
    // never an answer other than the usual ones.
    assert_status(
        &ask(&host, "0905000005", Some("203.0.113.77, not-an-ip")),
        202,
    );
    assert_status(&ask(&host, "0905000006", Some("203.0.113.78, ???")), 202);
    assert_status(&ask(&host, "0905000007", Some("203.0.113.79, ,")), 429);
}

#[test]
fn ipv6_clients_share_a_bucket_per_slash_64() {
    let host = behind_proxy(2).start();
    assert_status(&ask(&host, "0905000001", Some("2001:db8:1:2::1")), 202);
    assert_status(&ask(&host, "0905000002", Some("2001:db8:1:2:aaaa::2")), 202);
    // A third address of the same /64 is the same client.
    assert_status(
        &ask(&host, "0905000003", Some("[2001:db8:1:2:ffff::3]:443")),
        429,
    );
    // The neighbouring /64 is another one.
    assert_status(&ask(&host, "0905000003", Some("2001:db8:1:3::1")), 202);
    // IPv4-mapped IPv6 is the IPv4 address.
    assert_status(&ask(&host, "0905000004", Some("::ffff:198.51.100.7")), 202);
    assert_status(&ask(&host, "0905000005", Some("198.51.100.7")), 202);
    assert_status(&ask(&host, "0905000006", Some("::ffff:198.51.100.7")), 429);
}

#[test]
fn a_targeted_denial_from_one_network_does_not_stop_the_victims_login() {
    let host = behind_proxy(30)
        .var("otp_resend_seconds", "0")
        .var("otp_phone_hourly", "2")
        .var("otp_phone_daily", "3")
        .start();
    // The attacker asks for the victim's codes until refused, and then some.
    let answers: Vec<u16> = (0..6)
        .map(|_| ask(&host, VICTIM, Some("198.51.100.66")).status)
        .collect();
    assert_eq!(answers, [202, 202, 429, 429, 429, 429]);
    // The victim, on their own network, gets a code at once and logs in.
    let r = ask(&host, VICTIM, Some("203.0.113.10"));
    assert_status(&r, 202);
    let challenge_id = r.json()["challenge_id"].as_str().unwrap().to_owned();
    let outbox = host.get(&format!("/api/v1/dev/outbox?phone={VICTIM}"));
    let code = outbox.json()["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = host.post_json(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(login.status, 200, "{}", login.text());
    assert_eq!(login.json()["citizen"]["phone"], "+84905123456");
    // Sign-up counts the same way.
    let r = host.send(
        host.request(Method::POST, "/api/v1/signup")
            .header("x-forwarded-for", "198.51.100.66")
            .json(&json!({"phone": VICTIM, "channel": "sms"})),
    );
    assert_status(&r, 429);
}

#[test]
fn strangers_on_many_networks_leave_a_bounded_number_of_unused_codes() {
    let host = behind_proxy(30)
        .var("otp_resend_seconds", "0")
        .var("otp_phone_total_15min", "3")
        .start();
    for n in 1..=3 {
        assert_status(&ask(&host, VICTIM, Some(&format!("198.51.100.{n}"))), 202);
    }
    // The phone's all-networks cap: a fourth stranger is refused.
    assert_status(&ask(&host, VICTIM, Some("198.51.100.4")), 429);
}

/// A kiosk key from the admin API.
fn kiosk_key(host: &Host, code: &str) -> String {
    e2e::admin::kiosk_key(
        host,
        &json!({"code": code, "name": "Kiosk Trung tâm Hành chính công"}),
    )
}

/// A login code for `phone` asked by the kiosk holding `key`.
fn ask_as_kiosk(host: &Host, phone: &str, key: &str, path: &str) -> Resp {
    host.send(
        host.request(Method::POST, path)
            .header("x-kiosk-key", key)
            .json(&json!({"phone": phone, "channel": "sms", "client": "kiosk"})),
    )
}

#[test]
fn a_registered_kiosk_has_its_own_allowance_instead_of_the_per_ip_one() {
    let host = HostBuilder::app()
        .var("otp_ip_hourly", "2")
        .var("otp_kiosk_hourly", "5")
        .start();
    let key = kiosk_key(&host, "kiosk-hcc-01");
    // Five citizens at the kiosk, more than the per-IP two of its address.
    for n in 1..=4 {
        assert_status(
            &ask_as_kiosk(&host, &format!("090500000{n}"), &key, "/api/v1/auth/otp"),
            202,
        );
    }
    assert_status(
        &ask_as_kiosk(&host, "0905000005", &key, "/api/v1/signup"),
        202,
    );
    assert_status(
        &ask_as_kiosk(&host, "0905000006", &key, "/api/v1/auth/otp"),
        429,
    );
    // Unregistered clients on the same address keep their own two.
    assert_status(&ask(&host, "0905000007", None), 202);
    assert_status(&ask(&host, "0905000008", None), 202);
    assert_status(&ask(&host, "0905000009", None), 429);
    // Another kiosk has its own allowance.
    let other = kiosk_key(&host, "kiosk-hcc-02");
    assert_status(
        &ask_as_kiosk(&host, "0905000009", &other, "/api/v1/auth/otp"),
        202,
    );
}

#[test]
fn a_bad_revoked_or_foreign_kiosk_key_is_refused() {
    let host = HostBuilder::app().start();
    let key = kiosk_key(&host, "kiosk-hcc-01");
    let r = ask_as_kiosk(&host, "0905000001", &format!("{key}x"), "/api/v1/auth/otp");
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthorized"),
        "{}",
        r.text()
    );
    let r = ask_as_kiosk(&host, "0905000001", "", "/api/v1/signup");
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthorized"),
        "{}",
        r.text()
    );
    // An issuer's key is real but not a kiosk's.
    let issuer = host.post_json_auth(
        "/api/v1/admin/issuers",
        ADMIN_TOKEN,
        &json!({"code": "so-tu-phap", "name": "Sở Tư pháp"}),
    );
    let issuer = issuer.json()["api_key"].as_str().unwrap().to_owned();
    let r = ask_as_kiosk(&host, "0905000001", &issuer, "/api/v1/auth/otp");
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "key_scope"),
        "{}",
        r.text()
    );
    // Revoked: refused from that moment on.
    assert_status(
        &ask_as_kiosk(&host, "0905000001", &key, "/api/v1/auth/otp"),
        202,
    );
    let revoked = host.post_json_auth(
        "/api/v1/admin/keys/kiosk-hcc-01/revoke",
        ADMIN_TOKEN,
        &json!({}),
    );
    assert!(revoked.status < 300, "{}", revoked.text());
    let r = ask_as_kiosk(&host, "0905000002", &key, "/api/v1/auth/otp");
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthorized"),
        "{}",
        r.text()
    );
    // No code went out for any refused request.
    let outbox = host.get("/api/v1/dev/outbox?phone=0905000002");
    assert_eq!(outbox.json()["items"], json!([]));
}

#[test]
fn a_registered_kiosk_serves_the_victim_when_strangers_spent_the_phones_budget() {
    let host = behind_proxy(30)
        .var("otp_resend_seconds", "0")
        .var("otp_phone_total_15min", "2")
        .start();
    let key = kiosk_key(&host, "kiosk-hcc-01");
    assert_status(&ask(&host, VICTIM, Some("198.51.100.1")), 202);
    assert_status(&ask(&host, VICTIM, Some("198.51.100.2")), 202);
    assert_status(&ask(&host, VICTIM, Some("203.0.113.10")), 429);
    // At the public-service centre the citizen gets a code and logs in.
    let r = ask_as_kiosk(&host, VICTIM, &key, "/api/v1/auth/otp");
    assert_status(&r, 202);
    let challenge_id = r.json()["challenge_id"].as_str().unwrap().to_owned();
    let outbox = host.get(&format!("/api/v1/dev/outbox?phone={VICTIM}"));
    let code = outbox.json()["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = host.post_json(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(login.status, 200, "{}", login.text());
}
