//! The documents domain's view of the one QR renderer ([`crate::qr`]): the
//! same drawings, failing with [`DocError::Render`].

pub use crate::qr::EcLevel;

use crate::documents::error::DocError;
use crate::qr::RenderError;

fn doc_error(e: RenderError) -> DocError {
    DocError::Render(e.0)
}

/// [`crate::qr::svg`]: an SVG document drawing `text`, black on white.
pub fn svg(text: &str, ec: EcLevel) -> Result<String, DocError> {
    crate::qr::svg(text, ec).map_err(doc_error)
}

/// [`crate::qr::png`]: a 1-bit PNG of `text`, `module_px` pixels per module.
pub fn png(text: &str, ec: EcLevel, module_px: usize) -> Result<Vec<u8>, DocError> {
    crate::qr::png(text, ec, module_px).map_err(doc_error)
}
