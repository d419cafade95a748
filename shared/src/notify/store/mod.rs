//! The notification statements, one per rule (docs/consistency.md,
//! "Notifications").

pub(crate) mod dispatch;
pub(crate) mod inbox;
pub(crate) mod settings;
