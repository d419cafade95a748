//! The `url` of a `[key_value_store.<label>] type = "redis"` store, checked
//! when the runtime config is read so a typo fails at start, not at the first
//! request.
//!
//! The URL is what Spin's Redis store takes (`redis://[user:password@]host[:port][/db]`);
//! the database number keeps labels apart, as it does in Spin, which puts each
//! label's keys unprefixed into the database its URL names. The password never
//! leaves this type except to connect: `Debug` and `Display` show only the
//! server and database.

use std::fmt;

use anyhow::bail;
use redis::{ConnectionAddr, IntoConnectionInfo};

/// A parsed, supported Redis URL.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl {
    url: String,
    server: String,
    db: i64,
}

impl RedisUrl {
    /// Parses `url`. Refuses anything the `redis` crate cannot connect to
    /// here: other schemes, TLS (`rediss://`, which edge-host is not built
    /// with; real Spin supports it) and a negative database.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("rediss://") || url.starts_with("valkeys://") {
            bail!(
                "TLS Redis URLs (rediss://) are not supported by edge-host; use redis:// on a private network, or the Spin CLI, which supports TLS"
            );
        }
        if redis::parse_redis_url(url).is_none() {
            bail!(
                "`url` must be a Redis URL such as redis://host:6379/0 (redis://[user:password@]host[:port][/db])"
            );
        }
        // The crate's message never repeats the URL, so it cannot leak a password.
        let info = match url.into_connection_info() {
            Ok(info) => info,
            Err(e) => bail!("`url` is not a usable Redis URL: {e}"),
        };
        let server = match info.addr() {
            ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
            ConnectionAddr::Unix(path) => format!("unix:{}", path.display()),
            _ => bail!("`url` names a Redis connection edge-host cannot open"),
        };
        if !info.addr().is_supported() {
            bail!("`url` names a Redis connection edge-host cannot open ({server})");
        }
        let db = info.redis_settings().db();
        if db < 0 {
            bail!("`url` names database {db}; Redis databases are numbered from 0");
        }
        Ok(Self {
            url: url.to_owned(),
            server,
            db,
        })
    }

    /// The URL as written, credentials included: only for connecting.
    pub fn connect_url(&self) -> &str {
        &self.url
    }

    /// `host:port` (or `unix:path`), without credentials.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The database number (0 when the URL names none).
    pub fn db(&self) -> i64 {
        self.db
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redis database {} on {}", self.db, self.server)
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn host_port_and_database_are_read() {
        let u = RedisUrl::parse("redis://cache.internal:6380/3").unwrap();
        assert_eq!((u.server(), u.db()), ("cache.internal:6380", 3));
        assert_eq!(u.connect_url(), "redis://cache.internal:6380/3");
    }

    #[test]
    fn port_and_database_default_like_redis() {
        let u = RedisUrl::parse("redis://127.0.0.1").unwrap();
        assert_eq!((u.server(), u.db()), ("127.0.0.1:6379", 0));
        assert_eq!(RedisUrl::parse("redis://h:1/").unwrap().db(), 0);
    }

    #[test]
    fn password_is_kept_for_connecting_but_never_shown() {
        let u = RedisUrl::parse("redis://app:s3cr3t-pw@h:6379/1").unwrap();
        assert!(u.connect_url().contains("s3cr3t-pw"));
        for shown in [u.to_string(), format!("{u:?}")] {
            assert!(!shown.contains("s3cr3t-pw"), "{shown}");
            assert!(shown.contains("h:6379") && shown.contains('1'), "{shown}");
        }
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_them() {
        for bad in [
            "",
            "localhost:6379",
            "http://h:6379",
            "postgres://u:s3cr3t-pw@h/db",
            "redis://u:s3cr3t-pw@h:6379/notanumber",
        ] {
            let e = format!("{:#}", RedisUrl::parse(bad).unwrap_err());
            assert!(e.contains("url"), "{bad}: {e}");
            assert!(!e.contains("s3cr3t-pw"), "{bad}: {e}");
        }
    }

    #[test]
    fn tls_is_refused_with_a_pointer_to_spin() {
        let e = RedisUrl::parse("rediss://h:6380/0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rediss") && e.contains("Spin"), "{e}");
    }
}
