//! Zalo's side of the OA webhook as the tests play it: the app's Zalo
//! settings pointed at a loopback fake, and `user_send_text` events signed the
//! way Zalo signs them (docs/zalo.md).
#![allow(clippy::unwrap_used)]

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::encode::hex;
use crate::fake_server::FakeServer;
use crate::time::now_ms;
use crate::{Host, HostBuilder, Method, Resp};

/// The OA's app id in the test settings.
pub const APP_ID: &str = "3482178216594085616";
/// The OA secret key the webhook's signatures are made with.
pub const OA_SECRET: &str = "e2e-oa-secret-key";
/// The OA access token the app sends to the (fake) OA API.
pub const ACCESS_TOKEN: &str = "e2e-oa-access-token";
/// The ZNS template of one-time codes.
pub const TEMPLATE_ID: &str = "312456";
/// The OA API's success answer.
pub const ZALO_OK: &str = r#"{"error":0,"message":"Success"}"#;

/// The app with its Zalo API (OA messages and ZNS) at `zalo`.
pub fn with_zalo(builder: HostBuilder, zalo: &FakeServer) -> HostBuilder {
    builder
        .var("zalo_app_id", APP_ID)
        .var("zalo_oa_secret", OA_SECRET)
        .var("zalo_api_base", &zalo.origin())
        .var("zalo_access_token", ACCESS_TOKEN)
        .var("zalo_otp_template_id", TEMPLATE_ID)
}

/// `mac=` + hex SHA-256(app_id + body + timestamp + secret), as Zalo signs.
pub fn sign(body: &[u8], timestamp: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(APP_ID.as_bytes());
    h.update(body);
    h.update(timestamp.as_bytes());
    h.update(secret.as_bytes());
    format!("mac={}", hex(&h.finalize()))
}

/// A `user_send_text` event from `user`, timestamped now: (body, timestamp).
pub fn text_event(user: &str, msg_id: &str, text: &str) -> (Vec<u8>, String) {
    let ts = now_ms().to_string();
    let body = json!({
        "app_id": APP_ID,
        "user_id_by_app": "552177279717587730",
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "388613280878808645"},
        "message": {"text": text, "msg_id": msg_id},
        "timestamp": ts,
    })
    .to_string()
    .into_bytes();
    (body, ts)
}

/// Delivers `body` to the webhook, with this `X-ZEvent-Signature` if any.
pub fn post(host: &Host, body: &[u8], signature: Option<&str>) -> Resp {
    let mut rb = host
        .request(Method::POST, "/api/v1/zalo/webhook")
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        rb = rb.header("X-ZEvent-Signature", sig);
    }
    host.send(rb)
}
