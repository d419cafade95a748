//! The wasmtime side of edge-host: engine, host interfaces, stores and the
//! HTTP front. The stores and the outbound allow-list need no wasm engine and
//! build without the `runtime` feature.

#[cfg(feature = "runtime")]
pub mod body;
pub mod component;
#[cfg(feature = "runtime")]
pub mod engine;
pub mod kv;
#[cfg(feature = "runtime")]
pub mod loader;
#[cfg(feature = "runtime")]
pub mod logging;
pub mod outbound;
pub mod pool;
#[cfg(feature = "runtime")]
pub mod postgres;
#[cfg(feature = "runtime")]
pub mod server;
#[cfg(feature = "runtime")]
pub mod spin_host;
pub mod sql;
#[cfg(feature = "runtime")]
pub mod state;
pub mod statement_log;
pub mod store_trips;
