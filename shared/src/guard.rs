//! The checks that stand in front of every protected route (docs/architecture.md and docs/identity.md,
//! §13): who a bearer token belongs to, whether they are an official, and
//! whether a request carries the admin token.
//!
//! Every component calls these instead of reading `Authorization` itself, so
//! that "no token", "bad token", "expired" and "revoked" look the same
//! everywhere (one 401 `unauthorized`) and no component can forget a check.
//!
//! ```
//! use cds_shared::error::ApiError;
//! use cds_shared::guard::require_admin;
//! use cds_shared::http::Request;
//! use cds_shared::ports::Settings;
//!
//! struct Vars;
//! impl Settings for Vars {
//!     fn get(&self, name: &str) -> Option<String> {
//!         (name == "admin_token").then(|| "s3cret-admin".to_owned())
//!     }
//! }
//! let req = Request::from_uri("POST", "/api/v1/admin/units")
//!     .with_header("authorization", "Bearer s3cret-admin");
//! assert_eq!(require_admin(&Vars, &req), Ok(()));
//! let wrong = Request::from_uri("POST", "/api/v1/admin/units")
//!     .with_header("authorization", "Bearer guess");
//! assert_eq!(require_admin(&Vars, &wrong), Err(ApiError::Unauthorized));
//! ```

use crate::apikey::{hash_key, key_matches};
use crate::error::ApiError;
use crate::http::Request;
use crate::identity::{authenticate, Ports, Principal, Role};
use crate::ports::Settings;

/// The caller behind `Authorization: Bearer <session token>`.
///
/// A missing or malformed header and an unknown, expired or revoked token all
/// answer 401 `unauthorized`; a store failure answers 503. A successful check
/// also slides the session's idle expiry (see [`authenticate`]).
pub fn authenticate_request(ports: Ports<'_>, req: &Request) -> Result<Principal, ApiError> {
    let token = req.bearer_token().ok_or(ApiError::Unauthorized)?;
    Ok(authenticate(ports, token)?)
}

/// 403 `forbidden` unless the caller is an official (docs/architecture.md). The role is
/// read from the account on every request, so a demotion applies at once.
pub fn require_official(principal: &Principal) -> Result<(), ApiError> {
    match principal.role {
        Role::Official => Ok(()),
        Role::Citizen => Err(ApiError::Forbidden),
    }
}

/// An authenticated official and the unit they act for.
#[derive(Debug, Clone, PartialEq)]
pub struct Official {
    /// The official's session.
    pub principal: Principal,
    /// Their unit's code.
    pub unit: String,
}

/// 403 `forbidden` unless the official has a unit: the routes that act for
/// a unit (its desk, its feedback) have nothing to act on without one.
pub fn require_unit(principal: Principal) -> Result<Official, ApiError> {
    require_official(&principal)?;
    let unit = principal.unit_code.clone().ok_or(ApiError::Forbidden)?;
    Ok(Official { principal, unit })
}

/// 401 `unauthorized` unless the request's bearer token is the `admin_token`
/// setting (docs/admin.md).
///
/// Both sides are hashed before a constant-time comparison, so neither the
/// content nor the length of the token leaks through timing. An unset or
/// blank `admin_token` refuses every request: a deployment that forgot the
/// secret must not have an open admin API.
pub fn require_admin(settings: &dyn Settings, req: &Request) -> Result<(), ApiError> {
    require_bearer_secret(settings, req, "admin_token")
}

