//! The bot's fixtures on the one test world ([`crate::testing`]): its
//! settings, signed deliveries and a world with a KV store and a scripted
//! Zalo API.

use serde_json::json;

use super::bot::{handle, BotPorts, Outcome};
use super::event::{Event, EventKind};
use super::signature::signature_header;
use crate::testing::{FakeHttp, MemKv};
use crate::testing::{MapSettings, World, T0};

/// The official account's app id every test delivery names.
pub const APP_ID: &str = "3482178216594085616";
/// The OA secret deliveries are signed with.
pub const OA_SECRET: &str = "oa-secret-for-tests";
/// The Zalo user who chats in the tests.
pub const USER: &str = "6142494823917000001";

/// Everything a bot test needs. ZNS and the OA API are one scripted fake
/// that answers `{"error":0}` and records what it was sent.
pub struct BotWorld {
    /// The one test world (database, clock, randomness, settings).
    pub id: World,
    /// The bot's conversation state.
    pub kv: MemKv,
    /// ZNS and the OA API.
    pub http: FakeHttp,
}

/// Production-like settings: codes go out by ZNS through the fake.
pub fn settings() -> MapSettings {
    MapSettings::default()
        .with("zalo_app_id", APP_ID)
        .with("zalo_oa_secret", OA_SECRET)
        .with("zalo_api_base", "https://zalo.test")
        .with("zalo_access_token", "OA-TOKEN")
        .with("zalo_otp_template_id", "312456")
}

impl BotWorld {
    /// A bot world with [`settings`].
    pub fn new() -> BotWorld {
        BotWorld::with_settings(settings())
    }

    /// A bot world with exactly `settings` (plus the test pepper).
    pub fn with_settings(settings: MapSettings) -> BotWorld {
        let id = World::with_settings(settings);
        BotWorld {
            id,
            kv: MemKv::default(),
            http: FakeHttp::answering(200, r#"{"error":0,"message":"Success"}"#),
        }
    }

    /// The bot's ports, borrowed from the world.
    pub fn ports(&self) -> BotPorts<'_> {
        BotPorts {
            core: self.id.ports(),
            kv: &self.kv,
            http: &self.http,
        }
    }

    /// The user sends `text`; the bot's answer.
    pub fn say(&self, text: &str) -> Outcome {
        self.say_as(USER, text)
    }

    /// `user` sends `text`; the bot's answer.
    pub fn say_as(&self, user: &str, text: &str) -> Outcome {
        let event = Event {
            kind: EventKind::Text(text.to_owned()),
            user_id: Some(user.to_owned()),
            timestamp_ms: T0 * 1000,
            dedupe_key: format!("msg:{user}:{text}"),
        };
        handle(self.ports(), &event).unwrap()
    }

    /// The single reply of an outcome.
    pub fn only_reply(outcome: &Outcome) -> &str {
        assert_eq!(outcome.replies.len(), 1, "{:?}", outcome.replies);
        &outcome.replies[0]
    }

    /// The code the last ZNS template message carried.
    pub fn last_zns_code(&self) -> String {
        let sent = self.http.sent.borrow();
        let zns = sent
            .iter()
            .rev()
            .find(|r| r.url.ends_with("/message/template"))
            .expect("a ZNS message");
        let body: serde_json::Value = serde_json::from_slice(&zns.body).unwrap();
        body["template_data"]["otp"].as_str().unwrap().to_owned()
    }

    /// One integer read with raw SQL, for assertions on stored state.
    pub fn scalar(&self, sql: &str) -> i64 {
        self.id.db.scalar(sql)
    }
}

/// A `user_send_text` delivery as Zalo sends it, and its signature header.
pub fn text_delivery(msg_id: &str, text: &str, timestamp_ms: i64) -> (Vec<u8>, String) {
    let body = json!({
        "app_id": APP_ID,
        "user_id_by_app": "552177279717587730",
        "event_name": "user_send_text",
        "sender": {"id": USER},
        "recipient": {"id": "388613280878808645"},
        "message": {"text": text, "msg_id": msg_id},
        "timestamp": timestamp_ms.to_string(),
    })
    .to_string()
    .into_bytes();
    let header = signature_header(APP_ID, &body, &timestamp_ms.to_string(), OA_SECRET);
    (body, header)
}
