//! Starting and verifying one-time-code challenges (docs/identity.md).
//!
//! Neither function looks at accounts: known and unknown phones take exactly
//! the same path, so the answers cannot tell them apart.

use super::code::{code_mac, generate_code, well_formed};
use super::error::OtpError;
use super::kinds::{Client, Purpose};
use super::lockout::{self, seconds_until};
use super::policy::{otp_pepper, OtpPolicy};
use super::quota::{limits, refusal};
use super::secret::{b64url, sha256};
use super::store::challenges::{self, Attempt, NewChallenge};
use super::{housekeeping, Channel, DeliveryError, OtpMessage, Ports};
use crate::ids::{plausible_id, random_id};
use crate::phone::Phone;
use crate::ports::StoreError;
use crate::text::trimmed_nfc;

const ID_PREFIX: &str = "otp_";

/// What a citizen (or the chat-bot on their behalf) asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct StartRequest {
    /// The phone number.
    pub phone: Phone,
    /// How the code is delivered.
    pub channel: Channel,
    /// What the code is for.
    pub purpose: Purpose,
    /// The kind of client (decides the session's lifetimes).
    pub client: Client,
    /// Where the request comes from; decides which limits count it.
    pub origin: Origin,
    /// Sign-up only: carried to [`VerifiedPhone`] for the new account.
    pub full_name: Option<String>,
}

/// Where a code request comes from: the "network" its per-network limits
/// count under, and whether it is held to the phone's all-networks caps
/// (docs/identity.md, "Code requests and limits").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An unregistered client, keyed by `Request::client_key()` (an IPv4
    /// address or an IPv6 /64).
    Network(String),
    /// A kiosk registered by the city (the id of its kiosk key): its own
    /// hourly allowance instead of the per-network one, and not held to the
    /// phone's all-networks caps, which remote attackers can fill.
    Kiosk(String),
    /// The Zalo chat-bot for a Zalo user. `linked` when that user is already
    /// linked to the phone's account — the owner, so not held to the phone's
    /// all-networks caps either.
    Zalo {
        /// The Zalo user id.
        user: String,
        /// Whether the user is linked to the phone's account.
        linked: bool,
    },
}

/// Longest network key stored; runtimes hand over short keys, and cutting
/// garbage short only merges buckets.
const MAX_KEY_CHARS: usize = 160;

impl Origin {
    /// The key stored in `otp_challenges.client_ip` and counted by the
    /// per-network limits. Prefixes keep the kinds apart.
    pub fn key(&self) -> String {
        let key = match self {
            Origin::Network(k) => {
                let k = k.trim();
                if k.is_empty() {
                    crate::client_addr::UNKNOWN_CLIENT.to_owned()
                } else {
                    k.to_owned()
                }
            }
            Origin::Kiosk(id) => format!("kiosk:{id}"),
            Origin::Zalo { user, .. } => format!("zalo:{user}"),
        };
        key.chars().take(MAX_KEY_CHARS).collect()
    }

    /// Whether the phone's all-networks caps apply.
    pub(crate) fn held_to_phone_totals(&self) -> bool {
        match self {
            Origin::Network(_) => true,
            Origin::Kiosk(_) => false,
            Origin::Zalo { linked, .. } => !linked,
        }
    }

    /// Codes this origin may start per hour, whatever the phones.
    pub(crate) fn hourly_allowance(&self, policy: &OtpPolicy) -> u32 {
        match self {
            Origin::Kiosk(_) => policy.kiosk_hourly,
            Origin::Network(_) | Origin::Zalo { .. } => policy.ip_hourly,
        }
    }
}

/// The 202 answer (docs/identity.md): the id to verify against and the timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeStarted {
    /// The challenge's id.
    pub challenge_id: String,
    /// How the code is delivered.
    pub channel: Channel,
    /// Seconds the code is valid.
    pub expires_in: u32,
    /// Seconds before another code may be requested for this phone.
    pub resend_after: u32,
}

