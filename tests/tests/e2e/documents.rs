//! Documents end to end (SPEC §7): profile, personal QR (decoded with a real
//! QR decoder from the PNG and the SVG), officials' verification, the vault,
//! issuer pushes, share links under parallel fetches, and the access log —
//! all through edge-host serving the built components.

use std::sync::Arc;

use base64::Engine as _;
use e2e::session::login;
use e2e::{parallel, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
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
    let r = host.post_json_auth(
        "/api/v1/admin/units",
        ADMIN_TOKEN,
        &json!({"code": "ubnd-hai-chau", "name": "UBND quận Hải Châu"}),
    );
    assert!(r.status == 201 || r.status == 409, "{}", r.text());
    let r = host.post_json_auth(
        "/api/v1/admin/officials",
        ADMIN_TOKEN,
        &json!({"phone": OFFICIAL, "full_name": "Trần Thị Bình", "unit": "ubnd-hai-chau"}),
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.text());
    login(host, OFFICIAL)
}

/// A new issuer agency's API key.
fn issuer_key(host: &Host, code: &str) -> String {
    let r = host.post_json_auth(
        "/api/v1/admin/issuers",
        ADMIN_TOKEN,
        &json!({"code": code, "name": "Sở Tư pháp"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["api_key"].as_str().unwrap().to_owned()
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
    host.send(
        host.request(Method::PATCH, "/api/v1/me")
            .bearer_auth(token)
            .json(body),
    )
}

fn full_profile(host: &Host, token: &str) {
    let r = patch_me(
        host,
        token,
        &json!({"full_name": "Đặng Thị Ánh Tuyết", "date_of_birth": "1990-05-17", "gender": "female", "id_number": "048190012345"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// A tiny but real PDF whose bytes differ with `tag`.
fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
fn q(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn upload(
    host: &Host,
    token: &str,
    doc_type: &str,
    title: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Resp {
    let path = format!("/api/v1/documents?type={doc_type}&title={}", q(title));
    host.send(
        host.request(Method::POST, &path)
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes),
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
// Tests
// ---------------------------------------------------------------------------

#[test]
fn a_citizen_never_sees_another_citizens_data() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let b = login(&host, CITIZEN_B);
    let key = issuer_key(&host, "so-tu-phap");
    let issued = push(&host, &key, json!({"phone": CITIZEN_A}), "KS-A", &pdf("a"));
    assert_eq!(issued.status, 201, "{}", issued.text());
    let issued_id = issued.json()["id"].as_str().unwrap().to_owned();
    let up = upload(
        &host,
        &a,
        "other",
        "Ảnh hộ chiếu",
        "application/pdf",
        pdf("mine"),
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let upload_id = up.json()["id"].as_str().unwrap().to_owned();
    let link = share(&host, &a, &issued_id, &json!({"purpose": "Nộp hồ sơ"}));
    let token = link["token"].as_str().unwrap().to_owned();
    assert_eq!(
        host.get(&path_of(link["url"].as_str().unwrap())).status,
        200
    );

    // Everything that names A's things answers 404 to B, as if it did not exist.
    let probes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/documents/{issued_id}"), None),
        (
            Method::GET,
            format!("/api/v1/documents/{issued_id}/content"),
            None,
        ),
        (Method::GET, format!("/api/v1/documents/{upload_id}"), None),
        (
            Method::GET,
            format!("/api/v1/documents/{upload_id}/content"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/documents/{upload_id}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{issued_id}/shares"),
            Some(json!({"purpose": "x"})),
        ),
        (Method::DELETE, format!("/api/v1/shares/{token}"), None),
    ];
    for (method, path, body) in &probes {
        let mut rb = host.request(method.clone(), path).bearer_auth(&b);
        if let Some(body) = body {
            rb = rb.json(body);
        }
        let r = host.send(rb);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (404, "not_found"),
            "{method} {path}: {}",
            r.text()
        );
    }
    // B's lists and log hold nothing of A's.
    let docs = host.get_auth("/api/v1/documents", &b).json();
    assert_eq!(docs["items"], json!([]));
    assert_eq!(
        host.get_auth("/api/v1/shares", &b).json()["items"],
        json!([])
    );
    assert_eq!(
        host.get_auth("/api/v1/me/access-log", &b).json()["items"],
        json!([])
    );
    let me_b = host.get_auth("/api/v1/me", &b).json();
    assert_eq!(me_b["phone"], CITIZEN_B);
    let qa = host.get_auth("/api/v1/me/qr?format=json", &a).json();
    let qb = host.get_auth("/api/v1/me/qr?format=json", &b).json();
    assert_ne!(qa["qid"], qb["qid"]);
    // B's attempts changed nothing of A's.
    assert_eq!(
        host.get_auth(&format!("/api/v1/documents/{upload_id}"), &a)
            .status,
        200
    );
    assert_eq!(
        host.get(&path_of(link["url"].as_str().unwrap())).status,
        200
    );
    assert_eq!(
        host.get_auth("/api/v1/documents", &a).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        host.get_auth("/api/v1/me/access-log", &a).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // And without a token every citizen route is 401.
    let mut routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/me".into(), None),
        (
            Method::PATCH,
            "/api/v1/me".into(),
            Some(json!({"address": "x"})),
        ),
        (Method::GET, "/api/v1/me/qr".into(), None),
        (Method::POST, "/api/v1/me/qr/rotate".into(), None),
        (Method::GET, "/api/v1/me/access-log".into(), None),
        (Method::GET, "/api/v1/documents".into(), None),
        (Method::POST, "/api/v1/documents?title=x".into(), None),
        (Method::GET, "/api/v1/shares".into(), None),
        (
            Method::POST,
            "/api/v1/officials/verify-qr".into(),
            Some(json!({"payload": "x"})),
        ),
        (
            Method::POST,
            "/api/v1/issuer/documents".into(),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/v1/issuer/documents/{issued_id}/revoke"),
            None,
        ),
    ];
    routes.extend(probes);
    for (method, path, body) in routes {
        let mut rb = host.request(method.clone(), &path);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let r = host.send(rb);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthorized"),
            "{method} {path}: {}",
            r.text()
        );
    }
}

#[test]
fn the_profile_is_validated_normalised_and_given_once() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let b = login(&host, CITIZEN_B);
    let fresh = host.get_auth("/api/v1/me", &a).json();
    assert_eq!(
        fresh["missing"],
        json!([
            "full_name",
            "date_of_birth",
            "gender",
            "id_number",
            "address"
        ])
    );
    // Typed with combining marks (NFD) and stray spaces; stored NFC.
    let r = patch_me(
        &host,
        &a,
        &json!({"full_name": "  Nguye\u{302}\u{303}n  Văn An", "date_of_birth": "1990-05-17", "gender": "male",
                "id_number": "048 190 012 345", "address": "12 Ha\u{309}i Phòng, Đà Nẵng"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let me = host.get_auth("/api/v1/me", &a).json();
    assert_eq!(me["full_name"], "Nguyễn Văn An");
    assert_eq!(me["id_number"], "048190012345");
    assert_eq!(me["id_number_status"], "declared");
    assert_eq!(me["address"], "12 Hải Phòng, Đà Nẵng");
    assert_eq!(me["missing"], json!([]));

    let bad = patch_me(
        &host,
        &b,
        &json!({"date_of_birth": "1990-02-30", "id_number": "12345", "gender": "robot"}),
    );
    assert_eq!(
        (bad.status, bad.error_code().as_str()),
        (422, "validation_failed")
    );
    let fields = bad.json()["error"]["fields"].clone();
    assert_eq!(fields["date_of_birth"], "must_be_a_real_date_yyyy_mm_dd");
    assert_eq!(fields["id_number"], "must_be_12_digits");
    assert_eq!(fields["gender"], "one_of_male_female_other");
    // Another account declaring the same number learns nothing: the same 200
    // as for a number nobody has (it is only a claim until an official
    // confirms it).
    let same = patch_me(&host, &b, &json!({"id_number": "048190012345"}));
    let free = patch_me(&host, &b, &json!({"id_number": "048190099999"}));
    assert_eq!(
        (same.status, free.status),
        (200, 200),
        "{} {}",
        same.text(),
        free.text()
    );
    assert_eq!(same.json()["id_number_status"], "declared");
    assert_eq!(free.json()["id_number_status"], "declared");
    let sneaky = patch_me(&host, &b, &json!({"level": "verified"}));
    assert_eq!(sneaky.status, 422);
    assert_eq!(
        host.get_auth("/api/v1/me", &b).json()["level"],
        "provisional"
    );
}

#[test]
fn the_personal_qr_decodes_to_the_1405_layout_and_verifies() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    full_profile(&host, &a);
    let off = official(&host);
    // Confirmed by an official, so the CCCD number is in the code.
    assert_eq!(verify_citizen(&host, &off, &a).status, 200);

    let from_png = qr_png(&host, &a);
    let from_svg = qr_svg(&host, &a);
    assert_eq!(from_png, from_svg);
    assert_eq!(
        host.get_auth("/api/v1/me/qr?format=json", &a).json()["payload"],
        from_png.as_str()
    );
    let fields: Vec<&str> = from_png.split('|').collect();
    assert_eq!(fields.len(), 6, "{from_png}");
    assert_eq!(
        &fields[..4],
        &["048190012345", "DANG THI ANH TUYET", "1990-05-17", "CCCD"]
    );
    assert_eq!(fields[4].len(), 16);
    assert!(fields[5].starts_with("1."), "{}", fields[5]);
    // Stable: asking again gives the same code.
    assert_eq!(qr_png(&host, &a), from_png);

    let ok = verify_qr(&host, &off, &from_png);
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["citizen"]["full_name"], "Đặng Thị Ánh Tuyết");
    assert_eq!(ok["citizen"]["masked_id_number"], "******012345");
    assert_eq!(ok["citizen"]["level"], "verified");
    assert_eq!(
        (
            ok["citizen"]["confirmed"].as_bool(),
            ok["citizen"]["id_number_status"].as_str()
        ),
        (Some(true), Some("verified"))
    );
    assert_eq!(ok["notice"], Value::Null);

    // One altered character in the name, and in the signature.
    let altered = from_png.replacen("TUYET", "TUYEN", 1);
    let r = verify_qr(&host, &off, &altered);
    assert_eq!(
        (r["valid"].as_bool(), r["reason"].as_str()),
        (Some(false), Some("altered")),
        "{r}"
    );
    let i = from_png.len() - 5;
    let c = if &from_png[i..=i] == "A" { "B" } else { "A" };
    let forged = format!("{}{c}{}", &from_png[..i], &from_png[i + 1..]);
    assert_eq!(verify_qr(&host, &off, &forged)["reason"], "forged");
    assert_eq!(
        verify_qr(&host, &off, "not a personal qr")["reason"],
        "malformed"
    );

    // Rotation: the old code is refused as rotated, the new one is accepted.
    let rotated = host.post_json_auth("/api/v1/me/qr/rotate", &a, &json!({}));
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    assert_eq!(rotated.json()["version"], 2);
    let new_code = qr_svg(&host, &a);
    assert_ne!(new_code, from_png);
    assert_eq!(new_code.split('|').nth(4), Some(fields[4]), "the QID stays");
    assert_eq!(verify_qr(&host, &off, &from_png)["reason"], "rotated");
    assert_eq!(verify_qr(&host, &off, &new_code)["valid"], true);

    // Citizens cannot verify codes.
    let r = host.post_json_auth(
        "/api/v1/officials/verify-qr",
        &a,
        &json!({"payload": new_code}),
    );
    assert_eq!(r.status, 403);

    // Every check is in the citizen's access log with the official's unit.
    let log = host.get_auth("/api/v1/me/access-log", &a).json();
    let items = log["items"].as_array().unwrap();
    let results: Vec<&str> = items
        .iter()
        .map(|i| i["result"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        results,
        vec!["valid", "rotated", "forged", "altered", "valid"]
    );
    assert!(items
        .iter()
        .all(|i| i["event"] == "qr_verified" && i["by"]["unit"]["code"] == "ubnd-hai-chau"));
    assert_eq!(items[0]["by"]["unit"]["name"], "UBND quận Hải Châu");
}

#[test]
fn a_code_signed_with_another_secret_is_forged() {
    let state = tempfile::tempdir().unwrap();
    let first = HostBuilder::app()
        .var("qr_secret", "first-qr-secret")
        .state_dir(state.path())
        .start();
    let a = login(&first, CITIZEN_A);
    full_profile(&first, &a);
    let old_secret_code = qr_png(&first, &a);
    first.stop();

    // Same database, same citizen, another deployment secret.
    let second = HostBuilder::app()
        .var("qr_secret", "second-qr-secret")
        .state_dir(state.path())
        .start();
    let off = official(&second);
    let r = verify_qr(&second, &off, &old_secret_code);
    assert_eq!(
        (r["valid"].as_bool(), r["reason"].as_str()),
        (Some(false), Some("forged")),
        "{r}"
    );
    // Sessions live in the database, so A is still signed in (and a second
    // code within a minute would hit the resend cooldown).
    let current = qr_png(&second, &a);
    assert_eq!(
        current.split('|').nth(4),
        old_secret_code.split('|').nth(4),
        "same QID"
    );
    assert_eq!(verify_qr(&second, &off, &current)["valid"], true);
}

#[test]
fn issuer_pushes_are_idempotent_even_when_retries_race() {
    let host = Arc::new(HostBuilder::app().start());
    let a = login(&host, CITIZEN_A);
    full_profile(&host, &a);
    // Pushes by id number reach confirmed numbers only.
    let off = official(&host);
    assert_eq!(verify_citizen(&host, &off, &a).status, 200);
    let key = issuer_key(&host, "so-tu-phap");

    let first = push(
        &host,
        &key,
        json!({"phone": "0905 123 456"}),
        "KS-2026-001",
        &pdf("ks"),
    );
    assert_eq!(first.status, 201, "{}", first.text());
    let again = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A}),
        "KS-2026-001",
        &pdf("ks"),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["id"], first.json()["id"]);
    let reused = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A}),
        "KS-2026-001",
        &pdf("other bytes"),
    );
    assert_eq!(
        (reused.status, reused.error_code().as_str()),
        (409, "conflict")
    );

    // Ten parallel retries of a new push: one creates, all get the same id.
    let (h, k) = (host.clone(), key.clone());
    let answers = parallel(10, move |_| {
        let r = push(
            &h,
            &k,
            json!({"id_number": "048190012345"}),
            "BHYT-77",
            &pdf("bhyt"),
        );
        (
            r.status,
            r.json()["id"].as_str().unwrap_or_default().to_owned(),
        )
    });
    assert_eq!(
        answers.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|(s, id)| (*s == 201 || *s == 200) && *id == answers[0].1),
        "{answers:?}"
    );

    let mine = host.get_auth("/api/v1/documents", &a).json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let only_bc = host
        .get_auth("/api/v1/documents?type=birth_certificate&limit=1", &a)
        .json();
    assert_eq!(only_bc["items"].as_array().unwrap().len(), 1);
    assert_eq!(only_bc["items"][0]["issuer"]["code"], "so-tu-phap");
    assert_eq!(only_bc["items"][0]["source"], "issued");

    let nobody = push(
        &host,
        &key,
        json!({"phone": "0905999999"}),
        "KS-X",
        &pdf("x"),
    );
    assert_eq!(
        (nobody.status, nobody.error_code().as_str()),
        (404, "citizen_not_found")
    );
    let nobody = push(
        &host,
        &key,
        json!({"id_number": "001001001001"}),
        "KS-Y",
        &pdf("y"),
    );
    assert_eq!(
        (nobody.status, nobody.error_code().as_str()),
        (404, "citizen_not_found")
    );
    let wrong_key = push(
        &host,
        &format!("{key}x"),
        json!({"phone": CITIZEN_A}),
        "KS-Z",
        &pdf("z"),
    );
    assert_eq!(wrong_key.status, 401);
}

#[test]
fn revoked_documents_show_revoked_through_shares() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let key = issuer_key(&host, "bhxh");
    let other_key = issuer_key(&host, "so-tu-phap");
    let doc = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A}),
        "BHYT-1",
        &pdf("bhyt"),
    )
    .json();
    let id = doc["id"].as_str().unwrap();
    let link = share(
        &host,
        &a,
        id,
        &json!({"purpose": "Khám bệnh", "max_uses": 5}),
    );
    let path = path_of(link["url"].as_str().unwrap());

    let before = host.get(&path).json();
    assert_eq!(before["verification"]["status"], "valid");
    assert_eq!(before["verification"]["issuer"]["code"], "bhxh");

    let not_theirs = host.post_json_auth(
        &format!("/api/v1/issuer/documents/{id}/revoke"),
        &other_key,
        &json!({}),
    );
    assert_eq!(not_theirs.status, 404);
    let revoked = host.post_json_auth(
        &format!("/api/v1/issuer/documents/{id}/revoke"),
        &key,
        &json!({}),
    );
    assert_eq!(
        (revoked.status, revoked.json()["status"].as_str()),
        (200, Some("revoked"))
    );

    let after = host.get(&path).json();
    assert_eq!(after["verification"]["status"], "revoked");
    assert_eq!(
        after["verification"]["sha256"],
        sha256_hex(&pdf("bhyt")).as_str()
    );
    let bytes = host.get(&format!("{path}/content"));
    assert_eq!(
        (bytes.status, bytes.error_code().as_str()),
        (410, "document_revoked")
    );
    assert_eq!(
        host.get_auth(&format!("/api/v1/documents/{id}"), &a).json()["status"],
        "revoked"
    );
    let no_new_link = host.post_json_auth(
        &format!("/api/v1/documents/{id}/shares"),
        &a,
        &json!({"purpose": "x"}),
    );
    assert_eq!(
        (no_new_link.status, no_new_link.error_code().as_str()),
        (409, "document_revoked")
    );
}

