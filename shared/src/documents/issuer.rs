//! Issuer agencies pushing documents into citizens' vaults and revoking
//! them (docs/documents.md), authenticated by API key (`crate::apikey`).
//!
//! A push is idempotent on (issuer, `external_id`): the unique index and a
//! single `INSERT … ON CONFLICT DO NOTHING` decide which of any number of
//! parallel retries creates the document; the others read that one back.
//!
//! Who receives it ([`resolve_citizen`]): self-declared data never routes
//! papers. An id number alone reaches only a verified citizen whose number
//! an official confirmed; a phone (proven by a one-time code, the same proof
//! that opens the vault) reaches its account; a phone *and* an id number
//! must both match one account. Every miss is the same 404
//! `citizen_not_found`, so an issuer cannot tell an unverified claim from
//! nobody. Rules and reasoning: docs/identity.md, "Identity levels".

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde::Deserialize;

use super::error::DocError;
use super::kinds::{check_content, doc_type, MAX_DOCUMENT_BYTES};
use super::profile::{clean_id_number, find_by_id_number, read_profile};
use super::sha256_hex;
use super::store::documents::{self as store, Issued, NewDocument};
use super::vault::{plausible_doc_id, DocumentMeta, TITLE_MAX_CHARS};
use crate::apikey::Issuer;
use crate::identity::{find_by_phone, Ports};
use crate::ids::random_id;
use crate::local_time::parse_instant_or_date;
use crate::phone::Phone;
use crate::ports::StoreError;
use crate::text::clean_line;

/// Longest `external_id` (the agency's own reference, e.g. a case number).
pub const EXTERNAL_ID_MAX_CHARS: usize = 128;

/// The largest JSON body a push may have: the base64 of a 5 MiB document
/// plus room for the other fields.
pub const MAX_PUSH_JSON_BYTES: usize = MAX_DOCUMENT_BYTES.div_ceil(3) * 4 + 64 * 1024;

/// Standard base64, padded or not (agencies' libraries differ).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Who the document is for: a phone, a confirmed id number, or both (then
/// both must match the same account).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenRef {
    /// The phone the citizen proved with a one-time code.
    #[serde(default)]
    pub phone: Option<Phone>,
    /// A 12-digit CCCD number (spaces and dots allowed).
    #[serde(default)]
    pub id_number: Option<String>,
}

/// `POST /api/v1/issuer/documents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Who receives it.
    pub citizen: CitizenRef,
    /// One of `kinds::DOC_TYPES`.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// The document's title.
    pub title: String,
    /// The file, base64 (padded or not).
    pub content_base64: String,
    /// PDF, JPEG or PNG; must match the bytes.
    pub content_type: String,
    /// RFC 3339 or `YYYY-MM-DD`.
    pub issued_at: String,
    /// RFC 3339 or `YYYY-MM-DD`, after `issued_at`.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// The agency's own reference; a retry with the same one is idempotent.
    pub external_id: String,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// A new document (201).
    Created(DocumentMeta),
    /// A retry of an earlier push: the same document (200).
    Existing(DocumentMeta),
}

struct Valid {
    kind: &'static str,
    title: String,
    content_type: &'static str,
    bytes: Vec<u8>,
    issued_at: i64,
    valid_until: Option<i64>,
    external_id: String,
}

fn validate(req: &PushRequest) -> Result<Valid, DocError> {
    let mut errors = Vec::new();
    let kind = doc_type(req.doc_type.trim());
    if kind.is_none() {
        errors.push(("type", "unknown_value"));
    }
    let title = clean_line(&req.title, TITLE_MAX_CHARS)
        .map_err(|r| errors.push(("title", r)))
        .ok();
    let issued_at = parse_instant_or_date(&req.issued_at);
    if issued_at.is_none() {
        errors.push(("issued_at", "must_be_rfc3339_or_date"));
    }
    let valid_until = match req.valid_until.as_deref() {
        None => None,
        Some(s) => {
            let v = parse_instant_or_date(s);
            match (v, issued_at) {
                (None, _) => errors.push(("valid_until", "must_be_rfc3339_or_date")),
                (Some(v), Some(i)) if v <= i => {
                    errors.push(("valid_until", "must_be_after_issued_at"))
                }
                _ => {}
            }
            v
        }
    };
    let external_id = clean_line(&req.external_id, EXTERNAL_ID_MAX_CHARS)
        .map_err(|r| errors.push(("external_id", r)))
        .ok();
    let bytes = BASE64
        .decode(req.content_base64.trim())
        .map_err(|_| errors.push(("content_base64", "not_base64")))
        .ok();
    if !errors.is_empty() {
        return Err(DocError::Invalid(errors));
    }
    let bytes = bytes.unwrap_or_default();
    let ct = check_content("content_base64", &req.content_type, &bytes)?;
    match (kind, title, issued_at, external_id) {
        (Some(kind), Some(title), Some(issued_at), Some(external_id)) => Ok(Valid {
            kind,
            title,
            content_type: ct.as_mime(),
            bytes,
            issued_at,
            valid_until,
            external_id,
        }),
        _ => Err(DocError::Invalid(errors)),
    }
}

