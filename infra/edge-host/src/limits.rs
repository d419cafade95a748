//! The bounds `edge-host up` puts on every request (docs/runtime.md): body
//! size, time to receive the body, wall-clock time in the guest (host calls
//! included), memory per instance and requests running at once.
//!
//! Plain data and parsing only, so the values and their command-line syntax
//! are unit-tested without the wasm engine.

use std::time::Duration;

/// 16 MiB: more than any upload the app accepts (documents are capped at
/// 5 MiB by docs/api.md), small enough that buffering it costs little.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 << 20;
/// Time a client has to send the whole body once its headers arrived:
/// 16 MiB at 4 Mbit/s, a slow mobile uplink, takes about 34 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// Wall-clock time a request may spend in its guest, host calls included.
/// Above the outbound first-byte timeout (30 s), so an app's own answer to a
/// hanging gateway comes first.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Linear memory one instance may grow to (the pooling allocator's slot
/// size before these limits existed).
pub const DEFAULT_MAX_INSTANCE_MEMORY: u64 = 256 << 20;
/// Requests running in a guest at once; the instance pool is sized to match.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: u32 = 1_000;
/// Seconds a client is told to wait (`Retry-After`) when every slot is busy.
pub const OVERLOADED_RETRY_AFTER_SECS: u64 = 1;

/// Upper bounds that keep a typo from reserving the whole address space (each
/// pool slot reserves virtual memory) or disabling a limit by accident.
const MAX_MAX_CONCURRENT: u32 = 10_000;
const MAX_MAX_INSTANCE_MEMORY: u64 = 4 << 30;
const MIN_MAX_INSTANCE_MEMORY: u64 = 1 << 20;

/// The per-request limits of one `edge-host up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted, in bytes (413 above).
    pub max_body_bytes: u64,
    /// Time to receive the whole body once the headers arrived (408 after).
    pub body_timeout: Duration,
    /// Wall-clock time a request may spend in its guest (504 after).
    pub request_timeout: Duration,
    /// Linear memory one instance may grow to, in bytes.
    pub max_instance_memory: u64,
    /// Requests running in a guest at once (503 above).
    pub max_concurrent_requests: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_instance_memory: DEFAULT_MAX_INSTANCE_MEMORY,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
        }
    }
}

impl Limits {
    /// Checks values that parse but make no sense as limits.
    pub fn validate(&self) -> Result<(), String> {
        if self.body_timeout.is_zero() {
            return Err("--body-timeout must be above zero".into());
        }
        if self.request_timeout.is_zero() {
            return Err("--request-timeout must be above zero".into());
        }
        if !(1..=MAX_MAX_CONCURRENT).contains(&self.max_concurrent_requests) {
            return Err(format!(
                "--max-concurrent-requests must be between 1 and {MAX_MAX_CONCURRENT}"
            ));
        }
        if !(MIN_MAX_INSTANCE_MEMORY..=MAX_MAX_INSTANCE_MEMORY).contains(&self.max_instance_memory)
        {
            return Err("--max-instance-memory must be between 1MiB and 4GiB".into());
        }
        Ok(())
    }
}

/// A byte count: a plain number, or a number with `k`/`kb`/`kib`, `m`/`mb`/
/// `mib` or `g`/`gb`/`gib` (case-insensitive, all binary multiples, as the
/// limits are about memory).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}`: expected a size such as 16MiB or 1048576"))?;
    let factor: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "`{text}`: unknown size unit `{other}` (use KiB, MiB or GiB)"
            ))
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{text}`: too large"))
}

/// A duration: a number with `ms`, `s`, `m` or `h`; a plain number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}`: expected a duration such as 30s or 500ms"))?;
    let millis = match unit.trim() {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1_000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        other => {
            return Err(format!(
                "`{text}`: unknown duration unit `{other}` (use ms, s, m or h)"
            ))
        }
    };
    millis
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}`: too long"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_plain_numbers_and_binary_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("16m"), Ok(16 << 20));
        assert_eq!(parse_size(" 64 KiB "), Ok(64 << 10));
        assert_eq!(parse_size("2GB"), Ok(2 << 30));
        assert_eq!(parse_size("0"), Ok(0));
    }

    #[test]
    fn sizes_refuse_garbage_units_and_overflow() {
        assert!(parse_size("").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("1.5MiB").is_err());
        assert!(parse_size("10TiB")
            .unwrap_err()
            .contains("unknown size unit"));
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("18446744073709551615GiB")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn durations_accept_units_and_default_to_seconds() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1H"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn durations_refuse_garbage() {
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("3d")
            .unwrap_err()
            .contains("unknown duration unit"));
        assert!(parse_duration("18446744073709551615h").is_err());
    }

    #[test]
    fn defaults_are_the_documented_ones_and_valid() {
        let d = Limits::default();
        assert_eq!(d.max_body_bytes, 16 * 1024 * 1024);
        assert_eq!(d.body_timeout, Duration::from_secs(60));
        assert_eq!(d.request_timeout, Duration::from_secs(60));
        assert_eq!(d.max_instance_memory, 256 * 1024 * 1024);
        assert_eq!(d.max_concurrent_requests, 1000);
        assert_eq!(d.validate(), Ok(()));
    }

    #[test]
    fn validation_refuses_limits_that_disable_themselves() {
        let zero_timeout = Limits {
            request_timeout: Duration::ZERO,
            ..Limits::default()
        };
        assert!(zero_timeout
            .validate()
            .unwrap_err()
            .contains("--request-timeout"));
        let zero_body = Limits {
            body_timeout: Duration::ZERO,
            ..Limits::default()
        };
        assert!(zero_body.validate().unwrap_err().contains("--body-timeout"));
        let no_slots = Limits {
            max_concurrent_requests: 0,
            ..Limits::default()
        };
        assert!(no_slots
            .validate()
            .unwrap_err()
            .contains("--max-concurrent-requests"));
        let huge_pool = Limits {
            max_concurrent_requests: 50_000,
            ..Limits::default()
        };
        assert!(huge_pool.validate().is_err());
        let tiny_memory = Limits {
            max_instance_memory: 4096,
            ..Limits::default()
        };
        assert!(tiny_memory
            .validate()
            .unwrap_err()
            .contains("--max-instance-memory"));
        // A zero body limit is allowed: it refuses every body.
        assert_eq!(
            Limits {
                max_body_bytes: 0,
                ..Limits::default()
            }
            .validate(),
            Ok(())
        );
    }
}
