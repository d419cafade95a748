//! Native tests of the appointments domain against real SQLite with the
//! shipped migrations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub(crate) mod support;

mod booking;
mod changes;
mod checkin;
mod concurrency;
mod desk;
mod schedule;