#[test]
fn fifty_parallel_fetches_of_a_three_use_link_serve_exactly_three() {
    let host = Arc::new(HostBuilder::app().start());
    let a = login(&host, CITIZEN_A);
    let key = issuer_key(&host, "so-tu-phap");
    let bytes = pdf("ket qua thu tuc");
    let doc = push(&host, &key, json!({"phone": CITIZEN_A}), "HS-9", &bytes).json();
    let link = share(
        &host,
        &a,
        doc["id"].as_str().unwrap(),
        &json!({"purpose": "Xin việc", "max_uses": 3, "expires_in": 3600}),
    );
    // The link's QR decodes to its URL.
    assert_eq!(
        decode_svg(link["qr_svg"].as_str().unwrap()).0,
        link["url"].as_str().unwrap()
    );
    assert_eq!(link["state"], "active");

    let path = format!("{}/content", path_of(link["url"].as_str().unwrap()));
    let h = host.clone();
    let results = parallel(50, move |_| {
        let r = h.get(&path);
        (r.status, r.error_code_or_empty(), sha256_hex(&r.body))
    });
    let served: Vec<_> = results.iter().filter(|(s, _, _)| *s == 200).collect();
    assert_eq!(served.len(), 3, "{results:?}");
    assert!(
        served.iter().all(|(_, _, sha)| *sha == sha256_hex(&bytes)),
        "bytes come back identical"
    );
    assert!(results
        .iter()
        .filter(|(s, _, _)| *s != 200)
        .all(|(s, code, _)| *s == 410 && code == "share_gone"));

    let listed = host.get_auth("/api/v1/shares", &a).json();
    assert_eq!(listed["items"][0]["state"], "used_up");
    assert_eq!(listed["items"][0]["uses"], 3);
    let log = host.get_auth("/api/v1/me/access-log", &a).json();
    let downloads: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["event"] == "document_accessed")
        .collect();
    assert_eq!(downloads.len(), 3);
    assert_eq!(downloads[0]["purpose"], "Xin việc");
    assert_eq!(downloads[0]["document"]["title"], "Giấy khai sinh");
}

