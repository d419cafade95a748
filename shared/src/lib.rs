//! Domain logic and HTTP edge helpers shared by every Công dân số component.
//!
//! Nothing here knows about Spin except `spin_adapter` (feature `spin`), which
//! implements the [`ports`] with `spin-sdk`; [`component`], the one shape of
//! every component, runs on any host's [`component::Runtime`]. `pg_client` (feature
//! `pg-client`, native code only) drives the `postgres` crate the way the
//! adapter drives Spin's host.

#![warn(missing_docs)]

pub mod admin;
pub mod alerts;
pub mod apikey;
pub mod appointments;
pub mod audit;
pub mod civil;
pub mod client_addr;
pub mod component;
pub mod config;
pub mod delivery;
pub mod documents;
pub mod error;
pub mod feedback;
pub mod guard;
pub mod health;
pub mod hex;
pub mod http;
pub mod identity;
pub mod ids;
pub mod lang;
pub mod local_time;
mod messages;
pub mod notify;
pub mod otp_flow;
pub mod pagination;
#[cfg(any(test, feature = "pg-client"))]
pub mod pg_client;
pub mod phone;
pub mod ports;
pub mod purge;
pub mod qr;
pub mod rows;
#[cfg(feature = "spin")]
pub mod spin_adapter;
#[cfg(feature = "spin")]
mod spin_timed_http;
pub mod sql_dialect;
pub mod sso;
#[cfg(test)]
pub(crate) mod testing;
pub mod text;
pub mod zalo;
