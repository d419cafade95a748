//! The category reads: the categories with their units' names, and the
//! per-category counts and ratings of `GET /api/v1/feedback/stats`.

use crate::feedback::categories::Category;
use crate::feedback::rating::CategoryStats;
use crate::feedback::status::Status;
use crate::ports::{Sql, StoreError};
use crate::rows::all;

const SELECT: &str =
    "SELECT c.code, c.name, c.unit_code, COALESCE(u.name, c.unit_code) AS unit_name \
                      FROM feedback_categories c LEFT JOIN units u ON u.code = c.unit_code";

/// Every category, in the order they were created (the seeded order puts
/// "Khác" last).
pub fn categories(sql: &dyn Sql) -> Result<Vec<Category>, StoreError> {
    read(
        sql,
        &format!("{SELECT} ORDER BY c.created_at, c.code"),
        &[],
    )
}

/// One category by code.
pub fn category(sql: &dyn Sql, code: &str) -> Result<Option<Category>, StoreError> {
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

const STATS: &str = "\
SELECT c.code, c.name, c.unit_code, \
  (SELECT count(*) FROM feedback f WHERE f.category_code = c.code) AS total, \
  (SELECT count(*) FROM feedback f WHERE f.category_code = c.code AND f.status = 'received') AS received, \
  (SELECT count(*) FROM feedback f WHERE f.category_code = c.code AND f.status = 'in_progress') AS in_progress, \
  (SELECT count(*) FROM feedback f WHERE f.category_code = c.code AND f.status = 'resolved') AS resolved, \
  (SELECT count(*) FROM feedback f WHERE f.category_code = c.code AND f.status = 'rejected') AS rejected, \
  (SELECT count(*) FROM feedback_ratings r JOIN feedback f ON f.id = r.feedback_id \
     WHERE f.category_code = c.code) AS ratings, \
  (SELECT avg(r.score) FROM feedback_ratings r JOIN feedback f ON f.id = r.feedback_id \
     WHERE f.category_code = c.code) AS average \
FROM feedback_categories c ORDER BY c.created_at, c.code";

/// Counts and ratings of every category, including those without
/// feedback, in creation order.
pub fn category_stats(sql: &dyn Sql) -> Result<Vec<CategoryStats>, StoreError> {
    let rows = sql.execute(STATS, &[])?;
    all(&rows)
        .map(|r| {
            let mut by_status = [0; 4];
            for (slot, status) in by_status.iter_mut().zip(Status::ALL) {
                *slot = r.i64(status.as_str())?;
            }
            Ok(CategoryStats {
                code: r.text("code")?,
                name: r.text("name")?,
                unit_code: r.text("unit_code")?,
                total: r.i64("total")?,
                by_status,
                ratings: r.i64("ratings")?,
                average: r.opt_f64("average")?,
            })
        })
        .collect()
}
