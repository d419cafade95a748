//! Deactivating an official the day they leave: role back to citizen, unit
//! cleared, every session of theirs ended in the same call, so the token
//! they hold answers 401 on their very next request (docs/admin.md).

use super::store::{demote, revoke_sessions_since, revoke_sessions_while_official, unit_exists};
use super::{normalize_text, validate_code, AdminError, NAME_MAX_CHARS};
use crate::identity::{
    find_by_phone, get_account, set_official, Account, OfficialChange, Ports, Role,
};
use crate::phone::Phone;
use crate::ports::StoreError;

/// Makes the owner of `phone` an official of `unit` (creating the account
/// if the phone has none), with `full_name` as their name: 422 on a blank
/// or overlong name, a malformed or unknown unit.
pub fn appoint_official(
    ports: Ports<'_>,
    phone: &Phone,
    full_name: &str,
    unit: &str,
) -> Result<OfficialChange, AdminError> {
    let full_name = normalize_text("full_name", full_name, NAME_MAX_CHARS)?;
    let unit = validate_code("unit", unit)?;
    // Units are never deleted, so checking before writing leaves no gap.
    if !unit_exists(ports.sql, &unit)? {
        return Err(AdminError::UnknownUnit);
    }
    Ok(set_official(ports, phone, Some(&full_name), &unit)?)
}

/// Whether the change [`appoint_official`] made is none: the phone was
/// already an official of that unit (a replay, e.g. the demo seeder run
/// again), so there is no role change to record.
pub fn is_unchanged(change: &OfficialChange) -> bool {
    change.previous_role == Some(Role::Official)
        && change.previous_unit_code.as_deref() == change.account.unit_code.as_deref()
}

/// Whom to deactivate: an account id (`cit_…`) or a phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    /// By account id (`cit_…`).
    Id(String),
    /// By phone number.
    Phone(Phone),
}

impl AccountRef {
    /// Reads a path segment: `cit_…` is an id, anything else must parse as
    /// a phone number (`None` otherwise).
    pub fn parse(raw: &str) -> Option<AccountRef> {
        if raw.starts_with("cit_") {
            return Some(AccountRef::Id(raw.to_owned()));
        }
        Phone::parse(raw).ok().map(AccountRef::Phone)
    }
}

/// What [`deactivate_official`] did, for the answer and the audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deactivation {
    /// The account after the call.
    pub account: Account,
    /// `false` when the account was not an official (already deactivated,
    /// or never one): nothing was changed and no session was ended.
    pub changed: bool,
    /// The unit they were an official of.
    pub previous_unit_code: Option<String>,
    /// How many active sessions were ended.
    pub sessions_revoked: usize,
}

