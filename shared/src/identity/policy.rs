//! The numbers of docs/identity.md, read from settings (§12) with safe defaults.
//!
//! A missing, unparsable or out-of-range value falls back to the default: a
//! typo in a deployment must never switch a limit off.

use super::kinds::Client;
use crate::ports::Settings;

/// One-time-code limits. Durations in seconds. Why each exists and how
/// they fit together: docs/identity.md, "Code requests and limits".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpPolicy {
    /// How long a code stays valid.
    pub ttl_seconds: u32,
    /// Wrong tries a challenge allows.
    pub max_attempts: u32,
    /// Cooldown between two codes for one phone from one network; 0
    /// switches it off.
    pub resend_seconds: u32,
    /// Codes per phone per hour from one network.
    pub phone_hourly: u32,
    /// Codes per phone per day from one network.
    pub phone_daily: u32,
    /// Codes per unregistered network (any phones) per hour.
    pub ip_hourly: u32,
    /// Codes per registered kiosk (any phones) per hour, instead of
    /// `ip_hourly`.
    pub kiosk_hourly: u32,
    /// Unused codes per phone in any 15 minutes, all networks together
    /// (registered kiosks and the phone's linked Zalo account are not held
    /// to it).
    pub phone_total_15min: u32,
    /// Unused codes per phone per day, all networks together (as above).
    pub phone_total_daily: u32,
    /// Consecutive failures on a phone that lock it.
    pub lockout_failures: u32,
    /// How long a lock lasts.
    pub lockout_seconds: u32,
}

impl Default for OtpPolicy {
    fn default() -> Self {
        OtpPolicy {
            ttl_seconds: 300,
            max_attempts: 5,
            resend_seconds: 60,
            phone_hourly: 5,
            phone_daily: 10,
            ip_hourly: 30,
            kiosk_hourly: 600,
            phone_total_15min: 10,
            phone_total_daily: 40,
            lockout_failures: 20,
            lockout_seconds: 900,
        }
    }
}

const DAY: u32 = 86_400;
const MANY: u32 = 10_000_000;

impl OtpPolicy {
    /// Reads `otp_ttl_seconds`, `otp_max_attempts`, `otp_resend_seconds`,
    /// `otp_phone_hourly`, `otp_phone_daily`, `otp_ip_hourly`,
    /// `otp_kiosk_hourly`, `otp_phone_total_15min`, `otp_phone_total_daily`,
    /// `otp_lockout_failures` and `otp_lockout_seconds`.
    pub fn from_settings(settings: &dyn Settings) -> OtpPolicy {
        let d = OtpPolicy::default();
        OtpPolicy {
            // 0 makes every code expire at once: no use in a deployment, but it
            // lets expiry be tested end to end without waiting.
            ttl_seconds: read(settings, "otp_ttl_seconds", d.ttl_seconds, 0, DAY),
            max_attempts: read(settings, "otp_max_attempts", d.max_attempts, 1, 1_000),
            resend_seconds: read(settings, "otp_resend_seconds", d.resend_seconds, 0, DAY),
            phone_hourly: read(settings, "otp_phone_hourly", d.phone_hourly, 1, MANY),
            phone_daily: read(settings, "otp_phone_daily", d.phone_daily, 1, MANY),
            ip_hourly: read(settings, "otp_ip_hourly", d.ip_hourly, 1, MANY),
            kiosk_hourly: read(settings, "otp_kiosk_hourly", d.kiosk_hourly, 1, MANY),
            phone_total_15min: read(
                settings,
                "otp_phone_total_15min",
                d.phone_total_15min,
                1,
                MANY,
            ),
            phone_total_daily: read(
                settings,
                "otp_phone_total_daily",
                d.phone_total_daily,
                1,
                MANY,
            ),
            lockout_failures: read(
                settings,
                "otp_lockout_failures",
                d.lockout_failures,
                1,
                MANY,
            ),
            lockout_seconds: read(
                settings,
                "otp_lockout_seconds",
                d.lockout_seconds,
                1,
                30 * DAY,
            ),
        }
    }
}

/// How long a session lives: it dies after `idle_seconds` without use, and
/// after `absolute_seconds` whatever happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Idle lifetime: each use extends the session by this much.
    pub idle_seconds: u32,
    /// Absolute lifetime from login.
    pub absolute_seconds: u32,
}

impl SessionPolicy {
    /// Web and Zalo: `session_idle_seconds` (1800), `session_absolute_seconds`
    /// (43200). Kiosk: `kiosk_idle_seconds` (300), `kiosk_absolute_seconds`
    /// (1800) — a shared screen must forget its citizen quickly.
    pub fn for_client(settings: &dyn Settings, client: Client) -> SessionPolicy {
        let (idle_name, idle, abs_name, abs) = match client {
            Client::Kiosk => ("kiosk_idle_seconds", 300, "kiosk_absolute_seconds", 1_800),
            Client::Web | Client::Zalo => (
                "session_idle_seconds",
                1_800,
                "session_absolute_seconds",
                43_200,
            ),
        };
        SessionPolicy {
            idle_seconds: read(settings, idle_name, idle, 1, 30 * DAY),
            absolute_seconds: read(settings, abs_name, abs, 1, 365 * DAY),
        }
    }
}

fn read(settings: &dyn Settings, name: &str, default: u32, min: u32, max: u32) -> u32 {
    settings
        .get(name)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|v| (min..=max).contains(v))
        .unwrap_or(default)
}

/// The `otp_pepper` secret. Without it codes cannot be stored safely, so
/// outside development there is no fallback; in `dev_mode` a fixed, public
/// pepper keeps a fresh checkout working.
pub(crate) fn otp_pepper(settings: &dyn Settings) -> Option<Vec<u8>> {
    match settings.get("otp_pepper") {
        Some(p) if !p.is_empty() => Some(p.into_bytes()),
        _ if crate::delivery::is_dev_mode(settings) => {
            Some(b"cds-development-otp-pepper-not-secret".to_vec())
        }
        _ => None,
    }
}
