//! Documents end to end (docs/documents.md): profile, personal QR (decoded with a real
//! QR decoder from the PNG and the SVG), officials' verification, the vault,
//! issuer pushes, share links under parallel fetches, and the access log —
//! all through edge-host serving the built components.

use std::sync::Arc;

use base64::Engine as _;
use e2e::admin::{official_login, unit_once};
use e2e::encode::hex;
use e2e::session::login;
use e2e::vault::{pdf, upload};
use e2e::{parallel, Host, HostBuilder, Method, Resp};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const CITIZEN_A: &str = "+84905123456";
const CITIZEN_B: &str = "+84905654321";
const OFFICIAL: &str = "+84905000001";

/// An official of unit `ubnd-hai-chau`, logged in.
fn official(host: &Host) -> String {
    unit_once(host, "ubnd-hai-chau", "UBND quận Hải Châu");
    official_login(host, OFFICIAL, "Trần Thị Bình", "ubnd-hai-chau")
}

/// A new issuer agency's API key.
fn issuer_key(host: &Host, code: &str) -> String {
    e2e::admin::issuer_key(host, &json!({"code": code, "name": "Sở Tư pháp"}))
}

/// The official confirms the citizen's identity (and the CCCD number they
/// declared), as at a counter with the card in hand.
fn verify_citizen(host: &Host, official: &str, citizen_token: &str) -> Resp {
    let id = host.get_auth("/api/v1/me", citizen_token).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    host.post_json_auth(
        &format!("/api/v1/officials/citizens/{id}/verify"),
        official,
        &json!({}),
    )
}

fn patch_me(host: &Host, token: &str, body: &Value) -> Resp {
    host.patch_json("/api/v1/me", Some(token), body)
}

fn full_profile(host: &Host, token: &str) {
    let r = patch_me(
        host,
        token,
        &json!({"full_name": "Đặng Thị Ánh Tuyết", "date_of_birth": "1990-05-17", "gender": "female", "id_number": "048190012345"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn push(host: &Host, key: &str, citizen: Value, external_id: &str, bytes: &[u8]) -> Resp {
    host.post_json_auth(
        "/api/v1/issuer/documents",
        key,
        &json!({
            "citizen": citizen,
            "type": "birth_certificate",
            "title": "Giấy khai sinh",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            "content_type": "application/pdf",
            "issued_at": "1990-05-20",
            "external_id": external_id,
        }),
    )
}

fn share(host: &Host, token: &str, doc_id: &str, body: &Value) -> Value {
    let r = host.post_json_auth(&format!("/api/v1/documents/{doc_id}/shares"), token, body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn verify_qr(host: &Host, token: &str, payload: &str) -> Value {
    let r = host.post_json_auth(
        "/api/v1/officials/verify-qr",
        token,
        &json!({"payload": payload}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// The path part of an absolute share URL.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest[rest.find('/').unwrap()..].to_owned()
}

// --- QR decoding with real crates: rqrr, fed by png and by resvg. ---

/// Decodes the one QR code in a greyscale image: (text, ECC level as rqrr
/// numbers it: M=0, L=1, H=2, Q=3).
fn decode_grey(w: usize, h: usize, luma: impl Fn(usize, usize) -> u8) -> (String, u16) {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "expected exactly one QR code");
    let (meta, text) = grids[0].decode().unwrap();
    (text, meta.ecc_level)
}

fn decode_png(bytes: &[u8]) -> (String, u16) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let (w, h) = (info.width as usize, info.height as usize);
    decode_grey(w, h, |x, y| buf[y * info.line_size + x])
}

fn decode_svg(svg: &str) -> (String, u16) {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let w = size.width() as usize;
    let rgba = pixmap.data();
    decode_grey(w, size.height() as usize, |x, y| rgba[(y * w + x) * 4])
}

fn qr_png(host: &Host, token: &str) -> String {
    let r = host.get_auth("/api/v1/me/qr?format=png", token);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some("image/png"));
    let (text, ecc) = decode_png(&r.body);
    assert_eq!(ecc, 3, "error correction level Q");
    text
}

fn qr_svg(host: &Host, token: &str) -> String {
    let r = host.get_auth("/api/v1/me/qr?format=svg", token);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some("image/svg+xml"));
    decode_svg(&r.text()).0
}

// ---------------------------------------------------------------------------
// Identity trust (issue 12, item 1): a declared CCCD routes nothing.
// ---------------------------------------------------------------------------

const SQUATTER: &str = "+84905777888";
const OWNER_NUMBER: &str = "048190012345";

fn vault_ids(host: &Host, token: &str) -> Vec<String> {
    let list = host.get_auth("/api/v1/documents", token).json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The audit entries about `subject` with this action, as (actor, detail).
fn audit_about(host: &Host, action: &str, subject: &str) -> Vec<(String, Value)> {
    e2e::db::audit(host, action, Some(subject))
        .into_iter()
        .map(|(actor, _, detail)| (actor, detail))
        .collect()
}

trait ErrorCodeOrEmpty {
    fn error_code_or_empty(&self) -> String;
}

impl ErrorCodeOrEmpty for Resp {
    /// The error code of a JSON error, or "" for a non-JSON (success) body.
    fn error_code_or_empty(&self) -> String {
        serde_json::from_slice::<Value>(&self.body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

mod issuer;
mod personal_qr;
mod privacy;
mod shares;
mod trust;
