//! Sign-up / linking through the chat: phone → one-time code by ZNS → code →
//! the Zalo user is linked to the phone's account (created if new).
//!
//! The code goes through identity's own challenge, so the limits of docs/identity.md
//! (tries, cooldown, per-phone quotas, lockout) are exactly the API's. The
//! Zalo user id stands in for the client network, so one Zalo account
//! cannot send codes to phone after phone. When that Zalo user is already
//! linked to the phone's account it is the owner asking, and the request is
//! not held to the phone's all-networks caps, which strangers can fill
//! (docs/identity.md, "Code requests and limits").

use serde_json::json;

use super::bot::{BotPorts, Outcome};
use super::conversation::Step;
use super::store;
use super::texts;
use crate::audit::{self, action, mask_phone, Actor, Entry};
use crate::delivery::{choose_sender, DeliveryError};
use crate::identity::{
    find_by_phone, find_by_zalo_user, find_or_create_by_phone, link_zalo, start_challenge,
    verify_challenge, Channel, Client, Origin, OtpError, OtpPolicy, Purpose, StartRequest,
    VerifiedPhone,
};
use crate::phone::Phone;
use crate::ports::StoreError;

/// The user answered "đăng ký" with `text`, which should be a phone number.
pub(crate) fn phone_given(
    ports: BotPorts<'_>,
    user: &str,
    text: &str,
) -> Result<Outcome, StoreError> {
    let Ok(phone) = Phone::parse(text.trim()) else {
        return Ok(Outcome::say(texts::INVALID_PHONE));
    };
    let sender = match choose_sender(ports.core.settings, Channel::Zalo) {
        Ok(choice) => choice.into_sender(ports.core.sql, ports.core.clock, ports.http),
        Err(e) => {
            return Ok(Outcome::say(texts::DELIVERY_FAILED)
                .note(format!("cannot send codes by zalo: {e}")))
        }
    };
    let linked =
        find_by_zalo_user(ports.identity(), user)?.is_some_and(|a| a.phone_e164 == phone.as_e164());
    let request = StartRequest {
        phone: phone.clone(),
        channel: Channel::Zalo,
        purpose: Purpose::ZaloLink,
        client: Client::Zalo,
        origin: Origin::Zalo {
            user: user.to_owned(),
            linked,
        },
        full_name: None,
    };
    let conversations = ports.conversations();
    match start_challenge(ports.identity(), &request, &mut |m| sender.deliver(m)) {
        Ok(started) => {
            let step = Step::AwaitingCode {
                challenge_id: started.challenge_id,
                phone: phone.as_e164().to_owned(),
            };
            conversations.save(
                user,
                step,
                ports.core.clock.now() + i64::from(started.expires_in),
            )?;
            Ok(Outcome::say(texts::code_sent(&phone, started.expires_in)))
        }
        Err(OtpError::RateLimited { retry_after }) => {
            Ok(Outcome::say(texts::rate_limited(retry_after)))
        }
        Err(OtpError::PhoneLocked { retry_after }) => {
            conversations.clear(user)?;
            Ok(Outcome::say(texts::phone_locked(retry_after)))
        }
        Err(OtpError::Store(e) | OtpError::DeliveryFailed(DeliveryError::Store(e))) => Err(e),
        Err(OtpError::DeliveryFailed(e)) => Ok(Outcome::say(texts::DELIVERY_FAILED).note(format!(
            "zalo code for {} not delivered: {e}",
            phone.masked()
        ))),
        Err(other) => {
            Ok(Outcome::say(texts::BUSY)
                .note(format!("unexpected refusal starting a code: {other}")))
        }
    }
}

