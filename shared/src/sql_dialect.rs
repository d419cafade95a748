//! The PostgreSQL side of the `Sql` port: statement rewriting, result-value
//! mapping, SQLSTATE → [`StoreError`] mapping, and [`execute`], which runs a
//! statement on any [`PgSession`] — a `/* serializable */` one under its
//! advisory lock — with the retry policy (docs/storage.md).
//!
//! Domain SQL is written once, in the common subset of SQLite and PostgreSQL,
//! with SQLite's `?N` / `?` placeholders. Both PostgreSQL adapters — the
//! component's (`spin_sdk::pg4`, in `spin_adapter`) and the native tests'
//! (`testing`) — go through these functions, so the tests prove exactly the
//! text the components send.

use crate::ports::{SqlValue, StoreError};

/// The comment that asks for a statement to run serially with every other
/// run of the same statement. SQLite reads it as a comment: a writing
/// statement there holds the database's write lock from its first read to
/// its commit. On PostgreSQL [`execute`] runs it inside a transaction after
/// taking a transaction-scoped advisory lock named by the statement's text
/// ([`lock_key`]); under READ COMMITTED the statement's snapshot is taken
/// after the lock is granted, so its counts see every row the previous
/// holder committed (docs/consistency.md).
///
/// A rule whose counts are all scoped (per phone, per network, per
/// document) names the parameters that scope it: `/* serializable per ?2 ?7
/// */` locks one key per named value instead of one for the statement, so
/// starts for different phones from different networks never wait for each
/// other, while any two that share a phone or a network still run one
/// after the other ([`lock_keys`]).
pub const SERIALIZABLE_MARKER: &str = "/* serializable */";

/// The start of a scoped marker; the parameters follow, then `*/`.
const SCOPED_MARKER: &str = "/* serializable per ";

/// How many times a statement is tried when PostgreSQL reports a
/// serialization failure or a deadlock, before the store counts as
/// unavailable (503 with `Retry-After`, so the client tries again later).
pub const MAX_TRIES: u32 = 8;

/// Whether `statement` starts with [`SERIALIZABLE_MARKER`] (leading
/// whitespace allowed).
pub fn is_serializable(statement: &str) -> bool {
    lock_scope(statement).is_some()
}

/// `None` for an unmarked statement; for a marked one, the 0-based indexes
/// of the parameters that scope its lock (empty: the whole statement).
/// A scoped marker that names no valid `?N` reads as unmarked, so a typo
/// cannot quietly drop a rule's lock without the unit tests noticing.
fn lock_scope(statement: &str) -> Option<Vec<usize>> {
    let head = statement.trim_start();
    if head.starts_with(SERIALIZABLE_MARKER) {
        return Some(vec![]);
    }
    let rest = head.strip_prefix(SCOPED_MARKER)?;
    let (names, _) = rest.split_once("*/")?;
    let scope: Option<Vec<usize>> = names
        .split_whitespace()
        .map(|n| n.strip_prefix('?')?.parse::<usize>().ok()?.checked_sub(1))
        .collect();
    scope.filter(|s| !s.is_empty())
}

