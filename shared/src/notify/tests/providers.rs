//! A scripted stand-in for the Zalo OA API, ZNS and the SMS gateway: each
//! answers what the test tells it, and every request is kept, so a test can
//! count what a citizen actually received.

use std::sync::Mutex;

use crate::notify::send::Senders;
use crate::ports::{HttpClient, OutboundRequest, OutboundResponse};
use crate::testing::MapSettings;

/// Where each provider lives in the tests.
pub const OA: &str = "https://oa.test";
pub const ZNS: &str = "https://zns.test";
pub const SMS: &str = "https://sms.test/send";

/// How a provider answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// It takes the message.
    Ok,
    /// HTTP 500.
    Down,
    /// No answer at all.
    Timeout,
    /// It refuses the message for good.
    Refuse,
}

/// The three providers.
pub struct Providers {
    answers: Mutex<[Answer; 3]>,
    /// Every request, in order.
    pub sent: Mutex<Vec<OutboundRequest>>,
}

impl Providers {
    pub fn new() -> Providers {
        Providers {
            answers: Mutex::new([Answer::Ok; 3]),
            sent: Mutex::new(Vec::new()),
        }
    }

    /// Sets how the provider at `base` answers from now on.
    pub fn set(&self, base: &str, answer: Answer) {
        let i = index(base);
        self.answers.lock().unwrap()[i] = answer;
    }

    /// The tracking ids (or OA recipient) of every request to `base`.
    pub fn to(&self, base: &str) -> Vec<serde_json::Value> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.url.starts_with(base))
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    /// How many requests went to `base`.
    pub fn count(&self, base: &str) -> usize {
        self.to(base).len()
    }
}

fn index(url: &str) -> usize {
    if url.starts_with(OA) {
        0
    } else if url.starts_with(ZNS) {
        1
    } else {
        2
    }
}

impl HttpClient for Providers {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        self.sent.lock().unwrap().push(request.clone());
        let i = index(&request.url);
        let answer = self.answers.lock().unwrap()[i];
        let ok = |body: &str| {
            Ok(OutboundResponse {
                status: 200,
                body: body.as_bytes().to_vec(),
            })
        };
        match (answer, i) {
            (Answer::Timeout, _) => Err("timed out".to_owned()),
            (Answer::Down, _) => Ok(OutboundResponse {
                status: 500,
                body: b"oops".to_vec(),
            }),
            (Answer::Ok, 2) => ok(r#"{"CodeResult":"100","SMSID":"s1"}"#),
            (Answer::Ok, _) => ok(r#"{"error":0,"message":"Success","data":{"msg_id":"m1"}}"#),
            (Answer::Refuse, 2) => ok(r#"{"CodeResult":"104"}"#),
            (Answer::Refuse, _) => ok(r#"{"error":-124,"message":"refused"}"#),
        }
    }
}

/// Settings that configure all three providers.
pub fn settings() -> MapSettings {
    MapSettings::default()
        .with("zalo_api_base", OA)
        .with("zalo_access_token", "OA-TOKEN")
        .with("zalo_notice_template_id", "777")
        .with("sms_gateway_url", SMS)
        .with("sms_api_key", "AK")
        .with("sms_secret_key", "SK")
        .with("sms_brandname", "CONGDANSO")
}

/// The senders of [`settings`], with ZNS moved to its own base so the
/// tests can tell OA and ZNS requests apart.
pub fn senders() -> Senders {
    let mut s = Senders::from_settings(&settings());
    if let Some(zns) = s.zns.as_mut() {
        zns.api_base = ZNS.to_owned();
    }
    s
}
