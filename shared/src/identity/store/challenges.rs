//! Statements on `otp_challenges`, which are also the ledger the sending
//! quotas count. Creating checks the phone lock and every quota in the one
//! `INSERT … SELECT`; a try is taken by one conditional `UPDATE … RETURNING`,
//! and exactly one correct submission marks a challenge used.

use crate::identity::kinds::{Client, Purpose};
use crate::identity::Channel;
use crate::ports::{Sql, StoreError};
use crate::rows::{decode_all, first};

/// Inserts the challenge only if the phone is not locked for this network
/// and every quota has room:
/// - per (phone, network): cooldown ?11, hourly ?12, daily ?13;
/// - per network, any phones: hourly ?14 (the per-IP or per-kiosk allowance);
/// - per phone, all networks, unless ?15 = 0 (registered kiosk, linked Zalo):
///   ?16 in any 15 minutes and ?17 per day, counting only codes nobody has
///   used — a used code proved the phone, so the owner's own logins never
///   spend the budget strangers can spend.
///
/// The challenge rows are the quota ledger (`client_ip` holds the network
/// key), so the counts and the insert must be one atomic step, or parallel
/// starts could all squeeze through the same last slot. SQLite runs a
/// writing statement under the database write lock from its first read.
/// PostgreSQL under READ COMMITTED would not: every statement counts from
/// its own snapshot, so the statement carries a `/* serializable per … */`
/// marker: the adapter runs it behind advisory locks on its phone (?2) and
/// its network (?7), every count below being scoped by one of the two, so it
/// counts every code for that phone or network committed before it, while
/// other phones on other networks go ahead in parallel
/// (docs/consistency.md, "Code sending quotas").
const CREATE_WITHIN_LIMITS: &str = "\
/* serializable per ?2 ?7 */ INSERT INTO otp_challenges \
  (id, phone, channel, purpose, client, full_name, client_ip, code_mac, attempts, \
   created_at, expires_at) \
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10 \
WHERE NOT EXISTS (SELECT 1 FROM otp_network_failures \
                  WHERE phone = ?2 AND network = ?7 AND locked_until > ?9) \
  AND NOT EXISTS (SELECT 1 FROM otp_challenges \
                  WHERE phone = ?2 AND client_ip = ?7 AND created_at > ?9 - ?11) \
  AND (SELECT count(*) FROM otp_challenges \
       WHERE phone = ?2 AND client_ip = ?7 AND created_at > ?9 - 3600) < ?12 \
  AND (SELECT count(*) FROM otp_challenges \
       WHERE phone = ?2 AND client_ip = ?7 AND created_at > ?9 - 86400) < ?13 \
  AND (SELECT count(*) FROM otp_challenges WHERE client_ip = ?7 AND created_at > ?9 - 3600) < ?14 \
  AND (?15 = 0 OR (SELECT count(*) FROM otp_challenges \
                   WHERE phone = ?2 AND used_at IS NULL AND created_at > ?9 - 900) < ?16) \
  AND (?15 = 0 OR (SELECT count(*) FROM otp_challenges \
                   WHERE phone = ?2 AND used_at IS NULL AND created_at > ?9 - 86400) < ?17) \
RETURNING id";

/// A challenge about to be stored.
pub struct NewChallenge<'a> {
    /// Its id.
    pub id: &'a str,
    /// The E.164 phone.
    pub phone: &'a str,
    /// How the code is delivered.
    pub channel: Channel,
    /// What the code is for.
    pub purpose: Purpose,
    /// The kind of client.
    pub client: Client,
    /// The name given at sign-up.
    pub full_name: Option<String>,
    /// The network key the quotas count it under.
    pub network: &'a str,
    /// The MAC of the code (never the code).
    pub code_mac: Vec<u8>,
    /// Creation time.
    pub now: i64,
    /// When the code stops being valid.
    pub expires_at: i64,
}

/// The limits [`create_within_limits`] holds the new challenge to.
pub struct Limits {
    /// Seconds between codes for one (phone, network).
    pub cooldown: i64,
    /// Codes per hour for one (phone, network).
    pub phone_hourly: i64,
    /// Codes per day for one (phone, network).
    pub phone_daily: i64,
    /// Codes per hour for the network, whatever the phones.
    pub network_hourly: i64,
    /// Whether the phone's all-networks caps apply.
    pub phone_totals: bool,
    /// Unused codes of the phone in any 15 minutes, all networks.
    pub total_15min: i64,
    /// Unused codes of the phone per day, all networks.
    pub total_daily: i64,
}

