//! Native tests of the documents domain against real SQLite with the
//! shipped migrations, a fake clock and seeded randomness.

mod access_log_tests;
mod id_claim_tests;
mod issuer_tests;
mod profile_tests;
mod qr_tests;
mod share_tests;
mod vault_tests;
