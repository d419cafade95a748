//! Domain logic and HTTP edge helpers shared by every Công dân số component.
//!
//! Nothing here knows about Spin except `spin_adapter` (feature `spin`), which
//! implements the [`ports`] with `spin-sdk` for the components.

pub mod config;
pub mod error;
pub mod guard;
pub mod http;
pub mod identity;
pub mod lang;
pub mod pagination;
pub mod phone;
pub mod ports;
pub mod admin;
pub mod civil;
pub mod client_addr;
pub mod apikey;
pub mod audit;
pub mod delivery;
pub mod feedback;
pub mod zalo;
pub mod appointments;
pub mod documents;
#[cfg(feature = "spin")]
pub mod spin_adapter;
#[cfg(feature = "spin")]
pub mod otp_flow;
#[cfg(test)]
pub(crate) mod testing;
