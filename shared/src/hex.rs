//! Lower-case hexadecimal, the one encoding of digests and random ids that
//! people may have to read or compare by eye (MACs, audit hashes, request
//! ids). One implementation, so every hex string the platform writes has the
//! same alphabet and case.

use sha2::{Digest, Sha256};

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `[0x0f, 0xa0]` → `"0fa0"`: two lower-case digits per byte.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Lower-case hex SHA-256 of `data`: the form digests are stored in, sent as
/// `ETag`s and shown to relying parties.
pub fn sha256_hex(data: &[u8]) -> String {
    encode(&Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::{encode, sha256_hex};

    #[test]
    fn two_lower_case_digits_per_byte() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
