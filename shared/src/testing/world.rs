//! The one test world: a migrated database and every port double, owned
//! together, plus the few fixtures several domains' tests need (a citizen, an
//! official, an issuer).

use super::{FakeClock, MapSettings, TestDb, TestRandom};
use crate::apikey::Issuer;
use crate::identity::{find_or_create_by_phone, set_official, Ports};
use crate::phone::Phone;

/// Any fixed instant; 2026-11-29T14:05:00+07:00 (a Sunday).
pub const T0: i64 = 1_795_935_900;

/// The OTP pepper every test world uses.
pub const PEPPER: &str = "test-pepper-0123456789";

/// Everything a test needs, owning its ports. Starts at [`T0`].
pub struct World {
    /// Every migration applied.
    pub db: TestDb,
    /// Moves only when told.
    pub clock: FakeClock,
    /// Seeded per world, so a run is reproducible.
    pub random: TestRandom,
    /// The test's settings plus the OTP pepper.
    pub settings: MapSettings,
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}

impl World {
    /// A fresh in-memory world.
    pub fn new() -> World {
        World::with_settings(MapSettings::default())
    }

    /// A world whose settings are `extra` plus the test pepper.
    pub fn with_settings(extra: MapSettings) -> World {
        World::on(TestDb::memory(), extra, 7)
    }

    /// A world on a given database (e.g. a shared file), seeded differently
    /// per thread so ids never collide.
    pub fn on(db: TestDb, extra: MapSettings, seed: u64) -> World {
        World {
            db,
            clock: FakeClock::at(T0),
            random: TestRandom::new(seed),
            settings: extra.with("otp_pepper", PEPPER),
        }
    }

    /// The ports, borrowed from the world.
    pub fn ports(&self) -> Ports<'_> {
        Ports {
            sql: &self.db,
            clock: &self.clock,
            random: &self.random,
            settings: &self.settings,
        }
    }

    /// A citizen account named `name`; returns its id.
    pub fn citizen(&self, phone: &str, name: &str) -> String {
        citizen(self.ports(), phone, Some(name))
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

/// Creates (or finds) the account of `phone`; returns its id.
pub fn citizen(ports: Ports<'_>, phone: &str, name: Option<&str>) -> String {
    let phone = Phone::parse(phone).unwrap();
    find_or_create_by_phone(ports, &phone, name).unwrap().0.id
}

/// A registered issuer agency.
pub fn issuer(ports: Ports<'_>, code: &str) -> Issuer {
    crate::admin::create_issuer(ports.sql, ports.random, ports.clock, code, "Sở Tư pháp")
        .unwrap()
        .0
}
