//! Behaviour tests for identity, run against the shipped migration.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account_tests;
mod code_tests;
mod concurrency;
mod helpers;
mod lockout_tests;
mod network_tests;
mod policy_tests;
mod session_tests;
mod start_tests;
mod time_tests;
mod verify_tests;
