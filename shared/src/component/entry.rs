//! [`serve_as`]: Spin's request in, [`super::serve`] on Spin's host, Spin's
//! response out (feature `spin`).

use spin_sdk::http::{Request as SpinRequest, Response as SpinResponse};

use super::{serve, Component};
use crate::spin_adapter::{request_from_spin, response_to_spin, SpinRuntime};

/// Serves one Spin request with `component` on Spin's host.
pub fn serve_as(req: &SpinRequest, component: Component) -> SpinResponse {
    let req = request_from_spin(req);
    response_to_spin(serve(&SpinRuntime, &req, component))
}
