//! The provider's SQL (migration 0014): one module per table family, each
//! rule one statement (docs/consistency.md, "The OpenID Connect provider").

pub mod clients;
pub mod consents;
pub mod grants;
