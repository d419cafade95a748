//! Feedback categories as citizens and Open311 clients see them. They are
//! created by the admin API (`shared/src/admin.rs`) and never deleted.

use serde_json::{json, Value};

use crate::ports::{Sql, StoreError};
use crate::rows::all;

/// A category and the unit that handles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    /// Vietnamese name ("Môi trường").
    pub name: String,
    pub unit_code: String,
    pub unit_name: String,
}

const SELECT: &str =
    "SELECT c.code, c.name, c.unit_code, COALESCE(u.name, c.unit_code) AS unit_name \
                      FROM feedback_categories c LEFT JOIN units u ON u.code = c.unit_code";

/// Every category, in the order they were created (the seeded order puts
/// "Khác" last).
pub fn list_categories(sql: &dyn Sql) -> Result<Vec<Category>, StoreError> {
    read(
        sql,
        &format!("{SELECT} ORDER BY c.created_at, c.rowid"),
        &[],
    )
}

/// One category by code.
pub fn find_category(sql: &dyn Sql, code: &str) -> Result<Option<Category>, StoreError> {
    Ok(read(
        sql,
        &format!("{SELECT} WHERE c.code = ? LIMIT 1"),
        &[code.into()],
    )?
    .pop())
}

fn read(
    sql: &dyn Sql,
    statement: &str,
    params: &[crate::ports::SqlValue],
) -> Result<Vec<Category>, StoreError> {
    let rows = sql.execute(statement, params)?;
    all(&rows)
        .map(|r| {
            Ok(Category {
                code: r.text("code")?,
                name: r.text("name")?,
                unit_code: r.text("unit_code")?,
                unit_name: r.text("unit_name")?,
            })
        })
        .collect()
}

/// `{"code","name","unit","unit_name"}`.
pub fn category_json(c: &Category) -> Value {
    json!({"code": c.code, "name": c.name, "unit": c.unit_code, "unit_name": c.unit_name})
}
