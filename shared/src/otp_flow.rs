//! The one-time-code steps that `signup` and `auth` share (docs/identity.md):
//! starting a challenge through the configured provider, and turning a
//! correct code into an account, a session and the audit entries.
//!
//! `signup`, `auth` (and the Zalo bot) call these same steps, so the entry
//! points cannot drift apart on limits, audit or error mapping. Only the HTTP
//! shapes differ, and those stay in each component.

use crate::apikey::{self, Scope};
use crate::audit::{self, action, mask_phone, Actor, Entry};
use crate::component::Ctx;
use crate::delivery::choose_sender;
use crate::error::ApiError;
use crate::http::{json_body, Response};
use crate::identity::store::challenges;
use crate::identity::{
    create_session, create_session_reading_account, find_by_phone, find_or_create_by_phone, logout,
    rfc3339_vn, start_challenge, verify_challenge_for, Account, ChallengeStarted, Channel, Client,
    NewSession, Origin, OtpError, OtpPolicy, Ports, Purpose, StartRequest,
};
use crate::phone::Phone;
use crate::ports::{Sql, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};

/// `channel` as clients spell it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelIn {
    /// A text message to the phone.
    Sms,
    /// A message to the Zalo account linked to the phone.
    Zalo,
}

impl From<ChannelIn> for Channel {
    fn from(c: ChannelIn) -> Channel {
        match c {
            ChannelIn::Sms => Channel::Sms,
            ChannelIn::Zalo => Channel::Zalo,
        }
    }
}

/// `client` as clients spell it; absent means `web`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientIn {
    /// The web app (the default).
    #[default]
    Web,
    /// A kiosk at a public-service counter.
    Kiosk,
    /// The Zalo chat-bot.
    Zalo,
}

impl From<ClientIn> for Client {
    fn from(c: ClientIn) -> Client {
        match c {
            ClientIn::Web => Client::Web,
            ClientIn::Kiosk => Client::Kiosk,
            ClientIn::Zalo => Client::Zalo,
        }
    }
}

/// `POST …/verify` body, the same for sign-up and login.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    challenge_id: String,
    code: String,
}

/// The header a registered kiosk presents its key in.
pub const KIOSK_KEY_HEADER: &str = "x-kiosk-key";

/// Where a code request comes from, for the limits: a registered kiosk when
/// the request carries a valid kiosk key in `x-kiosk-key`, otherwise the
/// client's network (`Request::client_key()`: IPv4 address or IPv6 /64).
///
/// A key that is present but unknown, malformed or revoked answers 401, and
/// a real key without the `kiosk` scope 403 `key_scope`: quietly counting
/// such a request as an ordinary client would hide a revoked or mistyped
/// kiosk key until the centre ran into the per-IP cap, and a stranger
/// gains nothing from either answer (keys carry 256 random bits).
pub fn origin(ctx: &Ctx<'_>) -> Result<Origin, ApiError> {
    let Some(key) = ctx.req.header(KIOSK_KEY_HEADER) else {
        return Ok(Origin::Network(ctx.req.client_key()));
    };
    let holder = apikey::authorize(ctx.sql()?, ctx.clock(), key.trim(), Scope::Kiosk, &|e| {
        ctx.log(format_args!("kiosk key use not recorded: {e}"));
    })
    .map_err(|refused| ApiError::from(refused).with_context("kiosk key lookup"))?;
    Ok(Origin::Kiosk(holder.code))
}

/// Sends a code for `request` through the channel's provider and answers 202
/// `{challenge_id, channel, expires_in, resend_after}`.
///
/// The answer does not depend on whether the phone has an account, so it
/// cannot be used to find out who is registered.
pub fn start(ctx: &Ctx<'_>, request: &StartRequest) -> Result<Response, ApiError> {
    let started = send_code(ctx, request)?;
    Ok(Response::json(
        202,
        &json!({
            "challenge_id": started.challenge_id,
            "channel": started.channel.as_str(),
            "expires_in": started.expires_in,
            "resend_after": started.resend_after,
        }),
    ))
}

