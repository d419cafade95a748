//! Proof that each migration means the same on both engines: every file of
//! `infra/migrations` applied to an in-memory SQLite database, and the same
//! files translated by `cds_migrations::to_postgres` applied (twice: they
//! must be re-runnable) to a fresh PostgreSQL database, both described
//! as the same kind of facts — tables; columns with type class and
//! nullability; primary keys; unique keys; indexes with their columns,
//! uniqueness and whether they are partial; the columns each CHECK reads;
//! foreign keys; triggers. A fact on one side only fails the test, named.

use std::collections::BTreeSet;

use rusqlite::Connection;

use super::{db, pg};

/// SQLite's declared type, or PostgreSQL's data type, as a class both share.
fn type_class(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer".into(),
        "text" => "text".into(),
        "blob" | "bytea" => "blob".into(),
        "real" | "double precision" => "real".into(),
        other => format!("unknown type {other}"),
    }
}

/// The identifiers an SQL expression names that are columns of `columns`,
/// skipping string literals.
fn columns_read(expression: &str, columns: &[String]) -> String {
    let mut names = BTreeSet::new();
    let mut word = String::new();
    let mut in_string = false;
    // PostgreSQL writes casts back (`'sms'::text`): a type name after `::`
    // is not a column, even when a column is called `text`.
    let mut after_cast = false;
    let mut previous = ' ';
    for c in expression.chars().chain(std::iter::once(' ')) {
        if c == '\'' {
            in_string = !in_string;
            word.clear();
        } else if !in_string && (c.is_ascii_alphanumeric() || c == '_') {
            if word.is_empty() {
                after_cast = previous == ':';
            }
            word.push(c);
        } else {
            if !after_cast && columns.contains(&word) {
                names.insert(word.clone());
            }
            word.clear();
        }
        previous = c;
    }
    names.into_iter().collect::<Vec<_>>().join(",")
}

/// The body of every `CHECK (…)` in a CREATE TABLE text.
fn check_bodies(create: &str) -> Vec<String> {
    let upper = create.to_ascii_uppercase();
    let bytes = create.as_bytes();
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(found) = upper[from..].find("CHECK") {
        let mut i = from + found + 5;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'(') {
            from = i;
            continue;
        }
        let start = i + 1;
        let mut depth = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        bodies.push(create[start..i.min(create.len())].to_owned());
        from = i;
    }
    bodies
}

fn sqlite_facts(conn: &Connection) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let tables: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for (table, create) in &tables {
        facts.insert(format!("table {table}"));
        let mut columns = Vec::new();
        let mut pk: Vec<(i64, String)> = Vec::new();
        let mut stmt = conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (name, declared, notnull, pk_pos) = row.unwrap();
            // A primary-key column is never NULL in PostgreSQL; in SQLite a
            // non-integer one could be, but the application never writes one.
            let nullable = if notnull == 1 || pk_pos > 0 {
                "not null"
            } else {
                "null"
            };
            facts.insert(format!(
                "column {table}.{name} {} {nullable}",
                type_class(&declared)
            ));
            if pk_pos > 0 {
                pk.push((pk_pos, name.clone()));
            }
            columns.push(name);
        }
        pk.sort();
        if !pk.is_empty() {
            let cols: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
            facts.insert(format!("primary key {table} ({})", cols.join(",")));
        }
        let indexes: Vec<(String, bool, String, bool)> = {
            let mut stmt = conn
                .prepare(&format!("PRAGMA index_list({table})"))
                .unwrap();
            stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)? == 1,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)? == 1,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        for (index, unique, origin, partial) in indexes {
            let mut stmt = conn
                .prepare(&format!("PRAGMA index_info({index})"))
                .unwrap();
            let mut cols: Vec<(i64, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            cols.sort();
            let cols: Vec<String> = cols.into_iter().map(|(_, n)| n).collect();
            match origin.as_str() {
                "pk" => {} // already a primary-key fact
                "u" => {
                    facts.insert(format!("unique {table} ({})", cols.join(",")));
                }
                _ => {
                    facts.insert(index_fact(&index, table, &cols, unique, partial));
                }
            }
        }
        for body in check_bodies(create) {
            facts.insert(format!("check {table} [{}]", columns_read(&body, &columns)));
        }
        let mut stmt = conn
            .prepare(&format!("PRAGMA foreign_key_list({table})"))
            .unwrap();
        let fks: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (to_table, from, to) in fks {
            facts.insert(format!("foreign key {table} ({from}) -> {to_table} ({to})"));
        }
    }
    let mut stmt = conn
        .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap();
    let triggers: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, table) in triggers {
        facts.insert(format!("trigger {name} on {table}"));
    }
    facts
}

fn index_fact(name: &str, table: &str, cols: &[String], unique: bool, partial: bool) -> String {
    format!(
        "{}index {name} on {table} ({}){}",
        if unique { "unique " } else { "" },
        cols.join(","),
        if partial { " partial" } else { "" }
    )
}

