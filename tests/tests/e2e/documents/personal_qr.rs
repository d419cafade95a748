//! The personal QR code, decoded from the PNG and the SVG with a real decoder, verified by an official; forged codes refused.

use super::*;

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