#[test]
fn revoked_and_used_up_links_are_gone_and_unknown_ones_not_found() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let doc = upload(
        &host,
        &a,
        "health_insurance",
        "Thẻ BHYT",
        "application/pdf",
        pdf("the"),
    )
    .json();
    let id = doc["id"].as_str().unwrap();

    let once = share(
        &host,
        &a,
        id,
        &json!({"purpose": "Bệnh viện", "max_uses": 1}),
    );
    let once_path = path_of(once["url"].as_str().unwrap());
    let meta = host.get(&once_path);
    assert_eq!(meta.status, 200);
    assert_eq!(meta.json()["holder"]["full_name"], Value::Null);
    assert_eq!(meta.json()["verification"]["source"], "uploaded");
    let gone = host.get(&format!("{once_path}/content"));
    assert_eq!(
        (gone.status, gone.error_code().as_str()),
        (410, "share_gone")
    );

    let link = share(&host, &a, id, &json!({"purpose": "Ngân hàng"}));
    let token = link["token"].as_str().unwrap();
    let path = path_of(link["url"].as_str().unwrap());
    assert_eq!(host.get(&format!("{path}/content")).body, pdf("the"));
    let del = host.send(
        host.request(Method::DELETE, &format!("/api/v1/shares/{token}"))
            .bearer_auth(&a),
    );
    assert_eq!(del.status, 204);
    let gone = host.get(&path);
    assert_eq!(
        (gone.status, gone.error_code().as_str()),
        (410, "share_gone")
    );
    let again = host.send(
        host.request(Method::DELETE, &format!("/api/v1/shares/{token}"))
            .bearer_auth(&a),
    );
    assert_eq!(again.status, 204, "revoking twice is fine");
    let mut states: Vec<(String, String)> = host.get_auth("/api/v1/shares", &a).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["purpose"].as_str().unwrap().to_owned(),
                s["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Both links were made within the same second, so compare without order.
    states.sort();
    assert_eq!(
        states,
        [
            ("Bệnh viện".to_owned(), "used_up".to_owned()),
            ("Ngân hàng".to_owned(), "revoked".to_owned())
        ]
    );

    let unknown = host.get("/api/v1/shared/shr_AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(unknown.status, 404);
    let too_long = host.post_json_auth(
        &format!("/api/v1/documents/{id}/shares"),
        &a,
        &json!({"purpose": "x", "expires_in": 604801}),
    );
    assert_eq!(
        (
            too_long.status,
            too_long.json()["error"]["fields"]["expires_in"].as_str()
        ),
        (422, Some("must_be_1_to_604800_seconds"))
    );
    // Expiry itself is covered natively with a fake clock
    // (shared/src/documents/tests/share_tests.rs), so no test sleeps.
}

#[test]
fn content_round_trips_with_etag_and_uploads_are_bounded() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let key = issuer_key(&host, "so-tu-phap");

    // A PNG and a just-under-the-limit PDF come back byte for byte.
    let mut png_bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png_bytes.extend((0..10_000u32).map(|i| (i * 7 % 251) as u8));
    let mut big = pdf("big");
    big.resize(5 * 1024 * 1024, b'\n');
    for (ct, bytes) in [("image/png", png_bytes), ("application/pdf", big)] {
        let up = upload(&host, &a, "other", "Tài liệu của tôi", ct, bytes.clone());
        assert_eq!(up.status, 201, "{}", up.text());
        let doc = up.json();
        assert_eq!(doc["source"], "uploaded");
        assert_eq!(doc["sha256"], sha256_hex(&bytes).as_str());
        let path = format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap());
        let got = host.get_auth(&path, &a);
        assert_eq!(got.status, 200);
        assert_eq!(sha256_hex(&got.body), sha256_hex(&bytes));
        assert_eq!(got.header("content-type").as_deref(), Some(ct));
        let etag = got.header("etag").unwrap();
        assert_eq!(etag, format!("\"{}\"", sha256_hex(&bytes)));
        let cached = host.send(
            host.request(Method::GET, &path)
                .bearer_auth(&a)
                .header("if-none-match", &etag),
        );
        assert_eq!(cached.status, 304);
        assert!(cached.body.is_empty());
        let stale = host.send(
            host.request(Method::GET, &path)
                .bearer_auth(&a)
                .header("if-none-match", "\"0000\""),
        );
        assert_eq!(stale.status, 200);
    }

    // 5 MiB + 1 byte is refused, as are other types and lying labels.
    let mut over = pdf("over");
    over.resize(5 * 1024 * 1024 + 1, b'\n');
    let r = upload(&host, &a, "other", "Quá lớn", "application/pdf", over);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (413, "payload_too_large")
    );
    assert_eq!(r.json()["error"]["fields"]["limit"], 5 * 1024 * 1024);
    let r = upload(&host, &a, "other", "GIF", "image/gif", b"GIF89a".to_vec());
    assert_eq!(r.status, 415);
    let r = upload(
        &host,
        &a,
        "other",
        "Not a PDF",
        "application/pdf",
        b"<html>".to_vec(),
    );
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["body"].as_str()),
        (422, Some("content_does_not_match_type"))
    );

    // Own uploads can be deleted; issued documents cannot.
    let issued = push(&host, &key, json!({"phone": CITIZEN_A}), "KS-1", &pdf("ks")).json();
    let r = host.send(
        host.request(
            Method::DELETE,
            &format!("/api/v1/documents/{}", issued["id"].as_str().unwrap()),
        )
        .bearer_auth(&a),
    );
    assert_eq!(r.status, 403);
    let list = host.get_auth("/api/v1/documents?type=other", &a).json();
    let first = list["items"][0]["id"].as_str().unwrap().to_owned();
    let r = host.send(
        host.request(Method::DELETE, &format!("/api/v1/documents/{first}"))
            .bearer_auth(&a),
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        host.get_auth(&format!("/api/v1/documents/{first}"), &a)
            .status,
        404
    );
}