/// Stores the challenge if the phone is not locked for its network and every
/// limit has room, in one statement; `false` when refused.
pub fn create_within_limits(
    sql: &dyn Sql,
    c: &NewChallenge<'_>,
    l: &Limits,
) -> Result<bool, StoreError> {
    let created = sql.execute(
        CREATE_WITHIN_LIMITS,
        &[
            c.id.into(),
            c.phone.into(),
            c.channel.as_str().into(),
            c.purpose.as_str().into(),
            c.client.as_str().into(),
            c.full_name.clone().into(),
            c.network.into(),
            c.code_mac.clone().into(),
            c.now.into(),
            c.expires_at.into(),
            l.cooldown.into(),
            l.phone_hourly.into(),
            l.phone_daily.into(),
            l.network_hourly.into(),
            i64::from(l.phone_totals).into(),
            l.total_15min.into(),
            l.total_daily.into(),
        ],
    )?;
    Ok(!created.is_empty())
}

/// Deletes challenge `id` (one whose code could not be delivered).
pub fn delete(sql: &dyn Sql, id: &str) -> Result<(), StoreError> {
    sql.execute("DELETE FROM otp_challenges WHERE id = ?1", &[id.into()])?;
    Ok(())
}

// Takes one try, checks the phone lock and, when the code is right, spends
// the challenge, all in one statement: no more than max_attempts guesses are
// ever compared, however many arrive at once, and of parallel right answers
// exactly one finds `used_at` still NULL (on PostgreSQL the others wait on the
// row and then no longer match). The right code's MAC is compared here, in
// SQL, with the MAC of the guess: both are keyed with the pepper, so how long
// the comparison takes says nothing an attacker could use (they cannot
// compute the MAC of any guess). `had_failures` says whether a streak row
// exists for this network, so a success clears it only when there is one.
const TAKE_ATTEMPT: &str = "\
UPDATE otp_challenges SET attempts = attempts + 1, \
  used_at = CASE WHEN code_mac = ?7 THEN ?3 ELSE NULL END \
WHERE id = ?1 AND attempts < ?2 AND used_at IS NULL AND expires_at > ?3 \
  AND purpose IN (?4, ?5, ?6) \
  AND NOT EXISTS (SELECT 1 FROM otp_network_failures f \
                  WHERE f.phone = otp_challenges.phone \
                    AND f.network = COALESCE(otp_challenges.client_ip, 'unknown') \
                    AND f.locked_until > ?3) \
RETURNING phone, COALESCE(client_ip, 'unknown') AS network, channel, purpose, client, \
          full_name, attempts, CASE WHEN used_at IS NULL THEN 0 ELSE 1 END AS right_code, \
          (SELECT c.id FROM citizens c WHERE c.phone = otp_challenges.phone) AS account_id, \
          CASE WHEN EXISTS (SELECT 1 FROM otp_network_failures f \
                            WHERE f.phone = otp_challenges.phone \
                              AND f.network = COALESCE(otp_challenges.client_ip, 'unknown')) \
               THEN 1 ELSE 0 END AS had_failures";

/// A challenge whose try [`take_attempt`] just took.
pub struct Attempt {
    /// The E.164 phone as stored.
    pub phone: String,
    /// The network key it was started under.
    pub network: String,
    /// How the code was delivered.
    pub channel: Channel,
    /// What the code is for.
    pub purpose: Purpose,
    /// The kind of client it was started for.
    pub client: Client,
    /// The name given at sign-up.
    pub full_name: Option<String>,
    /// Tries taken, this one included.
    pub attempts: i64,
    /// The code was right, and this try spent the challenge.
    pub right: bool,
    /// A streak of wrong codes from this network is on record.
    pub had_failures: bool,
    /// The id of the phone's account, if it has one.
    pub account_id: Option<String>,
}

/// Takes one try of challenge `id` if it is for one of `purposes`, unused,
/// unexpired, has fewer than `max_attempts` tries taken and its phone is not
/// locked for its network, and spends it if `guess_mac` is the right code's
/// MAC; `None` when no try was taken.
pub fn take_attempt(
    sql: &dyn Sql,
    id: &str,
    purposes: &[Purpose],
    guess_mac: &[u8],
    max_attempts: i64,
    now: i64,
) -> Result<Option<Attempt>, StoreError> {
    let purpose = |i: usize| {
        purposes
            .get(i)
            .or(purposes.first())
            .map_or("", |p| p.as_str())
    };
    let taken = sql.execute(
        TAKE_ATTEMPT,
        &[
            id.into(),
            max_attempts.into(),
            now.into(),
            purpose(0).into(),
            purpose(1).into(),
            purpose(2).into(),
            guess_mac.to_vec().into(),
        ],
    )?;
    first(&taken)
        .map(|r| {
            Ok(Attempt {
                phone: r.text("phone")?,
                network: r.text("network")?,
                channel: r.parsed("channel", Channel::parse)?,
                purpose: r.parsed("purpose", Purpose::parse)?,
                client: r.parsed("client", Client::parse)?,
                full_name: r.opt_text("full_name")?,
                attempts: r.i64("attempts")?,
                right: r.i64("right_code")? == 1,
                had_failures: r.i64("had_failures")? == 1,
                account_id: r.opt_text("account_id")?,
            })
        })
        .transpose()
}

