//! Behaviour tests of the OpenID provider's domain rules, run against the
//! shipped migration on SQLite and, with `CDS_TEST_SQL=postgres`, on
//! PostgreSQL: what a city service or a citizen would notice if a rule of
//! docs/sso.md or docs/consistency.md ("The OpenID Connect provider") broke.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authorize_tests;
mod claims_tests;
mod client_auth_tests;
mod code_tests;
mod consent_tests;
mod helpers;
mod refresh_tests;
mod registration_tests;
mod revocation_tests;