/// Rewrites an SQLite-placeholder statement for PostgreSQL.
///
/// Each `?N` / `?` outside string literals, quoted identifiers and comments
/// becomes `$k::int8`, `$k::float8`, `$k::text` or `$k::bytea` after the
/// bound value's type: Spin's host binds an integer only to `INT8`, and the
/// cast makes PostgreSQL infer exactly that type for the parameter. A NULL
/// parameter becomes the literal `NULL` (a typeless NULL cannot be bound to
/// an inferred type), and the remaining parameters are renumbered in order.
/// The returned values hold no NULL and exactly the parameters referenced.
///
/// A placeholder beyond `params` is an error, as it is for SQLite.
pub fn to_postgres(
    statement: &str,
    params: &[SqlValue],
) -> Result<(String, Vec<SqlValue>), StoreError> {
    let pieces = scan(statement)?;
    // Which original parameters are referenced and non-NULL, in index order:
    // they get $1, $2, … in that order.
    let mut used = vec![false; params.len()];
    for piece in &pieces {
        if let Piece::Param(i) = piece {
            let value = params.get(*i).ok_or_else(|| {
                StoreError::Unavailable(format!(
                    "statement uses parameter {} but {} were bound",
                    i + 1,
                    params.len()
                ))
            })?;
            if *value != SqlValue::Null {
                used[*i] = true;
            }
        }
    }
    let mut new_number = vec![0usize; params.len()];
    let mut bound = Vec::new();
    for (i, value) in params.iter().enumerate() {
        if used[i] {
            bound.push(value.clone());
            new_number[i] = bound.len();
        }
    }
    let mut out = String::with_capacity(statement.len() + 16);
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Param(i) => match &params[i] {
                SqlValue::Null => out.push_str("NULL"),
                value => {
                    out.push('$');
                    out.push_str(&new_number[i].to_string());
                    out.push_str("::");
                    out.push_str(cast_type(value));
                }
            },
        }
    }
    Ok((out, bound))
}

/// The PostgreSQL type a bound value is cast to.
fn cast_type(value: &SqlValue) -> &'static str {
    match value {
        SqlValue::Integer(_) => "int8",
        SqlValue::Real(_) => "float8",
        SqlValue::Text(_) => "text",
        SqlValue::Blob(_) => "bytea",
        SqlValue::Null => "",
    }
}

/// A statement cut into verbatim text and placeholders (0-based index).
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Param(usize),
}

/// Splits `sql` into text and placeholders, skipping `'…'` literals,
/// `"…"` identifiers, `-- …` and `/* … */` comments. A bare `?` takes the
/// number after the largest used so far, as SQLite numbers it.
fn scan(sql: &str) -> Result<Vec<Piece<'_>>, StoreError> {
    let bytes = sql.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut largest = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => {
                // A doubled quote inside is an escaped quote: the loop
                // simply leaves and re-enters the literal.
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'?' => {
                pieces.push(Piece::Text(&sql[start..i]));
                let digits_start = i + 1;
                let mut j = digits_start;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let number = if j == digits_start {
                    largest + 1
                } else {
                    sql[digits_start..j]
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            StoreError::Unavailable(format!(
                                "bad placeholder ?{}",
                                &sql[digits_start..j]
                            ))
                        })?
                };
                largest = largest.max(number);
                pieces.push(Piece::Param(number - 1));
                i = j;
                start = j;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        pieces.push(Piece::Text(&sql[start..]));
    }
    pieces.retain(|p| *p != Piece::Text(""));
    Ok(pieces)
}

/// A `NUMERIC` result (PostgreSQL's `sum()` of `BIGINT`, `avg()`, …) as
/// SQLite would give it: an integer when integral, else a float.
pub fn decimal_value(text: &str) -> Result<SqlValue, StoreError> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Ok(SqlValue::Integer(i));
    }
    // "12.000" is integral too.
    if let Some((whole, frac)) = t.split_once('.') {
        if frac.bytes().all(|b| b == b'0') {
            if let Ok(i) = whole.parse::<i64>() {
                return Ok(SqlValue::Integer(i));
            }
        }
    }
    t.parse::<f64>()
        .map(SqlValue::Real)
        .map_err(|_| StoreError::Unavailable(format!("unreadable numeric result {t:?}")))
}

/// A boolean result (`a < b` selected as a column) as SQLite gives it: 0/1.
pub fn bool_value(b: bool) -> SqlValue {
    SqlValue::Integer(i64::from(b))
}

/// A PostgreSQL failure, as much as the adapters know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PgFailure {
    /// The five-character SQLSTATE when the server sent one (none when the
    /// connection failed or the client refused a value).
    pub sqlstate: Option<String>,
    /// What to log (server message; never parameter values).
    pub message: String,
}

