//! Feedback categories as citizens and Open311 clients see them. They are
//! created by the admin API (`shared/src/admin.rs`) and never deleted.

use serde_json::{json, Value};

use super::store::tallies;
use crate::ports::{Sql, StoreError};

/// A category and the unit that handles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Stable code (`moi-truong`).
    pub code: String,
    /// Vietnamese name ("Môi trường").
    pub name: String,
    /// The handling unit.
    pub unit_code: String,
    /// Its name (the code when the unit is unknown).
    pub unit_name: String,
}

/// Every category, in the order they were created (the seeded order puts
/// "Khác" last).
pub fn list_categories(sql: &dyn Sql) -> Result<Vec<Category>, StoreError> {
    tallies::categories(sql)
}

/// One category by code.
pub fn find_category(sql: &dyn Sql, code: &str) -> Result<Option<Category>, StoreError> {
    tallies::category(sql, code)
}

/// `{"code","name","unit","unit_name"}`.
pub fn category_json(c: &Category) -> Value {
    json!({"code": c.code, "name": c.name, "unit": c.unit_code, "unit_name": c.unit_name})
}
