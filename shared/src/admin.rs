//! Administration (docs/admin.md): units, API keys (issuers, partners, kiosks —
//! [`keys`]), services and feedback categories, validated and written with
//! single statements, and deactivating officials ([`officials`]).
//!
//! Codes are `[a-z0-9_-]{2,40}`; names are trimmed, NFC-normalised, 1..=200
//! characters without control characters. A referenced unit is checked inside
//! the same INSERT (`… SELECT … WHERE EXISTS`), so there is no gap between
//! checking and writing. Every statement lives in the private `store`
//! module; this file and its children validate and choose the errors.
//! Components record the matching audit actions.

use std::fmt;

use serde::Deserialize;

use crate::ports::{Clock, Sql, StoreError};

pub mod keys;
pub mod officials;
mod store;

use store::Coded;

pub use keys::{
    create_issuer, create_issuer_with_scopes, create_kiosk, default_issuer_scopes, issuer_scopes,
};
pub use officials::{
    appoint_official, deactivate_official, is_unchanged, AccountRef, Deactivation,
};

const NAME_MAX_CHARS: usize = 200;
const ADDRESS_MAX_CHARS: usize = 300;

/// Why an admin request was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminError {
    /// A field failed validation (422). `reason` is a stable code:
    /// `required`, `too_short`, `too_long`, `format`, `control_characters`,
    /// `unknown_value`.
    Invalid {
        /// The offending field.
        field: &'static str,
        /// A stable reason code (`required`, `format`, …).
        reason: &'static str,
    },
    /// Something with this `field` (the code) already exists (409).
    Conflict {
        /// The field whose value is taken.
        field: &'static str,
    },
    /// The referenced unit does not exist (422 on field `unit`).
    UnknownUnit,
    /// The database failed (503).
    Store(StoreError),
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminError::Invalid { field, reason } => {
                write!(f, "field `{field}` is invalid: {reason}")
            }
            AdminError::Conflict { field } => write!(f, "`{field}` is already taken"),
            AdminError::UnknownUnit => write!(f, "unknown unit"),
            AdminError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AdminError {}

impl From<AdminError> for crate::error::ApiError {
    /// Invalid field → 422 `validation_failed` naming the field and the
    /// reason; taken code → 409 `conflict` naming the field; unknown unit →
    /// 422 on `unit`; store failure → 503 (its message kept for the log).
    fn from(e: AdminError) -> Self {
        use crate::error::ApiError;
        match e {
            AdminError::Invalid { field, reason } => ApiError::invalid_field(field, reason),
            AdminError::Conflict { field } => {
                ApiError::conflict("conflict").with_field(field, "already_exists")
            }
            AdminError::UnknownUnit => ApiError::invalid_field("unit", "unknown_value"),
            AdminError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Store(e)
    }
}

fn invalid(field: &'static str, reason: &'static str) -> AdminError {
    AdminError::Invalid { field, reason }
}

/// Checks a code against `[a-z0-9_-]{2,40}`; codes are identifiers, so they
/// are taken exactly as given, not trimmed or lower-cased.
pub fn validate_code(field: &'static str, code: &str) -> Result<String, AdminError> {
    if code.is_empty() {
        return Err(invalid(field, "required"));
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        return Err(invalid(field, "format"));
    }
    match code.len() {
        0..=1 => Err(invalid(field, "too_short")),
        2..=40 => Ok(code.to_owned()),
        _ => Err(invalid(field, "too_long")),
    }
}

/// Trims and NFC-normalises human text, then checks it is 1..=`max` chars
/// with no control characters (they break CSV exports and kiosk screens).
pub fn normalize_text(field: &'static str, text: &str, max: usize) -> Result<String, AdminError> {
    crate::text::clean_line(text, max).map_err(|reason| invalid(field, reason))
}

fn is_constraint(e: &StoreError) -> bool {
    matches!(e, StoreError::Constraint(_))
}

/// The outcome of an `INSERT … ON CONFLICT DO NOTHING RETURNING …`
/// (`inserted`: a row came back). No row means the code was taken (or, for
/// statements guarded by `WHERE EXISTS`, that the unit is unknown — told
/// apart by looking the code up).
fn insert_unique(
    sql: &dyn Sql,
    inserted: Result<bool, StoreError>,
    table: Coded,
    code: &str,
) -> Result<(), AdminError> {
    match inserted {
        Ok(true) => Ok(()),
        Ok(false) if store::code_exists(sql, table, code)? => {
            Err(AdminError::Conflict { field: "code" })
        }
        Ok(false) => Err(AdminError::UnknownUnit),
        // Engines that report the conflict as an error rather than skipping.
        Err(e) if is_constraint(&e) => Err(AdminError::Conflict { field: "code" }),
        Err(e) => Err(AdminError::Store(e)),
    }
}

/// An administrative unit (department, ward, hospital).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Its code (`[a-z0-9_-]`).
    pub code: String,
    /// Its display name.
    pub name: String,
    /// When it was created (Unix seconds).
    pub created_at: i64,
}

