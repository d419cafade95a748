//! The citizen's profile (docs/documents.md): given once, validated, and read by
//! every service that prefills a form (appointments, feedback) through
//! [`read_profile`].
//!
//! Stored in the `citizens` columns of migration 0002. Once an official has
//! confirmed the citizen's identity (`level = verified`), the identity fields
//! (name, date of birth, gender, id number) are locked: changing them would
//! silently un-confirm what the official checked. The address stays editable.
//!
//! A CCCD number the citizen types is only a *claim* (`id_number_claims`,
//! migration 0008) until an official confirms it by verifying the citizen;
//! only then does it move into `citizens.id_number`, the column everything
//! that trusts a number reads (issuer pushes, the personal QR). Any number of
//! provisional accounts may claim the same number, so setting one never
//! answers "taken" — that answer would tell anyone whether a CCCD is
//! registered. The rules: docs/identity.md, "Identity levels".

use serde::{Deserialize, Deserializer};

use super::error::DocError;
use super::store::profiles::{self as store, Change};
use super::text::clean_name;
use crate::identity::{Level, Ports, Role};
use crate::local_time::{parse_date, today_vn};
use crate::ports::StoreError;
use crate::text::clean_line;

/// Longest address accepted.
pub const ADDRESS_MAX_CHARS: usize = 300;

/// Gender values, as spelled on the wire and stored.
pub const GENDERS: &[&str] = &["male", "female", "other"];

/// Fields an official's confirmation locks.
const IDENTITY_FIELDS: &[&str] = &["full_name", "date_of_birth", "gender", "id_number"];

/// A citizen's profile as other components read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The account id.
    pub citizen_id: String,
    /// E.164.
    pub phone: String,
    /// NFC, as the citizen wrote it (with diacritics).
    pub full_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// One of [`GENDERS`].
    pub gender: Option<String>,
    /// The 12-digit CCCD number an official confirmed when verifying the
    /// citizen. Only this number identifies the citizen to others.
    pub id_number: Option<String>,
    /// A number the citizen declared that no official has confirmed (a
    /// claim; other accounts may claim the same number). Shown back to the
    /// citizen and prefilled into their forms, never trusted.
    pub declared_id_number: Option<String>,
    /// Free text, NFC.
    pub address: Option<String>,
    /// How far the identity is confirmed.
    pub level: Level,
    /// Citizen, official or admin.
    pub role: Role,
    /// An official's unit.
    pub unit_code: Option<String>,
    /// Last change, Unix seconds.
    pub updated_at: i64,
}

/// How far a citizen's CCCD number can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberStatus {
    /// Typed by the citizen, not confirmed: routes nothing, proves nothing.
    Declared,
    /// Confirmed by an official against the card.
    Verified,
}

impl IdNumberStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IdNumberStatus::Declared => "declared",
            IdNumberStatus::Verified => "verified",
        }
    }
}

impl Profile {
    /// The number to show the citizen or prefill into their own forms:
    /// the confirmed one, else the declared one.
    pub fn given_id_number(&self) -> Option<&str> {
        self.id_number
            .as_deref()
            .or(self.declared_id_number.as_deref())
    }

    /// Whether [`Profile::given_id_number`] is confirmed or only declared.
    pub fn id_number_status(&self) -> Option<IdNumberStatus> {
        if self.id_number.is_some() {
            Some(IdNumberStatus::Verified)
        } else {
            self.declared_id_number
                .as_ref()
                .map(|_| IdNumberStatus::Declared)
        }
    }

    /// Profile fields still empty, in form order — what a prefilling
    /// service has to ask for. A declared number counts as given: asking
    /// the citizen again would not make it more true.
    pub fn missing(&self) -> Vec<&'static str> {
        let fields = [
            ("full_name", self.full_name.is_some()),
            ("date_of_birth", self.date_of_birth.is_some()),
            ("gender", self.gender.is_some()),
            ("id_number", self.given_id_number().is_some()),
            ("address", self.address.is_some()),
        ];
        fields
            .iter()
            .filter(|(_, given)| !given)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// The profile of `citizen_id`, or `None` for an unknown id.
pub fn read_profile(ports: Ports<'_>, citizen_id: &str) -> Result<Option<Profile>, StoreError> {
    store::by_id(ports.sql, citizen_id)
}

/// The verified citizen whose *confirmed* number this is. Claims are never
/// looked at: a declared number must not route anyone's papers.
pub fn find_by_id_number(ports: Ports<'_>, id_number: &str) -> Result<Option<Profile>, StoreError> {
    store::by_confirmed_id_number(ports.sql, id_number)
}

/// `PATCH /api/v1/me`: an absent field is left alone, `null` clears it, a
/// value replaces it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Name (letters, spaces and `'-.` only).
    #[serde(default, deserialize_with = "present")]
    pub full_name: Option<Option<String>>,
    /// `YYYY-MM-DD`, 1900 to today.
    #[serde(default, deserialize_with = "present")]
    pub date_of_birth: Option<Option<String>>,
    /// One of [`GENDERS`].
    #[serde(default, deserialize_with = "present")]
    pub gender: Option<Option<String>>,
    /// 12 digits; stored as a claim until an official confirms it.
    #[serde(default, deserialize_with = "present")]
    pub id_number: Option<Option<String>>,
    /// Free text up to [`ADDRESS_MAX_CHARS`].
    #[serde(default, deserialize_with = "present")]
    pub address: Option<Option<String>>,
}

