//! `GET /api/v1/admin/audit/verify`: the audit chain's check, a bounded
//! piece at a time from the newest checkpoint (docs/admin.md, "The audit
//! chain's check").

use std::time::Instant;

use cds_shared::audit::{self, CheckpointKey, Start, VERIFY_BUDGET};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::Response;

use crate::views;

/// Verifies the next piece of the chain and logs what it proved.
pub fn verify_audit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let start = start(ctx)?;
    let budget = budget(ctx)?;
    // Outside development the settings check refuses every request before
    // this when `token_secret` is unset, so this is only a misconfiguration.
    let key = CheckpointKey::from_settings(ctx.settings())
        .ok_or_else(|| ApiError::internal("token_secret is not set"))?;
    let began = Instant::now();
    let report = audit::verify_incremental(ctx.sql()?, ctx.clock(), &key, start, budget)?;
    let elapsed_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
    // Logging the head hash anchors the chain outside the database, which
    // is what detects truncation of the newest rows (see `audit` docs);
    // rejected checkpoints are evidence of tampering, so they are named.
    ctx.log(format_args!(
        "audit chain: ok={} complete={} from={} through={} first_bad_seq={} head_hash={} \
         rejected_checkpoints={}{} elapsed_ms={elapsed_ms}",
        report.ok,
        report.complete,
        report.verified_from,
        report.verified_through,
        report
            .first_bad_seq
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        report.head_hash.as_deref().unwrap_or("-"),
        report.rejected_checkpoints,
        report
            .rejected
            .iter()
            .map(|r| format!(" {}:{}", r.seq, r.reason.as_str()))
            .collect::<String>(),
    ));
    Ok(Response::json(200, &views::verify_report(&report, elapsed_ms)).no_store())
}

/// `full=true` walks from genesis trusting no checkpoint; `from=<seq>`
/// continues such a walk after the checkpoint it left at `seq`.
fn start(ctx: &Ctx<'_>) -> Result<Start, ApiError> {
    let full = match ctx.req.query_param_once("full")? {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid_field("full", "not_a_boolean")),
    };
    match ctx.req.query_param_once("from")? {
        None => Ok(if full { Start::Genesis } else { Start::Newest }),
        Some(raw) => match raw.parse::<i64>() {
            Ok(seq) if seq >= 0 && full => Ok(Start::Checkpoint(seq)),
            Ok(seq) if seq >= 0 => Err(ApiError::invalid_field("from", "needs_full")),
            _ => Err(ApiError::invalid_field("from", "not_a_seq")),
        },
    }
}

/// `max_entries` (1 … 200,000, the default): how many rows this call checks
/// at most; smaller pieces keep each call short.
fn budget(ctx: &Ctx<'_>) -> Result<u64, ApiError> {
    match ctx.req.query_param_once("max_entries")? {
        None => Ok(VERIFY_BUDGET),
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if (1..=VERIFY_BUDGET).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field("max_entries", "out_of_range")),
        },
    }
}
