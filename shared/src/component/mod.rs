//! The one shape of every component: [`entry!`](crate::entry) exports the
//! component's [`Component`] and Spin's entry for it, [`serve`] is what that
//! entry runs on the host's [`Runtime`] (Spin's, through [`serve_as`] with
//! feature `spin`; native ports in the bench-only baseline), [`Ctx`]
//! everything a handler needs for one request.
//!
//! Every `functions/<x>/src/lib.rs` looks the same:
//!
//! ```ignore
//! //! <Name> component: what it serves (docs/<topic>.md).
//!
//! mod things;
//!
//! use cds_shared::component::Ctx;
//! use cds_shared::error::ApiError;
//! use cds_shared::http::{Response, Router};
//!
//! cds_shared::entry!(routes);
//!
//! /// Every route of the component: route, decode, call, encode.
//! fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
//!     Router::new()
//!         .post("/api/v1/things", |_, _| things::create(ctx))
//!         .get("/api/v1/things/:id", |_, p| things::get(ctx, p.get("id")?))
//!         .dispatch(ctx.req)
//! }
//! ```
//!
//! A handler decodes (`json_body(ctx.req)?`), asks for what it needs
//! (`ctx.caller()?`, `ctx.ports()?`), calls the domain in `cds_shared`, and
//! encodes the answer; every error travels back with `?` as an
//! [`ApiError`](crate::error::ApiError) (domain errors convert by `From`).
//! A handler never logs an error itself: [`serve`] renders it in the
//! request's language and logs a 5xx once, with the request id and its
//! unrendered cause. Audit entries go through [`Ctx::audit`] with a typed
//! [`Actor`](crate::audit::Actor).
//!
//! The few components that answer outside the JSON API (the kiosk page's
//! security headers, Open311's error shape, platform's ungated health)
//! describe that in a `const SHAPE: Shape` and name it:
//! `cds_shared::entry!(routes, SHAPE);`.

mod ctx;
#[cfg(feature = "spin")]
mod entry;
mod runtime;
mod serve;

pub use ctx::Ctx;
#[cfg(feature = "spin")]
pub use entry::serve_as;
pub use runtime::Runtime;
pub use serve::{serve, Component, Routes, Shape};

/// A component's entry points: `entry!(routes)` exports `COMPONENT`, the
/// JSON API's [`Shape::API`] around `routes`; `entry!(routes, SHAPE)` uses
/// the component's own `const SHAPE: Shape`. Both names are items of the
/// crate root. On `wasm32` it also writes Spin's HTTP entry, which runs
/// `COMPONENT` through [`serve_as`]: `spin-sdk`'s `#[http_component]` export
/// glue is unsafe code, so it is allowed here, in its own module, and
/// nowhere else in the crate. Natively (the bench-only baseline links the
/// component crates) there is no export glue: nine components would export
/// the same symbol.
#[macro_export]
macro_rules! entry {
    ($routes:ident) => {
        $crate::entry!(@serve $routes, $crate::component::Shape::API);
    };
    ($routes:ident, $shape:ident) => {
        $crate::entry!(@serve $routes, $shape);
    };
    (@serve $routes:ident, $shape:expr) => {
        /// This component: its routes and how it answers, for any host.
        pub const COMPONENT: $crate::component::Component = $crate::component::Component {
            routes: $routes,
            shape: $shape,
        };

        #[cfg(target_arch = "wasm32")]
        #[allow(unsafe_code)]
        mod spin_entry {
            #[::spin_sdk::http_component]
            fn handle(req: ::spin_sdk::http::Request) -> ::spin_sdk::http::Response {
                $crate::component::serve_as(&req, super::COMPONENT)
            }
        }
    };
}
