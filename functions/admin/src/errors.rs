//! The admin domain's and the store's errors as the one HTTP error type.

use cds_shared::admin::AdminError;
use cds_shared::error::ApiError;
use cds_shared::ports::StoreError;

/// `AdminError` → SPEC §4: invalid field → 422 `validation_failed` naming the
/// field and the reason; taken code → 409 `conflict` naming the field;
/// unknown unit → 422 on `unit`; store failure → 503 (logged, not shown).
pub fn admin_error(request_id: &str, e: AdminError) -> ApiError {
    match e {
        AdminError::Invalid { field, reason } => ApiError::invalid_field(field, reason),
        AdminError::Conflict { field } => {
            ApiError::conflict("conflict").with_field(field, "already_exists")
        }
        AdminError::UnknownUnit => ApiError::invalid_field("unit", "unknown_value"),
        AdminError::Store(e) => store_error(request_id, e),
    }
}

/// Logs the store's own message (it can name tables and hosts, so it stays
/// in the log) and answers with the client-safe error.
pub fn store_error(request_id: &str, e: StoreError) -> ApiError {
    eprintln!("[{request_id}] store error: {e}");
    ApiError::from(e)
}