/// The request's bearer token must equal the secret setting `name`
/// (compared through its hash, in constant time); an unset secret lets no
/// one in.
pub fn require_bearer_secret(
    settings: &dyn Settings,
    req: &Request,
    name: &str,
) -> Result<(), ApiError> {
    let expected = settings.get(name).unwrap_or_default();
    // Trimmed because secrets often arrive from files with a trailing newline.
    let expected = expected.trim();
    if expected.is_empty() {
        return Err(ApiError::Unauthorized);
    }
    let presented = req.bearer_token().ok_or(ApiError::Unauthorized)?;
    if key_matches(presented, &hash_key(expected)) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identity::{create_session, find_or_create_by_phone, logout, set_official, Client};
    use crate::phone::Phone;
    use crate::testing::{MapSettings, World};

    fn phone() -> Phone {
        Phone::parse("0905123456").unwrap()
    }

    fn with_token(token: &str) -> Request {
        Request::from_uri("GET", "/api/v1/me")
            .with_header("authorization", &format!("Bearer {token}"))
    }

    /// A citizen with a fresh web session: (account id, token).
    fn signed_in(w: &World) -> (String, String) {
        let (account, _) = find_or_create_by_phone(w.ports(), &phone(), None).unwrap();
        let session = create_session(w.ports(), &account.id, Client::Web).unwrap();
        (account.id, session.token)
    }

    #[test]
    fn a_live_session_token_names_its_citizen() {
        let w = World::new();
        let (account_id, token) = signed_in(&w);
        let p = authenticate_request(w.ports(), &with_token(&token)).unwrap();
        assert_eq!(p.account_id, account_id);
        assert_eq!(p.role, Role::Citizen);
    }

    #[test]
    fn missing_malformed_or_unknown_tokens_are_unauthorized() {
        let w = World::new();
        signed_in(&w);
        let no_header = Request::from_uri("GET", "/api/v1/me");
        let basic = Request::from_uri("GET", "/api/v1/me")
            .with_header("authorization", "Basic dXNlcjpwdw==");
        let empty = Request::from_uri("GET", "/api/v1/me").with_header("authorization", "Bearer ");
        let unknown = with_token(&"A".repeat(43));
        let garbage = with_token("not-a-token");
        for req in [no_header, basic, empty, unknown, garbage] {
            assert_eq!(
                authenticate_request(w.ports(), &req),
                Err(ApiError::Unauthorized),
                "{req:?}"
            );
        }
    }

    #[test]
    fn revoked_and_expired_sessions_are_unauthorized() {
        let w = World::new();
        let (_, token) = signed_in(&w);
        assert!(logout(w.ports(), &token).unwrap());
        assert_eq!(
            authenticate_request(w.ports(), &with_token(&token)),
            Err(ApiError::Unauthorized)
        );

        let (_, token) = signed_in(&w);
        w.clock.advance(1_801); // past the 30 min idle window of a web session
        assert_eq!(
            authenticate_request(w.ports(), &with_token(&token)),
            Err(ApiError::Unauthorized)
        );
    }

    #[test]
    fn only_officials_pass_the_official_check() {
        let w = World::new();
        let (_, token) = signed_in(&w);
        let citizen = authenticate_request(w.ports(), &with_token(&token)).unwrap();
        assert_eq!(require_official(&citizen), Err(ApiError::Forbidden));

        set_official(w.ports(), &phone(), None, "ubnd-hai-chau").unwrap();
        // Same token: the new role applies without logging in again.
        let official = authenticate_request(w.ports(), &with_token(&token)).unwrap();
        assert_eq!(require_official(&official), Ok(()));
        assert_eq!(official.unit_code.as_deref(), Some("ubnd-hai-chau"));
    }

    fn admin_settings(token: &str) -> MapSettings {
        MapSettings::default().with("admin_token", token)
    }

    #[test]
    fn admin_token_must_match_exactly() {
        let s = admin_settings("adm-0123456789abcdef");
        assert_eq!(
            require_admin(&s, &with_token("adm-0123456789abcdef")),
            Ok(())
        );
        for wrong in [
            "adm-0123456789abcde",
            "adm-0123456789abcdefX",
            "ADM-0123456789ABCDEF",
            "x",
        ] {
            assert_eq!(
                require_admin(&s, &with_token(wrong)),
                Err(ApiError::Unauthorized),
                "{wrong}"
            );
        }
        let none = Request::from_uri("GET", "/api/v1/admin/audit/verify");
        assert_eq!(require_admin(&s, &none), Err(ApiError::Unauthorized));
    }

    #[test]
    fn admin_token_setting_tolerates_a_trailing_newline() {
        let s = admin_settings("adm-secret\n");
        assert_eq!(require_admin(&s, &with_token("adm-secret")), Ok(()));
    }

    #[test]
    fn unset_or_blank_admin_token_refuses_everyone() {
        let unset = MapSettings::default();
        let blank = admin_settings("  ");
        for s in [&unset, &blank] {
            for presented in ["", " ", "null", "undefined"] {
                let req = Request::from_uri("GET", "/")
                    .with_header("authorization", &format!("Bearer {presented}"));
                assert_eq!(require_admin(s, &req), Err(ApiError::Unauthorized));
            }
        }
    }
}
