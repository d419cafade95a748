//! `allowed_outbound_hosts`: which URLs a component may call, with Spin's rules.
//!
//! An entry is `scheme://host[:port]`: the scheme may be `*`; the host may be
//! `*` or `*.suffix`; the port may be a number, `*`, or a range `a..b`; without
//! a port the scheme's default applies. Paths are not allowed in entries.

use anyhow::{bail, Context};

/// One parsed `allowed_outbound_hosts` entry.
#[derive(Debug, Clone, PartialEq)]
struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    port: PortPattern,
}

#[derive(Debug, Clone, PartialEq)]
enum HostPattern {
    Any,
    Suffix(String),
    Exact(String),
}

#[derive(Debug, Clone, PartialEq)]
enum PortPattern {
    Any,
    Range(u16, u16),
}

/// The outbound allow-list of one component.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    entries: Vec<AllowedHost>,
}

impl AllowedHosts {
    /// Parses already-expanded entries (templates resolved by the caller).
    pub fn parse(entries: &[String]) -> anyhow::Result<Self> {
        let entries = entries
            .iter()
            .filter(|e| !e.trim().is_empty())
            .map(|e| {
                parse_entry(e.trim())
                    .with_context(|| format!("invalid allowed_outbound_hosts entry {e:?}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { entries })
    }

    /// Whether a request to `scheme://host:port` is allowed.
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let scheme = scheme.to_ascii_lowercase();
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let Some(port) = port.or_else(|| default_port(&scheme)) else {
            return false;
        };
        self.entries.iter().any(|e| {
            e.scheme.as_ref().is_none_or(|s| *s == scheme)
                && match &e.host {
                    HostPattern::Any => true,
                    HostPattern::Exact(h) => *h == host,
                    HostPattern::Suffix(s) => host.ends_with(s.as_str()) && host.len() > s.len(),
                }
                && match e.port {
                    PortPattern::Any => true,
                    PortPattern::Range(a, b) => (a..=b).contains(&port),
                }
        })
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        // As Spin: `postgres://host` in the allow-list and in an address.
        "postgres" => Some(5432),
        _ => None,
    }
}

fn parse_entry(entry: &str) -> anyhow::Result<AllowedHost> {
    let Some((scheme, rest)) = entry.split_once("://") else {
        bail!("expected scheme://host[:port]");
    };
    let scheme = match scheme {
        "*" => None,
        s if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-') =>
        {
            Some(s.to_ascii_lowercase())
        }
        _ => bail!("invalid scheme {scheme:?}"),
    };
    let authority = match rest.split_once('/') {
        Some((a, "")) => a,
        Some(_) => bail!("entries may not contain a path"),
        None => rest,
    };
    let (host, port) = split_host_port(authority)?;
    let host = match host.as_str() {
        "" => bail!("missing host"),
        "*" => HostPattern::Any,
        h if h.starts_with("*.") => HostPattern::Suffix(h[1..].to_owned()),
        h if h.contains('*') => {
            bail!("wildcards are only allowed as a whole host or a leading `*.`")
        }
        h => HostPattern::Exact(h.to_owned()),
    };
    let port = match port {
        Some(p) if p == "*" => PortPattern::Any,
        Some(p) => match p.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (a.parse::<u16>()?, b.parse::<u16>()?);
                if a > b {
                    bail!("empty port range");
                }
                PortPattern::Range(a, b)
            }
            None => {
                let n = p
                    .parse::<u16>()
                    .with_context(|| format!("invalid port {p:?}"))?;
                PortPattern::Range(n, n)
            }
        },
        None => match scheme.as_deref().and_then(default_port) {
            Some(n) => PortPattern::Range(n, n),
            None => bail!("a port is required for this scheme"),
        },
    };
    Ok(AllowedHost { scheme, host, port })
}

fn split_host_port(authority: &str) -> anyhow::Result<(String, Option<String>)> {
    let authority = authority.to_ascii_lowercase();
    if let Some(rest) = authority.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            bail!("unclosed IPv6 bracket");
        };
        let port = after.strip_prefix(':').map(str::to_owned);
        return Ok((host.to_owned(), port));
    }
    Ok(match authority.rsplit_once(':') {
        Some((h, p)) => (h.to_owned(), Some(p.to_owned())),
        None => (authority, None),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> AllowedHosts {
        AllowedHosts::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn default_port_follows_the_scheme() {
        let h = hosts(&["https://api.example.vn"]);
        assert!(h.allows("https", "api.example.vn", None));
        assert!(h.allows("https", "API.example.vn", Some(443)));
        assert!(!h.allows("https", "api.example.vn", Some(8443)));
        assert!(!h.allows("http", "api.example.vn", None));
    }

    #[test]
    fn explicit_port_and_wildcard_port() {
        let h = hosts(&["http://127.0.0.1:3001", "http://localhost:*"]);
        assert!(h.allows("http", "127.0.0.1", Some(3001)));
        assert!(!h.allows("http", "127.0.0.1", Some(3002)));
        assert!(h.allows("http", "localhost", Some(9999)));
    }

    #[test]
    fn subdomain_wildcard_does_not_match_the_bare_domain() {
        let h = hosts(&["https://*.zalo.me"]);
        assert!(h.allows("https", "openapi.zalo.me", None));
        assert!(!h.allows("https", "zalo.me", None));
        assert!(!h.allows("https", "evilzalo.me", None));
    }

    #[test]
    fn wildcard_scheme_needs_a_port() {
        assert!(AllowedHosts::parse(&["*://example.com".into()]).is_err());
        let h = hosts(&["*://example.com:8080"]);
        assert!(h.allows("http", "example.com", Some(8080)));
        assert!(h.allows("https", "example.com", Some(8080)));
    }

    #[test]
    fn port_ranges_are_inclusive() {
        let h = hosts(&["http://127.0.0.1:4000..4002"]);
        assert!(h.allows("http", "127.0.0.1", Some(4002)));
        assert!(!h.allows("http", "127.0.0.1", Some(4003)));
    }

    #[test]
    fn rejects_entries_with_paths_or_bad_syntax() {
        for bad in [
            "https://x.vn/api",
            "x.vn",
            "https://",
            "https://a*.vn",
            "http://x:abc",
        ] {
            assert!(AllowedHosts::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn nothing_is_allowed_by_default() {
        assert!(!AllowedHosts::default().allows("https", "example.com", None));
    }
}
