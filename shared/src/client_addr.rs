//! Who sent a request, as far as limits are concerned: the client address
//! believed through trusted proxies only, and the one key every per-client
//! limit counts under (docs/identity.md and docs/settings.md; docs/identity.md "Code requests and
//! limits").
//!
//! Behind an ingress every request arrives from the ingress, so the TCP peer
//! alone would put a whole city in one bucket. `X-Forwarded-For` names the
//! real client, but anybody can send that header, so it is read only when the
//! peer is inside `trusted_proxies`, and then only as far as the chain of
//! trusted hops goes: walking from the right, the first address that is not
//! a trusted proxy is the client. A forged header from an untrusted peer
//! changes nothing. Anything that does not parse ends the walk at the last
//! good hop, so garbage can make a client's bucket coarser, never finer.
//!
//! Limits group IPv6 clients by their /64 (one subscriber line or one LAN
//! gets a /64, so counting /128s would give every attacker 2^64 buckets) and
//! IPv4 clients by their full address; IPv4-mapped IPv6 counts as IPv4.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use crate::ports::Settings;

/// The Spin variable holding the trusted proxies: CIDRs (or bare
/// addresses), separated by commas and/or whitespace; empty by default.
pub const TRUSTED_PROXIES: &str = "trusted_proxies";

/// At most this many `X-Forwarded-For` hops are looked at. Real chains have
/// one to three; the bound keeps a header of 10,000 commas cheap.
const MAX_HOPS: usize = 32;

/// The key used when the runtime did not say where a request came from: all
/// such requests share one bucket rather than none.
pub const UNKNOWN_CLIENT: &str = "unknown";

/// One trusted network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128).
    fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net = canonical(addr.parse::<IpAddr>().ok()?);
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            // An IPv4-mapped CIDR such as ::ffff:10.0.0.0/104 is canonicalised
            // to IPv4 above, so its prefix loses the 96 mapped bits.
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
                let p: u8 = p.parse().ok()?;
                let p = if net.is_ipv4() && addr.contains(':') {
                    p.checked_sub(96)?
                } else {
                    p
                };
                (p <= max).then_some(p)?
            }
            Some(_) => return None,
            None => max,
        };
        Some(Cidr { net, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u128::from(u32::from(n)), 32, self.prefix)
                    == masked(u128::from(u32::from(a)), 32, self.prefix)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                masked(u128::from(n), 128, self.prefix) == masked(u128::from(a), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The top `prefix` bits of a `width`-bit number.
fn masked(value: u128, width: u8, prefix: u8) -> u128 {
    let drop = u32::from(width.saturating_sub(prefix));
    value.checked_shr(drop).unwrap_or(0)
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Parses a list such as `"10.0.0.0/8, 192.168.1.7 2001:db8::/32"`.
    /// Entries that do not parse are skipped (and returned, so a caller can
    /// report them): trusting less only means believing fewer headers.
    pub fn parse(list: &str) -> (TrustedProxies, Vec<String>) {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for entry in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            match Cidr::parse(entry) {
                Some(c) => good.push(c),
                None => bad.push(entry.to_owned()),
            }
        }
        (TrustedProxies(good), bad)
    }

    /// `trusted_proxies` from settings; missing means none.
    pub fn from_settings(settings: &dyn Settings) -> TrustedProxies {
        settings
            .get(TRUSTED_PROXIES)
            .map(|list| TrustedProxies::parse(&list).0)
            .unwrap_or_default()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }
}

/// IPv4-mapped IPv6 (`::ffff:203.0.113.7`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// One address as runtimes and proxies write it: `203.0.113.7`,
/// `203.0.113.7:5123`, `2001:db8::1`, `[2001:db8::1]:443`, `[2001:db8::1]`.
pub fn parse_addr(text: &str) -> Option<IpAddr> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .parse::<Ipv6Addr>()
        .ok()
        .map(|ip| canonical(IpAddr::V6(ip)))
}

/// The client address of a request: the TCP `peer` itself unless it is a
/// trusted proxy; then, walking `forwarded_for` (every `X-Forwarded-For`
/// value in the order received) from the right, the first hop that is not a
/// trusted proxy. A hop that does not parse ends the walk at the last good
/// one; so does running out of hops (then the left-most, trusted, hop is the
/// client — misconfiguration shares a bucket, it never splits one).
pub fn resolve(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.contains(client) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .rev()
        .flat_map(|v| v.rsplit(','))
        .take(MAX_HOPS);
    for hop in hops {
        let Some(ip) = parse_addr(hop) else {
            break;
        };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// The client address of a request from its headers (names lower-case):
/// `spin-client-addr` is the peer, `x-forwarded-for` is read as
/// [`resolve`] says. `None` when the runtime did not name a peer (or named
/// something that is not an address).
pub fn client_ip(headers: &[(String, String)], trusted: &TrustedProxies) -> Option<String> {
    let peer = headers
        .iter()
        .find(|(k, _)| k == "spin-client-addr")
        .and_then(|(_, v)| parse_addr(v))?;
    let forwarded: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k == "x-forwarded-for")
        .map(|(_, v)| v.as_str())
        .collect();
    Some(resolve(peer, &forwarded, trusted).to_string())
}

/// The key a per-client limit counts under: IPv4 (and IPv4-mapped IPv6)
/// addresses whole, IPv6 addresses by their /64 (`2001:db8:1:2::/64`).
pub fn rate_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let net = Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX));
            format!("{net}/64")
        }
    }
}

/// [`rate_key`] of an address in text. Text that is not an address (a test
/// or a host handing over something odd) is kept — trimmed and cut to 64
/// characters, which can only merge buckets — and no text at all is
/// [`UNKNOWN_CLIENT`].
pub fn rate_key_of(addr: Option<&str>) -> String {
    let Some(text) = addr.map(str::trim).filter(|t| !t.is_empty()) else {
        return UNKNOWN_CLIENT.to_owned();
    };
    match parse_addr(text) {
        Some(ip) => rate_key(ip),
        None => text.chars().take(64).collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