impl PgFailure {
    /// A failure with no SQLSTATE (connection, client-side conversion).
    pub fn other(message: impl Into<String>) -> PgFailure {
        PgFailure {
            sqlstate: None,
            message: message.into(),
        }
    }
}

/// Whether a SQLSTATE says "the transaction lost a race; run it again":
/// serialization failure (40001) or deadlock (40P01).
pub fn is_retryable(sqlstate: &str) -> bool {
    matches!(sqlstate, "40001" | "40P01")
}

/// The port's error for a PostgreSQL failure, by SQLSTATE only: class 23
/// (integrity constraint violation, which our triggers raise too) is
/// [`StoreError::Constraint`]; everything else, including a retryable
/// failure that ran out of tries, is [`StoreError::Unavailable`].
pub fn map_error(failure: &PgFailure) -> StoreError {
    let state = failure.sqlstate.as_deref().unwrap_or("");
    let described = if state.is_empty() {
        failure.message.clone()
    } else {
        format!("{state}: {}", failure.message)
    };
    if state.starts_with("23") {
        StoreError::Constraint(described)
    } else {
        StoreError::Unavailable(described)
    }
}

/// Runs `attempt` until it succeeds, fails with a non-retryable error, or
/// has been tried [`MAX_TRIES`] times; maps the final failure.
///
/// No pause between tries: the losing transaction already rolled back, and
/// the winner has committed by the time PostgreSQL reports the conflict.
pub fn with_retry<T>(mut attempt: impl FnMut() -> Result<T, PgFailure>) -> Result<T, StoreError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Ok(v) => return Ok(v),
            Err(f) if tries < MAX_TRIES && f.sqlstate.as_deref().is_some_and(is_retryable) => {
                continue
            }
            Err(f) => return Err(map_error(&f)),
        }
    }
}

/// One PostgreSQL server session as an adapter reaches it (the components'
/// `pg4::Connection`, the native tests' client): enough for [`execute`].
/// Values arrive rewritten by [`to_postgres`] (never NULL), each matching
/// its placeholder's cast.
pub trait PgSession {
    /// The rows as the driver returns them.
    type Rows;
    /// Runs a statement and returns its rows.
    fn query(&mut self, text: &str, values: &[SqlValue]) -> Result<Self::Rows, PgFailure>;
    /// Runs a statement whose rows are not wanted (BEGIN, the lock, COMMIT).
    fn command(&mut self, text: &str, values: &[SqlValue]) -> Result<(), PgFailure>;
}

/// Runs one port statement on `session`, as every PostgreSQL adapter must:
/// rewritten by [`to_postgres`]; a `/* serializable */` statement in its own
/// transaction behind its advisory lock; retried on a deadlock or
/// serialization failure ([`with_retry`]); failures mapped by SQLSTATE.
pub fn execute<S: PgSession>(
    session: &mut S,
    statement: &str,
    params: &[SqlValue],
) -> Result<S::Rows, StoreError> {
    let (text, values) = to_postgres(statement, params)?;
    if !is_serializable(statement) {
        // A single auto-committed statement can still lose a deadlock.
        return with_retry(|| session.query(&text, &values));
    }
    let keys = lock_keys(statement, params)?;
    let take = take_locks(keys.len());
    with_retry(|| one_at_a_time(session, &text, &values, &take, &keys))
}

/// `SELECT pg_advisory_xact_lock($1::int8), …` for `n` keys, taken left to
/// right; released by COMMIT or ROLLBACK (and by the server when the
/// session ends).
fn take_locks(n: usize) -> String {
    let locks: Vec<String> = (1..=n)
        .map(|i| format!("pg_advisory_xact_lock(${i}::int8)"))
        .collect();
    format!("SELECT {}", locks.join(", "))
}

