//! The public redaction rules: street-level address, rounded coordinates,
//! masked phone, CCCD and e-mail.

use crate::feedback::redact::{mask_personal_data, round_coordinate, street_only};

#[test]
fn addresses_keep_the_street_and_drop_house_numbers() {
    let cases = [
        (
            "123 Nguyễn Văn Linh, Nam Dương, Hải Châu, Đà Nẵng",
            Some("Nguyễn Văn Linh, Nam Dương, Hải Châu, Đà Nẵng"),
        ),
        (
            "K45/12 Lê Duẩn, Tổ 5, Hải Châu 1, Hải Châu",
            Some("Lê Duẩn, Hải Châu 1, Hải Châu"),
        ),
        ("Kiệt 45 Lê Duẩn", Some("Lê Duẩn")),
        (
            "Số 10 đường Trần Phú, Thạch Thang",
            Some("đường Trần Phú, Thạch Thang"),
        ),
        ("Trước nhà số 12 Lê Lợi", Some("Trước Lê Lợi")),
        ("Hẻm 3/2 ngõ 7 Bạch Đằng", Some("Bạch Đằng")),
        (
            "Căn hộ 12A, Chung cư Blooming, Quốc lộ 1A",
            Some("Chung cư Blooming, Quốc lộ 1A"),
        ),
        ("Lô A12 Khu đô thị Phú Mỹ An", Some("Khu đô thị Phú Mỹ An")),
        (
            "12 2 Tháng 9, Hòa Cường Bắc",
            Some("2 Tháng 9, Hòa Cường Bắc"),
        ),
        (
            "Đường số 5, KDC Nam Cẩm Lệ",
            Some("Đường số 5, KDC Nam Cẩm Lệ"),
        ),
        ("QL14B, Hòa Nhơn", Some("QL14B, Hòa Nhơn")),
        ("Cầu Rồng", Some("Cầu Rồng")),
        ("12, 34", None),
        ("Tổ 7", None),
        ("", None),
    ];
    for (input, want) in cases {
        assert_eq!(street_only(input).as_deref(), want, "{input}");
    }
}

#[test]
fn coordinates_are_rounded_to_about_a_hundred_metres() {
    assert_eq!(round_coordinate(16.067_812), 16.068);
    assert_eq!(round_coordinate(108.220_345), 108.22);
    assert_eq!(round_coordinate(-33.999_6), -34.0);
}

#[test]
fn mobile_numbers_in_text_are_masked_in_any_spelling() {
    let cases = [
        ("Liên hệ 0905123456 nhé", "Liên hệ *** nhé"),
        ("gọi +84 905 123 456.", "gọi ***."),
        ("sđt:0905.123.456, cảm ơn", "sđt:***, cảm ơn"),
        ("(+84) 905-123-456", "***"),
        ("nhà số 12 0905 123 456", "nhà số 12 ***"),
        (
            "Giá 12.000.000 đồng, 100.000.000 đồng",
            "Giá 12.000.000 đồng, 100.000.000 đồng",
        ),
        ("Tổng đài 0236 3822 123", "Tổng đài 0236 3822 123"),
        ("Năm 2026, số 45/12", "Năm 2026, số 45/12"),
        ("hai số 0905123456 và 0987654321", "hai số *** và ***"),
    ];
    for (input, want) in cases {
        assert_eq!(mask_personal_data(input), want, "{input}");
    }
}

#[test]
fn mobile_numbers_are_masked_in_the_other_spellings_too() {
    let cases = [
        ("gọi 84905123456 nhé", "gọi *** nhé"),
        ("gọi 84 905 123 456", "gọi ***"),
        ("+84 (0) 905 123 456", "***"),
        ("(0905) 123-456", "***"),
        ("0 9 0 5 1 2 3 4 5 6", "***"),
        ("SĐT 090-512-3456.", "SĐT ***."),
        ("zalo:0905 12 34 56", "zalo:***"),
    ];
    for (input, want) in cases {
        assert_eq!(mask_personal_data(input), want, "{input}");
    }
}

#[test]
fn cccd_numbers_are_masked_whole_or_grouped() {
    let cases = [
        ("CCCD 048095000123 của tôi", "CCCD *** của tôi"),
        ("CCCD: 048 095 000 123.", "CCCD: ***."),
        ("số 048.095.000.123", "số ***"),
        ("048-095-000-123", "***"),
        ("0 4 8 0 9 5 0 0 0 1 2 3", "***"),
        // Not CCCDs: an amount, a 12-digit number outside the province codes,
        // an 11-digit number.
        ("100.000.000.000 đồng", "100.000.000.000 đồng"),
        ("mã 099000000123", "mã 099000000123"),
        ("mã 04809500012", "mã 04809500012"),
    ];
    for (input, want) in cases {
        assert_eq!(mask_personal_data(input), want, "{input}");
    }
}

#[test]
fn email_addresses_are_masked() {
    let cases = [
        ("Gửi về an.nguyen@example.vn nhé", "Gửi về *** nhé"),
        ("mail: AN_2026+pa@Mail.Danang.gov.vn.", "mail: ***."),
        ("an (at) example.com", "***"),
        ("an[AT]example.com", "***"),
        ("an\u{ff20}example.com", "***"),
        ("0905123456@gmail.com", "***"),
        // Not addresses: a bare @, a handle, no top-level domain.
        ("gặp @ cổng chính", "gặp @ cổng chính"),
        ("@danang_city", "@danang_city"),
        ("a@b", "a@b"),
        ("Chung cư 2@ Hòa Khánh", "Chung cư 2@ Hòa Khánh"),
    ];
    for (input, want) in cases {
        assert_eq!(mask_personal_data(input), want, "{input}");
    }
}

#[test]
fn masking_a_long_run_of_digits_stays_fast() {
    let text = "1 ".repeat(20_000) + "0905123456 " + "a@".repeat(20_000).as_str();
    let started = std::time::Instant::now();
    let masked = mask_personal_data(&text);
    assert!(
        masked.contains("1 *** a@a@"),
        "{}",
        &masked[40_000 - 20..40_020]
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
