//! edge-host: a small local runtime for Spin (`spin_manifest_version = 2`)
//! applications. These modules hold the pure configuration and routing logic;
//! the wasmtime engine and HTTP server build on them.

// The workspace allows missing docs; this crate is documented throughout.
#![warn(missing_docs)]

pub mod build;
pub mod host_error;
pub mod limits;
pub mod manifest;
pub mod migrations;
pub mod pg_migrations;
pub mod redis_url;
pub mod router;
pub mod runtime;
pub mod runtime_config;
pub mod variables;
