//! Identity: one-time codes, citizen accounts and sessions (docs/architecture.md and docs/identity.md).
//!
//! Plain domain logic behind the [`crate::ports`]; it knows nothing about Spin
//! or HTTP. Every limit of §5 (tries per challenge, resend cooldown, per-phone
//! and per-network quotas, phone lockout, single use) is enforced by one atomic SQL
//! statement each, so it holds under concurrent requests, across processes
//! sharing one SQLite file and across edge nodes sharing one database. The
//! tables live in `infra/migrations/0002_identity.sql`.
//!
//! Typical flow in a component:
//! 1. [`start_challenge`] (sign-up or login) → 202 with [`ChallengeStarted`];
//! 2. [`verify_challenge`] → [`VerifiedPhone`];
//! 3. [`find_or_create_by_phone`] and [`create_session`] → token;
//! 4. every later request: [`authenticate`] → [`Principal`].

mod account;
mod challenge;
mod code;
mod error;
mod housekeeping;
mod kinds;
mod lockout;
mod policy;
mod quota;
pub(crate) mod secret;
mod session;
pub(crate) mod store;

#[cfg(test)]
mod tests;

pub use crate::delivery::{Channel, DeliveryError, OtpMessage};
pub use crate::local_time::rfc3339_vn;
pub use account::{
    find_by_phone, find_by_zalo_user, find_or_create_by_phone, get_account, link_zalo,
    mark_verified, set_official, verify_by_official, Account, OfficialChange, Verification,
};
pub use challenge::{
    challenge_phone, start_challenge, verify_challenge, verify_challenge_for, ChallengeStarted,
    Origin, StartRequest, VerifiedPhone,
};
pub use error::{AuthError, OtpError, MESSAGES};
pub use housekeeping::purge_stale;
pub use kinds::{Client, Level, Purpose, Role};
pub use policy::{OtpPolicy, SessionPolicy};
pub use session::{
    authenticate, create_session, create_session_reading_account, list_sessions, logout,
    revoke_session, sessions_page, NewSession, Principal, SessionInfo,
};

use crate::ports::{Clock, Random, Settings, Sql};

/// The ports identity needs, borrowed for one request.
#[derive(Clone, Copy)]
pub struct Ports<'a> {
    /// The SQL database.
    pub sql: &'a dyn Sql,
    /// The wall clock.
    pub clock: &'a dyn Clock,
    /// Secure randomness.
    pub random: &'a dyn Random,
    /// The deployment's settings.
    pub settings: &'a dyn Settings,
}
