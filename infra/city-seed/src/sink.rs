//! Where the rows go: an SQLite file (prepared inserts in large
//! transactions) or PostgreSQL (`COPY … FROM STDIN`, text format). Both
//! write through the tables' real constraints, indexes and triggers, so a
//! seeded database is one the app could have written.

use std::io::Write as _;

use anyhow::{Context as _, Result};

/// One column value.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

/// A database being filled, one table at a time.
pub trait Sink {
    /// Starts writing `table` with these `columns`, in this order.
    fn begin(&mut self, table: &str, columns: &[&str]) -> Result<()>;
    /// One row of the table begun last.
    fn row(&mut self, values: &[Val<'_>]) -> Result<()>;
    /// Ends the table begun last, making its rows durable.
    fn end(&mut self) -> Result<()>;
    /// Runs one statement that returns one row of two columns (the audit
    /// tail: `seq`, `hash`), or `None` when it returns no row.
    fn query_pair(&mut self, sql: &str) -> Result<Option<(i64, String)>>;
    /// Runs statements that return nothing (migrations, bookkeeping).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Drops the indexes of `table` that no constraint needs, so a bulk
    /// load only appends rows; re-running the migrations builds them again,
    /// by sorting, much faster than millions of random inserts.
    /// (`CREATE UNIQUE INDEX` ones are among them: rebuilding one checks
    /// every row, so a duplicate still fails the seed.)
    fn drop_secondary_indexes(&mut self, table: &str) -> Result<()>;
}

/// Rows per SQLite transaction: large enough that commits cost nothing,
/// small enough that the WAL file stays modest.
const SQLITE_ROWS_PER_COMMIT: usize = 200_000;

/// An SQLite database file.
pub struct SqliteSink {
    conn: rusqlite::Connection,
    insert: Option<String>,
    rows_in_tx: usize,
}

impl SqliteSink {
    /// Opens `path` for a bulk load: WAL (as the app runs it), no fsync
    /// until the end, a 4 GiB page cache so the indexes being built stay in
    /// memory (the unique indexes of random ids and hashes that stay during
    /// the load are that big at a million citizens), and two sorter threads
    /// for the indexes rebuilt at the end.
    pub fn open(path: &std::path::Path) -> Result<SqliteSink> {
        let conn = rusqlite::Connection::open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; \
             PRAGMA cache_size = -4194304; PRAGMA temp_store = MEMORY; \
             PRAGMA threads = 2;",
        )?;
        Ok(SqliteSink {
            conn,
            insert: None,
            rows_in_tx: 0,
        })
    }
}

impl Sink for SqliteSink {
    fn begin(&mut self, table: &str, columns: &[&str]) -> Result<()> {
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        self.insert = Some(format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            marks.join(", ")
        ));
        self.conn.execute_batch("BEGIN")?;
        self.rows_in_tx = 0;
        Ok(())
    }

    fn row(&mut self, values: &[Val<'_>]) -> Result<()> {
        let sql = self.insert.as_deref().context("row() before begin()")?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let params: Vec<rusqlite::types::ToSqlOutput<'_>> = values
            .iter()
            .map(|v| {
                use rusqlite::types::{ToSqlOutput, Value, ValueRef};
                match *v {
                    Val::Null => ToSqlOutput::Owned(Value::Null),
                    Val::Int(i) => ToSqlOutput::Owned(Value::Integer(i)),
                    Val::Real(f) => ToSqlOutput::Owned(Value::Real(f)),
                    Val::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
                    Val::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
                }
            })
            .collect();
        stmt.execute(rusqlite::params_from_iter(params.iter()))
            .with_context(|| format!("{sql}: {values:?}"))?;
        drop(stmt);
        self.rows_in_tx += 1;
        if self.rows_in_tx >= SQLITE_ROWS_PER_COMMIT {
            self.conn.execute_batch("COMMIT; BEGIN")?;
            self.rows_in_tx = 0;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.insert = None;
        Ok(())
    }

    fn query_pair(&mut self, sql: &str) -> Result<Option<(i64, String)>> {
        use rusqlite::OptionalExtension as _;
        Ok(self
            .conn
            .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn drop_secondary_indexes(&mut self, table: &str) -> Result<()> {
        // Constraint indexes are SQLite's `sqlite_autoindex_*`, without SQL.
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")?
            .query_map([table], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for name in names {
            self.conn.execute_batch(&format!("DROP INDEX {name}"))?;
        }
        Ok(())
    }
}

/// Bytes of COPY text per `COPY` statement. Each chunk is its own
/// statement (and transaction), so memory stays flat whatever the table's
/// size, and a failure loses at most one chunk of a seed that is re-run
/// from scratch anyway.
const COPY_CHUNK: usize = 4 << 20;

/// A PostgreSQL database, filled by `COPY`.
pub struct PgSink {
    client: postgres::Client,
    copy_sql: Option<String>,
    buf: Vec<u8>,
}

impl PgSink {
    /// Connects to `url`.
    pub fn connect(url: &str) -> Result<PgSink> {
        let mut client =
            postgres::Client::connect(url, postgres::NoTls).context("connecting to PostgreSQL")?;
        // A re-runnable bulk load: no wait for each COPY's WAL flush, and
        // memory for the index builds at the end.
        client.batch_execute("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'")?;
        Ok(PgSink {
            client,
            copy_sql: None,
            buf: Vec::with_capacity(COPY_CHUNK + (64 << 10)),
        })
    }

    fn flush(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let sql = self.copy_sql.as_deref().context("row() before begin()")?;
        let mut copy = self.client.copy_in(sql)?;
        copy.write_all(&self.buf)?;
        copy.finish().with_context(|| sql.to_string())?;
        self.buf.clear();
        Ok(())
    }
}

/// COPY's text format: `\N` for NULL, backslash escapes for the four
/// characters that would end a field or a row.
fn copy_text(out: &mut Vec<u8>, text: &str) {
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

impl Sink for PgSink {
    fn begin(&mut self, table: &str, columns: &[&str]) -> Result<()> {
        self.copy_sql = Some(format!("COPY {table} ({}) FROM STDIN", columns.join(", ")));
        Ok(())
    }

    fn row(&mut self, values: &[Val<'_>]) -> Result<()> {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.buf.push(b'\t');
            }
            match *v {
                Val::Null => self.buf.extend_from_slice(b"\\N"),
                Val::Int(n) => self.buf.extend_from_slice(n.to_string().as_bytes()),
                Val::Real(f) => self.buf.extend_from_slice(f.to_string().as_bytes()),
                Val::Text(t) => copy_text(&mut self.buf, t),
                Val::Blob(b) => {
                    // bytea's hex input `\x…`, its backslash escaped for COPY.
                    self.buf.extend_from_slice(b"\\\\x");
                    self.buf
                        .extend_from_slice(cds_shared::hex::encode(b).as_bytes());
                }
            }
        }
        self.buf.push(b'\n');
        if self.buf.len() >= COPY_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        self.flush()?;
        self.copy_sql = None;
        Ok(())
    }

    fn query_pair(&mut self, sql: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .client
            .query_opt(sql, &[])?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn drop_secondary_indexes(&mut self, table: &str) -> Result<()> {
        let names: Vec<String> = self
            .client
            .query(
                "SELECT i.relname::text FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                &[&table],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for name in names {
            self.client.batch_execute(&format!("DROP INDEX {name}"))?;
        }
        Ok(())
    }
}
