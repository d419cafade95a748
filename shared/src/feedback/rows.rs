//! Reading result rows by column name, with a store error (not a panic)
//! when a row does not have the shape a query asked for.

use crate::ports::{SqlRows, SqlValue, StoreError};

/// One row of a result, read by column name.
pub(crate) struct Row<'a> {
    rows: &'a SqlRows,
    values: &'a [SqlValue],
}

/// Every row of `rows`.
pub(crate) fn all(rows: &SqlRows) -> impl Iterator<Item = Row<'_>> {
    rows.rows.iter().map(move |values| Row { rows, values })
}

fn shape(column: &str) -> StoreError {
    StoreError::Unavailable(format!("unexpected row shape at column {column}"))
}

impl Row<'_> {
    fn value(&self, column: &str) -> Result<&SqlValue, StoreError> {
        self.rows
            .column(column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| shape(column))
    }

    pub(crate) fn text(&self, column: &str) -> Result<String, StoreError> {
        self.opt_text(column)?.ok_or_else(|| shape(column))
    }

    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Text(t) => Ok(Some(t.clone())),
            _ => Err(shape(column)),
        }
    }

    pub(crate) fn i64(&self, column: &str) -> Result<i64, StoreError> {
        self.opt_i64(column)?.ok_or_else(|| shape(column))
    }

    pub(crate) fn opt_i64(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            v => v.as_i64().map(Some).ok_or_else(|| shape(column)),
        }
    }

    pub(crate) fn f64(&self, column: &str) -> Result<f64, StoreError> {
        match self.value(column)? {
            SqlValue::Real(r) => Ok(*r),
            // SQLite hands back whole-number REALs as they were bound.
            SqlValue::Integer(i) => Ok(*i as f64),
            _ => Err(shape(column)),
        }
    }

    pub(crate) fn opt_f64(&self, column: &str) -> Result<Option<f64>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            _ => self.f64(column).map(Some),
        }
    }
}
