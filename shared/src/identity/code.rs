//! The one-time code itself: uniform generation and the keyed MAC that is
//! stored instead of it (a guess is compared by its MAC, in the statement
//! that takes the try: `store/challenges.rs`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ports::{Random, StoreError};

/// Number of digits in a code.
pub(crate) const CODE_DIGITS: usize = 6;

const SPACE: u32 = 1_000_000;

/// Draws at or above this are rejected: it is the largest multiple of
/// [`SPACE`] that fits in a `u32`, so `draw % SPACE` is exactly uniform on
/// the accepted draws (a plain `% SPACE` on every draw would favour the
/// codes below 967 296).
pub(crate) const ACCEPT_BELOW: u32 = (u32::MAX / SPACE) * SPACE;

/// A draw is rejected with probability ≈ 2.3e-4, so a sane source never gets
/// near this; a broken one (all 0xFF) must not spin forever.
const MAX_DRAWS: usize = 64;

/// Maps one 32-bit draw to a code number, or `None` to draw again.
pub(crate) fn code_from_draw(draw: u32) -> Option<u32> {
    (draw < ACCEPT_BELOW).then_some(draw % SPACE)
}

/// A fresh code: six ASCII digits, uniform over 000000–999999.
pub(crate) fn generate_code(random: &dyn Random) -> Result<String, StoreError> {
    for _ in 0..MAX_DRAWS {
        let mut buf = [0u8; 4];
        random.fill(&mut buf);
        if let Some(n) = code_from_draw(u32::from_le_bytes(buf)) {
            return Ok(format!("{n:06}"));
        }
    }
    Err(StoreError::Unavailable(
        "random source keeps returning rejected values".into(),
    ))
}

/// The code as submitted, if it is exactly six ASCII digits once surrounding
/// whitespace (a pasted newline) is removed.
pub(crate) fn well_formed(input: &str) -> Option<&str> {
    let t = input.trim();
    (t.len() == CODE_DIGITS && t.bytes().all(|b| b.is_ascii_digit())).then_some(t)
}

/// HMAC-SHA256 keyed by the pepper over the challenge id and the code. The
/// id in the input binds a code to the challenge that created it: the right
/// code of challenge A has a different MAC under challenge B.
pub(crate) fn code_mac(pepper: &[u8], challenge_id: &str, code: &str) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail; the fallback
    // keeps the function total without a panic path.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(pepper) else {
        return [0; 32];
    };
    mac.update(b"cds-otp-v1\0");
    mac.update(challenge_id.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().into()
}