/// The user answered the code prompt with `text`.
pub(crate) fn code_given(
    ports: BotPorts<'_>,
    user: &str,
    text: &str,
    challenge_id: &str,
    phone: &str,
) -> Result<Outcome, StoreError> {
    let code: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // Chat is chat: a message that is not six digits is not spent as a try.
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Outcome::say(texts::ASK_CODE));
    }
    let conversations = ports.conversations();
    let verified = match verify_challenge(ports.identity(), challenge_id, &code) {
        Ok(v) => v,
        Err(OtpError::Store(e)) => return Err(e),
        Err(e) => {
            let note = audit_failure(ports, user, phone, &e);
            let keep_waiting =
                matches!(e, OtpError::Invalid { attempts_left } if attempts_left > 0);
            if !keep_waiting {
                conversations.clear(user)?;
            }
            let mut outcome = Outcome::say(match e {
                OtpError::Invalid { attempts_left } => texts::wrong_code(attempts_left),
                OtpError::PhoneLocked { retry_after } => texts::phone_locked(retry_after),
                OtpError::Exhausted => texts::CODE_EXHAUSTED.to_owned(),
                _ => texts::CODE_EXPIRED.to_owned(),
            });
            outcome.notes.extend(note);
            return Ok(outcome);
        }
    };
    conversations.clear(user)?;
    if verified.purpose != Purpose::ZaloLink {
        return Ok(Outcome::say(texts::BUSY).note("a non-link challenge reached the zalo bot"));
    }
    finish(ports, user, &verified)
}

/// Creates the account if needed, links it and records both in the audit log.
fn finish(
    ports: BotPorts<'_>,
    user: &str,
    verified: &VerifiedPhone,
) -> Result<Outcome, StoreError> {
    let identity = ports.identity();
    let (account, created) = find_or_create_by_phone(identity, &verified.phone, None)?;
    let previous = find_by_zalo_user(identity, user)?
        .map(|a| a.id)
        .filter(|id| *id != account.id);
    link_with_retry(ports, &account.id, user)?;
    let actor = Actor::account(account.role, &account.id);
    let masked = mask_phone(verified.phone.as_e164());
    let mut entries = Vec::new();
    if created {
        entries.push(
            Entry::new(actor.clone(), action::SIGNUP)
                .about(account.id.clone())
                .detail(json!({"client": "zalo", "channel": "zalo"})),
        );
    }
    entries.push(
        Entry::new(actor, action::ZALO_LINKED)
            .about(account.id.clone())
            .detail(json!({"zalo_user_id": user, "phone": masked, "moved_from": previous})),
    );
    for entry in entries {
        if let Err(e) = audit::append(ports.core.sql, ports.core.clock, entry) {
            // A link the audit log does not show must not exist.
            let _ = store::unlink(ports.core.sql, &account.id, user);
            return Err(e);
        }
    }
    Ok(Outcome::say(texts::linked(&verified.phone, created)))
}

/// [`link_zalo`] loses to a concurrent link of the same Zalo user with a
/// constraint error; the retry then moves the link again, so the last one wins.
fn link_with_retry(ports: BotPorts<'_>, account_id: &str, user: &str) -> Result<(), StoreError> {
    let mut last = StoreError::Unavailable("link not attempted".into());
    for _ in 0..3 {
        match link_zalo(ports.identity(), account_id, user) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                return Err(StoreError::Unavailable(
                    "account vanished while linking".into(),
                ))
            }
            Err(e @ StoreError::Constraint(_)) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Records a wrong code, or the wrong code that locked the phone, like the
/// web flow does; refusals that compared no code are not recorded. Returns
/// a log line when the entry could not be written.
fn audit_failure(ports: BotPorts<'_>, user: &str, phone: &str, e: &OtpError) -> Option<String> {
    let masked = mask_phone(phone);
    let lock_seconds = u64::from(OtpPolicy::from_settings(ports.core.settings).lockout_seconds);
    let entry = match e {
        OtpError::Invalid { attempts_left } => Entry::new(Actor::Anonymous, action::OTP_FAILED)
            .detail(json!({"phone": masked, "attempts_left": attempts_left, "zalo_user_id": user})),
        OtpError::PhoneLocked { retry_after } if *retry_after >= lock_seconds => {
            Entry::new(Actor::Anonymous, action::PHONE_LOCKED).detail(
                json!({"phone": masked, "locked_seconds": retry_after, "zalo_user_id": user}),
            )
        }
        _ => return None,
    };
    let entry = match Phone::parse(phone)
        .ok()
        .map(|p| find_by_phone(ports.identity(), &p))
    {
        Some(Ok(Some(account))) => entry.about(account.id),
        _ => entry,
    };
    // The answer to the user does not depend on it; the operator hears of it.
    audit::append(ports.core.sql, ports.core.clock, entry)
        .err()
        .map(|err| format!("audit of failed zalo code for {masked} not written: {err}"))
}
