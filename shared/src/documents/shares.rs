//! Share links (docs/documents.md): a citizen lets a relying party read one
//! document for a while, a number of times, for a stated purpose.
//!
//! Every fetch through the link — metadata or content — is one use, counted
//! by a single `UPDATE … WHERE uses < max_uses AND … RETURNING`, so 50
//! parallel fetches of a 3-use link serve exactly 3 and never 4. A content
//! response carries the verdict in its headers, so one use is enough for a
//! relying party that only needs the file.

use serde::Deserialize;

use super::error::DocError;
use super::quota::VaultQuotas;
use super::store::documents as doc_store;
use super::store::shares::{self as store, NewLink};
use super::vault::{self, DocumentMeta};
use crate::identity::Ports;
use crate::ids::{plausible_id, random_id};
use crate::text::clean_line;

/// The citizen's links, newest first (the store's statement is the rule).
pub use super::store::shares::list;

/// Longest a link may live (docs/documents.md: 7 days), in seconds.
pub const MAX_EXPIRES_IN: i64 = 7 * 86_400;
/// Lifetime when the citizen does not say.
pub const DEFAULT_EXPIRES_IN: i64 = 86_400;
/// Largest `max_uses`; "unlimited within the expiry" is `max_uses` absent.
pub const MAX_USES_LIMIT: i64 = 1_000;
/// Longest purpose text.
pub const PURPOSE_MAX_CHARS: usize = 200;

/// `POST /api/v1/documents/{id}/shares`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    /// Seconds, 1..=604800; 1 day when absent.
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// How many fetches the link allows (1..=1000); unlimited when absent.
    #[serde(default)]
    pub max_uses: Option<i64>,
    /// Why the citizen shares (shown in their access log). Required.
    #[serde(default)]
    pub purpose: Option<String>,
}

/// A share link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The share's id (shown in the access log).
    pub id: String,
    /// The capability in the URL.
    pub token: String,
    /// The shared document.
    pub document_id: String,
    /// Its owner.
    pub citizen_id: String,
    /// Why the citizen shared it.
    pub purpose: String,
    /// Fetches allowed; `None` = unlimited until expiry.
    pub max_uses: Option<i64>,
    /// Fetches so far.
    pub uses: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; the link is dead from then on.
    pub expires_at: i64,
    /// When the owner revoked it.
    pub revoked_at: Option<i64>,
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareState {
    /// Opens.
    Active,
    /// Past its expiry.
    Expired,
    /// Every allowed use spent.
    UsedUp,
    /// Revoked by the owner (or its document deleted).
    Revoked,
}

impl ShareState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareState::Active => "active",
            ShareState::Expired => "expired",
            ShareState::UsedUp => "used_up",
            ShareState::Revoked => "revoked",
        }
    }
}

impl Share {
    /// The state at `now`; revocation wins over expiry, expiry over use-up.
    pub fn state(&self, now: i64) -> ShareState {
        if self.revoked_at.is_some() {
            ShareState::Revoked
        } else if self.expires_at <= now {
            ShareState::Expired
        } else if self.max_uses.is_some_and(|m| self.uses >= m) {
            ShareState::UsedUp
        } else {
            ShareState::Active
        }
    }
}

fn plausible_token(token: &str) -> bool {
    plausible_id(token, "shr_", 64)
}

struct ValidShare {
    expires_in: i64,
    max_uses: Option<i64>,
    purpose: String,
}

fn validate(req: &NewShare) -> Result<ValidShare, DocError> {
    let mut errors = Vec::new();
    let expires_in = req.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
    if !(1..=MAX_EXPIRES_IN).contains(&expires_in) {
        errors.push(("expires_in", "must_be_1_to_604800_seconds"));
    }
    if req
        .max_uses
        .is_some_and(|m| !(1..=MAX_USES_LIMIT).contains(&m))
    {
        errors.push(("max_uses", "must_be_1_to_1000"));
    }
    let purpose = clean_line(req.purpose.as_deref().unwrap_or(""), PURPOSE_MAX_CHARS)
        .map_err(|r| errors.push(("purpose", r)))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok(ValidShare {
            expires_in,
            max_uses: req.max_uses,
            purpose,
        })
    } else {
        Err(DocError::Invalid(errors))
    }
}