/// The citizen a push names, or [`DocError::CitizenNotFound`]:
///
/// * `id_number` alone — the verified citizen whose confirmed number it is;
///   a number only claimed (by anyone, any number of accounts) is nobody;
/// * `phone` alone — the account of that phone, whatever its level: the
///   phone was proven with a one-time code, and whoever holds it can open
///   that vault anyway;
/// * both — the account of that phone, and only if the number is its
///   confirmed one or its own claim (the phone disambiguates the claim; a
///   mismatch, e.g. a recycled SIM, delivers nothing).
pub fn resolve_citizen(ports: Ports<'_>, who: &CitizenRef) -> Result<String, DocError> {
    let id_number = match &who.id_number {
        Some(raw) => {
            Some(clean_id_number(raw).map_err(|r| DocError::invalid("citizen.id_number", r))?)
        }
        None => None,
    };
    match (&who.phone, id_number) {
        (Some(phone), None) => Ok(find_by_phone(ports, phone)?
            .ok_or(DocError::CitizenNotFound)?
            .id),
        (None, Some(id_number)) => Ok(find_by_id_number(ports, &id_number)?
            .ok_or(DocError::CitizenNotFound)?
            .citizen_id),
        (Some(phone), Some(id_number)) => {
            let account = find_by_phone(ports, phone)?.ok_or(DocError::CitizenNotFound)?;
            let profile = read_profile(ports, &account.id)?.ok_or(DocError::CitizenNotFound)?;
            if profile.given_id_number() == Some(id_number.as_str()) {
                Ok(profile.citizen_id)
            } else {
                Err(DocError::CitizenNotFound)
            }
        }
        (None, None) => Err(DocError::invalid("citizen", "give_phone_or_id_number")),
    }
}

/// Pushes a document for a citizen; see the module docs for idempotency.
/// The same `external_id` with different bytes or for another citizen is a
/// 409: silently answering with the old document would hide an agency bug.
pub fn push(ports: Ports<'_>, issuer: &Issuer, req: &PushRequest) -> Result<PushOutcome, DocError> {
    let v = validate(req)?;
    let citizen_id = resolve_citizen(ports, &req.citizen)?;
    let sha256 = sha256_hex(&v.bytes);
    let size = i64::try_from(v.bytes.len()).map_err(|_| DocError::TooLarge {
        limit: MAX_DOCUMENT_BYTES,
    })?;
    let id = random_id(ports.random, "doc_", 16);
    let new = NewDocument {
        id: &id,
        citizen_id: &citizen_id,
        kind: v.kind,
        title: &v.title,
        content_type: v.content_type,
        sha256: &sha256,
        bytes: &v.bytes,
        size,
        now: ports.clock.now(),
    };
    let issued = Issued {
        issuer_id: issuer.id,
        external_id: &v.external_id,
        issued_at: v.issued_at,
        valid_until: v.valid_until,
    };
    let inserted = store::insert_issued(ports.sql, &new, &issued)?;
    let existing = store::by_external_id(ports.sql, issuer.id, &v.external_id)?
        .ok_or_else(|| StoreError::Unavailable("pushed document vanished".into()))?;
    if inserted {
        return Ok(PushOutcome::Created(existing));
    }
    if existing.citizen_id != citizen_id || existing.sha256 != sha256 {
        return Err(DocError::Conflict {
            field: "external_id",
            reason: "already_used_for_another_document",
        });
    }
    Ok(PushOutcome::Existing(existing))
}

/// Revokes a document this issuer pushed. Idempotent: `true` when this call
/// revoked it, `false` when it already was. Another issuer's document or an
/// upload → `NotFound`.
pub fn revoke(
    ports: Ports<'_>,
    issuer: &Issuer,
    id: &str,
) -> Result<(DocumentMeta, bool), DocError> {
    if !plausible_doc_id(id) {
        return Err(DocError::NotFound);
    }
    let changed = store::revoke_issued(ports.sql, issuer.id, id, ports.clock.now())?;
    let doc = store::issued_by(ports.sql, issuer.id, id)?.ok_or(DocError::NotFound)?;
    Ok((doc, changed))
}
