//! The provider's configuration for one request: its issuer URL, signing
//! keys and the secret behind pairwise subjects, all from the deployment's
//! settings (docs/sso.md, "Settings").

use serde_json::{json, Value};

use super::jwt::{KeyError, KeyRing, SigningKey};
use crate::config::public_base_url;
use crate::delivery::is_dev_mode;
use crate::error::ApiError;
use crate::ports::Settings;

/// Seconds an authorization code lives.
pub const CODE_TTL: i64 = 60;
/// Seconds an access token lives.
pub const ACCESS_TTL: i64 = 600;
/// Seconds an ID token lives.
pub const ID_TOKEN_TTL: i64 = 600;
/// Seconds a refresh token lives (each use rotates it).
pub const REFRESH_TTL: i64 = 30 * 24 * 3600;

/// The setting holding the current signing key (PEM).
pub const SIGNING_KEY: &str = "sso_signing_key";
/// The setting holding the previous key during a rotation (PEM, optional).
pub const PREVIOUS_SIGNING_KEY: &str = "sso_previous_signing_key";

/// Where the provider's endpoints live, below the issuer.
pub mod paths {
    /// Discovery.
    pub const DISCOVERY: &str = "/.well-known/openid-configuration";
    /// The authorization endpoint (login and consent pages).
    pub const AUTHORIZE: &str = "/sso/authorize";
    /// The token endpoint.
    pub const TOKEN: &str = "/sso/token";
    /// The public keys.
    pub const JWKS: &str = "/sso/jwks";
    /// UserInfo.
    pub const USERINFO: &str = "/sso/userinfo";
    /// RFC 7009 revocation.
    pub const REVOKE: &str = "/sso/revoke";
    /// RP-initiated logout.
    pub const LOGOUT: &str = "/sso/logout";
    /// The document pull.
    pub const DOCUMENTS: &str = "/sso/documents";
}

/// The provider as configured.
pub struct Provider {
    /// The issuer: `public_base_url`, no trailing `/`.
    pub issuer: String,
    /// The signing keys.
    pub keys: KeyRing,
    /// `token_secret`, which keys pairwise subjects.
    pub subject_secret: Vec<u8>,
    /// Whether cookies may be sent over plain http (development only).
    pub insecure_cookies: bool,
}