/// Makes an official a citizen again and ends all their sessions. `None`
/// for an unknown account. Idempotent: a second call finds a citizen and
/// changes nothing.
///
/// Sessions are ended before the role changes, so there is no moment where
/// the account is a citizen with official sessions still open; and since
/// every request reads the role afresh (`identity::authenticate`), a
/// session opened during the call carries no official rights either, and
/// is ended by the last statement. If a statement fails, the error is
/// returned and a retry redoes whatever is left (the account is still an
/// official until the demotion succeeds).
pub fn deactivate_official(
    ports: Ports<'_>,
    who: &AccountRef,
) -> Result<Option<Deactivation>, StoreError> {
    let found = match who {
        AccountRef::Id(id) => get_account(ports, id)?,
        AccountRef::Phone(phone) => find_by_phone(ports, phone)?,
    };
    let Some(before) = found else {
        return Ok(None);
    };
    let unchanged = |account: Account| Deactivation {
        account,
        changed: false,
        previous_unit_code: None,
        sessions_revoked: 0,
    };
    if before.role != Role::Official {
        return Ok(Some(unchanged(before)));
    }
    let started = ports.clock.now();
    let ended = revoke_sessions_while_official(ports.sql, &before.id, started)?;
    if !demote(ports.sql, &before.id, ports.clock.now())? {
        // Someone else demoted them meanwhile; that call reports it.
        let now = get_account(ports, &before.id)?.unwrap_or(before);
        return Ok(Some(unchanged(now)));
    }
    let late = revoke_sessions_since(ports.sql, &before.id, ports.clock.now(), started)?;
    let account = get_account(ports, &before.id)?.ok_or_else(|| {
        StoreError::Unavailable("account vanished while being deactivated".into())
    })?;
    Ok(Some(Deactivation {
        account,
        changed: true,
        // As read just before; a unit move racing the deactivation is
        // undone by it either way.
        previous_unit_code: before.unit_code,
        sessions_revoked: ended + late,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::identity::{authenticate, create_session, set_official, AuthError, Client};
    use crate::testing::World;

    fn phone(s: &str) -> Phone {
        Phone::parse(s).unwrap()
    }

    #[test]
    fn appointing_needs_a_name_and_an_existing_unit_and_a_replay_changes_nothing() {
        let w = World::new();
        let p = w.ports();
        let ph = phone("0905000009");
        assert_eq!(
            appoint_official(p, &ph, "  ", "ubnd-hai-chau").map(|_| ()),
            Err(AdminError::Invalid {
                field: "full_name",
                reason: "required"
            })
        );
        assert_eq!(
            appoint_official(p, &ph, "Lê Văn C", "no-such-unit").map(|_| ()),
            Err(AdminError::UnknownUnit)
        );
        assert_eq!(find_by_phone(p, &ph).unwrap(), None, "nothing was written");
        crate::admin::create_unit(p.sql, p.clock, "ubnd-son-tra", "UBND Sơn Trà").unwrap();
        let first = appoint_official(p, &ph, "Lê Văn C", "ubnd-son-tra").unwrap();
        assert!(first.created && !is_unchanged(&first));
        assert_eq!(first.account.unit_code.as_deref(), Some("ubnd-son-tra"));
        let again = appoint_official(p, &ph, "Lê Văn C", "ubnd-son-tra").unwrap();
        assert!(is_unchanged(&again));
    }

    #[test]
    fn deactivating_an_official_ends_every_session_at_once() {
        let w = World::new();
        let p = w.ports();
        let official = set_official(
            p,
            &phone("0905000001"),
            Some("Trần Thị Bình"),
            "ubnd-hai-chau",
        )
        .unwrap()
        .account;
        let web = create_session(p, &official.id, Client::Web).unwrap();
        let kiosk = create_session(p, &official.id, Client::Kiosk).unwrap();
        assert_eq!(authenticate(p, &web.token).unwrap().role, Role::Official);

        let done = deactivate_official(p, &AccountRef::Id(official.id.clone()))
            .unwrap()
            .unwrap();
        assert!(done.changed);
        assert_eq!(done.sessions_revoked, 2);
        assert_eq!(done.previous_unit_code.as_deref(), Some("ubnd-hai-chau"));
        assert_eq!(
            (done.account.role, done.account.unit_code.as_deref()),
            (Role::Citizen, None)
        );
        for token in [&web.token, &kiosk.token] {
            assert!(matches!(
                authenticate(p, token),
                Err(AuthError::InvalidToken)
            ));
        }
        // The account itself stays: they may log in again, as a citizen.
        let again = create_session(p, &official.id, Client::Web).unwrap();
        let principal = authenticate(p, &again.token).unwrap();
        assert_eq!((principal.role, principal.unit_code), (Role::Citizen, None));

        // Idempotent: a second call changes nothing and logs nobody out.
        let replay = deactivate_official(p, &AccountRef::Phone(phone("+84905000001")))
            .unwrap()
            .unwrap();
        assert!(!replay.changed);
        assert_eq!(replay.sessions_revoked, 0);
        assert!(authenticate(p, &again.token).is_ok());
    }

    #[test]
    fn a_citizen_or_an_unknown_account_is_left_alone() {
        let w = World::new();
        let p = w.ports();
        let (citizen, _) =
            crate::identity::find_or_create_by_phone(p, &phone("0905123456"), None).unwrap();
        let session = create_session(p, &citizen.id, Client::Web).unwrap();
        let done = deactivate_official(p, &AccountRef::Id(citizen.id.clone()))
            .unwrap()
            .unwrap();
        assert!(!done.changed);
        assert!(
            authenticate(p, &session.token).is_ok(),
            "a citizen is not logged out"
        );

        assert_eq!(
            deactivate_official(p, &AccountRef::Id("cit_nobody".into())).unwrap(),
            None
        );
        assert_eq!(
            deactivate_official(p, &AccountRef::Phone(phone("0905999999"))).unwrap(),
            None
        );
    }

    #[test]
    fn a_path_segment_is_an_id_or_a_phone() {
        assert_eq!(
            AccountRef::parse("cit_abc"),
            Some(AccountRef::Id("cit_abc".into()))
        );
        assert_eq!(
            AccountRef::parse("+84905000001"),
            Some(AccountRef::Phone(phone("0905000001")))
        );
        assert_eq!(
            AccountRef::parse("0905000001"),
            Some(AccountRef::Phone(phone("0905000001")))
        );
        assert_eq!(AccountRef::parse("someone"), None);
    }
}
