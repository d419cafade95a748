//! The one QR renderer: a code as SVG (scalable, for screens and print) or
//! as a 1-bit PNG (a few KiB, for apps that want a bitmap). Used for the
//! personal QR and share links (`documents::qr`) and for appointment tickets
//! (`appointments::ticket`); what a code says, and how much damage it must
//! survive ([`EcLevel`]), is the caller's choice.

use std::fmt;

use qrcode::render::svg;
pub use qrcode::EcLevel;
use qrcode::{Color, QrCode};

use crate::error::ApiError;

/// Why a code could not be drawn (the text is too long for a QR code, or
/// the PNG encoder failed). Never shown to users: it is a server fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QR rendering failed: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

/// A code that cannot be drawn is the server's fault: 500, with the cause
/// for the log only.
impl From<RenderError> for ApiError {
    fn from(e: RenderError) -> ApiError {
        ApiError::internal(e)
    }
}

fn render_error(e: impl fmt::Display) -> RenderError {
    RenderError(e.to_string())
}

/// Light modules around the code, as ISO/IEC 18004 requires.
const QUIET_ZONE: usize = 4;
/// Smallest SVG side in user units; the drawing scales freely anyway.
const SVG_MIN_SIDE: u32 = 256;

fn code(text: &str, ec: EcLevel) -> Result<QrCode, RenderError> {
    QrCode::with_error_correction_level(text.as_bytes(), ec).map_err(render_error)
}

/// An SVG document drawing `text`, with its quiet zone, black on white.
pub fn svg(text: &str, ec: EcLevel) -> Result<String, RenderError> {
    Ok(code(text, ec)?
        .render::<svg::Color<'_>>()
        .min_dimensions(SVG_MIN_SIDE, SVG_MIN_SIDE)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// A 1-bit greyscale PNG of `text`, `module_px` pixels per module (1..=32).
pub fn png(text: &str, ec: EcLevel, module_px: usize) -> Result<Vec<u8>, RenderError> {
    let code = code(text, ec)?;
    let scale = module_px.clamp(1, 32);
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET_ZONE) * scale;
    let row_bytes = side.div_ceil(8);
    // 1 bits are white: start all white, then clear the dark modules' bits.
    let mut pixels = vec![0xFFu8; row_bytes * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
        for y in my * scale..(my + 1) * scale {
            for x in mx * scale..(mx + 1) * scale {
                pixels[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
            }
        }
    }
    let side = u32::try_from(side).map_err(render_error)?;
    let mut out = Vec::with_capacity(4096);
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::High);
        let mut writer = encoder.write_header().map_err(render_error)?;
        writer.write_image_data(&pixels).map_err(render_error)?;
        writer.finish().map_err(render_error)?;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_a_complete_document() {
        let s = svg(
            "001099012345|NGUYEN VAN AN|1990-05-17|CCCD|0123456789ABCDEF|1.x",
            EcLevel::Q,
        )
        .unwrap();
        assert!(
            s.contains("<svg") && s.trim_end().ends_with("</svg>"),
            "{s}"
        );
    }

    #[test]
    fn png_is_small_and_well_formed() {
        let p = png(
            "001099012345|NGUYEN VAN AN|1990-05-17|CCCD|0123456789ABCDEF|1.AAAAAAAAAAAAAAAAAAAAAA",
            EcLevel::Q,
            8,
        )
        .unwrap();
        assert!(p.starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(p.len() < 8 * 1024, "{} bytes", p.len());
        let decoder = png::Decoder::new(std::io::Cursor::new(&p));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert_eq!(info.width % 8, 0);
    }
}
