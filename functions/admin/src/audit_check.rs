//! `GET /api/v1/admin/audit/verify`: the audit chain's check.

use cds_shared::audit;
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::Response;

use crate::views;

/// Verifies the chain and logs its head hash.
pub fn verify_audit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let report = audit::verify(ctx.sql()?)?;
    // Logging the head hash anchors the chain outside the database, which
    // is what detects truncation of the newest rows (see `audit` docs).
    ctx.log(format_args!(
        "audit chain: ok={} entries={} first_bad_seq={} head_hash={}",
        report.ok,
        report.entries,
        report
            .first_bad_seq
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        report.head_hash.as_deref().unwrap_or("-"),
    ));
    Ok(Response::json(200, &views::verify_report(&report)).no_store())
}
