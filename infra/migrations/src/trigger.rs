//! `CREATE TRIGGER IF NOT EXISTS … BEGIN … END;` (SQLite) as a PL/pgSQL
//! function and a `CREATE OR REPLACE TRIGGER` (PostgreSQL 14+), both named
//! after the trigger, so re-running the migration replaces rather than fails.

use crate::words::{split_comment, translate_code, translate_line};
use crate::TranslateError;

const HEAD: &str = "CREATE TRIGGER IF NOT EXISTS ";

/// Whether a trigger statement starts on `line`.
pub(crate) fn starts_at(line: &str) -> bool {
    line.starts_with(HEAD)
}

/// The index of the `END;` line closing the trigger that starts at `start`.
pub(crate) fn end_of(lines: &[&str], start: usize) -> Result<usize, TranslateError> {
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| code(l) == "END;")
        .map(|(i, _)| i)
        .ok_or_else(|| error(start + 1, "a trigger without its `END;` line"))
}

/// The PostgreSQL statements for the trigger in `lines` (from its first line
/// to its `END;`), which starts at 1-based line `line`.
pub(crate) fn translate(lines: &[&str], line: usize) -> Result<String, TranslateError> {
    let begin = lines
        .iter()
        .position(|l| code(l) == "BEGIN")
        .ok_or_else(|| error(line, "a trigger without a `BEGIN` line"))?;
    let header: Vec<&str> = lines[..begin]
        .iter()
        .flat_map(|l| code(l).split_whitespace())
        .collect();
    let head = Header::parse(&header).ok_or_else(|| {
        error(
            line,
            "expected `CREATE TRIGGER IF NOT EXISTS <name> BEFORE|AFTER <event> ON <table> [WHEN <condition>]`",
        )
    })?;
    let mut body = String::new();
    for (offset, l) in lines[begin + 1..lines.len() - 1].iter().enumerate() {
        body.push_str(&body_line(l, line + begin + 1 + offset)?);
        body.push('\n');
    }
    let name = head.name;
    let returns = head.returns();
    let when = head
        .condition
        .map(|c| format!(" WHEN ({})", distinct_from(&c)))
        .unwrap_or_default();
    Ok(format!(
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger\n\
         LANGUAGE plpgsql AS $$\n\
         BEGIN\n\
         {body}    RETURN {returns};\n\
         END;\n\
         $$;\n\
         \n\
         CREATE OR REPLACE TRIGGER {name}\n\
         {timing} {event} ON {table}\n\
         FOR EACH ROW{when}\n\
         EXECUTE FUNCTION {name}();\n",
        timing = head.timing,
        event = head.event,
        table = head.table,
    ))
}

/// The parts of a trigger's header.
struct Header<'a> {
    name: &'a str,
    timing: &'a str,
    event: String,
    table: &'a str,
    condition: Option<String>,
}

impl<'a> Header<'a> {
    /// From the header's words: `CREATE TRIGGER IF NOT EXISTS name timing
    /// event… ON table [WHEN condition…]`.
    fn parse(words: &[&'a str]) -> Option<Header<'a>> {
        let rest = words.get(5..)?;
        let (&name, rest) = rest.split_first()?;
        let (&timing, rest) = rest.split_first()?;
        if !matches!(timing.to_ascii_uppercase().as_str(), "BEFORE" | "AFTER") {
            return None;
        }
        let on = rest.iter().position(|w| w.eq_ignore_ascii_case("ON"))?;
        let event = rest[..on].join(" ");
        let table = *rest.get(on + 1)?;
        let after_table = &rest[on + 2..];
        let condition = match after_table.split_first() {
            None => None,
            Some((w, cond)) if w.eq_ignore_ascii_case("WHEN") && !cond.is_empty() => {
                Some(cond.join(" "))
            }
            Some(_) => return None,
        };
        (!event.is_empty()).then_some(Header {
            name,
            timing,
            event,
            table,
            condition,
        })
    }

    /// What the function returns: an AFTER trigger's result is ignored; a
    /// BEFORE one must return the row, or the statement silently skips it.
    fn returns(&self) -> &'static str {
        if self.timing.eq_ignore_ascii_case("AFTER") {
            "NULL"
        } else if self.event.to_ascii_uppercase().starts_with("DELETE") {
            "OLD"
        } else {
            "NEW"
        }
    }
}

/// One line of the trigger's body.
fn body_line(line: &str, number: usize) -> Result<String, TranslateError> {
    let trimmed = code(line);
    if !trimmed.contains("RAISE(") {
        return Ok(translate_line(line));
    }
    let message = trimmed
        .strip_prefix("SELECT RAISE(ABORT, ")
        .and_then(|r| r.strip_suffix(");"))
        .filter(|m| m.len() >= 2 && m.starts_with('\'') && m.ends_with('\''))
        .ok_or_else(|| {
            error(
                number,
                "only `SELECT RAISE(ABORT, '<message>');` on a line of its own translates",
            )
        })?;
    let indent = &line[..line.len() - line.trim_start().len()];
    Ok(format!(
        "{indent}RAISE EXCEPTION {message} USING ERRCODE = 'integrity_constraint_violation';"
    ))
}

/// SQLite's `a IS NOT b` / `a IS b` between values as PostgreSQL's
/// `IS DISTINCT FROM` / `IS NOT DISTINCT FROM`; `IS [NOT] NULL` stays.
fn distinct_from(condition: &str) -> String {
    let words: Vec<&str> = condition.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len() + 2);
    let mut i = 0;
    while i < words.len() {
        let is = words[i].eq_ignore_ascii_case("IS");
        let not = words
            .get(i + 1)
            .is_some_and(|w| w.eq_ignore_ascii_case("NOT"));
        let operand = words.get(if not { i + 2 } else { i + 1 });
        let null = operand.is_some_and(|w| w.to_ascii_uppercase().starts_with("NULL"));
        if is && operand.is_some() && !null {
            out.extend(if not {
                ["IS", "DISTINCT", "FROM"].as_slice()
            } else {
                ["IS", "NOT", "DISTINCT", "FROM"].as_slice()
            });
            i += if not { 2 } else { 1 };
        } else {
            out.push(words[i]);
            i += 1;
        }
    }
    translate_code(&out.join(" "))
}

/// The SQL part of a line, trimmed.
fn code(line: &str) -> &str {
    split_comment(line).0.trim()
}

fn error(line: usize, message: &str) -> TranslateError {
    TranslateError {
        line,
        message: message.to_string(),
    }
}