#[test]
fn the_demo_seed_gives_the_demo_citizen_a_profile_and_three_issued_pdfs() {
    let host = HostBuilder::app().start();
    let state = tempfile::tempdir().unwrap();
    let bin = e2e::root().join("target/release/demo-seed");
    assert!(
        bin.exists(),
        "{} is missing: cargo build --release -p demo-seed",
        bin.display()
    );
    for _ in 0..2 {
        let out = std::process::Command::new(&bin)
            .args([
                "--url",
                &host.url,
                "--admin-token",
                ADMIN_TOKEN,
                "--state-dir",
            ])
            .arg(state.path())
            .env_remove("SPIN_VARIABLE_ADMIN_TOKEN")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "demo-seed failed:\n{text}");
    }
    // Read straight from the database: logging the demo citizen in again
    // right after the seeder would hit the one-minute resend cooldown.
    let conn = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let (id_number, dob): (String, String) = conn
        .query_row(
            // The demo citizen is provisional: the number is their claim.
            "SELECT k.id_number, c.date_of_birth FROM citizens c JOIN id_number_claims k ON k.citizen_id = c.id \
             WHERE c.phone = '+84905123456'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((id_number.len(), dob.as_str()), (12, "1990-05-17"));
    let docs: Vec<(String, String, Vec<u8>, String)> = conn
        .prepare(
            "SELECT d.type, d.source, d.content, d.sha256 FROM documents d JOIN citizens c ON c.id = d.citizen_id \
             WHERE c.phone = '+84905123456' ORDER BY d.type",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let types: Vec<&str> = docs.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        types,
        ["birth_certificate", "health_insurance", "procedure_result"],
        "seeded once, not twice"
    );
    for (_, source, content, sha) in &docs {
        assert_eq!(source, "issued");
        assert!(content.starts_with(b"%PDF-") && content.ends_with(b"%%EOF\n"));
        assert_eq!(&sha256_hex(content), sha);
    }
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
    let conn = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT actor, detail FROM audit_log WHERE action = ?1 AND subject = ?2 ORDER BY seq",
        )
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([action, subject], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.into_iter()
        .map(|(actor, detail)| (actor, serde_json::from_str(&detail).unwrap()))
        .collect()
}

