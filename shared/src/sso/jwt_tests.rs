//! ES256 tokens and keys: round trips, rotation, every refusal, the RFC 7638
//! key id, PEM and JWK parsing, and interoperability with OpenSSL both ways.

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use std::io::Write as _;
use std::process::{Command, Stdio};

/// A test key only, written once by `openssl genpkey -algorithm EC -pkeyopt
/// ec_paramgen_curve:P-256`.
const P256_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0LafFVx6+qMnsJeh
fbj88wIGgaQi30hR5vhD+CzDmPOhRANCAAR89KZ8AwM319JzI9MXpBMosmsPy2Kd
97Yi4ivxzUJaCzxCZWyZCnt+2Xg2LtlCk7LpFV0CT1eetWWAtI+Zu+vU
-----END PRIVATE KEY-----
";

/// The same key as SEC1, by `openssl ec -in p256.pem`.
const P256_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEINC2nxVcevqjJ7CXoX24/PMCBoGkIt9IUeb4Q/gsw5jzoAoGCCqGSM49
AwEHoUQDQgAEfPSmfAMDN9fScyPTF6QTKLJrD8tinfe2IuIr8c1CWgs8QmVsmQp7
ftl4Ni7ZQpOy6RVdAk9XnrVlgLSPmbvr1A==
-----END EC PRIVATE KEY-----
";

/// Its public point as OpenSSL prints it (`openssl ec -pubout`), base64url.
const P256_X: &str = "fPSmfAMDN9fScyPTF6QTKLJrD8tinfe2IuIr8c1CWgs";
const P256_Y: &str = "PEJlbJkKe37ZeDYu2UKTsukVXQJPV561ZYC0j5m769Q";
/// Its RFC 7638 thumbprint, computed outside Rust (Python's hashlib).
const P256_KID: &str = "8M4Lq-WAjZf3q_IdrPStFKe_nFRkiIL7HfwMc15F6Os";

/// A P-384 test key, PKCS#8 and SEC1.
const P384_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBWer5RViEKkq8dhZFW
UZhGeutGjWZ5MKLUnqKKXMiz2epyEq3QmDckPJXIBsrvNvahZANiAATH5u8GJ+W7
YIYlybdFxfFBxNiSTZ/aIQ1+kvUQPi77XT7V6FS9oIWnmqj3b7Kt+qeGLJh9O4r6
JX/bAmdSXcz9h2ummJnjuojQrRW3GTrAId+K88dMXt54yih1MSo1+2M=
-----END PRIVATE KEY-----
";
const P384_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDBWer5RViEKkq8dhZFWUZhGeutGjWZ5MKLUnqKKXMiz2epyEq3QmDck
PJXIBsrvNvagBwYFK4EEACKhZANiAATH5u8GJ+W7YIYlybdFxfFBxNiSTZ/aIQ1+
kvUQPi77XT7V6FS9oIWnmqj3b7Kt+qeGLJh9O4r6JX/bAmdSXcz9h2ummJnjuojQ
rRW3GTrAId+K88dMXt54yih1MSo1+2M=
-----END EC PRIVATE KEY-----
";

fn pem_key() -> SigningKey {
    SigningKey::from_pem(P256_PKCS8).unwrap()
}

fn dev_key(name: &str) -> SigningKey {
    SigningKey::derive_from_secret(name.as_bytes())
}

