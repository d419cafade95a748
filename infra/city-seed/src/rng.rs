//! A small, fast, seeded generator (SplitMix64): the same seed gives the
//! same city, so two runs at one size measure the same data. Not for
//! secrets — seeded rows never hold a usable credential.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one stream: `seed` and `stream` together pick it.
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0; the bias of the modulo is below 2⁻³²
    /// for the sizes used here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `true` with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `bytes` random bytes.
    pub fn bytes(&mut self, bytes: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes + 8);
        while out.len() < bytes {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(bytes);
        out
    }

    /// `prefix` + 16 random bytes in base64url, as the app's ids look.
    pub fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", URL_SAFE_NO_PAD.encode(self.bytes(16)))
    }

    /// `prefix` + 10 random bytes in hex (slot and booking ids).
    pub fn hex_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", cds_shared::hex::encode(&self.bytes(10)))
    }
}