/// Validates and creates unit `code` named `name` (409 if the code is taken).
pub fn create_unit(
    sql: &dyn Sql,
    clock: &dyn Clock,
    code: &str,
    name: &str,
) -> Result<Unit, AdminError> {
    let code = validate_code("code", code)?;
    let name = normalize_text("name", name, NAME_MAX_CHARS)?;
    let unit = Unit {
        code,
        name,
        created_at: clock.now(),
    };
    insert_unique(
        sql,
        store::insert_unit(sql, &unit),
        Coded::Units,
        &unit.code,
    )?;
    Ok(unit)
}

/// What a service is: a hospital desk or a public-service counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// A hospital or clinic desk.
    Health,
    /// A public-service counter (ward office, …).
    PublicService,
}

impl ServiceKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Health => "health",
            ServiceKind::PublicService => "public_service",
        }
    }

    /// The kind a stored or requested spelling names.
    pub fn parse(s: &str) -> Option<ServiceKind> {
        match s {
            "health" => Some(ServiceKind::Health),
            "public_service" => Some(ServiceKind::PublicService),
            _ => None,
        }
    }
}

/// The body of `POST /api/v1/admin/services`, unvalidated. Missing fields
/// decode as "" so validation reports them as `required`, the same reason
/// as an empty value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewService {
    /// Its code (`[a-z0-9_-]`).
    pub code: String,
    /// Its display name.
    pub name: String,
    /// What kind of service it is.
    pub kind: String,
    /// The code of its unit.
    pub unit: String,
    /// Its street address.
    pub address: String,
}

/// A place citizens book appointments at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Its code (`[a-z0-9_-]`).
    pub code: String,
    /// Its display name.
    pub name: String,
    /// What kind of service it is.
    pub kind: ServiceKind,
    /// The code of its unit.
    pub unit_code: String,
    /// Its street address.
    pub address: String,
    /// When it was created (Unix seconds).
    pub created_at: i64,
}

impl Service {
    /// The service as the public catalog shows it (`code`, `name`, `kind`,
    /// `unit`, `address`); the admin's answer adds `created_at` to it.
    pub fn catalog_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code,
            "name": self.name,
            "kind": self.kind.as_str(),
            "unit": self.unit_code,
            "address": self.address,
        })
    }
}

/// Validates and creates a service of an existing unit (422 on an unknown unit, 409 on a taken code).
pub fn create_service(
    sql: &dyn Sql,
    clock: &dyn Clock,
    new: &NewService,
) -> Result<Service, AdminError> {
    let code = validate_code("code", &new.code)?;
    let name = normalize_text("name", &new.name, NAME_MAX_CHARS)?;
    let kind = ServiceKind::parse(&new.kind).ok_or_else(|| invalid("kind", "unknown_value"))?;
    let unit_code = validate_code("unit", &new.unit)?;
    let address = normalize_text("address", &new.address, ADDRESS_MAX_CHARS)?;
    let service = Service {
        code,
        name,
        kind,
        unit_code,
        address,
        created_at: clock.now(),
    };
    let inserted = store::insert_service(sql, &service);
    insert_unique(sql, inserted, Coded::Services, &service.code)?;
    Ok(service)
}

/// A feedback / complaint category and the unit that handles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackCategory {
    /// Its code (`[a-z0-9_-]`).
    pub code: String,
    /// Its display name.
    pub name: String,
    /// The code of its unit.
    pub unit_code: String,
    /// When it was created (Unix seconds).
    pub created_at: i64,
}

