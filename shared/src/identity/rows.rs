//! Typed reads from [`SqlRows`], failing with a [`StoreError`] instead of
//! panicking when a row does not have the shape the statement promised.

use crate::ports::{SqlRows, SqlValue, StoreError};

/// One row of a result, read by column name.
pub(crate) struct Row<'r> {
    columns: &'r [String],
    values: &'r [SqlValue],
}

/// The first row, if the statement returned any.
pub(crate) fn first(rows: &SqlRows) -> Option<Row<'_>> {
    all(rows).next()
}

/// Every row, in order.
pub(crate) fn all(rows: &SqlRows) -> impl Iterator<Item = Row<'_>> {
    rows.rows.iter().map(|values| Row {
        columns: &rows.columns,
        values,
    })
}

fn shape(column: &str, want: &str) -> StoreError {
    StoreError::Unavailable(format!("unexpected result: column {column} is not {want}"))
}

impl<'r> Row<'r> {
    fn value(&self, column: &str) -> Result<&'r SqlValue, StoreError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| shape(column, "present"))
    }

    pub(crate) fn i64(&self, column: &str) -> Result<i64, StoreError> {
        self.value(column)?
            .as_i64()
            .ok_or_else(|| shape(column, "an integer"))
    }

    pub(crate) fn opt_i64(&self, column: &str) -> Result<Option<i64>, StoreError> {
        let v = self.value(column)?;
        if v.is_null() {
            return Ok(None);
        }
        v.as_i64()
            .map(Some)
            .ok_or_else(|| shape(column, "an integer"))
    }

    pub(crate) fn text(&self, column: &str) -> Result<String, StoreError> {
        self.value(column)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| shape(column, "text"))
    }

    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        let v = self.value(column)?;
        if v.is_null() {
            return Ok(None);
        }
        v.as_str()
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| shape(column, "text"))
    }

    pub(crate) fn blob(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        self.value(column)?
            .as_blob()
            .map(<[u8]>::to_vec)
            .ok_or_else(|| shape(column, "a blob"))
    }

    /// A text column holding one of a closed vocabulary.
    pub(crate) fn parsed<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let v = self
            .value(column)?
            .as_str()
            .ok_or_else(|| shape(column, "text"))?;
        parse(v).ok_or_else(|| shape(column, "a known value"))
    }
}
