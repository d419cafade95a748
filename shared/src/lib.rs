//! Domain logic and HTTP edge helpers shared by every Công dân số component.
//!
//! Nothing here knows about Spin except `spin_adapter` (feature `spin`), which
//! implements the [`ports`] with `spin-sdk` for the components.

pub mod ports;