#[test]
fn a_squatted_cccd_routes_nothing_until_the_owner_is_verified() {
    let host = HostBuilder::app().start();
    let key = issuer_key(&host, "bhxh");

    // The squatter declares the owner's number: an ordinary 200, a claim.
    let squatter = login(&host, SQUATTER);
    let squatter_id = host.get_auth("/api/v1/me", &squatter).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = patch_me(
        &host,
        &squatter,
        &json!({"full_name": "Kẻ Mạo Danh", "id_number": OWNER_NUMBER}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (
            r.json()["id_number"].as_str(),
            r.json()["id_number_status"].as_str()
        ),
        (Some(OWNER_NUMBER), Some("declared"))
    );

    // The agency pushes by that number: exactly the answer for nobody.
    let claimed = push(
        &host,
        &key,
        json!({"id_number": OWNER_NUMBER}),
        "BHYT-2026-1",
        &pdf("bhyt"),
    );
    let nobody = push(
        &host,
        &key,
        json!({"id_number": "001001001001"}),
        "BHYT-2026-2",
        &pdf("x"),
    );
    assert_eq!(
        (claimed.status, claimed.error_code().as_str()),
        (404, "citizen_not_found"),
        "{}",
        claimed.text()
    );
    assert_eq!(claimed.json()["error"], nobody.json()["error"]);
    assert!(vault_ids(&host, &squatter).is_empty());
    // The squatter's own code does not carry the number either.
    assert!(qr_png(&host, &squatter).starts_with("|KE MAO DANH||CDS|"));

    // The owner signs up later and declares the same number: no 409.
    let owner = login(&host, CITIZEN_A);
    let r = patch_me(
        &host,
        &owner,
        &json!({"full_name": "Đặng Thị Ánh Tuyết", "id_number": OWNER_NUMBER}),
    );
    assert_eq!(
        (r.status, r.json()["id_number_status"].as_str()),
        (200, Some("declared")),
        "{}",
        r.text()
    );

    // An official checks the owner's card and verifies them.
    let off = official(&host);
    let v = verify_citizen(&host, &off, &owner);
    assert_eq!(v.status, 200, "{}", v.text());
    assert_eq!(
        (
            v.json()["level"].as_str(),
            v.json()["masked_id_number"].as_str()
        ),
        (Some("verified"), Some("******012345"))
    );
    let me = host.get_auth("/api/v1/me", &owner).json();
    assert_eq!(
        (me["id_number"].as_str(), me["id_number_status"].as_str()),
        (Some(OWNER_NUMBER), Some("verified"))
    );

    // The agency's retry now reaches the owner, and only the owner.
    let delivered = push(
        &host,
        &key,
        json!({"id_number": OWNER_NUMBER}),
        "BHYT-2026-1",
        &pdf("bhyt"),
    );
    assert_eq!(delivered.status, 201, "{}", delivered.text());
    assert_eq!(
        vault_ids(&host, &owner),
        vec![delivered.json()["id"].as_str().unwrap().to_owned()]
    );
    assert!(vault_ids(&host, &squatter).is_empty());

    // The squatter's claim is gone, and that was audited (masked).
    let me = host.get_auth("/api/v1/me", &squatter).json();
    assert_eq!(
        (
            me["id_number"].clone(),
            me["id_number_status"].clone(),
            me["level"].as_str()
        ),
        (Value::Null, Value::Null, Some("provisional"))
    );
    let cleared = audit_about(&host, "id_number_claim_cleared", &squatter_id);
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert!(cleared[0].0.starts_with("official:"), "{cleared:?}");
    assert_eq!(cleared[0].1["masked_id_number"], "******012345");
    assert!(
        !cleared[0].1.to_string().contains(OWNER_NUMBER),
        "the full number is not in the log"
    );

    // Claiming it again and asking an official: 409, nothing changes.
    assert_eq!(
        patch_me(&host, &squatter, &json!({"id_number": OWNER_NUMBER})).status,
        200
    );
    let refused = verify_citizen(&host, &off, &squatter);
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (409, "id_number_taken"),
        "{}",
        refused.text()
    );
    let me = host.get_auth("/api/v1/me", &squatter).json();
    assert_eq!(
        (me["level"].as_str(), me["id_number_status"].as_str()),
        (Some("provisional"), Some("declared"))
    );
    assert_eq!(
        audit_about(&host, "citizen_verification_refused", &squatter_id).len(),
        1
    );
}