/// Creates a link to one of the citizen's valid documents. The ownership and
/// status checks are part of the `INSERT … SELECT`, so a document revoked at
/// the same moment cannot get a fresh link.
pub fn create(
    ports: Ports<'_>,
    citizen_id: &str,
    document_id: &str,
    req: &NewShare,
) -> Result<Share, DocError> {
    let v = validate(req)?;
    if !vault::plausible_doc_id(document_id) {
        return Err(DocError::NotFound);
    }
    let now = ports.clock.now();
    let limit = VaultQuotas::from_settings(ports.settings).share_max_active_per_document;
    let (id, token) = (
        random_id(ports.random, "sh_", 12),
        random_id(ports.random, "shr_", 16),
    );
    let link = NewLink {
        id: &id,
        token: &token,
        document_id,
        citizen_id,
        purpose: &v.purpose,
        max_uses: v.max_uses,
        now,
        expires_at: now + v.expires_in,
        live_limit: limit,
    };
    // Ownership, status and the live-link limit are checked inside the
    // INSERT (see `store::shares::insert`).
    if let Some(share) = store::insert(ports.sql, &link)? {
        return Ok(share);
    }
    // Only decides which error to show: not theirs (404), revoked (409) or
    // at the limit (422).
    let doc = vault::get(ports.sql, citizen_id, document_id)?;
    if doc.status != "valid" {
        return Err(DocError::DocumentRevoked);
    }
    Err(DocError::ShareLimit { limit })
}

/// Revokes one of the citizen's links. Idempotent (`true` when this call
/// revoked it); someone else's or an unknown token → `NotFound`.
pub fn revoke(ports: Ports<'_>, citizen_id: &str, token: &str) -> Result<(Share, bool), DocError> {
    if !plausible_token(token) {
        return Err(DocError::NotFound);
    }
    if let Some(share) = store::revoke(ports.sql, citizen_id, token, ports.clock.now())? {
        return Ok((share, true));
    }
    match store::by_token(ports.sql, token)? {
        Some(s) if s.citizen_id == citizen_id => Ok((s, false)),
        _ => Err(DocError::NotFound),
    }
}

/// What a relying party asked for through a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// The metadata and verdict.
    Metadata,
    /// The bytes.
    Content,
}

impl Fetch {
    /// The spelling stored in the audit detail.
    pub fn as_str(self) -> &'static str {
        match self {
            Fetch::Metadata => "metadata",
            Fetch::Content => "content",
        }
    }
}

/// A successful fetch through a link: the share after counting this use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The link after counting this use.
    pub share: Share,
    /// The shared document.
    pub document: DocumentMeta,
    /// The document holder's name, so the relying party knows whose it is.
    pub holder_name: Option<String>,
    /// The verified bytes, for [`Fetch::Content`].
    pub content: Option<Vec<u8>>,
    /// The audit chain's tail as the read saw it, for the entry recording
    /// this fetch ([`crate::audit::append_all`]).
    pub audit_tail: Option<crate::audit::Tail>,
}

/// Uses a link once. Unknown token → `NotFound`; expired, used up or revoked
/// → `ShareGone`. Content of a document the issuer revoked → `RevokedContent`
/// without spending a use (its metadata still shows the `revoked` verdict).
///
/// Two statements when it succeeds: the counted use (which checks every
/// condition itself), then one read of the document, its holder's name and
/// the audit tail. Why a fetch was refused is worked out only when it was.
pub fn open(ports: Ports<'_>, token: &str, fetch: Fetch) -> Result<Opened, DocError> {
    if !plausible_token(token) {
        return Err(DocError::NotFound);
    }
    let now = ports.clock.now();
    let for_content = fetch == Fetch::Content;
    let Some(share) = store::use_once(ports.sql, token, now, for_content)? else {
        return Err(why_refused(ports, token, now, for_content)?);
    };
    let read = doc_store::through_share(ports.sql, &share.document_id, for_content)?
        .ok_or(DocError::ShareGone)?;
    let content = match read.content {
        Some(bytes) => Some(vault::checked_content(&read.document, bytes)?),
        None => None,
    };
    Ok(Opened {
        share,
        document: read.document,
        holder_name: read.holder_name,
        content,
        audit_tail: read.audit_tail,
    })
}

/// Why [`store::use_once`] counted no use, judged at the same `now`.
fn why_refused(
    ports: Ports<'_>,
    token: &str,
    now: i64,
    for_content: bool,
) -> Result<DocError, DocError> {
    let share = store::by_token(ports.sql, token)?.ok_or(DocError::NotFound)?;
    if share.state(now) != ShareState::Active {
        return Ok(DocError::ShareGone);
    }
    if for_content {
        match doc_store::by_id(ports.sql, &share.document_id)? {
            Some(doc) if doc.status != "valid" => return Ok(DocError::RevokedContent),
            Some(_) => {}
            None => return Ok(DocError::ShareGone),
        }
    }
    // Used up or revoked between the two statements.
    Ok(DocError::ShareGone)
}