impl ProfilePatch {
    /// The names of the fields the patch sets or clears, in form order —
    /// what the audit entry records (never the values: they are personal
    /// data the log keeps forever).
    pub fn given_fields(&self) -> Vec<&'static str> {
        [
            ("full_name", self.full_name.is_some()),
            ("date_of_birth", self.date_of_birth.is_some()),
            ("gender", self.gender.is_some()),
            ("id_number", self.id_number.is_some()),
            ("address", self.address.is_some()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| *n)
        .collect()
    }
}

/// Tells "absent" (`None`, via `default`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A CCCD number: exactly 12 digits once spaces and dots are removed.
///
/// The digits also encode province, century, gender and birth year, but
/// those rules have changed with each identity-card law; enforcing them here
/// could lock real people out, while an official confirms the number in
/// person anyway (level `verified`).
pub fn clean_id_number(raw: &str) -> Result<String, &'static str> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if digits.is_empty() {
        return Err("required");
    }
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must_be_12_digits");
    }
    if digits.bytes().all(|b| b == b'0') {
        return Err("must_be_12_digits");
    }
    Ok(digits)
}

/// A date of birth: a real `YYYY-MM-DD` from 1900 up to today in Đà Nẵng.
pub fn clean_date_of_birth(raw: &str, now: i64) -> Result<String, &'static str> {
    let (y, m, d) = parse_date(raw.trim()).ok_or("must_be_a_real_date_yyyy_mm_dd")?;
    if y < 1900 {
        return Err("too_early");
    }
    if (y, m, d) > today_vn(now) {
        return Err("in_the_future");
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

fn validate(patch: &ProfilePatch, now: i64) -> Result<[Change; 5], DocError> {
    let mut errors = Vec::new();
    let mut check = |field: &'static str,
                     v: &Change,
                     f: &dyn Fn(&str) -> Result<String, &'static str>|
     -> Change {
        match v {
            None => None,
            Some(None) => Some(None),
            Some(Some(s)) => match f(s) {
                Ok(clean) => Some(Some(clean)),
                Err(reason) => {
                    errors.push((field, reason));
                    None
                }
            },
        }
    };
    let full_name = check("full_name", &patch.full_name, &clean_name);
    let date_of_birth = check("date_of_birth", &patch.date_of_birth, &|s| {
        clean_date_of_birth(s, now)
    });
    let gender = check("gender", &patch.gender, &|s| {
        let g = s.trim().to_ascii_lowercase();
        GENDERS
            .contains(&g.as_str())
            .then_some(g)
            .ok_or("one_of_male_female_other")
    });
    let id_number = check("id_number", &patch.id_number, &clean_id_number);
    let address = check("address", &patch.address, &|s| {
        clean_line(s, ADDRESS_MAX_CHARS)
    });
    if errors.is_empty() {
        Ok([full_name, date_of_birth, gender, id_number, address])
    } else {
        Err(DocError::Invalid(errors))
    }
}

/// Applies a validated patch.
///
/// The profile columns change in one statement whose `WHERE` carries the
/// lock on a verified account's identity fields, so a confirmation landing
/// at the same moment cannot be overtaken. The id number is not one of those
/// columns: it is written as a claim afterwards, and only while the account
/// has no confirmed number (the claim's own `WHERE`). Claims are never
/// unique, so this never answers "taken" — the same 200 whether or not
/// anyone else holds or claims the number.
///
/// If an official confirms a number in the instant between the two
/// statements, the claim is refused as locked (409) after the other fields
/// were saved; the citizen sees the confirmed number on reload.
pub fn update_profile(
    ports: Ports<'_>,
    citizen_id: &str,
    patch: &ProfilePatch,
) -> Result<Profile, DocError> {
    let now = ports.clock.now();
    let changes = validate(patch, now)?;
    let Some(confirmed) = store::update_columns(ports.sql, citizen_id, &changes, now)? else {
        return Err(refusal(ports, citizen_id, &changes)?);
    };
    if let Some(wanted) = &changes[3] {
        // Re-sending the confirmed number changes nothing.
        if confirmed.is_none() || confirmed != *wanted {
            write_claim(ports, citizen_id, wanted.as_deref(), now)?;
        }
    }
    read_profile(ports, citizen_id)?.ok_or(DocError::NotFound)
}

/// Sets (`Some`) or withdraws (`None`) the citizen's claim. Refused as
/// locked when the account has a confirmed number by now.
fn write_claim(
    ports: Ports<'_>,
    citizen_id: &str,
    id_number: Option<&str>,
    now: i64,
) -> Result<(), DocError> {
    let Some(id_number) = id_number else {
        store::delete_claim(ports.sql, citizen_id)?;
        return Ok(());
    };
    if !store::write_claim(ports.sql, citizen_id, id_number, now)? {
        return Err(DocError::ProfileLocked(vec!["id_number"]));
    }
    Ok(())
}

/// Why nothing was updated: an unknown account, or locked fields. Reading
/// now only decides which error to show.
fn refusal(
    ports: Ports<'_>,
    citizen_id: &str,
    changes: &[Change; 5],
) -> Result<DocError, DocError> {
    let current = read_profile(ports, citizen_id)?.ok_or(DocError::NotFound)?;
    let values = [
        &current.full_name,
        &current.date_of_birth,
        &current.gender,
        &current.id_number,
    ];
    let locked: Vec<&'static str> = IDENTITY_FIELDS
        .iter()
        .zip(values)
        .zip(changes)
        .filter(|((name, now_value), change)| match change {
            // An account with no confirmed number may still declare one.
            Some(v) if **name == "id_number" => now_value.is_some() && v != *now_value,
            Some(v) => v != *now_value,
            None => false,
        })
        .map(|((name, _), _)| *name)
        .collect();
    Ok(DocError::ProfileLocked(locked))
}
