//! Citizen accounts: one per phone, created race-free on first verified
//! code, and the few changes identity itself makes to them (docs/architecture.md and docs/identity.md and docs/admin.md).

use super::kinds::{Level, Role};
use super::store::accounts;
use super::Ports;
use crate::ids::random_id;
use crate::phone::Phone;
use crate::ports::StoreError;
use crate::text::trimmed_nfc;

/// A citizen's (or official's) account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Opaque, random, stable: `cit_…`.
    pub id: String,
    /// E.164 as stored (not re-validated on read, so a future change to the
    /// list of mobile prefixes cannot lock existing accounts out).
    pub phone_e164: String,
    /// The person's name, if known.
    pub full_name: Option<String>,
    /// How far the identity is confirmed.
    pub level: Level,
    /// Citizen or official.
    pub role: Role,
    /// The official's unit; `None` for citizens.
    pub unit_code: Option<String>,
    /// The linked Zalo user, if any.
    pub zalo_user_id: Option<String>,
    /// Date of birth (`YYYY-MM-DD`), if given.
    pub date_of_birth: Option<String>,
    /// Gender, if given.
    pub gender: Option<String>,
    /// The confirmed CCCD number, if any.
    pub id_number: Option<String>,
    /// Its street address.
    pub address: Option<String>,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// When it last changed (Unix seconds).
    pub updated_at: i64,
}

/// What [`set_official`] did, for the audit log's role-change entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialChange {
    /// The account after the change.
    pub account: Account,
    /// The phone had no account; one was created as an official.
    pub created: bool,
    /// Role and unit before the change (`None` when created).
    pub previous_role: Option<Role>,
    /// Unit before the change (`None` when created or a citizen).
    pub previous_unit_code: Option<String>,
}

/// The account of `phone`, created (provisional citizen) if there is none.
/// `true` when this call created it. Safe under concurrency: of parallel
/// callers exactly one creates, the others read that account.
///
/// An existing account keeps its name; `full_name` only names a new one.
pub fn find_or_create_by_phone(
    ports: Ports<'_>,
    phone: &Phone,
    full_name: Option<&str>,
) -> Result<(Account, bool), StoreError> {
    // Most calls are logins of people who have an account: look first, so
    // they cost one statement.
    if let Some(existing) = find_by_phone(ports, phone)? {
        return Ok((existing, false));
    }
    let created = accounts::insert_citizen(
        ports.sql,
        random_id(ports.random, "cit_", 16),
        phone.as_e164(),
        trimmed_nfc(full_name),
        ports.clock.now(),
    )?;
    if let Some(account) = created {
        return Ok((account, true));
    }
    // Another request created it between the two statements.
    let existing = find_by_phone(ports, phone)?
        .ok_or_else(|| StoreError::Unavailable("account vanished while being created".into()))?;
    Ok((existing, false))
}

/// The account with this id.
pub fn get_account(ports: Ports<'_>, id: &str) -> Result<Option<Account>, StoreError> {
    accounts::by_id(ports.sql, id)
}

/// The account of this phone.
pub fn find_by_phone(ports: Ports<'_>, phone: &Phone) -> Result<Option<Account>, StoreError> {
    accounts::by_phone(ports.sql, phone.as_e164())
}

/// The account a Zalo user is linked to.
pub fn find_by_zalo_user(
    ports: Ports<'_>,
    zalo_user_id: &str,
) -> Result<Option<Account>, StoreError> {
    accounts::by_zalo_user(ports.sql, zalo_user_id)
}

/// Makes `phone` an official of `unit_code` (docs/admin.md), creating the account
/// if needed. An existing account keeps its name and level; `full_name` only
/// fills a missing name, so an admin cannot overwrite a citizen's profile.
pub fn set_official(
    ports: Ports<'_>,
    phone: &Phone,
    full_name: Option<&str>,
    unit_code: &str,
) -> Result<OfficialChange, StoreError> {
    let name = trimmed_nfc(full_name);
    // Compare-and-swap on the role and unit read just before, so the
    // reported previous values are exactly the ones replaced.
    for _ in 0..8 {
        let now = ports.clock.now();
        let created = accounts::insert_official(
            ports.sql,
            random_id(ports.random, "cit_", 16),
            phone.as_e164(),
            name.clone(),
            unit_code,
            now,
        )?;
        if let Some(account) = created {
            return Ok(OfficialChange {
                account,
                created: true,
                previous_role: None,
                previous_unit_code: None,
            });
        }
        let Some(before) = find_by_phone(ports, phone)? else {
            continue;
        };
        let updated = accounts::promote_official(ports.sql, &before, unit_code, name.clone(), now)?;
        if let Some(account) = updated {
            return Ok(OfficialChange {
                account,
                created: false,
                previous_role: Some(before.role),
                previous_unit_code: before.unit_code,
            });
        }
    }
    Err(StoreError::Unavailable(
        "account kept changing while setting the official role".into(),
    ))
}

