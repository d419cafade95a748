//! A feedback test world: a real SQLite database with the shipped
//! migrations (identity 0002, audit/admin 0003, feedback 0005), reusing the
//! identity and audit test doubles for the ports. Native tests only.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::validate::{Draft, LocationDraft};
use crate::admin::{create_feedback_category, create_unit};
use crate::audit::test_support::{TestDb, MIGRATION_0003};
use crate::identity::test_support::{FakeClock, MapSettings, SeededRandom, MIGRATION_0002, T0};
use crate::identity::{find_or_create_by_phone, set_official, Ports};
use crate::phone::Phone;

/// Feedback's migration, byte for byte as it ships.
pub const MIGRATION_0005: &str = include_str!("../../../infra/migrations/0005_feedback.sql");

/// Applies the migrations feedback reads from.
pub fn migrate(conn: &Connection) {
    conn.execute_batch(MIGRATION_0002).unwrap();
    conn.execute_batch(MIGRATION_0003).unwrap();
    conn.execute_batch(MIGRATION_0005).unwrap();
}

/// Everything a test needs, owning its ports. Starts at [`T0`]
/// (2026-11-29T14:05:00+07:00).
pub struct World {
    pub db: TestDb,
    pub clock: FakeClock,
    pub random: SeededRandom,
    pub settings: MapSettings,
}

impl World {
    /// A fresh in-memory world with the two demo units and categories.
    pub fn new() -> World {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn);
        let w = World::on(TestDb::from(conn), 7, MapSettings::default());
        w.seed();
        w
    }

    /// A world on a shared database file (one connection per thread, as
    /// separate processes would have). `seed` varies the ids per thread.
    pub fn on_file(path: &Path, seed: u64, settings: MapSettings) -> World {
        let conn = Connection::open(path).unwrap();
        conn.busy_timeout(Duration::from_secs(60)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        migrate(&conn);
        World::on(TestDb::from(conn), seed, settings)
    }

    fn on(db: TestDb, seed: u64, settings: MapSettings) -> World {
        World {
            db,
            clock: FakeClock::at(T0),
            random: SeededRandom::new(seed),
            settings,
        }
    }

    pub fn ports(&self) -> Ports<'_> {
        Ports {
            sql: &self.db,
            clock: &self.clock,
            random: &self.random,
            settings: &self.settings,
        }
    }

    /// Units `so-tnmt` and `so-gtvt`; categories `environment` (so-tnmt)
    /// and `traffic` (so-gtvt).
    pub fn seed(&self) {
        create_unit(
            &self.db,
            &self.clock,
            "so-tnmt",
            "Sở Tài nguyên và Môi trường",
        )
        .unwrap();
        create_unit(&self.db, &self.clock, "so-gtvt", "Sở Giao thông Vận tải").unwrap();
        create_feedback_category(
            &self.db,
            &self.clock,
            "environment",
            "Môi trường",
            "so-tnmt",
        )
        .unwrap();
        create_feedback_category(&self.db, &self.clock, "traffic", "Giao thông", "so-gtvt")
            .unwrap();
    }

    /// A citizen account; returns its id.
    pub fn citizen(&self, phone: &str, name: &str) -> String {
        let phone = Phone::parse(phone).unwrap();
        find_or_create_by_phone(self.ports(), &phone, Some(name))
            .unwrap()
            .0
            .id
    }

    /// An official of `unit`; returns the account id.
    pub fn official(&self, phone: &str, unit: &str) -> String {
        let phone = Phone::parse(phone).unwrap();
        set_official(self.ports(), &phone, Some("Trần Thị Bình"), unit)
            .unwrap()
            .account
            .id
    }
}

/// A valid draft in `category`.
pub fn draft(category: &str) -> Draft {
    Draft {
        category: category.to_owned(),
        title: "Rác thải ùn ứ trên đường".to_owned(),
        content: "Rác không được thu gom ba ngày nay, bốc mùi hôi.".to_owned(),
        location: LocationDraft {
            lat: 16.067_812,
            lng: 108.220_345,
            address: Some("K45/12 Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng".to_owned()),
        },
        anonymous: false,
        media_url: None,
    }
}
