//! Issuer pushes, idempotent even when retries race; the demo seed's issued documents.

use super::*;

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

    // Thirty parallel retries of a new push (spread over every node on the
    // PostgreSQL setup): one creates, all get the same id.
    let (h, k) = (host.clone(), key.clone());
    let answers = parallel(30, move |_| {
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
    e2e::admin::assert_audit_chain_verifies(&host);

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
fn the_demo_seed_gives_the_demo_citizen_a_profile_and_three_issued_pdfs() {
    let host = HostBuilder::app().start();
    let state = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        e2e::seed::run_seed(&host, state.path());
    }
    // Read straight from the database: logging the demo citizen in again
    // right after the seeder would hit the one-minute resend cooldown.
    let conn = e2e::db::db(&host);
    let row = conn.row(
        // The demo citizen is provisional: the number is their claim.
        "SELECT k.id_number, c.date_of_birth FROM citizens c JOIN id_number_claims k ON k.citizen_id = c.id \
         WHERE c.phone = '+84905123456'",
        &[],
    );
    let (id_number, dob) = (row.text(0), row.text(1));
    assert_eq!((id_number.len(), dob.as_str()), (12, "1990-05-17"));
    let docs: Vec<(String, String, Vec<u8>, String)> = conn
        .rows(
            "SELECT d.type, d.source, d.content, d.sha256 FROM documents d JOIN citizens c ON c.id = d.citizen_id \
             WHERE c.phone = '+84905123456' ORDER BY d.type",
            &[],
        )
        .iter()
        .map(|r| (r.text(0), r.text(1), r.blob(2), r.text(3)))
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
