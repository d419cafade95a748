//! The ticket's QR code as SVG. It encodes the ticket code alone, so a
//! kiosk's scanner (which types what it reads) fills the check-in field.

use cds_shared::error::ApiError;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG image of `ticket_code`, about 200 px square with a quiet zone.
pub fn ticket_svg(ticket_code: &str) -> Result<String, ApiError> {
    // Level M survives a scuffed printout or a cracked phone screen.
    let code = QrCode::with_error_correction_level(ticket_code.as_bytes(), EcLevel::M)
        .map_err(ApiError::internal)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}