impl Provider {
    /// From the settings. Outside development a missing or unreadable
    /// signing key is 503 `not_configured` naming `sso_signing_key`; in
    /// development a missing one is derived from `token_secret`.
    pub fn from_settings(settings: &dyn Settings) -> Result<Provider, ApiError> {
        let issuer = public_base_url(settings).map_err(|p| p.to_api())?;
        let token_secret = settings.get("token_secret").unwrap_or_default();
        let dev = is_dev_mode(settings);
        let read = |name: &'static str| -> Result<Option<SigningKey>, ApiError> {
            let raw = settings.get(name).unwrap_or_default();
            if raw.trim().is_empty() {
                return Ok(None);
            }
            SigningKey::from_pem(&raw)
                .map(Some)
                .map_err(|_: KeyError| ApiError::NotConfigured { setting: name })
        };
        let current = match read(SIGNING_KEY)? {
            Some(key) => key,
            None if dev => SigningKey::derive_from_secret(token_secret.trim().as_bytes()),
            None => {
                return Err(ApiError::NotConfigured {
                    setting: SIGNING_KEY,
                })
            }
        };
        let previous = read(PREVIOUS_SIGNING_KEY)?;
        Ok(Provider {
            insecure_cookies: dev && issuer.starts_with("http://"),
            issuer,
            keys: KeyRing::new(current, previous),
            subject_secret: token_secret.trim().as_bytes().to_vec(),
        })
    }

    /// The absolute URL of one of [`paths`].
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The discovery document (OpenID Connect Discovery 1.0 §3).
    pub fn discovery(&self) -> Value {
        let kinds = crate::documents::kinds::DOC_TYPES;
        let mut scopes = vec![
            "openid".to_owned(),
            "profile".into(),
            "phone".into(),
            "address".into(),
            "id_number".into(),
            "level".into(),
        ];
        scopes.extend(kinds.iter().map(|k| format!("documents:{k}")));
        json!({
            "issuer": self.issuer,
            "authorization_endpoint": self.url(paths::AUTHORIZE),
            "token_endpoint": self.url(paths::TOKEN),
            "userinfo_endpoint": self.url(paths::USERINFO),
            "jwks_uri": self.url(paths::JWKS),
            "revocation_endpoint": self.url(paths::REVOKE),
            "end_session_endpoint": self.url(paths::LOGOUT),
            "scopes_supported": scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "userinfo_signing_alg_values_supported": ["none"],
            "token_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
            "revocation_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid",
                "name", "birthdate", "gender", "phone_number", "phone_number_verified",
                "address", "id_number", "level"
            ],
            "acr_values_supported": ["provisional", "verified"],
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "authorization_response_iss_parameter_supported": true,
            "ui_locales_supported": ["vi", "en"],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MapSettings;
    use serde_json::json;

    /// Two test-only P-256 keys (made with `openssl genpkey`), as an
    /// operator would configure them; `\n` escapes as env vars carry them.
    const KEY_A: &str = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5lRq4csnur1187F7\\nwV417oJat6vMibzjfnFdTMDh9O2hRANCAATqVqX4FtOa8huSxMOxmnF4xLvwIDWe\\nziZAe3oWzctRwfU2OHvt8+4T766C1JhG24+6iUgzpVmWbrS4AJMjmZLQ\\n-----END PRIVATE KEY-----";

    fn production() -> MapSettings {
        MapSettings::default()
            .with("dev_mode", "false")
            .with("public_base_url", "https://congdanso.danang.gov.vn")
            .with("token_secret", "0123456789abcdef0123456789abcdef")
    }

    const KEY_B: &str = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgshFKF3sBJjIzr9/Q\\nKtxBlAjc+RCLFPy1s058BLVsYlmhRANCAAQPOPNFeHIS/5+XDPypKeATzJZzhlCb\\nPg2E8G/8ieI6IxzBwN1Wwy9ahj+wZl1Bj51DU+wftXV4a9Oq/NOcSqd2\\n-----END PRIVATE KEY-----";

    #[test]
    fn outside_development_the_signing_key_is_required_and_must_be_p256_pem() {
        let missing = Provider::from_settings(&production()).err();
        assert_eq!(
            missing,
            Some(ApiError::NotConfigured {
                setting: SIGNING_KEY
            })
        );
        let junk = Provider::from_settings(&production().with(SIGNING_KEY, "not a key")).err();
        assert_eq!(
            junk,
            Some(ApiError::NotConfigured {
                setting: SIGNING_KEY
            })
        );
        let ok = Provider::from_settings(&production().with(SIGNING_KEY, KEY_A));
        assert!(ok.is_ok());
    }

    #[test]
    fn a_rotation_publishes_both_keys_and_old_tokens_keep_verifying() {
        let before = Provider::from_settings(&production().with(SIGNING_KEY, KEY_A))
            .expect("usable settings");
        let old_token = before.keys.sign("JWT", &json!({"sub": "x"}));
        let during = Provider::from_settings(
            &production()
                .with(SIGNING_KEY, KEY_B)
                .with(PREVIOUS_SIGNING_KEY, KEY_A),
        )
        .expect("usable settings");
        let keys = during.keys.jwks()["keys"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(keys.len(), 2, "both keys are published during the overlap");
        assert!(during.keys.verify(&old_token).is_ok());
        let new_token = during.keys.sign("JWT", &json!({"sub": "x"}));
        assert!(before.keys.verify(&new_token).is_err(), "the new key signs");
        let after = Provider::from_settings(&production().with(SIGNING_KEY, KEY_B))
            .expect("usable settings");
        assert_eq!(after.keys.jwks()["keys"].as_array().map(Vec::len), Some(1));
        assert!(
            after.keys.verify(&old_token).is_err(),
            "dropped after the overlap"
        );
    }

    #[test]
    fn development_derives_a_stable_key_from_the_token_secret() {
        let dev = MapSettings::default()
            .with("dev_mode", "true")
            .with("token_secret", "0123456789abcdef0123456789abcdef");
        let a = Provider::from_settings(&dev).expect("usable settings");
        let b = Provider::from_settings(&dev).expect("usable settings");
        assert_eq!(a.keys.jwks(), b.keys.jwks());
        assert_eq!(a.issuer, crate::config::DEV_PUBLIC_BASE_URL);
        assert!(a.insecure_cookies, "http in development: no Secure cookie");
        let prod = Provider::from_settings(&production().with(SIGNING_KEY, KEY_A))
            .expect("usable settings");
        assert!(!prod.insecure_cookies);
    }
}
