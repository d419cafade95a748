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
