//! TEMPORARY stand-in for `cds_shared::sql_dialect::to_postgres` (helper
//! hsql's, not merged yet), with its signature, so the PostgreSQL setup
//! compiles; removed when that module lands. `?N` / `?` outside quotes
//! become `$k::int8|text|bytea|float8` by the bound value's type; a NULL
//! becomes the literal NULL and the rest are renumbered.

use cds_shared::ports::SqlValue;

/// The statement in PostgreSQL's placeholder syntax, and its parameters.
pub fn to_postgres(statement: &str, params: &[SqlValue]) -> (String, Vec<SqlValue>) {
    let mut out = String::with_capacity(statement.len() + 16);
    let mut bound: Vec<SqlValue> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; params.len()];
    let mut next_plain = 0usize;
    let mut chars = statement.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            out.push(c);
            continue;
        }
        if c != '?' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let index = if digits.is_empty() {
            next_plain += 1;
            next_plain - 1
        } else {
            digits.parse::<usize>().unwrap_or(1).saturating_sub(1)
        };
        let Some(value) = params.get(index) else {
            out.push_str("NULL");
            continue;
        };
        let cast = match value {
            SqlValue::Null => {
                out.push_str("NULL");
                continue;
            }
            SqlValue::Integer(_) => "int8",
            SqlValue::Real(_) => "float8",
            SqlValue::Text(_) => "text",
            SqlValue::Blob(_) => "bytea",
        };
        let k = match slot[index] {
            Some(k) => k,
            None => {
                bound.push(value.clone());
                slot[index] = Some(bound.len());
                bound.len()
            }
        };
        out.push_str(&format!("${k}::{cast}"));
    }
    (out, bound)
}
