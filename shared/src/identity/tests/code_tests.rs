//! Code generation, format and MAC.

use crate::identity::code::{code_from_draw, code_mac, generate_code, well_formed, ACCEPT_BELOW};
use crate::testing::TestRandom;

#[test]
fn generated_codes_are_six_ascii_digits() {
    let rng = TestRandom::new(1);
    for _ in 0..2_000 {
        let c = generate_code(&rng).unwrap();
        assert_eq!(c.len(), 6, "{c}");
        assert!(c.bytes().all(|b| b.is_ascii_digit()), "{c}");
    }
}

#[test]
fn rejection_boundary_is_the_largest_multiple_of_a_million() {
    assert_eq!(ACCEPT_BELOW, 4_294_000_000);
    assert_eq!(code_from_draw(0), Some(0));
    assert_eq!(code_from_draw(ACCEPT_BELOW - 1), Some(999_999));
    assert_eq!(code_from_draw(ACCEPT_BELOW), None);
    assert_eq!(code_from_draw(u32::MAX), None);
}

#[test]
fn draws_in_the_biased_tail_are_redrawn_not_folded() {
    // A plain `% 1_000_000` would turn u32::MAX into 967295.
    let rng = TestRandom::scripted(&[u32::MAX, ACCEPT_BELOW, 123]);
    assert_eq!(generate_code(&rng).unwrap(), "000123");
}

#[test]
fn a_broken_random_source_is_an_error_not_a_hang() {
    let rng = TestRandom::scripted(&[u32::MAX; 100]);
    assert!(generate_code(&rng).is_err());
}

fn chi_square(counts: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let expected = n as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

#[test]
fn codes_are_uniform_by_digit_and_by_leading_pair() {
    let rng = TestRandom::new(42);
    let mut per_position = [[0u64; 10]; 6];
    let mut leading_pair = [0u64; 100];
    for _ in 0..60_000 {
        let c = generate_code(&rng).unwrap();
        for (i, b) in c.bytes().enumerate() {
            per_position[i][usize::from(b - b'0')] += 1;
        }
        leading_pair[c[..2].parse::<usize>().unwrap()] += 1;
    }
    // Critical values at p = 0.001: 27.88 (9 df), 148.2 (99 df).
    for (i, counts) in per_position.iter().enumerate() {
        let x2 = chi_square(counts);
        assert!(x2 < 27.88, "digit {i}: chi² = {x2}");
    }
    let x2 = chi_square(&leading_pair);
    assert!(x2 < 148.2, "leading pair: chi² = {x2}");
}

#[test]
fn only_six_ascii_digits_are_well_formed() {
    assert_eq!(well_formed("123456"), Some("123456"));
    assert_eq!(well_formed(" 012345\n"), Some("012345"));
    for bad in [
        "",
        "12345",
        "1234567",
        "12a456",
        "12 456",
        "１２３４５６",
        "+12345",
        "-12345",
    ] {
        assert_eq!(well_formed(bad), None, "{bad:?}");
    }
}

#[test]
fn mac_depends_on_pepper_challenge_and_code() {
    let m = code_mac(b"pepper", "otp_A", "123456");
    assert_eq!(m, code_mac(b"pepper", "otp_A", "123456"));
    assert_ne!(m, code_mac(b"pepper", "otp_B", "123456"));
    assert_ne!(m, code_mac(b"pepper2", "otp_A", "123456"));
    assert_ne!(m, code_mac(b"pepper", "otp_A", "123457"));
}
