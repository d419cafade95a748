//! The one test world of the native tests: a real SQLite database with every
//! shipped migration ([`TestDb`]), one double per port ([`FakeClock`],
//! [`TestRandom`], [`MapSettings`], [`MemKv`], [`FakeHttp`]) and a [`World`]
//! owning them. Domain test modules add only their own fixtures (seed data,
//! drafts) on top.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod db;
mod doubles;
mod pg;
#[cfg(test)]
mod schema_parity;
mod world;

pub use db::{
    migrate, remove_db, temp_db_path, TestDb, MIGRATION_0002, MIGRATION_0003, MIGRATION_0004,
    MIGRATION_0005, MIGRATION_0007, MIGRATION_0008, MIGRATION_0009,
};
pub use doubles::{FakeClock, FakeHttp, MapSettings, MemKv, TestRandom};
pub use world::{citizen, issuer, World, PEPPER, T0};
