//! The end-to-end suite, one test binary: the built `.wasm` components served
//! by the real `edge-host`, driven over HTTP the way clients, officials,
//! partner systems and operators use the app. Each module is one feature;
//! the shared test app (starting a host, admin calls, officials, citizens'
//! logins, issuers, database access, request builders) is the `e2e` library
//! in `tests/src/`.
//!
//! Run one feature with `cargo test --release -p e2e --test e2e <module>::`.
#![allow(clippy::unwrap_used, clippy::panic)]

mod admin;
mod alerts;
mod appointments;
mod client_address;
mod documents;
mod feedback;
mod identity;
mod kiosk;
mod notify;
mod platform;
mod runtime;
mod runtime_limits;
mod sso;
mod store_faults;
mod store_trips;
mod vault_limits;
mod zalo;