/// The advisory-lock keys of a marked statement, sorted (every writer takes
/// shared keys in the same order, so two never deadlock) and distinct: the
/// statement's own key ([`lock_key`]), or for a scoped marker one key per
/// named parameter value, mixed with the statement's key.
pub fn lock_keys(statement: &str, params: &[SqlValue]) -> Result<Vec<SqlValue>, StoreError> {
    let base = lock_key(statement);
    let scope = lock_scope(statement).unwrap_or_default();
    let mut keys: Vec<i64> = if scope.is_empty() {
        vec![base]
    } else {
        scope
            .iter()
            .map(|&i| {
                let value = params.get(i).ok_or_else(|| {
                    StoreError::Unavailable(format!(
                        "lock scope names ?{} past the parameters",
                        i + 1
                    ))
                })?;
                Ok(scoped_key(base, i, value))
            })
            .collect::<Result<_, StoreError>>()?
    };
    keys.sort_unstable();
    keys.dedup();
    Ok(keys.into_iter().map(SqlValue::Integer).collect())
}

/// FNV-1a over the statement's key, the parameter's position and its value.
fn scoped_key(base: i64, index: usize, value: &SqlValue) -> i64 {
    let mut bytes = base.to_le_bytes().to_vec();
    bytes.extend((index as u64).to_le_bytes());
    match value {
        SqlValue::Integer(i) => bytes.extend(i.to_le_bytes()),
        SqlValue::Real(r) => bytes.extend(r.to_le_bytes()),
        SqlValue::Text(t) => bytes.extend(t.as_bytes()),
        SqlValue::Blob(b) => bytes.extend(b),
        SqlValue::Null => {}
    }
    fnv1a(&bytes)
}

/// BEGIN, the lock, the statement, COMMIT; any failure rolls back before it
/// is returned, so a retry starts clean.
fn one_at_a_time<S: PgSession>(
    session: &mut S,
    text: &str,
    values: &[SqlValue],
    take: &str,
    keys: &[SqlValue],
) -> Result<S::Rows, PgFailure> {
    session.command("BEGIN", &[])?;
    let done = session
        .command(take, keys)
        .and_then(|()| session.query(text, values))
        .and_then(|rows| session.command("COMMIT", &[]).map(|()| rows));
    if done.is_err() {
        // Best effort: a failed COMMIT has already ended the transaction,
        // and a dead session ends it (and frees the lock) on the server.
        let _ = session.command("ROLLBACK", &[]);
    }
    done
}

/// The advisory-lock key of a marked statement: FNV-1a (64 bits) of its
/// text as written, before rewriting — the rewritten text differs with
/// which parameters are NULL, the rule it guards does not. Every writer
/// that adds to a counted set runs the same statement, so they share a key.
pub fn lock_key(statement: &str) -> i64 {
    fnv1a(statement.as_bytes())
}