/// The phone challenge `id` was sent to.
pub fn phone(sql: &dyn Sql, id: &str) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "SELECT phone FROM otp_challenges WHERE id = ?1",
        &[id.into()],
    )?;
    first(&rows).map(|r| r.text("phone")).transpose()
}

/// The phone and purpose of a challenge as stored, each `None` when the
/// stored value is not one (the caller decides what that means).
pub struct Addressed {
    /// The E.164 phone, if the column holds text.
    pub phone: Option<String>,
    /// The purpose, if the column holds a known one.
    pub purpose: Option<Purpose>,
}

/// The [`Addressed`] phone and purpose of challenge `id`; `None` for an
/// unknown id.
pub fn phone_and_purpose(sql: &dyn Sql, id: &str) -> Result<Option<Addressed>, StoreError> {
    let rows = sql.execute(
        "SELECT phone, purpose FROM otp_challenges WHERE id = ?1",
        &[id.into()],
    )?;
    Ok(first(&rows).map(|r| Addressed {
        phone: r.text("phone").ok(),
        purpose: r.parsed("purpose", Purpose::parse).ok(),
    }))
}

/// Where a challenge stands, read when [`take_attempt`] matched nothing.
pub struct State {
    /// What the code is for.
    pub purpose: Purpose,
    /// When it was used, if it was.
    pub used_at: Option<i64>,
    /// When its code expires.
    pub expires_at: i64,
    /// When its phone's lock for its network ends, if there is a streak row.
    pub locked_until: Option<i64>,
}

/// The [`State`] of challenge `id`; `None` for an unknown id.
pub fn state(sql: &dyn Sql, id: &str) -> Result<Option<State>, StoreError> {
    let rows = sql.execute(
        "SELECT c.attempts, c.used_at, c.expires_at, c.purpose, f.locked_until \
         FROM otp_challenges c LEFT JOIN otp_network_failures f \
           ON f.phone = c.phone AND f.network = COALESCE(c.client_ip, 'unknown') \
         WHERE c.id = ?1",
        &[id.into()],
    )?;
    first(&rows)
        .map(|r| {
            Ok(State {
                purpose: r.parsed("purpose", Purpose::parse)?,
                locked_until: r.opt_i64("locked_until")?,
                used_at: r.opt_i64("used_at")?,
                expires_at: r.i64("expires_at")?,
            })
        })
        .transpose()
}

/// Which quota-ledger rows [`recent`] reads.
#[derive(Clone, Copy)]
pub enum Ledger<'a> {
    /// The phone's codes, from every network.
    Phone(&'a str),
    /// The network's codes, for every phone.
    Network(&'a str),
}

/// One row of the quota ledger.
pub struct Recent {
    /// When the code was started.
    pub created_at: i64,
    /// The network key it was started under.
    pub network: Option<String>,
    /// Whether it was used.
    pub used: bool,
}

/// Challenges of `ledger` newer than `since`, newest first.
pub fn recent(sql: &dyn Sql, ledger: Ledger<'_>, since: i64) -> Result<Vec<Recent>, StoreError> {
    let (column, key) = match ledger {
        Ledger::Phone(p) => ("phone", p),
        Ledger::Network(n) => ("client_ip", n),
    };
    // `column` is one of the two literals above, never input.
    let statement = format!(
        "SELECT created_at, client_ip, used_at FROM otp_challenges \
         WHERE {column} = ?1 AND created_at > ?2 ORDER BY created_at DESC"
    );
    let rows = sql.execute(&statement, &[key.into(), since.into()])?;
    decode_all(&rows, |r| {
        Ok(Recent {
            created_at: r.i64("created_at")?,
            network: r.opt_text("client_ip")?,
            used: r.opt_i64("used_at")?.is_some(),
        })
    })
}

/// Deletes up to a batch of challenges created before `before`
/// (crate::purge).
pub fn purge_before(sql: &dyn Sql, before: i64) -> Result<(), StoreError> {
    crate::purge::older_than(sql, "otp_challenges", "id", "created_at", false, before)?;
    Ok(())
}