/// A phone proven by a correct code, with what its challenge was started for.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedPhone {
    /// The challenge's id.
    pub challenge_id: String,
    /// The phone number.
    pub phone: Phone,
    /// How the code is delivered.
    pub channel: Channel,
    /// What the code is for.
    pub purpose: Purpose,
    /// Decides the session profile: take it from here, not from the verify
    /// request, so a kiosk login cannot be turned into a long web session.
    pub client: Client,
    /// The name given at sign-up, if any.
    pub full_name: Option<String>,
    /// The phone's account when the code was checked, if it had one.
    pub account_id: Option<String>,
}

/// Starts a challenge: checks the phone lock, reserves every quota and stores
/// the challenge in one statement, then hands the code to `deliver`.
///
/// If `deliver` fails, the challenge is deleted again — it counts against no
/// cooldown or quota — and [`OtpError::DeliveryFailed`] is returned.
pub fn start_challenge(
    ports: Ports<'_>,
    req: &StartRequest,
    deliver: &mut dyn FnMut(&OtpMessage) -> Result<(), DeliveryError>,
) -> Result<ChallengeStarted, OtpError> {
    let policy = OtpPolicy::from_settings(ports.settings);
    let pepper = otp_pepper(ports.settings).ok_or_else(missing_pepper)?;
    let now = ports.clock.now();
    let phone = req.phone.as_e164();
    let network = req.origin.key();
    let full_name = trimmed_nfc(req.full_name.as_deref());

    let id = random_id(ports.random, ID_PREFIX, 16);
    let code = generate_code(ports.random)?;
    let mac = code_mac(&pepper, &id, &code);
    let ttl = i64::from(policy.ttl_seconds);

    let challenge = NewChallenge {
        id: &id,
        phone,
        channel: req.channel,
        purpose: req.purpose,
        client: req.client,
        full_name,
        network: &network,
        code_mac: mac.to_vec(),
        now,
        expires_at: now + ttl,
    };
    let created =
        challenges::create_within_limits(ports.sql, &challenge, &limits(&policy, &req.origin))?;
    if !created {
        return Err(refusal(ports.sql, &policy, phone, &req.origin, now)?);
    }

    let message = OtpMessage {
        phone_e164: phone.to_owned(),
        channel: req.channel,
        text: sms_text(&code, policy.ttl_seconds),
        code,
        tracking_id: tracking_id(&id),
    };
    if let Err(e) = deliver(&message) {
        // Best effort: if even this fails, the citizen waits one cooldown,
        // which is the safe side.
        let _ = challenges::delete(ports.sql, &id);
        return Err(OtpError::DeliveryFailed(e));
    }
    housekeeping::maybe_purge(ports);

    Ok(ChallengeStarted {
        challenge_id: id,
        channel: req.channel,
        expires_in: policy.ttl_seconds,
        resend_after: policy.resend_seconds,
    })
}

/// Checks `code` against the challenge, whatever it is for. Every call that
/// reaches the comparison uses one of the challenge's tries — a malformed
/// code too.
///
/// Wrong codes count towards the lockout of the phone for the network the
/// challenge was started from; the failure that reaches the threshold
/// answers [`OtpError::PhoneLocked`]. A correct code marks the challenge
/// used (exactly one of any number of parallel submissions succeeds) and
/// clears that network's failure count.
pub fn verify_challenge(
    ports: Ports<'_>,
    challenge_id: &str,
    code: &str,
) -> Result<VerifiedPhone, OtpError> {
    verify_challenge_for(ports, challenge_id, code, &ALL_PURPOSES)
}

const ALL_PURPOSES: [Purpose; 3] = [Purpose::Signup, Purpose::Login, Purpose::ZaloLink];

