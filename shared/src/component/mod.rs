//! The one shape of every component (feature `spin`): [`serve`] is the entry,
//! [`Ctx`] is everything a handler needs for one request.
//!
//! Every `functions/<x>/src/lib.rs` looks the same:
//!
//! ```ignore
//! //! <Name> component: what it serves (docs/<topic>.md).
//!
//! // `#[http_component]` generates the unsafe export glue.
//! #![allow(unsafe_code)]
//!
//! use cds_shared::component::{self, Ctx};
//! use cds_shared::error::ApiError;
//! use cds_shared::http::{Response, Router};
//!
//! #[spin_sdk::http_component]
//! fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
//!     component::serve(&req, routes)
//! }
//!
//! /// Every route of the component: route, decode, call, encode.
//! fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
//!     Router::new()
//!         .post("/api/v1/things", |_, _| create(ctx))
//!         .get("/api/v1/things/:id", |_, p| get(ctx, p.get("id")?))
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
//! describe that in a [`Shape`] and call [`serve_as`].

mod ctx;
mod entry;

pub use ctx::Ctx;
pub use entry::{serve, serve_as, Shape};