#[test]
fn two_provisional_claims_then_one_verification() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let b = login(&host, CITIZEN_B);
    for t in [&a, &b] {
        let r = patch_me(&host, t, &json!({"id_number": "048 190 012 345"}));
        assert_eq!(
            (r.status, r.json()["id_number_status"].as_str()),
            (200, Some("declared")),
            "{}",
            r.text()
        );
    }
    let off = official(&host);
    let v = verify_citizen(&host, &off, &b);
    assert_eq!(v.status, 200, "{}", v.text());

    let mb = host.get_auth("/api/v1/me", &b).json();
    assert_eq!(
        (
            mb["level"].as_str(),
            mb["id_number"].as_str(),
            mb["id_number_status"].as_str()
        ),
        (Some("verified"), Some(OWNER_NUMBER), Some("verified"))
    );
    let ma = host.get_auth("/api/v1/me", &a).json();
    assert_eq!(
        (ma["level"].as_str(), ma["id_number"].clone()),
        (Some("provisional"), Value::Null)
    );
    assert!(ma["missing"]
        .as_array()
        .unwrap()
        .contains(&json!("id_number")));

    let key = issuer_key(&host, "so-tu-phap");
    let r = push(
        &host,
        &key,
        json!({"id_number": OWNER_NUMBER}),
        "KS-1",
        &pdf("ks"),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(vault_ids(&host, &b).len(), 1);
    assert!(vault_ids(&host, &a).is_empty());
    // Verifying B again changes nothing.
    assert_eq!(verify_citizen(&host, &off, &b).status, 200);
}

