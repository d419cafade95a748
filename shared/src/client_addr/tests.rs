//! Reading the client address through proxies, and grouping it for limits.

use std::net::IpAddr;

use super::{client_ip, parse_addr, rate_key, rate_key_of, resolve, TrustedProxies};

fn ip(s: &str) -> IpAddr {
    parse_addr(s).unwrap()
}

fn trusted(list: &str) -> TrustedProxies {
    let (t, bad) = TrustedProxies::parse(list);
    assert!(bad.is_empty(), "{bad:?}");
    t
}

fn headers(peer: &str, xff: &[&str]) -> Vec<(String, String)> {
    let mut h = vec![("spin-client-addr".to_owned(), peer.to_owned())];
    h.extend(
        xff.iter()
            .map(|v| ("x-forwarded-for".to_owned(), (*v).to_owned())),
    );
    h
}

#[test]
fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
    let none = TrustedProxies::default();
    let forged = ["198.51.100.1, 198.51.100.2"];
    assert_eq!(
        resolve(ip("203.0.113.7"), &forged, &none),
        ip("203.0.113.7")
    );
    // Trusting some other network does not make this peer trusted.
    let other = trusted("10.0.0.0/8");
    assert_eq!(
        resolve(ip("203.0.113.7"), &forged, &other),
        ip("203.0.113.7")
    );
    assert_eq!(
        client_ip(&headers("203.0.113.7:5123", &forged), &other).as_deref(),
        Some("203.0.113.7")
    );
}

#[test]
fn a_trusted_peer_hands_over_the_right_most_untrusted_hop() {
    let t = trusted("10.0.0.0/8");
    assert_eq!(
        resolve(ip("10.1.2.3"), &["203.0.113.7"], &t),
        ip("203.0.113.7")
    );
    // The client may prepend anything; only what trusted hops appended counts.
    assert_eq!(
        resolve(ip("10.1.2.3"), &["1.1.1.1, 203.0.113.7"], &t),
        ip("203.0.113.7")
    );
}

#[test]
fn several_trusted_hops_are_walked_from_the_right_across_headers() {
    let t = trusted("10.0.0.0/8, 192.168.0.0/16 2001:db8:ffff::/48");
    let chain = [
        "6.6.6.6, 203.0.113.7",
        "192.168.4.4",
        "2001:db8:ffff::9, 10.9.9.9",
    ];
    assert_eq!(resolve(ip("10.0.0.1"), &chain, &t), ip("203.0.113.7"));
    assert_eq!(
        client_ip(&headers("[2001:db8:ffff::1]:443", &chain), &t).as_deref(),
        Some("203.0.113.7")
    );
}

#[test]
fn a_malformed_hop_stops_the_walk_at_the_last_good_one() {
    let t = trusted("10.0.0.0/8");
    // Garbage right behind the trusted peer: the peer itself is all we know.
    assert_eq!(
        resolve(ip("10.0.0.1"), &["203.0.113.7, bogus"], &t),
        ip("10.0.0.1")
    );
    assert_eq!(
        resolve(ip("10.0.0.1"), &["203.0.113.7, "], &t),
        ip("10.0.0.1")
    );
    assert_eq!(
        resolve(ip("10.0.0.1"), &["unknown, 10.0.0.2"], &t),
        ip("10.0.0.2")
    );
    // Past the first untrusted hop nothing is read, garbage or not.
    assert_eq!(
        resolve(ip("10.0.0.1"), &["garbage, 203.0.113.7"], &t),
        ip("203.0.113.7")
    );
    // Only trusted hops: the left-most one.
    assert_eq!(
        resolve(ip("10.0.0.1"), &["10.0.0.3, 10.0.0.2"], &t),
        ip("10.0.0.3")
    );
    assert_eq!(resolve(ip("10.0.0.1"), &[], &t), ip("10.0.0.1"));
    // Absurdly long headers are cheap and never panic.
    let long = ",".repeat(100_000);
    assert_eq!(
        resolve(ip("10.0.0.1"), &[long.as_str()], &t),
        ip("10.0.0.1")
    );
    let many = vec!["10.0.0.9"; 1000].join(",");
    assert_eq!(
        resolve(ip("10.0.0.1"), &[many.as_str()], &t),
        ip("10.0.0.9")
    );
}

