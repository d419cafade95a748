//! The components of `spin.toml` by id: each crate's own `COMPONENT`, so the
//! baseline answers with the very route tables the `.wasm` files run.

use cds_shared::component::Component;

/// The component a manifest id names, `None` for one this build lacks.
pub fn by_id(id: &str) -> Option<Component> {
    Some(match id {
        "admin" => admin::COMPONENT,
        "appointments" => appointments::COMPONENT,
        "auth" => auth::COMPONENT,
        "documents" => documents::COMPONENT,
        "feedback" => feedback::COMPONENT,
        "kiosk" => kiosk::COMPONENT,
        "platform" => platform::COMPONENT,
        "signup" => signup::COMPONENT,
        "zalo" => zalo::COMPONENT,
        _ => return None,
    })
}
