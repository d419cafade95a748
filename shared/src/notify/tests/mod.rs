//! Native tests of the notification rules against the shipped migrations on
//! SQLite and, with `CDS_TEST_SQL=postgres`, on PostgreSQL: what a citizen
//! would notice if a notice went missing, came twice, arrived in the night
//! or was lost when a provider failed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dispatch_tests;
mod events_tests;
mod inbox_tests;
mod providers;
mod settings_tests;
