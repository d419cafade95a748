//! The wasmtime side of edge-host: engine, host interfaces, stores and the
//! HTTP front.

pub mod component;
pub mod engine;
pub mod loader;
pub mod kv;
pub mod logging;
pub mod outbound;
pub mod pool;
pub mod server;
pub mod spin_host;
pub mod sql;
pub mod state;
