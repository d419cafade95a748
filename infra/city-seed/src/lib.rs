//! `city-seed`: fills a database directly, not through the API, with a
//! realistic city for the scale benchmarks (docs/performance.md, "At a
//! million citizens"): per citizen, five documents (metadata and a small
//! PDF), two feedback reports, three bookings, one session of the last day and twenty
//! audit entries; a year of slots at 40 counters and clinics (16 seats,
//! half-hourly); Đà Nẵng's districts, wards, hospitals and feedback
//! categories.
//!
//! The rows go through the real schema — constraints, indexes and the seat
//! triggers — and the audit entries extend the database's hash chain, so
//! the app and `GET /api/v1/admin/audit/verify` see a city they could have
//! written. The same seed gives the same city.

mod city;
mod places;
mod rng;
pub mod sink;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

pub use city::City;
use sink::{PgSink, Sink, SqliteSink};

/// How big a city, and which one.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Accounts.
    pub citizens: u64,
    /// Picks the city: the same seed and size give the same rows.
    pub seed: u64,
}

impl Plan {
    /// Five per citizen.
    pub fn documents(&self) -> u64 {
        self.citizens * 5
    }
    /// Two per citizen.
    pub fn feedback(&self) -> u64 {
        self.citizens * 2
    }
    /// Three per citizen (one year of slots holds up to 3.7 million).
    pub fn bookings(&self) -> u64 {
        self.citizens * 3
    }
    /// Twenty per citizen.
    pub fn audit(&self) -> u64 {
        self.citizens * 20
    }
}

/// Where the city goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// An SQLite database file (created and migrated when new).
    Sqlite(PathBuf),
    /// A PostgreSQL database (migrated when it is not yet).
    Postgres(String),
}

/// Rows written and time taken, per table.
#[derive(Debug, Default)]
pub struct Report {
    /// `(what, rows, time)`, in the order written.
    pub tables: Vec<(String, u64, Duration)>,
}

impl Report {
    fn add(&mut self, what: &str, rows: u64, since: Instant) {
        let took = since.elapsed();
        eprintln!("city-seed: {rows} {what} in {:.1} s", took.as_secs_f64());
        self.tables.push((what.to_string(), rows, took));
    }

    /// All rows written.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.1).sum()
    }

    /// The time of all tables.
    pub fn total(&self) -> Duration {
        self.tables.iter().map(|t| t.2).sum()
    }
}

/// The migrations, in order, as `(file name, SQLite text)`.
fn migrations() -> Result<Vec<(String, String)>> {
    let dir = cds_migrations::shipped_dir();
    cds_migrations::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))
}

/// The tables a city fills in bulk.
const LOADED: &[&str] = &[
    "citizens",
    "sessions",
    "documents",
    "feedback",
    "appointment_slots",
    "appointments",
    "audit_log",
];

/// The notice triggers of migration 0015 and their tables.
const NOTICE_TRIGGERS: &[(&str, &str)] = &[
    ("notify_appointment_booked", "appointments"),
    ("notify_appointment_cancelled", "appointments"),
    ("notify_appointment_rescheduled", "appointments"),
    ("notify_feedback_status", "feedback"),
    ("notify_document_issued", "documents"),
    ("notify_document_revoked", "documents"),
    ("notify_share_used", "shares"),
    ("notify_new_client_login", "sessions"),
];

/// `DROP TRIGGER` for each notice trigger, in the engine's spelling
/// (PostgreSQL names the table).
fn drop_notice_triggers(postgres: bool) -> String {
    NOTICE_TRIGGERS
        .iter()
        .map(|(name, table)| match postgres {
            true => format!("DROP TRIGGER IF EXISTS {name} ON {table};\n"),
            false => format!("DROP TRIGGER IF EXISTS {name};\n"),
        })
        .collect()
}

/// Seeds `target` with the city of `plan`, as of `now` (Unix seconds).
/// The database must hold no earlier seed: codes and phone numbers would
/// collide, and the seed stops at the first refused row.
pub fn seed(target: &Target, plan: Plan, now: i64) -> Result<Report> {
    let mut sink: Box<dyn Sink> = match target {
        Target::Sqlite(path) => Box::new(SqliteSink::open(path)?),
        Target::Postgres(url) => Box::new(PgSink::connect(url)?),
    };
    // Every migration is safe to run again (real Spin re-runs them at each
    // start), so a database the app already migrated is left as it is, and
    // running them after the load builds the indexes dropped for it.
    let migrations: Vec<(String, String)> = migrations()?
        .into_iter()
        .map(|(name, sql)| match target {
            Target::Sqlite(_) => Ok((name, sql)),
            Target::Postgres(_) => cds_migrations::to_postgres(&sql)
                .map(|pg| (name.clone(), pg))
                .with_context(|| format!("translating {name}")),
        })
        .collect::<Result<_>>()?;
    let migrate = |sink: &mut dyn Sink| -> Result<()> {
        for (name, sql) in &migrations {
            sink.batch(sql)
                .with_context(|| format!("applying {name}"))?;
        }
        Ok(())
    };
    migrate(sink.as_mut())?;
    for table in LOADED {
        sink.drop_secondary_indexes(table)?;
    }
    // A city's history loaded in bulk is not news to anyone: without this,
    // every seeded booking, issued document and session would become a
    // pending notice for the dispatcher to send (docs/notifications.md).
    // The migrations after the load create the triggers again.
    sink.batch(&drop_notice_triggers(matches!(target, Target::Postgres(_))))?;
    let mut report = Report::default();
    City::new(plan, now).seed(sink.as_mut(), &mut report)?;
    let t = Instant::now();
    migrate(sink.as_mut())?;
    report.add("indexes rebuilt", 0, t);
    if matches!(target, Target::Sqlite(_)) {
        // Hand the file over with its write-ahead log folded in and empty.
        // An app that kept the file open during the load would otherwise
        // fold in gigabytes on its first commit, while its other writers
        // wait for the lock (at a million citizens, past their 10-second
        // busy timeout: 503s).
        let t = Instant::now();
        sink.batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        report.add("write-ahead log checkpointed", 0, t);
    }
    if matches!(target, Target::Postgres(_)) {
        // The state autovacuum would reach some minutes later, done now so
        // the benchmarks do not race it: fresh statistics (plans, not a
        // stale row count), the visibility map set (PostgreSQL 13+ vacuums
        // tables after many inserts, which would otherwise start during the
        // first measured run), and the loaded pages written out. Each is its
        // own statement: VACUUM refuses to run inside a multi-statement batch.
        let t = Instant::now();
        sink.batch("VACUUM (ANALYZE)")?;
        report.add("tables vacuumed and analysed", 0, t);
        let t = Instant::now();
        // CHECKPOINT needs a superuser or pg_checkpoint; without either the
        // load is still complete, only its pages are flushed later.
        if let Err(e) = sink.batch("CHECKPOINT") {
            eprintln!("city-seed: CHECKPOINT skipped: {e:#}");
        }
        report.add("checkpointed", 0, t);
    }
    Ok(report)
}