fn fnv1a(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use SqlValue::{Blob, Integer, Null, Real, Text};

    fn pg(sql: &str, params: &[SqlValue]) -> (String, Vec<SqlValue>) {
        to_postgres(sql, params).unwrap()
    }

    #[test]
    fn numbered_placeholders_become_typed_casts() {
        let (sql, params) = pg(
            "SELECT * FROM t WHERE a = ?1 AND b = ?2 AND c = ?3 AND d = ?4",
            &[Integer(1), Text("x".into()), Blob(vec![1]), Real(0.5)],
        );
        assert_eq!(
            sql,
            "SELECT * FROM t WHERE a = $1::int8 AND b = $2::text AND c = $3::bytea AND d = $4::float8"
        );
        assert_eq!(
            params,
            vec![Integer(1), Text("x".into()), Blob(vec![1]), Real(0.5)]
        );
    }

    #[test]
    fn a_repeated_placeholder_keeps_one_number() {
        let (sql, params) = pg(
            "UPDATE t SET a = ?2 WHERE a < ?2 AND id = ?1",
            &[Text("id".into()), Integer(5)],
        );
        assert_eq!(
            sql,
            "UPDATE t SET a = $2::int8 WHERE a < $2::int8 AND id = $1::text"
        );
        assert_eq!(params, vec![Text("id".into()), Integer(5)]);
    }

    #[test]
    fn bare_question_marks_count_on_from_the_largest_so_far() {
        let (sql, _) = pg(
            "VALUES (?, ?, ?5, ?)",
            &[
                Integer(1),
                Integer(2),
                Integer(3),
                Integer(4),
                Integer(5),
                Integer(6),
            ],
        );
        // SQLite: ?, ? are 1, 2; ?5 is 5; the last ? is 6. ?3 and ?4 are
        // unused, so 5 and 6 become $3 and $4.
        assert_eq!(sql, "VALUES ($1::int8, $2::int8, $3::int8, $4::int8)");
    }

    #[test]
    fn nulls_are_inlined_and_the_rest_renumbered() {
        let (sql, params) = pg(
            "INSERT INTO t (a, b, c) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET b = ?2",
            &[Text("a".into()), Null, Integer(3)],
        );
        assert_eq!(
            sql,
            "INSERT INTO t (a, b, c) VALUES ($1::text, NULL, $2::int8) ON CONFLICT DO UPDATE SET b = NULL"
        );
        assert_eq!(params, vec![Text("a".into()), Integer(3)]);
    }

    #[test]
    fn unreferenced_parameters_are_not_bound() {
        let (sql, params) = pg("SELECT ?2", &[Integer(1), Integer(2)]);
        assert_eq!(sql, "SELECT $1::int8");
        assert_eq!(params, vec![Integer(2)]);
    }

    #[test]
    fn question_marks_in_literals_identifiers_and_comments_stay() {
        let sql = "SELECT '?', 'it''s ?1', \"col?\" -- what ?2\n, ?1 /* ?3 */ FROM t";
        let (out, params) = pg(sql, &[Integer(7)]);
        assert_eq!(
            out,
            "SELECT '?', 'it''s ?1', \"col?\" -- what ?2\n, $1::int8 /* ?3 */ FROM t"
        );
        assert_eq!(params, vec![Integer(7)]);
    }

    #[test]
    fn the_serializable_marker_survives_rewriting_and_is_detected() {
        let (out, _) = pg(
            "/* serializable */ INSERT INTO t SELECT ?1 WHERE (SELECT count(*) FROM t) < ?2",
            &[Integer(1), Integer(5)],
        );
        assert!(is_serializable(&out));
        assert!(is_serializable("  \n/* serializable */ SELECT 1"));
        assert!(!is_serializable("SELECT 1 /* serializable */"));
        assert!(!is_serializable("/* serial */ SELECT 1"));
    }

    #[test]
    fn a_placeholder_beyond_the_parameters_is_an_error() {
        assert!(matches!(
            to_postgres("SELECT ?2", &[Integer(1)]),
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            to_postgres("SELECT ?", &[]),
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            to_postgres("SELECT ?0", &[Integer(1)]),
            Err(StoreError::Unavailable(_))
        ));
    }

    #[test]
    fn an_unterminated_literal_is_left_to_the_server() {
        // The server reports the syntax error; the rewriter must not panic
        // or rewrite inside it.
        let (out, _) = pg("SELECT 'abc ?1", &[Integer(1)]);
        assert_eq!(out, "SELECT 'abc ?1");
        let (out, _) = pg("SELECT 1 /* ?1", &[Integer(1)]);
        assert_eq!(out, "SELECT 1 /* ?1");
    }

    #[test]
    fn non_ascii_text_passes_through() {
        let (out, _) = pg(
            "SELECT 'Phường Hải Châu', ?1 -- ý kiến ?",
            &[Text("Đà Nẵng".into())],
        );
        assert_eq!(out, "SELECT 'Phường Hải Châu', $1::text -- ý kiến ?");
    }

    #[test]
    fn numeric_results_read_as_sqlite_would() {
        assert_eq!(decimal_value("42").unwrap(), Integer(42));
        assert_eq!(decimal_value("-7.000").unwrap(), Integer(-7));
        assert_eq!(decimal_value("2.5").unwrap(), Real(2.5));
        assert!(decimal_value("NaN?").is_err());
        assert_eq!(bool_value(true), Integer(1));
        assert_eq!(bool_value(false), Integer(0));
    }

    fn failure(state: &str) -> PgFailure {
        PgFailure {
            sqlstate: Some(state.into()),
            message: "m".into(),
        }
    }

    #[test]
    fn class_23_is_a_constraint_and_everything_else_unavailable() {
        for state in ["23505", "23514", "23503", "23502", "23000"] {
            assert!(
                matches!(map_error(&failure(state)), StoreError::Constraint(_)),
                "{state}"
            );
        }
        for state in ["P0001", "42P01", "40001", "08006", "57P01"] {
            assert!(
                matches!(map_error(&failure(state)), StoreError::Unavailable(_)),
                "{state}"
            );
        }
        assert!(matches!(
            map_error(&PgFailure::other("connection refused")),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn serialization_failures_and_deadlocks_are_retried_then_unavailable() {
        let mut calls = 0;
        let r = with_retry(|| {
            calls += 1;
            if calls < 3 {
                Err(failure(if calls == 1 { "40001" } else { "40P01" }))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r, Ok(3));

        let mut calls = 0;
        let r: Result<(), _> = with_retry(|| {
            calls += 1;
            Err(failure("40001"))
        });
        assert_eq!(calls, MAX_TRIES);
        assert!(matches!(r, Err(StoreError::Unavailable(_))));
    }

    #[test]
    fn other_failures_are_not_retried() {
        let mut calls = 0;
        let r: Result<(), _> = with_retry(|| {
            calls += 1;
            Err(failure("23505"))
        });
        assert_eq!(calls, 1);
        assert!(matches!(r, Err(StoreError::Constraint(_))));
    }

    /// A session that records what it was asked and fails the statements
    /// whose text contains a chosen piece, with a chosen SQLSTATE.
    #[derive(Default)]
    struct Recorder {
        calls: Vec<String>,
        fail_on: Option<(&'static str, &'static str, usize)>,
    }

    impl Recorder {
        fn maybe_fail(&mut self, text: &str) -> Result<(), PgFailure> {
            if let Some((piece, state, times)) = self.fail_on {
                if times > 0 && text.contains(piece) {
                    self.fail_on = Some((piece, state, times - 1));
                    return Err(failure(state));
                }
            }
            Ok(())
        }
    }

    impl PgSession for Recorder {
        type Rows = usize;
        fn query(&mut self, text: &str, values: &[SqlValue]) -> Result<usize, PgFailure> {
            self.calls.push(format!("{text} {values:?}"));
            self.maybe_fail(text)?;
            Ok(values.len())
        }
        fn command(&mut self, text: &str, values: &[SqlValue]) -> Result<(), PgFailure> {
            self.calls.push(format!("{text} {values:?}"));
            self.maybe_fail(text)
        }
    }

    const MARKED: &str =
        "/* serializable */ INSERT INTO t SELECT ?1 WHERE (SELECT count(*) FROM t) < ?2";

    #[test]
    fn a_marked_statement_runs_behind_its_lock_in_a_transaction() {
        let mut session = Recorder::default();
        let rows = execute(&mut session, MARKED, &[Text("a".into()), Integer(3)]).unwrap();
        assert_eq!(rows, 2);
        let key = lock_key(MARKED);
        assert_eq!(
            session.calls,
            vec![
                "BEGIN []".to_owned(),
                format!("SELECT pg_advisory_xact_lock($1::int8) [Integer({key})]"),
                "/* serializable */ INSERT INTO t SELECT $1::text WHERE (SELECT count(*) FROM t) < $2::int8 [Text(\"a\"), Integer(3)]".to_owned(),
                "COMMIT []".to_owned(),
            ]
        );
    }

    const SCOPED: &str = "/* serializable per ?1 ?3 */ INSERT INTO t SELECT ?1, ?2, ?3 \
         WHERE (SELECT count(*) FROM t WHERE a = ?1 OR c = ?3) < 5";

    #[test]
    fn a_scoped_rule_locks_each_named_value_in_one_statement() {
        let mut session = Recorder::default();
        let params = [Text("phone".into()), Integer(7), Text("net".into())];
        execute(&mut session, SCOPED, &params).unwrap();
        let keys = lock_keys(SCOPED, &params).unwrap();
        assert_eq!(keys.len(), 2);
        assert!(
            keys.windows(2).all(|w| w[0].as_i64() < w[1].as_i64()),
            "sorted"
        );
        assert_eq!(
            session.calls[1],
            format!(
                "SELECT pg_advisory_xact_lock($1::int8), pg_advisory_xact_lock($2::int8) {keys:?}"
            )
        );
        // Another phone on the same network shares exactly the network's key.
        let other = lock_keys(
            SCOPED,
            &[Text("other".into()), Integer(7), Text("net".into())],
        )
        .unwrap();
        let shared: Vec<_> = other.iter().filter(|k| keys.contains(k)).collect();
        assert_eq!(shared.len(), 1);
        // The unnamed parameter is not part of the lock.
        assert_eq!(
            lock_keys(
                SCOPED,
                &[Text("phone".into()), Integer(8), Text("net".into())]
            )
            .unwrap(),
            keys
        );
    }

    #[test]
    fn a_scoped_marker_must_name_parameters() {
        assert!(is_serializable(SCOPED));
        assert!(!is_serializable("/* serializable per */ SELECT 1"));
        assert!(!is_serializable("/* serializable per x */ SELECT 1"));
        assert!(lock_keys("/* serializable per ?4 */ SELECT ?1", &[Integer(1)]).is_err());
    }

    #[test]
    fn the_lock_is_the_rule_not_the_values() {
        // A NULL parameter changes the rewritten text, never the key.
        assert_eq!(lock_key(MARKED), lock_key(MARKED));
        let mut with_null = Recorder::default();
        execute(&mut with_null, MARKED, &[Null, Integer(3)]).unwrap();
        let mut with_text = Recorder::default();
        execute(&mut with_text, MARKED, &[Text("b".into()), Integer(3)]).unwrap();
        assert_eq!(with_null.calls[1], with_text.calls[1]);
        assert_ne!(
            lock_key(MARKED),
            lock_key("/* serializable */ INSERT INTO u VALUES (1)")
        );
    }

    #[test]
    fn a_failed_marked_statement_rolls_back_and_a_lost_race_runs_again() {
        let mut session = Recorder {
            fail_on: Some(("INSERT", "40P01", 1)),
            ..Recorder::default()
        };
        execute(&mut session, MARKED, &[Text("a".into()), Integer(3)]).unwrap();
        let verbs: Vec<&str> = session
            .calls
            .iter()
            .map(|c| c.split(' ').next().unwrap())
            .collect();
        assert_eq!(
            verbs,
            ["BEGIN", "SELECT", "/*", "ROLLBACK", "BEGIN", "SELECT", "/*", "COMMIT"]
        );

        let mut refused = Recorder {
            fail_on: Some(("INSERT", "23505", 9)),
            ..Recorder::default()
        };
        let out = execute(&mut refused, MARKED, &[Text("a".into()), Integer(3)]);
        assert!(matches!(out, Err(StoreError::Constraint(_))));
        assert_eq!(
            refused.calls.last().map(String::as_str),
            Some("ROLLBACK []")
        );
    }

    #[test]
    fn an_unmarked_statement_runs_alone() {
        let mut session = Recorder::default();
        execute(&mut session, "SELECT ?1", &[Integer(1)]).unwrap();
        assert_eq!(
            session.calls,
            vec!["SELECT $1::int8 [Integer(1)]".to_owned()]
        );
    }
}
