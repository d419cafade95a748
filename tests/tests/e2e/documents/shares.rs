//! Share links: revoked documents through shares, parallel fetches of a limited link, revoked and used-up links; content with ETag and bounded uploads.

use super::*;

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
    e2e::admin::assert_audit_chain_verifies(&host);
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
    let del = host.delete_auth(&format!("/api/v1/shares/{token}"), &a);
    assert_eq!(del.status, 204);
    let gone = host.get(&path);
    assert_eq!(
        (gone.status, gone.error_code().as_str()),
        (410, "share_gone")
    );
    let again = host.delete_auth(&format!("/api/v1/shares/{token}"), &a);
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
    // A filter that is empty, repeated or unknown is refused, never read as
    // "no filter" (which would show documents the citizen did not ask for).
    for query in [
        "type=",
        "type=other&type=other",
        "type=other&type=__proto__",
    ] {
        let r = host.get_auth(&format!("/api/v1/documents?{query}"), &a);
        assert_eq!(r.status, 422, "{query}");
        assert!(r.json()["error"]["fields"].get("type").is_some(), "{query}");
    }
    let r = host.delete_auth(&format!("/api/v1/documents/{first}"), &a);
    assert_eq!(r.status, 204);
    assert_eq!(
        host.get_auth(&format!("/api/v1/documents/{first}"), &a)
            .status,
        404
    );
}
