//! Demo data of docs/documents.md and docs/settings.md: the demo citizen's profile, and three documents
//! the demo issuer pushes into their vault (a birth certificate, a
//! health-insurance card and a procedure result) as small but real PDFs.
//!
//! Idempotent: the profile PATCH sends the same values each run, and pushes
//! reuse their `external_id`, which the issuer API answers with the same
//! document.

use anyhow::{Context, Result};
use serde_json::json;

use crate::api::unexpected;
use crate::demo::{Seeder, CITIZEN, ISSUER};

/// The demo citizen's profile (filled while the sign-up session is open).
const DATE_OF_BIRTH: &str = "1990-05-17";
const GENDER: &str = "male";
const ID_NUMBER: &str = "048090012345";
const ADDRESS: &str = "12 Hải Phòng, phường Thạch Thang, quận Hải Châu, Đà Nẵng";

/// A document pushed by the demo issuer.
struct DemoDocument {
    external_id: &'static str,
    doc_type: &'static str,
    title: &'static str,
    issued_at: &'static str,
    valid_until: Option<&'static str>,
    /// The page's lines (ASCII: the PDF uses a standard font without
    /// Vietnamese glyphs).
    lines: &'static [&'static str],
}

const DOCUMENTS: &[DemoDocument] = &[
    DemoDocument {
        external_id: "DEMO-KS-1990-0517",
        doc_type: "birth_certificate",
        title: "Giấy khai sinh",
        issued_at: "1990-05-20",
        valid_until: None,
        lines: &[
            "CONG HOA XA HOI CHU NGHIA VIET NAM",
            "GIAY KHAI SINH (ban sao dien tu)",
            "Ho va ten: NGUYEN VAN AN",
            "Ngay sinh: 17/05/1990 - Gioi tinh: Nam",
            "Noi sinh: Benh vien Da Nang",
            "Co quan cap: So Tu phap thanh pho Da Nang",
            "Tai lieu mau cho moi truong phat trien.",
        ],
    },
    DemoDocument {
        external_id: "DEMO-BHYT-2026",
        doc_type: "health_insurance",
        title: "Thẻ bảo hiểm y tế",
        issued_at: "2026-01-01",
        valid_until: Some("2026-12-31"),
        lines: &[
            "THE BAO HIEM Y TE",
            "Ho va ten: NGUYEN VAN AN - Ngay sinh: 17/05/1990",
            "Ma the: GD4480490012345",
            "Noi dang ky KCB ban dau: Benh vien Da Nang",
            "Gia tri su dung: 01/01/2026 - 31/12/2026",
            "Tai lieu mau cho moi truong phat trien.",
        ],
    },
    DemoDocument {
        external_id: "DEMO-HS-000123",
        doc_type: "procedure_result",
        title: "Kết quả thủ tục: xác nhận thông tin cư trú",
        issued_at: "2026-03-15T10:30:00+07:00",
        valid_until: None,
        lines: &[
            "KET QUA GIAI QUYET THU TUC HANH CHINH",
            "Thu tuc: Xac nhan thong tin ve cu tru",
            "Nguoi nop: NGUYEN VAN AN",
            "Ma ho so: HS-000123 - Ket qua: Da giai quyet",
            "Trung tam Hanh chinh cong thanh pho Da Nang",
            "Tai lieu mau cho moi truong phat trien.",
        ],
    },
];

/// Called by the demo citizen step with its sign-up session, before it logs
/// out: fills the profile so the personal QR carries a CCCD number and a
/// date of birth. Skipped while the documents component is not deployed.
pub fn fill_profile(s: &Seeder<'_>, token: &str) -> Result<()> {
    let client = reqwest::blocking::Client::new();
    let resp = client
        .patch(s.api.url("/api/v1/me"))
        .bearer_auth(token)
        .json(&json!({
            "date_of_birth": DATE_OF_BIRTH,
            "gender": GENDER,
            "id_number": ID_NUMBER,
            "address": ADDRESS,
        }))
        .send()
        .context("PATCH /api/v1/me")?;
    match resp.status().as_u16() {
        200 => println!(
            "  citizen {}: profile filled (CCCD {ID_NUMBER})",
            CITIZEN.phone
        ),
        404 | 405 => println!(
            "  citizen {}: profile skipped, documents is not deployed yet",
            CITIZEN.phone
        ),
        // Already verified by an official with other values, or the number
        // is held by another account: the demo leaves real data alone.
        409 => println!(
            "  citizen {}: profile left as it is (locked or number taken)",
            CITIZEN.phone
        ),
        other => anyhow::bail!("PATCH /api/v1/me: status {other}"),
    }
    Ok(())
}

/// The step: the demo issuer pushes the three documents to the demo citizen.
pub fn documents(s: &Seeder<'_>) -> Result<()> {
    let Some(key) = s.issuer_key()? else {
        println!(
            "  documents: skipped, the demo issuer's key is not in {}",
            s.issuer_key_path().display()
        );
        return Ok(());
    };
    for d in DOCUMENTS {
        let mut body = json!({
            "citizen": {"phone": CITIZEN.phone},
            "type": d.doc_type,
            "title": d.title,
            "content_base64": base64(&pdf(d.lines)),
            "content_type": "application/pdf",
            "issued_at": d.issued_at,
            "external_id": d.external_id,
        });
        if let Some(until) = d.valid_until {
            body["valid_until"] = json!(until);
        }
        let reply = s.api.post("/api/v1/issuer/documents", &body, Some(&key))?;
        let what = format!("document {} ({})", d.external_id, ISSUER.0);
        match (reply.status, reply.error_code()) {
            (201, _) => println!("  {what}: created"),
            (200, _) => println!("  {what}: already there"),
            (404, "citizen_not_found") => {
                println!(
                    "  documents: skipped, the demo citizen {} does not exist yet",
                    CITIZEN.phone
                );
                return Ok(());
            }
            (404 | 405, _) => {
                println!("  documents: skipped, the documents component is not deployed yet");
                return Ok(());
            }
            _ => return Err(unexpected("POST /api/v1/issuer/documents", &reply)),
        }
    }
    Ok(())
}

/// Standard base64 with padding (the issuer API's `content_base64`).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A one-page A4 PDF 1.4 showing `lines` in Helvetica, with a correct
/// cross-reference table so any viewer opens it.
fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 16 Tf 72 770 Td 22 TL\n");
    for line in lines {
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({escaped}) Tj T*\n"));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xFB, 0xFF]), "+/8=");
    }

    #[test]
    fn demo_pdfs_are_well_formed() {
        for d in DOCUMENTS {
            let bytes = pdf(d.lines);
            assert!(bytes.starts_with(b"%PDF-1.4"));
            assert!(bytes.len() < 4096);
            // The tail after the last stream is ASCII; the header has binary bytes.
            let tail = String::from_utf8_lossy(&bytes[bytes.len() - 64..]).into_owned();
            // startxref points at the xref table.
            let start: usize = tail
                .rsplit("startxref\n")
                .next()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
                .parse()
                .unwrap_or(0);
            assert!(bytes[start..].starts_with(b"xref\n"), "{}", d.external_id);
            // Every object offset points at its "N 0 obj".
            let table = String::from_utf8_lossy(&bytes[start..]).into_owned();
            for (i, line) in table.lines().skip(3).take(5).enumerate() {
                let off: usize = line[..10].parse().unwrap_or(0);
                assert!(
                    bytes[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                    "{line}"
                );
            }
        }
    }
}
