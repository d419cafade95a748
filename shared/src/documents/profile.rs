//! The citizen's profile (SPEC §7.1): given once, validated, and read by
//! every service that prefills a form (appointments, feedback) through
//! [`read_profile`].
//!
//! Stored in the `citizens` columns of migration 0002. Once an official has
//! confirmed the citizen's identity (`level = verified`), the identity fields
//! (name, date of birth, gender, id number) are locked: changing them would
//! silently un-confirm what the official checked. The address stays editable.

use serde::{Deserialize, Deserializer};

use super::dates::{parse_date, today_vn};
use super::error::DocError;
use super::text::{clean_name, clean_text};
use crate::identity::rows::{first, Row};
use crate::identity::{Level, Ports, Role};
use crate::ports::{SqlValue, StoreError};

/// Longest address accepted.
pub const ADDRESS_MAX_CHARS: usize = 300;

/// Gender values, as spelled on the wire and stored.
pub const GENDERS: &[&str] = &["male", "female", "other"];

/// Fields an official's confirmation locks.
const IDENTITY_FIELDS: &[&str] = &["full_name", "date_of_birth", "gender", "id_number"];

/// A citizen's profile as other components read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub citizen_id: String,
    /// E.164.
    pub phone: String,
    /// NFC, as the citizen wrote it (with diacritics).
    pub full_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// One of [`GENDERS`].
    pub gender: Option<String>,
    /// The 12-digit CCCD number.
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub level: Level,
    pub role: Role,
    pub unit_code: Option<String>,
    pub updated_at: i64,
}

impl Profile {
    /// Profile fields still empty, in form order — what a prefilling
    /// service has to ask for.
    pub fn missing(&self) -> Vec<&'static str> {
        let fields = [
            ("full_name", &self.full_name),
            ("date_of_birth", &self.date_of_birth),
            ("gender", &self.gender),
            ("id_number", &self.id_number),
            ("address", &self.address),
        ];
        fields.iter().filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect()
    }
}

const COLUMNS: &str =
    "id, phone, full_name, date_of_birth, gender, id_number, address, level, role, unit_code, updated_at";

/// The profile of `citizen_id`, or `None` for an unknown id.
pub fn read_profile(ports: Ports<'_>, citizen_id: &str) -> Result<Option<Profile>, StoreError> {
    let rows = ports
        .sql
        .execute(&format!("SELECT {COLUMNS} FROM citizens WHERE id = ?1"), &[citizen_id.into()])?;
    first(&rows).map(|r| profile(&r)).transpose()
}

/// The profile of the citizen holding this CCCD number.
pub fn find_by_id_number(ports: Ports<'_>, id_number: &str) -> Result<Option<Profile>, StoreError> {
    let rows = ports
        .sql
        .execute(&format!("SELECT {COLUMNS} FROM citizens WHERE id_number = ?1"), &[id_number.into()])?;
    first(&rows).map(|r| profile(&r)).transpose()
}

pub(crate) fn profile(r: &Row<'_>) -> Result<Profile, StoreError> {
    Ok(Profile {
        citizen_id: r.text("id")?,
        phone: r.text("phone")?,
        full_name: r.opt_text("full_name")?,
        date_of_birth: r.opt_text("date_of_birth")?,
        gender: r.opt_text("gender")?,
        id_number: r.opt_text("id_number")?,
        address: r.opt_text("address")?,
        level: r.parsed("level", Level::parse)?,
        role: r.parsed("role", Role::parse)?,
        unit_code: r.opt_text("unit_code")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// `PATCH /api/v1/me`: an absent field is left alone, `null` clears it, a
/// value replaces it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[serde(default, deserialize_with = "present")]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub date_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub gender: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub id_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub address: Option<Option<String>>,
}

/// Tells "absent" (`None`, via `default`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A validated change to one column: `None` keeps it.
type Change = Option<Option<String>>;

/// A CCCD number: exactly 12 digits once spaces and dots are removed.
///
/// The digits also encode province, century, gender and birth year, but
/// those rules have changed with each identity-card law; enforcing them here
/// could lock real people out, while an official confirms the number in
/// person anyway (level `verified`).
pub fn clean_id_number(raw: &str) -> Result<String, &'static str> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
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
    let mut check = |field: &'static str, v: &Change, f: &dyn Fn(&str) -> Result<String, &'static str>| -> Change {
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
    let date_of_birth = check("date_of_birth", &patch.date_of_birth, &|s| clean_date_of_birth(s, now));
    let gender = check("gender", &patch.gender, &|s| {
        let g = s.trim().to_ascii_lowercase();
        GENDERS.contains(&g.as_str()).then_some(g).ok_or("one_of_male_female_other")
    });
    let id_number = check("id_number", &patch.id_number, &clean_id_number);
    let address = check("address", &patch.address, &|s| clean_text(s, ADDRESS_MAX_CHARS));
    if errors.is_empty() {
        Ok([full_name, date_of_birth, gender, id_number, address])
    } else {
        Err(DocError::Invalid(errors))
    }
}

/// Applies a validated patch in one statement. The lock on a verified
/// account's identity fields is part of the `WHERE`, so a confirmation
/// landing at the same moment cannot be overtaken. Another account holding
/// the id number → 409 on `id_number`.
pub fn update_profile(ports: Ports<'_>, citizen_id: &str, patch: &ProfilePatch) -> Result<Profile, DocError> {
    let now = ports.clock.now();
    let changes = validate(patch, now)?;
    let mut params: Vec<SqlValue> = vec![citizen_id.into()];
    for change in &changes {
        params.push(SqlValue::Integer(i64::from(change.is_none())));
        params.push(change.clone().flatten().into());
    }
    params.push(now.into());
    let statement = format!(
        "UPDATE citizens SET \
           full_name = CASE WHEN ?2 THEN full_name ELSE ?3 END, \
           date_of_birth = CASE WHEN ?4 THEN date_of_birth ELSE ?5 END, \
           gender = CASE WHEN ?6 THEN gender ELSE ?7 END, \
           id_number = CASE WHEN ?8 THEN id_number ELSE ?9 END, \
           address = CASE WHEN ?10 THEN address ELSE ?11 END, \
           updated_at = ?12 \
         WHERE id = ?1 AND (level <> 'verified' OR ( \
           (?2 OR full_name IS ?3) AND (?4 OR date_of_birth IS ?5) AND \
           (?6 OR gender IS ?7) AND (?8 OR id_number IS ?9))) \
         RETURNING {COLUMNS}"
    );
    let rows = match ports.sql.execute(&statement, &params) {
        Ok(rows) => rows,
        Err(StoreError::Constraint(_)) => {
            return Err(DocError::Conflict { field: "id_number", reason: "already_registered" })
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(row) = first(&rows) {
        return Ok(profile(&row)?);
    }
    // Nothing updated: an unknown account, or a locked field. Reading now
    // only decides which error to show.
    let current = read_profile(ports, citizen_id)?.ok_or(DocError::NotFound)?;
    let values = [&current.full_name, &current.date_of_birth, &current.gender, &current.id_number];
    let locked: Vec<&'static str> = IDENTITY_FIELDS
        .iter()
        .zip(values)
        .zip(&changes)
        .filter(|((_, now_value), change)| matches!(change, Some(v) if v != *now_value))
        .map(|((name, _), _)| *name)
        .collect();
    Err(DocError::ProfileLocked(locked))
}
