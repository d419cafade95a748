//! Ticket codes: what a citizen shows or types at the desk or kiosk.
//!
//! Eight characters from a 30-symbol alphabet with no `0 O 1 I L` (and no `U`,
//! read as `V` on worn printouts), so a code read aloud or copied from paper
//! cannot be mistyped into another one: 30⁸ ≈ 6.6 × 10¹¹ codes. Uniqueness is
//! the database's job (a UNIQUE column; a collision just draws again).

use crate::ports::Random;
use crate::qr::{self, EcLevel, RenderError};

/// The symbols a ticket code is made of.
pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a ticket code.
pub const LEN: usize = 8;

/// Draws a fresh code from `random`, uniformly over the alphabet.
pub fn generate(random: &dyn Random) -> String {
    let mut out = String::with_capacity(LEN);
    // 240 = 8 × 30: bytes at or above it are dropped so every symbol is
    // equally likely.
    let mut buf = [0u8; 16];
    while out.len() < LEN {
        random.fill(&mut buf);
        for b in buf {
            if b < 240 && out.len() < LEN {
                out.push(char::from(ALPHABET[usize::from(b % 30)]));
            }
        }
    }
    out
}

/// What a person typed → the stored form: case-insensitive, spaces and
/// dashes ignored (`"7kq3-mz9a"` → `"7KQ3MZ9A"`). `None` when it cannot be a
/// ticket code at all.
pub fn normalize(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

/// The ticket's QR code as SVG. It encodes the ticket code alone, so a
/// kiosk's scanner (which types what it reads) fills the check-in field.
pub fn qr_svg(code: &str) -> Result<String, RenderError> {
    // Level M survives a scuffed printout or a cracked phone screen.
    qr::svg(code, EcLevel::M)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testing::TestRandom;

    #[test]
    fn codes_use_only_unambiguous_symbols() {
        let rng = TestRandom::new(1);
        for _ in 0..2_000 {
            let code = generate(&rng);
            assert_eq!(code.len(), LEN);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L', 'U']), "{code}");
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn codes_spread_over_the_whole_alphabet() {
        let rng = TestRandom::new(2);
        let mut seen = [0u32; 30];
        for _ in 0..3_000 {
            for b in generate(&rng).bytes() {
                let i = ALPHABET.iter().position(|a| *a == b).unwrap();
                seen[i] += 1;
            }
        }
        // 24,000 symbols → 800 expected each; a biased draw would starve some.
        assert!(seen.iter().all(|n| (650..=950).contains(n)), "{seen:?}");
    }

    #[test]
    fn bytes_that_would_bias_the_draw_are_skipped() {
        // Every byte 0xF0 (240) or above is dropped; 0xEF (239) maps to 239 % 30 = 29, the last symbol.
        let rng = TestRandom::scripted(&[0xFFFF_FFFF, 0xEFEF_EFEF]);
        assert_eq!(generate(&rng), "ZZZZZZZZ");
    }

    #[test]
    fn typed_codes_are_forgiving_about_case_spaces_and_dashes() {
        assert_eq!(normalize("7kq3-mz9a").as_deref(), Some("7KQ3MZ9A"));
        assert_eq!(normalize(" 7KQ3 MZ9A ").as_deref(), Some("7KQ3MZ9A"));
        for bad in [
            "7KQ3MZ9",
            "7KQ3MZ9AB",
            "7KQ3MZ0A",
            "OKQ3MZ9A",
            "7KQ3MZ9Ư",
            "",
            "'; DROP",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}
