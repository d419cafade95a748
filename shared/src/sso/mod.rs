//! The OpenID Connect provider (docs/sso.md): city services log citizens in
//! through the platform and, with the citizen's consent per scope, reuse the
//! profile and the documents already in the vault instead of asking again.
//!
//! Plain domain logic behind the [`crate::ports`], like identity: the
//! `sso` component routes, decodes, calls these and encodes. Each rule that
//! must hold under concurrent requests on several nodes (a code redeemed
//! once, a refresh token rotated once, a client assertion used once) is one
//! atomic statement in [`store`] (docs/consistency.md).

pub mod authorize;
pub mod claims;
pub mod client;
pub mod client_auth;
pub mod error;
pub mod housekeeping;
pub mod jwt;
pub mod pkce;
pub mod provider;
pub mod resource;
pub mod scope;
pub mod store;
pub mod subject;
pub mod token;

pub use error::{SsoError, MESSAGES};

#[cfg(test)]
mod tests;