#[test]
fn pushes_by_phone_and_an_unverified_citizens_code_say_what_is_confirmed() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    full_profile(&host, &a);
    let key = issuer_key(&host, "bhxh");
    // Phone and number together must match one account (here: A's own claim).
    let r = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A, "id_number": "048190012345"}),
        "P-1",
        &pdf("1"),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A, "id_number": "001090012345"}),
        "P-2",
        &pdf("2"),
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "citizen_not_found")
    );
    let r = push(&host, &key, json!({}), "P-3", &pdf("3"));
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["citizen"].as_str()),
        (422, Some("give_phone_or_id_number"))
    );
    assert_eq!(vault_ids(&host, &a).len(), 1);

    // A provisional citizen's code is genuine, but the official is told the
    // data is declared, not confirmed.
    let off = official(&host);
    let code = qr_png(&host, &a);
    assert!(
        code.starts_with("|DANG THI ANH TUYET|1990-05-17|CDS|"),
        "{code}"
    );
    let v = verify_qr(&host, &off, &code);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["citizen"]["confirmed"], false);
    assert_eq!(v["citizen"]["level"], "provisional");
    assert_eq!(v["citizen"]["id_number_status"], "declared");
    assert_eq!(v["citizen"]["masked_id_number"], "******012345");
    assert!(
        v["notice"]
            .as_str()
            .unwrap()
            .contains("chưa được cán bộ xác minh"),
        "{v}"
    );
    let en = host.send(
        host.request(Method::POST, "/api/v1/officials/verify-qr")
            .bearer_auth(&off)
            .header("accept-language", "en")
            .json(&json!({"payload": code})),
    );
    assert!(
        en.json()["notice"]
            .as_str()
            .unwrap()
            .contains("no official has verified"),
        "{}",
        en.text()
    );
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