/// What [`mark_verified`] did.
// Returned once per request and matched at once; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The account, now verified, with the number this call confirmed (if
    /// any) and the other citizens whose claims of it were cleared.
    Verified {
        /// The account, now verified.
        account: Account,
        /// The claim that moved into `citizens.id_number` by this call.
        confirmed_id_number: Option<String>,
        /// Citizens who had claimed the same number; their claims are gone.
        cleared_claims: Vec<String>,
    },
    /// Another verified citizen already holds the number this citizen
    /// claims; nothing changed (409 `id_number_taken`).
    IdNumberTaken {
        /// The number the citizen claims.
        claimed_id_number: String,
    },
    /// No such account.
    NotFound,
    /// The official asked to confirm their own identity; nothing changed.
    OwnAccount,
}

/// An official confirms citizen `citizen_id`'s identity: [`mark_verified`],
/// except that nobody confirms their own (a second person is the point),
/// which answers [`Verification::OwnAccount`] and changes nothing.
pub fn verify_by_official(
    ports: Ports<'_>,
    official_id: &str,
    citizen_id: &str,
) -> Result<Verification, StoreError> {
    if citizen_id == official_id {
        return Ok(Verification::OwnAccount);
    }
    mark_verified(ports, citizen_id)
}

/// Marks the account's identity as confirmed by an official (docs/identity.md),
/// confirming the CCCD number the citizen claimed (docs/identity.md,
/// "Identity levels").
///
/// One `UPDATE` raises the level and moves the claim into
/// `citizens.id_number`; that column's UNIQUE makes it fail as a whole when
/// another verified citizen holds the number, so nothing changes then.
/// Afterwards every claim of the confirmed number (the citizen's own and
/// other accounts') is deleted. A claim made in the instant between the two
/// statements survives; it is harmless: claims route nothing, and verifying
/// its holder would answer `id_number_taken`.
///
/// Idempotent: verifying again with nothing new to confirm changes nothing
/// (not even `updated_at`). A verified account that later declares a first
/// number (it had none confirmed) has it confirmed by the next verification.
pub fn mark_verified(ports: Ports<'_>, id: &str) -> Result<Verification, StoreError> {
    let account = match accounts::mark_verified(ports.sql, id, ports.clock.now()) {
        Ok(Some(account)) => account,
        Ok(None) => return Ok(Verification::NotFound),
        // The only unique column this statement writes is id_number.
        Err(StoreError::Constraint(_)) => {
            let claimed_id_number = accounts::claimed_id_number(ports.sql, id)?.unwrap_or_default();
            return Ok(Verification::IdNumberTaken { claimed_id_number });
        }
        Err(e) => return Err(e),
    };
    let cleared = accounts::delete_claims(ports.sql, id, account.id_number.clone())?;
    let mut confirmed_id_number = None;
    let mut cleared_claims = Vec::new();
    for (holder, number) in cleared {
        if holder == account.id {
            // Its own claim: confirmed now if it is the number on the account.
            if account.id_number.as_deref() == Some(number.as_str()) {
                confirmed_id_number = Some(number);
            }
        } else {
            cleared_claims.push(holder);
        }
    }
    cleared_claims.sort();
    Ok(Verification::Verified {
        account,
        confirmed_id_number,
        cleared_claims,
    })
}

/// Links a Zalo user to the account, moving the link if that Zalo user was
/// linked to another account. `false` for an unknown account id. Two links
/// of the same Zalo user racing each other: one fails with
/// [`StoreError::Constraint`] and may be retried.
pub fn link_zalo(
    ports: Ports<'_>,
    account_id: &str,
    zalo_user_id: &str,
) -> Result<bool, StoreError> {
    let now = ports.clock.now();
    accounts::unlink_zalo_elsewhere(ports.sql, account_id, zalo_user_id, now)?;
    accounts::link_zalo(ports.sql, account_id, zalo_user_id, now)
}
