//! The security headers every kiosk response carries.
//!
//! The page runs only its own scripts and styles (no inline code, no other
//! origin) and talks only to this origin's API. `blob:` images are the QR
//! codes and document scans the page fetched with the session token and
//! shows without putting markup from a response into the DOM; `blob:` frames
//! are PDF documents shown the same way.

use cds_shared::http::Response;

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' blob:; connect-src 'self'; font-src 'self'; frame-src blob:; object-src 'none'; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Adds the headers (replacing any a handler set).
pub fn secure(mut resp: Response) -> Response {
    resp.set_header("content-security-policy", CONTENT_SECURITY_POLICY);
    // The kiosk is a public screen: nothing it shows may leak through a
    // referrer, be framed by another page, or use the machine's sensors.
    resp.set_header("referrer-policy", "no-referrer");
    resp.set_header("x-frame-options", "DENY");
    resp.set_header("cross-origin-opener-policy", "same-origin");
    resp.set_header(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    resp
}
