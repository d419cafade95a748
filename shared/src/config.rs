//! The deployment check every component runs before it serves anything
//! (docs/settings.md): outside development, the four secrets must each be at least
//! [`MIN_SECRET_BYTES`] long and `public_base_url` must be an `https://`
//! origin. A deployment that fails the check refuses every route with 503
//! `not_configured`, and `GET /api/v1/health` names the setting, so that
//! nothing — no session, no signed QR, no share link — is ever issued under
//! a guessable secret or pointing at a host a client chose.
//!
//! In `dev_mode` the secrets are not checked (the local run and the tests use
//! short throw-away values) and `public_base_url` falls back to
//! [`DEV_PUBLIC_BASE_URL`], where `edge-host up` and `spin up` listen.
//!
//! The check lives here, once; components reach it through
//! `component::serve_as`, and platform's health calls [`check`] itself.
//!
//! ```
//! use cds_shared::config::{check, Problem};
//! use cds_shared::ports::Settings;
//!
//! struct Vars(&'static [(&'static str, &'static str)]);
//! impl Settings for Vars {
//!     fn get(&self, name: &str) -> Option<String> {
//!         self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
//!     }
//! }
//! let weak = Vars(&[("token_secret", "short"), ("dev_mode", "false")]);
//! assert_eq!(check(&weak), Err(Problem::WeakSecret("token_secret")));
//! assert_eq!(check(&weak).unwrap_err().to_string(), "weak_secret:token_secret");
//! ```

use std::fmt;

use crate::delivery::is_dev_mode;
use crate::error::ApiError;
use crate::ports::Settings;

/// The secrets of docs/settings.md, in the order they are checked and reported.
pub const SECRETS: [&str; 4] = ["token_secret", "otp_pepper", "qr_secret", "admin_token"];

/// Shortest secret accepted outside development: 32 bytes is 256 bits when
/// random, the key size of the HMAC-SHA256 these secrets feed.
pub const MIN_SECRET_BYTES: usize = 32;

/// Where share links point in development when `public_base_url` is unset.
pub const DEV_PUBLIC_BASE_URL: &str = "http://127.0.0.1:3000";

/// The setting naming the public origin of share links and their QR codes.
pub const PUBLIC_BASE_URL: &str = "public_base_url";

