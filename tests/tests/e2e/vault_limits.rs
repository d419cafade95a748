//! The vault's limits and download headers end to end (issue 12 §6): upload
//! quotas and live links per document, share links built on
//! `public_base_url` whatever `Host` says, and document bytes served
//! sandboxed with an RFC 6266 `Content-Disposition`.

use e2e::session::login;
use e2e::vault::pdf;
use e2e::{parallel, Host, HostBuilder, Method, Resp, PUBLIC_BASE_URL};
use serde_json::{json, Value};

const CITIZEN: &str = "+84905123456";

fn upload(host: &Host, token: &str, title: &str, content_type: &str, bytes: Vec<u8>) -> Resp {
    e2e::vault::upload(host, token, "other", title, content_type, bytes)
}

fn share(host: &Host, token: &str, doc_id: &str) -> Resp {
    host.post_json_auth(
        &format!("/api/v1/documents/{doc_id}/shares"),
        token,
        &json!({"expires_in": 3600, "purpose": "Nộp hồ sơ"}),
    )
}

/// The citizen logged in, with one uploaded PDF titled `title`: (token,
/// document id).
fn citizen_with_pdf(host: &Host, title: &str, tag: &str) -> (String, String) {
    let token = login(host, CITIZEN);
    let doc = doc_id(&upload(host, &token, title, "application/pdf", pdf(tag)));
    (token, doc)
}

fn doc_id(r: &Resp) -> String {
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

#[test]
fn uploads_stop_at_the_citizens_quota_even_when_sent_at_once() {
    let host = HostBuilder::app().var("upload_max_count", "3").start();
    let token = login(&host, CITIZEN);
    let host = std::sync::Arc::new(host);
    let h = host.clone();
    let t = token.clone();
    let statuses = parallel(8, move |i| {
        let r = upload(&h, &t, "Tệp", "application/pdf", pdf(&format!("p{i}")));
        (
            r.status,
            if r.status == 201 {
                String::new()
            } else {
                r.error_code()
            },
        )
    });
    let stored = statuses.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(stored, 3, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|(s, c)| *s == 201 || (*s == 422 && c == "upload_quota_exceeded")),
        "{statuses:?}"
    );
    let over = upload(&host, &token, "Thêm", "application/pdf", pdf("more"));
    assert_eq!(over.status, 422);
    assert_eq!(
        over.json()["error"]["fields"],
        json!({"quota": "count", "limit": 3})
    );
    // Deleting one gives the place back.
    let mine = host.get_auth("/api/v1/documents", &token).json();
    let first = mine["items"][0]["id"].as_str().unwrap();
    let del = host.delete_auth(&format!("/api/v1/documents/{first}"), &token);
    assert_eq!(del.status, 204);
    assert_eq!(
        upload(&host, &token, "Thêm", "application/pdf", pdf("more")).status,
        201
    );
}

#[test]
fn total_upload_bytes_are_capped_too() {
    let one = pdf("a").len();
    let host = HostBuilder::app()
        .var("upload_max_bytes", &(one + 10).to_string())
        .start();
    let token = login(&host, CITIZEN);
    doc_id(&upload(&host, &token, "A", "application/pdf", pdf("a")));
    let over = upload(&host, &token, "B", "application/pdf", pdf("b"));
    assert_eq!(
        (over.status, over.error_code()),
        (422, "upload_quota_exceeded".to_owned()),
        "{}",
        over.text()
    );
    assert_eq!(over.json()["error"]["fields"]["quota"], "bytes");
}

#[test]
fn a_document_has_a_limited_number_of_live_links() {
    let host = HostBuilder::app()
        .var("share_max_active_per_document", "2")
        .start();
    let (token, doc) = citizen_with_pdf(&host, "Giấy khai sinh", "ks");
    let first = share(&host, &token, &doc);
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(share(&host, &token, &doc).status, 201);
    let third = share(&host, &token, &doc);
    assert_eq!(
        (third.status, third.error_code()),
        (422, "share_limit_reached".to_owned()),
        "{}",
        third.text()
    );
    assert_eq!(third.json()["error"]["fields"]["limit"], 2);
    // Revoking one frees its place.
    let t = first.json()["token"].as_str().unwrap().to_owned();
    let revoked = host.delete_auth(&format!("/api/v1/shares/{t}"), &token);
    assert_eq!(revoked.status, 204);
    assert_eq!(share(&host, &token, &doc).status, 201);
}

#[test]
fn share_links_and_their_qr_use_public_base_url_never_the_host_header() {
    let host = HostBuilder::app().start();
    let (token, doc) = citizen_with_pdf(&host, "Giấy khai sinh", "ks");
    let r = host.send(
        host.request(Method::POST, &format!("/api/v1/documents/{doc}/shares"))
            .bearer_auth(&token)
            .header("host", "evil.example")
            .json(&json!({"purpose": "Nộp hồ sơ"})),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    let url = body["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{PUBLIC_BASE_URL}/api/v1/shared/shr_")),
        "{url}"
    );
    let svg = body["qr_svg"].as_str().unwrap();
    assert!(!svg.contains("evil"), "the QR must not carry the Host");
    let listed = host.send(
        host.request(Method::GET, "/api/v1/shares")
            .bearer_auth(&token)
            .header("host", "evil.example"),
    );
    assert_eq!(listed.json()["items"][0]["url"], Value::from(url));
}

#[test]
fn in_dev_mode_an_unset_public_base_url_means_the_local_address() {
    let host = HostBuilder::app().unset("public_base_url").start();
    let (token, doc) = citizen_with_pdf(&host, "Giấy khai sinh", "ks");
    let r = share(&host, &token, &doc);
    assert!(
        r.json()["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:3000/api/v1/shared/"),
        "{}",
        r.text()
    );
}

#[test]
fn document_bytes_are_sandboxed_and_named_after_the_title() {
    let host = HostBuilder::app().start();
    let (token, doc) = citizen_with_pdf(&host, "Giấy khai sinh \"bản sao\"", "ks");
    let own = host.get_auth(&format!("/api/v1/documents/{doc}/content"), &token);
    assert_eq!(own.status, 200);
    assert_eq!(
        own.header("content-security-policy").as_deref(),
        Some("sandbox")
    );
    let disposition = own.header("content-disposition").unwrap();
    assert_eq!(
        disposition,
        "inline; filename=\"Giay_khai_sinh__ban_sao.pdf\"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh%20_b%E1%BA%A3n%20sao_.pdf"
    );
    let link = share(&host, &token, &doc).json();
    let t = link["token"].as_str().unwrap();
    let public = host.get(&format!("/api/v1/shared/{t}/content"));
    assert_eq!(public.status, 200);
    assert_eq!(
        public.header("content-security-policy").as_deref(),
        Some("sandbox")
    );
    assert_eq!(
        public.header("content-disposition").as_deref(),
        Some(disposition.as_str())
    );
}