/// Validates and creates a feedback category routed to an existing unit.
pub fn create_feedback_category(
    sql: &dyn Sql,
    clock: &dyn Clock,
    code: &str,
    name: &str,
    unit: &str,
) -> Result<FeedbackCategory, AdminError> {
    let code = validate_code("code", code)?;
    let name = normalize_text("name", name, NAME_MAX_CHARS)?;
    let unit_code = validate_code("unit", unit)?;
    let category = FeedbackCategory {
        code,
        name,
        unit_code,
        created_at: clock.now(),
    };
    let inserted = store::insert_feedback_category(sql, &category);
    insert_unique(sql, inserted, Coded::FeedbackCategories, &category.code)?;
    Ok(category)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::apikey::{find_issuer_by_key, revoke_issuer};
    use crate::testing::{FakeClock, TestDb, TestRandom, MIGRATION_0003};
    use unicode_normalization::UnicodeNormalization;

    fn setup() -> (TestDb, FakeClock) {
        (TestDb::memory(), FakeClock::at(1_700_000_000))
    }

    #[test]
    fn migration_can_run_twice() {
        let db = TestDb::memory();
        db.raw(MIGRATION_0003);
    }

    #[test]
    fn unit_names_are_stored_nfc_and_trimmed() {
        let (db, clock) = setup();
        // "Đà Nẵng" typed with combining marks (NFD).
        let nfd = "  Ủy ban Đà Nẵng ".chars().collect::<String>();
        let nfd: String = nfd.nfd().collect();
        let unit = create_unit(&db, &clock, "ubnd-dn", &nfd).unwrap();
        assert_eq!(unit.name, "Ủy ban Đà Nẵng");
        let rows = db
            .execute("SELECT name FROM units WHERE code = 'ubnd-dn'", &[])
            .unwrap();
        assert_eq!(rows.rows[0][0].as_str(), Some("Ủy ban Đà Nẵng"));
    }

    #[test]
    fn duplicate_unit_code_is_a_conflict() {
        let (db, clock) = setup();
        create_unit(&db, &clock, "so-yte", "Sở Y tế").unwrap();
        assert_eq!(
            create_unit(&db, &clock, "so-yte", "Khác"),
            Err(AdminError::Conflict { field: "code" })
        );
    }

    #[test]
    fn codes_outside_the_pattern_are_invalid() {
        let (db, clock) = setup();
        let cases = [
            ("", "required"),
            ("a", "too_short"),
            ("Upper", "format"),
            ("has space", "format"),
            ("đà", "format"),
            (&"a".repeat(41), "too_long"),
        ];
        for (code, reason) in cases {
            assert_eq!(
                create_unit(&db, &clock, code, "Tên"),
                Err(AdminError::Invalid {
                    field: "code",
                    reason
                }),
                "{code}"
            );
        }
        assert!(create_unit(&db, &clock, &"a".repeat(40), "Tên").is_ok());
        assert!(create_unit(&db, &clock, "a_1-b", "Tên").is_ok());
    }

    #[test]
    fn names_must_be_present_short_and_printable() {
        let (db, clock) = setup();
        for (name, reason) in [("   ", "required"), ("a\u{0007}b", "control_characters")] {
            assert_eq!(
                create_unit(&db, &clock, "u1", name),
                Err(AdminError::Invalid {
                    field: "name",
                    reason
                })
            );
        }
        assert_eq!(
            create_unit(&db, &clock, "u1", &"ẵ".repeat(201)),
            Err(AdminError::Invalid {
                field: "name",
                reason: "too_long"
            })
        );
        assert!(create_unit(&db, &clock, "u1", &"ẵ".repeat(200)).is_ok());
    }

    #[test]
    fn issuer_key_is_returned_once_and_found_by_its_hash() {
        let (db, clock) = setup();
        let rng = TestRandom::new(7);
        let (issuer, key) = create_issuer(&db, &rng, &clock, "so-tu-phap", "Sở Tư pháp").unwrap();
        assert!(key.starts_with("iss_"));
        assert_eq!(issuer.key_prefix, key[..12]);
        let stored = db
            .execute("SELECT key_hash, key_prefix FROM issuers", &[])
            .unwrap();
        let row = &stored.rows[0];
        assert_ne!(row[0].as_str(), Some(key.as_str()));
        assert!(!row.iter().any(|v| v.as_str() == Some(key.as_str())));

        assert_eq!(find_issuer_by_key(&db, &key).unwrap(), Some(issuer.clone()));
        let (other, _) = crate::apikey::generate(&rng, "iss");
        assert_eq!(find_issuer_by_key(&db, &other).unwrap(), None);
        assert_eq!(find_issuer_by_key(&db, "iss_short").unwrap(), None);
    }

    #[test]
    fn revoked_issuer_key_no_longer_authenticates() {
        let (db, clock) = setup();
        let (_, key) =
            create_issuer(&db, &TestRandom::new(3), &clock, "so-gtvt", "Sở GTVT").unwrap();
        assert!(revoke_issuer(&db, &clock, "so-gtvt").unwrap());
        assert!(!revoke_issuer(&db, &clock, "so-gtvt").unwrap());
        assert_eq!(find_issuer_by_key(&db, &key).unwrap(), None);
    }

    #[test]
    fn duplicate_issuer_code_is_a_conflict() {
        let (db, clock) = setup();
        let rng = TestRandom::new(4);
        create_issuer(&db, &rng, &clock, "so-tp", "A").unwrap();
        assert_eq!(
            create_issuer(&db, &rng, &clock, "so-tp", "B").map(|_| ()),
            Err(AdminError::Conflict { field: "code" })
        );
    }

    fn hospital(unit: &str) -> NewService {
        NewService {
            code: "bv-da-nang".into(),
            name: "Bệnh viện Đà Nẵng".into(),
            kind: "health".into(),
            unit: unit.into(),
            address: "124 Hải Phòng, Thạch Thang, Hải Châu".into(),
        }
    }

    #[test]
    fn service_needs_an_existing_unit_and_a_known_kind() {
        let (db, clock) = setup();
        assert_eq!(
            create_service(&db, &clock, &hospital("so-yte")),
            Err(AdminError::UnknownUnit)
        );
        create_unit(&db, &clock, "so-yte", "Sở Y tế").unwrap();
        let svc = create_service(&db, &clock, &hospital("so-yte")).unwrap();
        assert_eq!(
            (svc.kind, svc.unit_code.as_str()),
            (ServiceKind::Health, "so-yte")
        );
        assert_eq!(
            create_service(&db, &clock, &hospital("so-yte")),
            Err(AdminError::Conflict { field: "code" })
        );
        let bad_kind = NewService {
            code: "x1".into(),
            kind: "hospital".into(),
            ..hospital("so-yte")
        };
        assert_eq!(
            create_service(&db, &clock, &bad_kind),
            Err(AdminError::Invalid {
                field: "kind",
                reason: "unknown_value"
            })
        );
        let no_address = NewService {
            code: "x2".into(),
            address: " ".into(),
            ..hospital("so-yte")
        };
        assert_eq!(
            create_service(&db, &clock, &no_address),
            Err(AdminError::Invalid {
                field: "address",
                reason: "required"
            })
        );
    }

    #[test]
    fn feedback_category_needs_an_existing_unit() {
        let (db, clock) = setup();
        assert_eq!(
            create_feedback_category(&db, &clock, "moi-truong", "Môi trường", "so-tnmt"),
            Err(AdminError::UnknownUnit)
        );
        assert_eq!(
            create_feedback_category(&db, &clock, "moi-truong", "Môi trường", "SO"),
            Err(AdminError::Invalid {
                field: "unit",
                reason: "format"
            })
        );
        create_unit(&db, &clock, "so-tnmt", "Sở Tài nguyên và Môi trường").unwrap();
        let cat =
            create_feedback_category(&db, &clock, "moi-truong", "Môi trường", "so-tnmt").unwrap();
        assert_eq!(cat.name, "Môi trường");
        assert_eq!(
            create_feedback_category(&db, &clock, "moi-truong", "Khác", "so-tnmt"),
            Err(AdminError::Conflict { field: "code" })
        );
    }
}