/// What is wrong with a deployment's settings. Only names settings, never
/// their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A secret is unset or blank.
    MissingSecret(&'static str),
    /// A secret is shorter than [`MIN_SECRET_BYTES`].
    WeakSecret(&'static str),
    /// A required (non-secret) setting is unset or blank.
    MissingSetting(&'static str),
    /// A setting is set but unusable (e.g. `public_base_url` not https).
    InvalidSetting(&'static str),
}

impl Problem {
    /// The setting at fault.
    pub fn setting(&self) -> &'static str {
        match self {
            Problem::MissingSecret(s)
            | Problem::WeakSecret(s)
            | Problem::MissingSetting(s)
            | Problem::InvalidSetting(s) => s,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Problem::MissingSecret(_) => "missing_secret",
            Problem::WeakSecret(_) => "weak_secret",
            Problem::MissingSetting(_) => "missing_setting",
            Problem::InvalidSetting(_) => "invalid_setting",
        }
    }

    /// The 503 every route answers while the problem lasts.
    pub fn to_api(&self) -> ApiError {
        ApiError::NotConfigured {
            setting: self.setting(),
        }
    }
}

impl fmt::Display for Problem {
    /// `weak_secret:token_secret` — the form health reports in `config`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind(), self.setting())
    }
}

/// The first problem with the settings, or `Ok` when the deployment may
/// serve. Cheap (a handful of variable reads), so it runs on every request.
pub fn check(settings: &dyn Settings) -> Result<(), Problem> {
    if is_dev_mode(settings) {
        // Still validated when given, so a typo is seen in development too.
        return public_base_url(settings).map(|_| ());
    }
    for name in SECRETS {
        let value = settings.get(name).unwrap_or_default();
        // Trimmed as every reader trims: a trailing newline is not entropy.
        let len = value.trim().len();
        if len == 0 {
            return Err(Problem::MissingSecret(name));
        }
        if len < MIN_SECRET_BYTES {
            return Err(Problem::WeakSecret(name));
        }
    }
    public_base_url(settings).map(|_| ())
}

/// The origin (and optional path prefix) share links are built on, without
/// a trailing `/`: `https://congdanso.danang.gov.vn`.
///
/// Never derived from the request: a `Host` header is the client's to
/// choose, and a link minted from it would send a relying party (and the
/// share token) wherever the client liked. Outside development it must be
/// set and `https://`; in development it may be `http://` and defaults to
/// [`DEV_PUBLIC_BASE_URL`].
pub fn public_base_url(settings: &dyn Settings) -> Result<String, Problem> {
    let dev = is_dev_mode(settings);
    let raw = settings.get(PUBLIC_BASE_URL).unwrap_or_default();
    let raw = raw.trim();
    if raw.is_empty() {
        return if dev {
            Ok(DEV_PUBLIC_BASE_URL.to_owned())
        } else {
            Err(Problem::MissingSetting(PUBLIC_BASE_URL))
        };
    }
    let invalid = Err(Problem::InvalidSetting(PUBLIC_BASE_URL));
    let rest = match (raw.strip_prefix("https://"), raw.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if dev => rest,
        _ => return invalid,
    };
    let host = rest.split('/').next().unwrap_or("");
    let clean = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'@' | b'\\'))
    };
    if host.is_empty() || !clean(rest) {
        return invalid;
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, String>);

    impl Settings for Vars {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    const STRONG: &str = "0123456789abcdef0123456789abcdef";

    fn production() -> Vars {
        let mut m: HashMap<&'static str, String> =
            SECRETS.iter().map(|s| (*s, STRONG.to_owned())).collect();
        m.insert("dev_mode", "false".into());
        m.insert(PUBLIC_BASE_URL, "https://congdanso.example.vn".into());
        Vars(m)
    }

    fn with(mut v: Vars, name: &'static str, value: &str) -> Vars {
        v.0.insert(name, value.to_owned());
        v
    }

    #[test]
    fn strong_secrets_and_an_https_base_pass() {
        assert_eq!(check(&production()), Ok(()));
    }

    #[test]
    fn each_secret_shorter_than_32_bytes_is_refused_by_name() {
        for name in SECRETS {
            let v = with(production(), name, &STRONG[..31]);
            assert_eq!(check(&v), Err(Problem::WeakSecret(name)), "{name}");
            assert_eq!(
                check(&v).unwrap_err().to_string(),
                format!("weak_secret:{name}")
            );
            // Padding with whitespace does not make it longer.
            let padded = with(production(), name, &format!("  {}\n", &STRONG[..31]));
            assert_eq!(check(&padded), Err(Problem::WeakSecret(name)), "{name}");
        }
    }

    #[test]
    fn unset_or_blank_secrets_are_missing() {
        for name in SECRETS {
            let mut v = production();
            v.0.remove(name);
            assert_eq!(check(&v), Err(Problem::MissingSecret(name)));
            assert_eq!(
                check(&with(production(), name, " \n")),
                Err(Problem::MissingSecret(name))
            );
        }
    }

    #[test]
    fn the_refusal_is_a_503_naming_the_setting_not_its_value() {
        let v = with(production(), "qr_secret", "tiny-secret");
        let api = check(&v).unwrap_err().to_api();
        assert_eq!(api.status(), 503);
        assert_eq!(api.code(), "not_configured");
        let body = api.to_json(crate::lang::Lang::En).to_string();
        assert!(body.contains("qr_secret"), "{body}");
        assert!(!body.contains("tiny-secret"), "{body}");
    }

    #[test]
    fn dev_mode_accepts_short_secrets_and_defaults_the_base_url() {
        let mut v = Vars(HashMap::new());
        v.0.insert("dev_mode", "true".into());
        v.0.insert("token_secret", "short".into());
        assert_eq!(check(&v), Ok(()));
        assert_eq!(public_base_url(&v).unwrap(), DEV_PUBLIC_BASE_URL);
        let v = with(v, PUBLIC_BASE_URL, "http://localhost:8080/");
        assert_eq!(public_base_url(&v).unwrap(), "http://localhost:8080");
    }

    #[test]
    fn outside_dev_the_base_url_is_required_and_https() {
        let mut v = production();
        v.0.remove(PUBLIC_BASE_URL);
        assert_eq!(check(&v), Err(Problem::MissingSetting(PUBLIC_BASE_URL)));
        assert_eq!(
            check(&v).unwrap_err().to_string(),
            "missing_setting:public_base_url"
        );
        for bad in [
            "http://congdanso.example.vn",
            "congdanso.example.vn",
            "https://",
            "https://a b",
            "https://x?y=1",
            "https://u@evil",
        ] {
            let v = with(production(), PUBLIC_BASE_URL, bad);
            assert_eq!(
                check(&v),
                Err(Problem::InvalidSetting(PUBLIC_BASE_URL)),
                "{bad}"
            );
        }
        let v = with(
            production(),
            PUBLIC_BASE_URL,
            "https://city.example.vn/cds/",
        );
        assert_eq!(public_base_url(&v).unwrap(), "https://city.example.vn/cds");
    }
}