/// [`verify_challenge`] for a challenge of one of `purposes`: one of any
/// other purpose is [`OtpError::UnknownChallenge`], and none of its tries is
/// spent. A right code costs one statement (the try, the check and the
/// spending are one `UPDATE`), plus one when a streak of wrong codes is to
/// be cleared.
pub fn verify_challenge_for(
    ports: Ports<'_>,
    challenge_id: &str,
    code: &str,
    purposes: &[Purpose],
) -> Result<VerifiedPhone, OtpError> {
    if !plausible_id(challenge_id, ID_PREFIX, 64) {
        return Err(OtpError::UnknownChallenge);
    }
    let policy = OtpPolicy::from_settings(ports.settings);
    let pepper = otp_pepper(ports.settings).ok_or_else(missing_pepper)?;
    let now = ports.clock.now();
    // A malformed code still takes its try, with a MAC no code has.
    let guess_mac = well_formed(code)
        .map(|code| code_mac(&pepper, challenge_id, code).to_vec())
        .unwrap_or_default();

    let taken = challenges::take_attempt(
        ports.sql,
        challenge_id,
        purposes,
        &guess_mac,
        i64::from(policy.max_attempts),
        now,
    )?;
    let Some(row) = taken else {
        return Err(why_no_attempt(ports, challenge_id, purposes, now)?);
    };
    if !row.right {
        if let Some(until) =
            lockout::record_failure(ports.sql, &policy, &row.phone, &row.network, now)?
        {
            return Err(OtpError::PhoneLocked {
                retry_after: seconds_until(until, now),
            });
        }
        let left = i64::from(policy.max_attempts)
            .saturating_sub(row.attempts)
            .max(0);
        return Err(OtpError::Invalid {
            attempts_left: u32::try_from(left).unwrap_or(0),
        });
    }
    if row.had_failures {
        // The code is spent either way; failing the login now would only
        // make the citizen start over. A counter left standing errs on the
        // safe side.
        let _ = lockout::clear(ports.sql, &row.phone, &row.network);
    }
    Ok(verified_phone(challenge_id, row)?)
}

/// The phone a challenge was sent to, e.g. to name the citizen in the audit
/// entry for a failed try. `None` for unknown ids.
pub fn challenge_phone(ports: Ports<'_>, challenge_id: &str) -> Result<Option<String>, StoreError> {
    if !plausible_id(challenge_id, ID_PREFIX, 64) {
        return Ok(None);
    }
    challenges::phone(ports.sql, challenge_id)
}

/// Why [`challenges::take_attempt`] took no try, judged at the same `now`.
fn why_no_attempt(
    ports: Ports<'_>,
    challenge_id: &str,
    purposes: &[Purpose],
    now: i64,
) -> Result<OtpError, StoreError> {
    let Some(state) = challenges::state(ports.sql, challenge_id)? else {
        return Ok(OtpError::UnknownChallenge);
    };
    if !purposes.contains(&state.purpose) {
        return Ok(OtpError::UnknownChallenge);
    }
    if let Some(until) = state.locked_until.filter(|&u| u > now) {
        return Ok(OtpError::PhoneLocked {
            retry_after: seconds_until(until, now),
        });
    }
    if state.used_at.is_some() || state.expires_at <= now {
        return Ok(OtpError::Expired);
    }
    // Either the tries are used up, or a concurrent success just lifted the
    // lock that blocked us; the conservative answer fits both.
    Ok(OtpError::Exhausted)
}

fn verified_phone(challenge_id: &str, row: Attempt) -> Result<VerifiedPhone, StoreError> {
    Ok(VerifiedPhone {
        challenge_id: challenge_id.to_owned(),
        phone: Phone::parse(&row.phone)
            .map_err(|_| StoreError::Unavailable("stored challenge phone is not valid".into()))?,
        channel: row.channel,
        purpose: row.purpose,
        client: row.client,
        full_name: row.full_name,
        account_id: row.account_id,
    })
}

fn missing_pepper() -> OtpError {
    OtpError::Store(StoreError::Unavailable(
        "otp_pepper is not configured".into(),
    ))
}

/// Brandname SMS in Vietnam goes out without diacritics (many handsets and
/// gateways mangle Unicode SMS), so the text is plain ASCII.
pub(crate) fn sms_text(code: &str, ttl_seconds: u32) -> String {
    let validity = if ttl_seconds.is_multiple_of(60) {
        format!("{} phut", ttl_seconds / 60)
    } else {
        format!("{ttl_seconds} giay")
    };
    format!(
        "Ma xac thuc Cong dan so cua ban la {code}. Ma co hieu luc trong {validity}. \
         Khong chia se ma nay cho bat ky ai."
    )
}

/// Providers see the code; if they also saw the challenge id, anyone reading
/// their logs could log in. So they get a one-way alias of it instead.
fn tracking_id(challenge_id: &str) -> String {
    let digest = sha256(format!("cds-otp-tracking\0{challenge_id}").as_bytes());
    format!("trk_{}", b64url(&digest[..12]))
}