#[test]
fn hops_with_ports_and_brackets_are_read() {
    let t = trusted("10.0.0.0/8");
    assert_eq!(
        resolve(ip("10.0.0.1"), &["203.0.113.7:5123"], &t),
        ip("203.0.113.7")
    );
    assert_eq!(
        resolve(ip("10.0.0.1"), &["[2001:db8::7]:443"], &t),
        ip("2001:db8::7")
    );
    assert_eq!(
        resolve(ip("10.0.0.1"), &["[2001:db8::7]"], &t),
        ip("2001:db8::7")
    );
}

#[test]
fn no_peer_means_no_address() {
    let t = trusted("0.0.0.0/0");
    assert_eq!(
        client_ip(&[("x-forwarded-for".into(), "203.0.113.7".into())], &t),
        None
    );
    assert_eq!(client_ip(&headers("not an address", &[]), &t), None);
}

#[test]
fn trusted_proxy_lists_parse_cidrs_bare_addresses_and_skip_garbage() {
    let (t, bad) = TrustedProxies::parse(
        " 10.0.0.0/8,,192.0.2.1\n2001:db8::/32 nonsense 1.2.3.4/33 5.6.7.8/ ::ffff:172.16.0.0/108",
    );
    assert_eq!(bad, vec!["nonsense", "1.2.3.4/33", "5.6.7.8/"]);
    assert!(t.contains(ip("10.255.0.1")));
    assert!(t.contains(ip("192.0.2.1")));
    assert!(!t.contains(ip("192.0.2.2")));
    assert!(t.contains(ip("2001:db8:1::1")));
    assert!(!t.contains(ip("2001:db9::1")));
    // The IPv4-mapped CIDR is an IPv4 /12, and mapped peers match IPv4 CIDRs.
    assert!(t.contains(ip("172.31.0.1")));
    assert!(!t.contains(ip("172.32.0.1")));
    assert!(t.contains(ip("::ffff:10.0.0.1")));
    assert_eq!(TrustedProxies::parse("").0, TrustedProxies::default());
    // /0 trusts every address of its family, and only that family.
    let all4 = trusted("0.0.0.0/0");
    assert!(all4.contains(ip("8.8.8.8")) && !all4.contains(ip("2001:db8::1")));
}

#[test]
fn ipv6_clients_are_grouped_by_their_slash_64() {
    assert_eq!(rate_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
    assert_eq!(
        rate_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
        "2001:db8:1:2::/64"
    );
    assert_ne!(
        rate_key(ip("2001:db8:1:3::1")),
        rate_key(ip("2001:db8:1:2::1"))
    );
    assert_eq!(
        rate_key_of(Some("[2001:db8:1:2::5]:9000")),
        "2001:db8:1:2::/64"
    );
}

#[test]
fn ipv4_clients_count_whole_and_mapped_ipv6_counts_as_ipv4() {
    assert_eq!(rate_key(ip("203.0.113.7")), "203.0.113.7");
    assert_ne!(rate_key(ip("203.0.113.8")), rate_key(ip("203.0.113.7")));
    assert_eq!(rate_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
    assert_eq!(rate_key_of(Some("::ffff:203.0.113.7")), "203.0.113.7");
    assert_eq!(
        client_ip(
            &headers("[::ffff:203.0.113.7]:80", &[]),
            &TrustedProxies::default()
        )
        .as_deref(),
        Some("203.0.113.7")
    );
}

#[test]
fn odd_or_missing_addresses_still_get_a_bounded_key() {
    assert_eq!(rate_key_of(None), "unknown");
    assert_eq!(rate_key_of(Some("  ")), "unknown");
    assert_eq!(rate_key_of(Some("x".repeat(500).as_str())).len(), 64);
}