fn pg_facts(client: &mut postgres::Client) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let mut columns_of = std::collections::BTreeMap::<String, Vec<String>>::new();
    for row in client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
    {
        let (table, name, ty, nullable): (String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let nullable = if nullable == "NO" { "not null" } else { "null" };
        facts.insert(format!(
            "column {table}.{name} {} {nullable}",
            type_class(&ty)
        ));
        columns_of.entry(table).or_default().push(name);
    }
    for row in client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            &[],
        )
        .unwrap()
    {
        facts.insert(format!("table {}", row.get::<_, String>(0)));
    }
    for row in client
        .query(
            "SELECT t.relname::text, i.relname::text, ix.indisunique, ix.indisprimary, \
                    ix.indpred IS NOT NULL, \
                    array_to_string(ARRAY(SELECT a.attname::text \
                        FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                        ORDER BY k.ord), ','), \
                    EXISTS (SELECT 1 FROM pg_constraint c \
                        WHERE c.conindid = ix.indexrelid AND c.contype = 'u') \
             FROM pg_index ix \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public'",
            &[],
        )
        .unwrap()
    {
        let table: String = row.get(0);
        let index: String = row.get(1);
        let (unique, primary, partial): (bool, bool, bool) = (row.get(2), row.get(3), row.get(4));
        let cols: String = row.get(5);
        let constraint: bool = row.get(6);
        if primary {
            facts.insert(format!("primary key {table} ({cols})"));
        } else if constraint {
            facts.insert(format!("unique {table} ({cols})"));
        } else {
            let cols: Vec<String> = cols.split(',').map(str::to_owned).collect();
            facts.insert(index_fact(&index, &table, &cols, unique, partial));
        }
    }
    for row in client
        .query(
            "SELECT t.relname::text, c.contype::text, pg_get_constraintdef(c.oid), \
                    ft.relname::text \
             FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             LEFT JOIN pg_class ft ON ft.oid = c.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public' AND c.contype IN ('c', 'f')",
            &[],
        )
        .unwrap()
    {
        let table: String = row.get(0);
        let kind: String = row.get(1);
        let definition: String = row.get(2);
        let columns = columns_of.get(&table).cloned().unwrap_or_default();
        if kind == "c" {
            facts.insert(format!(
                "check {table} [{}]",
                columns_read(&definition, &columns)
            ));
        } else {
            // "FOREIGN KEY (a) REFERENCES t(b)"
            let to_table: String = row.get(3);
            let inner = |s: &str| -> String {
                s.split_once('(')
                    .and_then(|(_, r)| r.split_once(')'))
                    .map(|(c, _)| c.replace(' ', ""))
                    .unwrap_or_default()
            };
            let (from, to) = definition
                .split_once("REFERENCES")
                .map(|(a, b)| (inner(a), inner(b)))
                .unwrap_or_default();
            facts.insert(format!("foreign key {table} ({from}) -> {to_table} ({to})"));
        }
    }
    for row in client
        .query(
            "SELECT tg.tgname::text, t.relname::text FROM pg_trigger tg \
             JOIN pg_class t ON t.oid = tg.tgrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public' AND NOT tg.tgisinternal",
            &[],
        )
        .unwrap()
    {
        facts.insert(format!(
            "trigger {} on {}",
            row.get::<_, String>(0),
            row.get::<_, String>(1)
        ));
    }
    facts
}

/// The facts on one side only, each named with its side.
fn differences(sqlite: &BTreeSet<String>, postgres: &BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = sqlite
        .difference(postgres)
        .map(|f| format!("only in SQLite: {f}"))
        .collect();
    out.extend(
        postgres
            .difference(sqlite)
            .map(|f| format!("only in PostgreSQL: {f}")),
    );
    out
}

fn sqlite_schema() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    db::migrate(&conn);
    conn
}

fn pg_schema() -> postgres::Client {
    let url = test_stores::Postgres::shared().fresh_database();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for _ in 0..2 {
        for (name, sql) in pg::migrations() {
            client
                .batch_execute(&sql)
                .unwrap_or_else(|e| panic!("{name} on PostgreSQL: {e:?}"));
        }
    }
    client
}

#[test]
fn the_migrations_build_the_same_schema_on_both_engines() {
    let sqlite = sqlite_facts(&sqlite_schema());
    let postgres = pg_facts(&mut pg_schema());
    assert!(
        sqlite.iter().any(|f| f.starts_with("trigger ")) && sqlite.len() > 100,
        "the SQLite description is suspiciously small: {sqlite:?}"
    );
    let diff = differences(&sqlite, &postgres);
    assert!(diff.is_empty(), "the schemas differ:\n{}", diff.join("\n"));
}

#[test]
fn a_difference_is_named() {
    // The comparison is only worth something if it sees a change: the same
    // PostgreSQL schema with one column nullable, one index partial and one
    // CHECK dropped differs in exactly those facts.
    let sqlite = sqlite_facts(&sqlite_schema());
    let mut client = pg_schema();
    client
        .batch_execute(
            "ALTER TABLE units ALTER COLUMN name DROP NOT NULL;
             DROP INDEX services_unit;
             CREATE INDEX services_unit ON services (unit_code) WHERE unit_code <> '';
             ALTER TABLE feedback_ratings DROP CONSTRAINT feedback_ratings_score_check;",
        )
        .unwrap();
    let diff = differences(&sqlite, &pg_facts(&mut client));
    assert_eq!(
        diff,
        vec![
            "only in SQLite: check feedback_ratings [score]",
            "only in SQLite: column units.name text not null",
            "only in SQLite: index services_unit on services (unit_code)",
            "only in PostgreSQL: column units.name text null",
            "only in PostgreSQL: index services_unit on services (unit_code) partial",
        ]
    );
}
