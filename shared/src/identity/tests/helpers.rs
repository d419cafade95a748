//! Shorthands shared by the identity tests.

use crate::identity::{
    start_challenge, verify_challenge, ChallengeStarted, Channel, Client, DeliveryError, Origin,
    OtpError, OtpMessage, Purpose, StartRequest, VerifiedPhone,
};
use crate::phone::Phone;
use crate::testing::World;

/// The n-th test phone: `+8490` and seven digits (a MobiFone range).
pub fn phone(n: u32) -> Phone {
    Phone::parse(&format!("+8490{n:07}")).unwrap()
}

pub fn request(phone: Phone) -> StartRequest {
    StartRequest {
        phone,
        channel: Channel::Sms,
        purpose: Purpose::Login,
        client: Client::Web,
        origin: Origin::Network("203.0.113.7".into()),
        full_name: None,
    }
}

/// Starts a challenge and returns it with the message that was delivered.
pub fn start_req(
    w: &World,
    req: &StartRequest,
) -> Result<(ChallengeStarted, OtpMessage), OtpError> {
    let mut sent = None;
    let started = start_challenge(w.ports(), req, &mut |m: &OtpMessage| {
        sent = Some(m.clone());
        Ok(())
    })?;
    Ok((started, sent.expect("delivered")))
}

/// Starts a login for `phone`: (challenge id, code).
pub fn start(w: &World, phone: &Phone) -> Result<(String, String), OtpError> {
    start_req(w, &request(phone.clone())).map(|(s, m)| (s.challenge_id, m.code))
}

/// A start whose delivery fails.
pub fn start_failing(w: &World, phone: &Phone) -> Result<ChallengeStarted, OtpError> {
    start_challenge(w.ports(), &request(phone.clone()), &mut |_: &OtpMessage| {
        Err(DeliveryError::HttpStatus {
            provider: "sms",
            status: 500,
        })
    })
}

pub fn verify(w: &World, id: &str, code: &str) -> Result<VerifiedPhone, OtpError> {
    verify_challenge(w.ports(), id, code)
}

/// A six-digit code that is not `code`.
pub fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}
