//! Reading [`SqlRows`] by column name, failing with a [`StoreError`] (never
//! a panic) when a row does not have the shape its statement promised. Every
//! domain's store reads its results through this one reader, so a schema
//! drift shows up as the same 503 everywhere.

use crate::ports::{SqlRows, SqlValue, StoreError};

/// One row of a result, read by column name.
pub struct Row<'r> {
    columns: &'r [String],
    values: &'r [SqlValue],
}

/// The first row, if the statement returned any.
pub fn first(rows: &SqlRows) -> Option<Row<'_>> {
    all(rows).next()
}

/// Every row, in order.
pub fn all(rows: &SqlRows) -> impl Iterator<Item = Row<'_>> {
    rows.rows.iter().map(|values| Row {
        columns: &rows.columns,
        values,
    })
}

/// Every row decoded with `f`; the first row that does not decode fails all.
pub fn decode_all<T>(
    rows: &SqlRows,
    f: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    all(rows).map(|r| f(&r)).collect()
}

/// The first row decoded with `f`, `None` when there is no row.
pub fn decode_first<T>(
    rows: &SqlRows,
    f: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    first(rows).map(|r| f(&r)).transpose()
}

/// The error for a column that is missing or holds the wrong kind of value.
pub fn shape(column: &str, want: &str) -> StoreError {
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

    /// An integer column (a numeric text or a REAL is read as SQLite would).
    pub fn i64(&self, column: &str) -> Result<i64, StoreError> {
        self.value(column)?
            .as_i64()
            .ok_or_else(|| shape(column, "an integer"))
    }

    /// A nullable integer column.
    pub fn opt_i64(&self, column: &str) -> Result<Option<i64>, StoreError> {
        let v = self.value(column)?;
        if v.is_null() {
            return Ok(None);
        }
        v.as_i64()
            .map(Some)
            .ok_or_else(|| shape(column, "an integer"))
    }

    /// A text column.
    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        self.value(column)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| shape(column, "text"))
    }

    /// A nullable text column.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        let v = self.value(column)?;
        if v.is_null() {
            return Ok(None);
        }
        v.as_str()
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| shape(column, "text"))
    }

    /// A blob column (text is read as its UTF-8 bytes).
    pub fn blob(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        self.value(column)?
            .as_blob()
            .map(<[u8]>::to_vec)
            .ok_or_else(|| shape(column, "a blob"))
    }

    /// A REAL column; whole numbers SQLite hands back as integers are
    /// accepted, as they were bound.
    pub fn f64(&self, column: &str) -> Result<f64, StoreError> {
        match self.value(column)? {
            SqlValue::Real(r) => Ok(*r),
            SqlValue::Integer(i) => Ok(*i as f64),
            _ => Err(shape(column, "a number")),
        }
    }

    /// A nullable REAL column.
    pub fn opt_f64(&self, column: &str) -> Result<Option<f64>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            _ => self.f64(column).map(Some),
        }
    }

    /// A text column holding one of a closed vocabulary.
    pub fn parsed<T>(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> SqlRows {
        SqlRows {
            columns: vec!["n".into(), "t".into(), "r".into()],
            rows: vec![
                vec![
                    SqlValue::Integer(1),
                    SqlValue::Text("a".into()),
                    SqlValue::Integer(2),
                ],
                vec![SqlValue::Null, SqlValue::Integer(3), SqlValue::Real(0.5)],
            ],
        }
    }

    #[test]
    fn reads_by_name_and_refuses_wrong_shapes() {
        let rows = rows();
        let one = first(&rows).expect("a row");
        assert_eq!(one.i64("n"), Ok(1));
        assert_eq!(one.text("t"), Ok("a".to_owned()));
        assert_eq!(one.f64("r"), Ok(2.0));
        assert!(one.text("missing").is_err());
        let two: Vec<Row<'_>> = all(&rows).skip(1).collect();
        assert_eq!(two[0].opt_i64("n"), Ok(None));
        assert!(two[0].text("t").is_err());
        assert_eq!(two[0].opt_f64("r"), Ok(Some(0.5)));
        assert!(decode_all(&rows, |r| r.text("t")).is_err());
        assert_eq!(decode_first(&rows, |r| r.i64("n")), Ok(Some(1)));
    }
}