fn claims() -> Value {
    json!({
        "iss": "https://id.example.vn",
        "sub": "c_0123",
        "aud": "portal",
        "exp": 1_800_000_600,
        "iat": 1_800_000_000,
        "name": "Nguyễn Văn A",
        "amr": ["otp"],
    })
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn parts(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

/// A token with any header, correctly signed by `key`.
fn forge(key: &SigningKey, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature: Signature = key.key.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn sign_then_verify_round_trips_claims_and_header() {
    let key = pem_key();
    let ring = KeyRing::new(key.clone(), None);
    for typ in ["JWT", "at+jwt"] {
        let token = ring.sign(typ, &claims());
        let (header, got) = ring.verify(&token).unwrap();
        assert_eq!(got, object(claims()));
        assert_eq!(
            header,
            object(json!({"alg": "ES256", "typ": typ, "kid": P256_KID}))
        );
        let p = parts(&token);
        assert_eq!(p.len(), 3);
        assert_eq!(URL_SAFE_NO_PAD.decode(&p[2]).unwrap().len(), 64);
        assert!(!token.contains('='), "base64url without padding");
    }
}

#[test]
fn signatures_are_deterministic_rfc6979() {
    let ring = KeyRing::new(pem_key(), None);
    assert_eq!(ring.sign("JWT", &claims()), ring.sign("JWT", &claims()));
    let other = json!({"sub": "c_0124"});
    assert_ne!(
        parts(&ring.sign("JWT", &claims()))[2],
        parts(&ring.sign("JWT", &other))[2]
    );
}

#[test]
fn the_previous_key_verifies_only_while_it_is_in_the_ring() {
    let old = dev_key("old");
    let new = dev_key("new");
    let token = KeyRing::new(old.clone(), None).sign("JWT", &claims());

    let overlap = KeyRing::new(new.clone(), Some(old.clone()));
    let (header, got) = overlap.verify(&token).unwrap();
    assert_eq!(header.get("kid"), Some(&json!(old.kid())));
    assert_eq!(got, object(claims()));
    // New tokens are signed by the current key.
    let fresh = overlap.sign("JWT", &claims());
    assert_eq!(overlap.verify(&fresh).unwrap().0["kid"], json!(new.kid()));
    assert_eq!(
        overlap.jwks(),
        json!({"keys": [new.public_jwk(), old.public_jwk()]})
    );

    let after = KeyRing::new(new.clone(), None);
    assert_eq!(after.verify(&token), Err(JwtError::UnknownKey));
    assert!(after.verify(&fresh).is_ok());
    assert_eq!(after.jwks(), json!({"keys": [new.public_jwk()]}));
}

#[test]
fn a_previous_key_equal_to_the_current_one_is_published_once() {
    let ring = KeyRing::new(pem_key(), Some(pem_key()));
    assert_eq!(ring.jwks(), json!({"keys": [pem_key().public_jwk()]}));
}

#[test]
fn a_tampered_token_is_a_bad_signature() {
    let ring = KeyRing::new(pem_key(), None);
    let token = ring.sign("JWT", &claims());
    let p = parts(&token);

    let mut changed = claims();
    changed["sub"] = json!("c_9999");
    let tampered = format!("{}.{}.{}", p[0], b64(changed.to_string()), p[2]);
    assert_eq!(ring.verify(&tampered), Err(JwtError::BadSignature));

    // The same header re-encoded differently (the signing input is the bytes
    // received, not the JSON they decode to).
    let header = URL_SAFE_NO_PAD.decode(&p[0]).unwrap();
    let spaced = format!("{} ", String::from_utf8(header).unwrap());
    let reencoded = format!("{}.{}.{}", b64(spaced), p[1], p[2]);
    assert_eq!(ring.verify(&reencoded), Err(JwtError::BadSignature));

    let mut sig = URL_SAFE_NO_PAD.decode(&p[2]).unwrap();
    sig[10] ^= 1;
    let flipped = format!("{}.{}.{}", p[0], p[1], b64(&sig));
    assert_eq!(ring.verify(&flipped), Err(JwtError::BadSignature));
}

#[test]
fn only_a_64_byte_r_s_signature_is_accepted() {
    let ring = KeyRing::new(pem_key(), None);
    let token = ring.sign("JWT", &claims());
    let p = parts(&token);
    let sig = URL_SAFE_NO_PAD.decode(&p[2]).unwrap();
    let with = |s: &[u8]| format!("{}.{}.{}", p[0], p[1], b64(s));

    let der = Signature::from_slice(&sig).unwrap().to_der();
    assert_eq!(
        ring.verify(&with(der.as_bytes())),
        Err(JwtError::BadSignature)
    );
    assert_eq!(ring.verify(&with(&sig[..63])), Err(JwtError::BadSignature));
    let mut longer = sig.clone();
    longer.push(0);
    assert_eq!(ring.verify(&with(&longer)), Err(JwtError::BadSignature));
    assert_eq!(ring.verify(&with(&[0; 64])), Err(JwtError::BadSignature));
    assert_eq!(ring.verify(&with(&[0xff; 64])), Err(JwtError::BadSignature));
    assert_eq!(ring.verify(&with(b"")), Err(JwtError::BadSignature));
    assert!(ring.verify(&with(&sig)).is_ok());
}

#[test]
fn none_and_hs256_are_unsupported() {
    let key = pem_key();
    let ring = KeyRing::new(key.clone(), None);
    let payload = b64(claims().to_string());

    for alg in ["none", "None", "HS256", "ES384", "RS256", "es256", ""] {
        let header = b64(json!({"alg": alg, "typ": "JWT", "kid": key.kid()}).to_string());
        let unsigned = format!("{header}.{payload}.");
        assert_eq!(
            ring.verify(&unsigned),
            Err(JwtError::UnsupportedAlg),
            "{alg}"
        );
        assert_eq!(
            verify_with_jwk(&unsigned, &key.public_jwk()),
            Err(JwtError::UnsupportedAlg),
            "{alg}"
        );
    }

    // The classic confusion: HS256 keyed with the published public key.
    let header = b64(json!({"alg": "HS256", "typ": "JWT", "kid": key.kid()}).to_string());
    let input = format!("{header}.{payload}");
    let mut mac = Hmac::<Sha256>::new_from_slice(key.public_jwk().to_string().as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let hs = format!("{input}.{}", b64(mac.finalize().into_bytes()));
    assert_eq!(ring.verify(&hs), Err(JwtError::UnsupportedAlg));

    // A correctly signed token with a critical extension is refused too.
    let crit = json!({"alg": "ES256", "kid": key.kid(), "crit": ["b64"], "b64": false});
    assert_eq!(
        ring.verify(&forge(&key, &crit, &claims())),
        Err(JwtError::UnsupportedAlg)
    );
}

#[test]
fn malformed_tokens_are_malformed() {
    let key = pem_key();
    let ring = KeyRing::new(key.clone(), None);
    let good = ring.sign("JWT", &claims());
    let p = parts(&good);
    let no_alg = forge(&key, &json!({"kid": key.kid()}), &claims());
    let alg_number = forge(&key, &json!({"alg": 7, "kid": key.kid()}), &claims());
    let array_claims = forge(
        &key,
        &json!({"alg": "ES256", "kid": key.kid()}),
        &json!([1]),
    );
    let cases = [
        String::new(),
        "garbage".to_owned(),
        "...".to_owned(),
        "a.b.c.d".to_owned(),
        ".".to_owned(),
        format!("{}.{}", p[0], p[1]),
        format!("{good}."),
        format!(".{good}"),
        format!("{}.{}.{}.{}", p[0], p[1], p[2], p[2]),
        format!("{}=.{}.{}", p[0], p[1], p[2]),
        format!("{}.{}.{}=", p[0], p[1], p[2]),
        format!("{}.{}!.{}", p[0], p[1], p[2]),
        format!("{}.{}.{}", b64("not json"), p[1], p[2]),
        format!("{}.{}.{}", b64("[\"ES256\"]"), p[1], p[2]),
        format!("{}.{}.{}", b64("\"ES256\""), p[1], p[2]),
        format!("{} .{}.{}", p[0], p[1], p[2]),
        "é.é.é".to_owned(),
        no_alg,
        alg_number,
        array_claims,
    ];
    for case in &cases {
        assert_eq!(ring.verify(case), Err(JwtError::Malformed), "{case:?}");
    }
    // Claims that are not JSON at all, correctly signed.
    let header = b64(json!({"alg": "ES256", "kid": key.kid()}).to_string());
    let input = format!("{header}.{}", b64("not json"));
    let signature: Signature = key.key.sign(input.as_bytes());
    let not_json = format!("{input}.{}", b64(signature.to_bytes()));
    assert_eq!(ring.verify(&not_json), Err(JwtError::Malformed));
}

#[test]
fn tokens_over_16_kib_are_refused_before_decoding() {
    let ring = KeyRing::new(dev_key("size"), None);
    // Find the padding that puts the token just at the limit.
    let sized = |n: usize| ring.sign("JWT", &json!({"pad": "a".repeat(n)}));
    let base = sized(0).len();
    let fits = (MAX_TOKEN_LEN - base) * 3 / 4;
    let mut n = fits;
    while sized(n + 1).len() <= MAX_TOKEN_LEN {
        n += 1;
    }
    while sized(n).len() > MAX_TOKEN_LEN {
        n -= 1;
    }
    assert!(sized(n).len() <= MAX_TOKEN_LEN);
    assert!(ring.verify(&sized(n)).is_ok());
    let over = sized(n + 3);
    assert!(over.len() > MAX_TOKEN_LEN);
    assert_eq!(ring.verify(&over), Err(JwtError::Malformed));
    assert_eq!(
        ring.verify(&"a".repeat(10 * MAX_TOKEN_LEN)),
        Err(JwtError::Malformed)
    );
}

#[test]
fn an_unknown_or_missing_kid_is_an_unknown_key() {
    let ring = KeyRing::new(pem_key(), Some(dev_key("previous")));
    let stranger = dev_key("stranger");
    let token = KeyRing::new(stranger.clone(), None).sign("JWT", &claims());
    assert_eq!(ring.verify(&token), Err(JwtError::UnknownKey));

    let key = pem_key();
    for header in [
        json!({"alg": "ES256"}),
        json!({"alg": "ES256", "kid": null}),
        json!({"alg": "ES256", "kid": 1}),
        json!({"alg": "ES256", "kid": ""}),
        json!({"alg": "ES256", "kid": format!("{} ", key.kid())}),
    ] {
        let token = forge(&key, &header, &claims());
        assert_eq!(ring.verify(&token), Err(JwtError::UnknownKey), "{header}");
    }
    // A stranger's signature under our kid is a bad signature, not a match.
    let borrowed = forge(
        &stranger,
        &json!({"alg": "ES256", "kid": key.kid()}),
        &claims(),
    );
    assert_eq!(ring.verify(&borrowed), Err(JwtError::BadSignature));
}

#[test]
fn the_kid_is_the_rfc7638_thumbprint() {
    for key in [pem_key(), dev_key("a"), dev_key("b")] {
        let jwk = key.public_jwk();
        let canonical = format!(
            "{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{}\",\"y\":\"{}\"}}",
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap()
        );
        let expected = b64(Sha256::digest(canonical.as_bytes()));
        assert_eq!(key.kid(), expected);
        assert_eq!(jwk["kid"], json!(expected));
    }
    // Pinned against values computed by OpenSSL and Python.
    let jwk = pem_key().public_jwk();
    assert_eq!(
        jwk,
        json!({
            "kty": "EC", "crv": "P-256", "x": P256_X, "y": P256_Y,
            "kid": P256_KID, "use": "sig", "alg": "ES256",
        })
    );
}

#[test]
fn from_pem_reads_pkcs8_and_sec1_of_the_same_key() {
    let pkcs8 = SigningKey::from_pem(P256_PKCS8).unwrap();
    let sec1 = SigningKey::from_pem(P256_SEC1).unwrap();
    assert_eq!(pkcs8.kid(), P256_KID);
    assert_eq!(sec1.kid(), P256_KID);
    // The same private key: the same deterministic signature.
    let a = KeyRing::new(pkcs8, None).sign("JWT", &claims());
    let b = KeyRing::new(sec1, None).sign("JWT", &claims());
    assert_eq!(a, b);
}

#[test]
fn from_pem_accepts_the_forms_configuration_carries() {
    let escaped = P256_PKCS8.replace('\n', "\\n");
    assert!(!escaped.contains('\n'));
    let crlf = P256_PKCS8.replace('\n', "\r\n");
    let padded = format!("\n\n  \t{P256_SEC1}\n   \n");
    let escaped_sec1 = format!("  {}  ", P256_SEC1.trim().replace('\n', "\\n"));
    let one_line = P256_PKCS8.replace('\n', " ");
    // `openssl ecparam -genkey` writes the curve's parameters first.
    let with_params = format!(
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{P256_SEC1}"
    );
    for pem in [escaped, crlf, padded, escaped_sec1, one_line, with_params] {
        assert_eq!(
            SigningKey::from_pem(&pem).map(|k| k.kid().to_owned()),
            Ok(P256_KID.to_owned()),
            "{pem:?}"
        );
    }
}

#[test]
fn from_pem_refuses_other_curves_and_junk() {
    assert_eq!(
        SigningKey::from_pem(P384_PKCS8).unwrap_err(),
        KeyError::NotP256
    );
    assert_eq!(
        SigningKey::from_pem(P384_SEC1).unwrap_err(),
        KeyError::NotP256
    );
    assert_eq!(
        SigningKey::from_pem(&P384_PKCS8.replace('\n', "\\n")).unwrap_err(),
        KeyError::NotP256
    );
    for empty in ["", "   \n\t", "\\n\\n"] {
        assert_eq!(
            SigningKey::from_pem(empty).unwrap_err(),
            KeyError::Missing,
            "{empty:?}"
        );
    }
    let truncated = P256_PKCS8.replace(
        "97Yi4ivxzUJaCzxCZWyZCnt+2Xg2LtlCk7LpFV0CT1eetWWAtI+Zu+vU\n",
        "",
    );
    let no_end = P256_PKCS8.replace("-----END PRIVATE KEY-----", "");
    let mismatched =
        P256_PKCS8.replace("-----END PRIVATE KEY-----", "-----END EC PRIVATE KEY-----");
    let empty_body = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----";
    let not_base64 = "-----BEGIN PRIVATE KEY-----\nnot*base64\n-----END PRIVATE KEY-----";
    let sec1_as_pkcs8 = P256_SEC1.replace("EC PRIVATE KEY", "PRIVATE KEY");
    let pkcs8_as_sec1 = P256_PKCS8.replace("PRIVATE KEY", "EC PRIVATE KEY");
    let public = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfPSmfAMDN9fScyPTF6QTKLJrD8ti
nfe2IuIr8c1CWgs8QmVsmQp7ftl4Ni7ZQpOy6RVdAk9XnrVlgLSPmbvr1A==
-----END PUBLIC KEY-----";
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----";
    for junk in [
        "junk",
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg",
        truncated.as_str(),
        no_end.as_str(),
        mismatched.as_str(),
        empty_body,
        not_base64,
        sec1_as_pkcs8.as_str(),
        pkcs8_as_sec1.as_str(),
        public,
        encrypted,
    ] {
        assert_eq!(
            SigningKey::from_pem(junk).unwrap_err(),
            KeyError::NotPem,
            "{junk:?}"
        );
    }
}

#[test]
fn derive_from_secret_is_deterministic_and_differs_per_secret() {
    let a = SigningKey::derive_from_secret(b"dev secret");
    assert_eq!(a.kid(), SigningKey::derive_from_secret(b"dev secret").kid());
    assert_ne!(
        a.kid(),
        SigningKey::derive_from_secret(b"dev secret!").kid()
    );
    assert_ne!(a.kid(), SigningKey::derive_from_secret(b"").kid());
    assert_ne!(a.kid(), pem_key().kid());

    // The documented construction: HMAC-SHA256(secret, label || counter 0).
    let mut mac = Hmac::<Sha256>::new_from_slice(b"dev secret").unwrap();
    mac.update(b"cds sso signing key v1");
    mac.update(&[0, 0, 0, 0]);
    let scalar = mac.finalize().into_bytes();
    let expected = SigningKey::from_ec(EcSigningKey::from(SecretKey::from_slice(&scalar).unwrap()));
    assert_eq!(a.kid(), expected.kid());
    assert_eq!(
        KeyRing::new(a, None).sign("JWT", &claims()),
        KeyRing::new(expected, None).sign("JWT", &claims())
    );
}

#[test]
fn debug_shows_only_the_kid() {
    let key = pem_key();
    assert_eq!(
        format!("{key:?}"),
        format!("SigningKey {{ kid: {:?}, .. }}", P256_KID)
    );
    let ring = format!("{:?}", KeyRing::new(key, Some(dev_key("old"))));
    assert!(!ring.contains("0LafFVx6"), "{ring}");
    assert!(!ring.contains("d0b69f"), "{ring}");
}

#[test]
fn errors_describe_without_key_material() {
    let keys = [KeyError::NotPem, KeyError::NotP256, KeyError::Missing];
    let jwts = [
        JwtError::Malformed,
        JwtError::UnsupportedAlg,
        JwtError::UnknownKey,
        JwtError::BadSignature,
    ];
    let mut seen: Vec<String> = keys.iter().map(ToString::to_string).collect();
    seen.extend(jwts.iter().map(ToString::to_string));
    for (i, s) in seen.iter().enumerate() {
        assert!(!s.is_empty());
        assert!(!seen[..i].contains(s), "{s}");
    }
}

#[test]
fn verify_with_jwk_accepts_only_the_matching_key() {
    let key = pem_key();
    let token = KeyRing::new(key.clone(), None).sign("JWT", &claims());
    let jwk = parse_client_jwk(&key.public_jwk()).unwrap();
    assert_eq!(verify_with_jwk(&token, &jwk), Ok(object(claims())));
    // The raw published JWK works too, and the header's kid is not compared.
    assert_eq!(
        verify_with_jwk(&token, &key.public_jwk()),
        Ok(object(claims()))
    );
    let no_kid = forge(&key, &json!({"alg": "ES256"}), &claims());
    assert_eq!(verify_with_jwk(&no_kid, &jwk), Ok(object(claims())));

    let other = dev_key("other").public_jwk();
    assert_eq!(verify_with_jwk(&token, &other), Err(JwtError::BadSignature));
    assert_eq!(
        verify_with_jwk(&token, &json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})),
        Err(JwtError::UnknownKey)
    );
    assert_eq!(verify_with_jwk("a.b", &jwk), Err(JwtError::Malformed));
    let p = parts(&token);
    let tampered = format!("{}.{}.{}", p[0], b64("{\"sub\":\"x\"}"), p[2]);
    assert_eq!(
        verify_with_jwk(&tampered, &jwk),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn parse_client_jwk_normalises_and_checks_the_point() {
    let given = json!({
        "kty": "EC", "crv": "P-256", "x": P256_X, "y": P256_Y,
        "kid": "client-key-1", "use": "sig", "alg": "ES256",
        "d": "0LafFVx6-qMnsJehfbj88wIGgaQi30hR5vhD-CzDmPM",
    });
    let out = parse_client_jwk(&given).unwrap();
    assert_eq!(
        out,
        json!({"kty": "EC", "crv": "P-256", "x": P256_X, "y": P256_Y, "kid": "client-key-1"})
    );
    assert!(out.get("d").is_none());
    let bare = json!({"kty": "EC", "crv": "P-256", "x": P256_X, "y": P256_Y});
    assert_eq!(parse_client_jwk(&bare).unwrap(), bare);

    // y of another point: (x, y) is not on the curve.
    let other_y = dev_key("other").public_jwk()["y"].clone();
    let off_curve = json!({"kty": "EC", "crv": "P-256", "x": P256_X, "y": other_y});
    assert_eq!(parse_client_jwk(&off_curve), Err(KeyError::NotP256));
    let mut y = URL_SAFE_NO_PAD.decode(P256_Y).unwrap();
    y[31] ^= 1;
    let nudged = json!({"kty": "EC", "crv": "P-256", "x": P256_X, "y": b64(&y)});
    assert_eq!(parse_client_jwk(&nudged), Err(KeyError::NotP256));

    let rsa =
        json!({"kty": "RSA", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri", "e": "AQAB"});
    assert_eq!(parse_client_jwk(&rsa), Err(KeyError::NotP256));
    let with = |name: &str, value: Value| {
        let mut jwk = bare.clone();
        jwk[name] = value;
        parse_client_jwk(&jwk)
    };
    assert_eq!(with("crv", json!("P-384")), Err(KeyError::NotP256));
    assert_eq!(with("kty", json!("OKP")), Err(KeyError::NotP256));
    assert_eq!(with("x", json!(&P256_X[1..])), Err(KeyError::NotP256));
    assert_eq!(
        with("x", json!(format!("{P256_X}="))),
        Err(KeyError::NotP256)
    );
    assert_eq!(with("x", json!(b64([0u8; 33]))), Err(KeyError::NotP256));
    assert_eq!(with("x", json!(b64([0xffu8; 32]))), Err(KeyError::NotP256));
    assert_eq!(with("y", json!(42)), Err(KeyError::NotP256));
    assert_eq!(with("kid", json!(42)), Err(KeyError::NotP256));
    assert_eq!(with("y", Value::Null), Err(KeyError::Missing));
    let mut no_x = bare.clone();
    no_x.as_object_mut().unwrap().remove("x");
    assert_eq!(parse_client_jwk(&no_x), Err(KeyError::Missing));
    assert_eq!(parse_client_jwk(&json!({})), Err(KeyError::Missing));
    assert_eq!(parse_client_jwk(&json!("EC")), Err(KeyError::NotP256));
    assert_eq!(parse_client_jwk(&json!([bare])), Err(KeyError::NotP256));
}

#[test]
fn no_mutation_of_a_token_panics_or_verifies() {
    let ring = KeyRing::new(dev_key("fuzz"), None);
    let token = ring.sign("at+jwt", &json!({"sub": "c_1", "scope": "openid"}));
    let bytes = token.as_bytes();
    let replacements = [b'.', b'A', b'_', b'-', b'=', b'0'];
    let mut tried = 0;
    for i in 0..bytes.len() {
        assert!(ring.verify(&token[..i]).is_err());
        let r = replacements[i % replacements.len()];
        if bytes[i] != r {
            let mut mutated = bytes.to_vec();
            mutated[i] = r;
            let mutated = String::from_utf8(mutated).unwrap();
            assert!(ring.verify(&mutated).is_err(), "{mutated}");
            tried += 1;
        }
    }
    assert!(tried > 100);
    assert!(ring.verify(&token).is_ok());
}

/// A scratch directory for files handed to `openssl`.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cds-jwt-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `openssl` with `input` on stdin; fails the test loudly if OpenSSL is
/// not installed (it is part of the project's Debian machines).
fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("this test needs the `openssl` command: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_signature_made_by_openssl_verifies() {
    let dir = scratch("openssl-signs");
    let pem = dir.join("key.pem");
    std::fs::write(&pem, P256_PKCS8).unwrap();
    let pem = pem.to_str().unwrap();

    let header = json!({"alg": "ES256", "typ": "JWT", "kid": P256_KID});
    let input = format!("{}.{}", b64(header.to_string()), b64(claims().to_string()));
    let der = openssl(&["dgst", "-sha256", "-sign", pem], input.as_bytes());
    let signature = Signature::from_der(&der).unwrap();
    let token = format!("{input}.{}", b64(signature.to_bytes()));

    let ring = KeyRing::new(SigningKey::from_pem(P256_SEC1).unwrap(), None);
    let (got_header, got) = ring.verify(&token).unwrap();
    assert_eq!(got_header, object(header));
    assert_eq!(got, object(claims()));
    let jwk = pem_key().public_jwk();
    assert_eq!(verify_with_jwk(&token, &jwk), Ok(object(claims())));
    // OpenSSL's signature is randomised: a second one differs and verifies.
    let again = openssl(&["dgst", "-sha256", "-sign", pem], input.as_bytes());
    assert_ne!(der, again);
    let again = Signature::from_der(&again).unwrap();
    assert!(ring
        .verify(&format!("{input}.{}", b64(again.to_bytes())))
        .is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_signature_made_here_verifies_with_openssl() {
    let dir = scratch("openssl-verifies");
    let key = dir.join("key.pem");
    std::fs::write(&key, P256_SEC1).unwrap();
    let public = openssl(&["pkey", "-in", key.to_str().unwrap(), "-pubout"], b"");
    let public_path = dir.join("public.pem");
    std::fs::write(&public_path, &public).unwrap();

    let token = KeyRing::new(pem_key(), None).sign("at+jwt", &claims());
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
    let sig_path = dir.join("sig.der");
    std::fs::write(&sig_path, sig.to_der().as_bytes()).unwrap();
    let out = openssl(
        &[
            "dgst",
            "-sha256",
            "-verify",
            public_path.to_str().unwrap(),
            "-signature",
            sig_path.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert_eq!(String::from_utf8_lossy(&out).trim(), "Verified OK");
    std::fs::remove_dir_all(&dir).unwrap();
}