/// Sends a code for `request` through the channel's provider: what
/// [`start`] answers, for callers with their own answer (the SSO login page).
pub fn send_code(ctx: &Ctx<'_>, request: &StartRequest) -> Result<ChallengeStarted, ApiError> {
    let ports = ctx.ports()?;
    // Checked before the challenge is stored, so a misconfigured provider
    // charges the citizen no quota.
    let choice = choose_sender(ports.settings, request.channel).map_err(|e| {
        ApiError::store_unavailable(
            "config",
            format_args!("cannot deliver by {}: {e}", request.channel.as_str()),
        )
    })?;
    let sender = choice.into_sender(ports.sql, ports.clock, ctx.http());
    start_challenge(ports, request, &mut |m| sender.deliver(m))
        .map_err(|e| otp_error(&request.phone, e))
}

/// The outcome of a correct code.
pub struct LoggedIn {
    /// The phone's account.
    pub account: Account,
    /// The phone had no account; this verification created it.
    #[allow(
        dead_code,
        reason = "only signup answers differently (201) for a new account"
    )]
    pub created: bool,
    /// The session the code opened.
    pub session: NewSession,
}

/// Checks the body's code and opens a session for the phone's account,
/// creating a provisional account when the phone has none (a correct code
/// proves possession of the phone, whichever route it came through).
///
/// Sign-up and login challenges are accepted here; Zalo-link challenges
/// belong to the chat-bot and answer 404 `unknown_challenge` without
/// spending one of their tries.
pub fn verify(ctx: &Ctx<'_>) -> Result<LoggedIn, ApiError> {
    let body: VerifyBody = json_body(ctx.req)?;
    verify_code(ctx, &body.challenge_id, &body.code)
}

/// [`verify`] of a challenge id and code the caller read itself (the SSO
/// login page's form).
pub fn verify_code(ctx: &Ctx<'_>, challenge_id: &str, code: &str) -> Result<LoggedIn, ApiError> {
    let ports = ctx.ports()?;
    // Zalo-link challenges belong to the chat-bot: "unknown" here, no try spent.
    let web = [Purpose::Signup, Purpose::Login];
    let verified = match verify_challenge_for(ports, challenge_id, code, &web) {
        Ok(v) => v,
        Err(OtpError::UnknownChallenge) => return Err(OtpError::UnknownChallenge.into()),
        Err(e) => {
            // Refusals read the phone back for the log and the audit entry;
            // a success never needs to.
            let Some(phone) = web_challenge_phone(ports.sql, challenge_id)? else {
                return Err(e.into());
            };
            audit_failure(ctx, ports, &phone, &e);
            return Err(otp_error(&phone, e));
        }
    };
    // The profile comes from the challenge, not the verify request, so a
    // kiosk code cannot be turned into a long web session. A phone with an
    // account (most logins) gets its session and the account in one
    // statement; a new one is created first.
    let existing = match verified.account_id.as_deref() {
        Some(id) => match create_session_reading_account(ports, id, verified.client)? {
            (session, Some(account)) => Some((account, false, session)),
            // Gone since the code was checked: withdraw the session.
            (session, None) => {
                let _ = logout(ports, &session.token);
                None
            }
        },
        None => None,
    };
    let (account, created, session) = match existing {
        Some(found) => found,
        None => {
            let (account, created) =
                find_or_create_by_phone(ports, &verified.phone, verified.full_name.as_deref())?;
            let session = create_session(ports, &account.id, verified.client)?;
            (account, created, session)
        }
    };
    let recorded = audit_login(
        ports,
        &account,
        created,
        &session,
        verified.client,
        verified.channel,
    );
    if let Err(e) = recorded {
        // A login the audit log does not show must not exist.
        let _ = logout(ports, &session.token);
        return Err(ApiError::from(e).with_context("audit of login failed, session withdrawn"));
    }
    Ok(LoggedIn {
        account,
        created,
        session,
    })
}

/// The phone of a sign-up or login challenge; `None` for unknown ids and for
/// Zalo-link challenges.
fn web_challenge_phone(sql: &dyn Sql, challenge_id: &str) -> Result<Option<Phone>, ApiError> {
    // Ids are 4 + 22 characters; anything much longer never reaches SQL.
    if challenge_id.len() > 64 {
        return Ok(None);
    }
    let Some(challenges::Addressed { phone, purpose }) =
        challenges::phone_and_purpose(sql, challenge_id)?
    else {
        return Ok(None);
    };
    if !matches!(purpose, Some(Purpose::Signup | Purpose::Login)) {
        return Ok(None);
    }
    let phone = phone.and_then(|p| Phone::parse(&p).ok()).ok_or_else(|| {
        ApiError::from(StoreError::Unavailable(
            "stored challenge phone is not valid".into(),
        ))
    })?;
    Ok(Some(phone))
}

/// Maps an identity error to the HTTP error; a provider or store failure
/// keeps the masked phone in its logged cause (the texts hold no secrets).
fn otp_error(phone: &Phone, e: OtpError) -> ApiError {
    ApiError::from(e).with_context(format_args!("otp for {}", mask_phone(phone.as_e164())))
}

/// Records a wrong code, or the wrong code that locked the phone. Nothing is
/// recorded for refusals that compared no code (expired, used up, unknown).
fn audit_failure(ctx: &Ctx<'_>, ports: Ports<'_>, phone: &Phone, e: &OtpError) {
    let ip = &ctx.req.client_ip;
    let masked = mask_phone(phone.as_e164());
    let lock_seconds = u64::from(OtpPolicy::from_settings(ports.settings).lockout_seconds);
    let entry = match e {
        OtpError::Invalid { attempts_left } => Entry::new(Actor::Anonymous, action::OTP_FAILED)
            .detail(json!({"phone": masked, "attempts_left": attempts_left, "ip": ip})),
        // A lock answered with its full length was set by this very failure
        // (later refusals see less of it), so it is recorded once, not once
        // per request an attacker sends while it lasts.
        OtpError::PhoneLocked { retry_after } if *retry_after >= lock_seconds => {
            Entry::new(Actor::Anonymous, action::PHONE_LOCKED)
                .detail(json!({"phone": masked, "locked_seconds": retry_after, "ip": ip}))
        }
        _ => return,
    };
    // About the account when there is one, so its owner sees the attempt in
    // their access log.
    let entry = match find_by_phone(ports, phone) {
        Ok(Some(account)) => entry.about(account.id),
        _ => entry,
    };
    ctx.audit(entry);
}

fn audit_login(
    ports: Ports<'_>,
    account: &Account,
    created: bool,
    session: &NewSession,
    client: Client,
    channel: Channel,
) -> Result<(), StoreError> {
    let actor = Actor::account(account.role, &account.id);
    let mut entries = Vec::with_capacity(2);
    if created {
        entries.push(
            Entry::new(actor.clone(), action::SIGNUP)
                .about(account.id.clone())
                .detail(json!({"client": client.as_str(), "channel": channel.as_str()})),
        );
    }
    entries.push(
        Entry::new(actor, action::LOGIN)
            .about(account.id.clone())
            .detail(json!({
                "session_id": session.id,
                "client": client.as_str(),
                "channel": channel.as_str(),
            })),
    );
    // One statement, linked to the tail the session's insert read.
    audit::append_all(ports.sql, ports.clock, session.audit_tail.clone(), entries)?;
    Ok(())
}

/// The account as its owner sees it after signing in.
pub fn citizen_json(a: &Account) -> Value {
    json!({
        "id": a.id,
        "phone": a.phone_e164,
        "level": a.level.as_str(),
        "full_name": a.full_name,
        "role": a.role.as_str(),
    })
}

/// `{token, expires_at}` with the idle expiry in the city's time zone.
pub fn session_json(s: &NewSession) -> Value {
    json!({"token": s.token, "expires_at": rfc3339_vn(s.expires_at)})
}
