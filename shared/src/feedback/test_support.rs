//! Feedback's fixtures on the one test world ([`crate::testing`]): the demo
//! units and categories, and a valid draft. Native tests only.

use std::path::Path;

use super::validate::{Draft, LocationDraft};
use crate::admin::{create_feedback_category, create_unit};
use crate::testing::{MapSettings, TestDb, World};

/// A fresh in-memory world with the two demo units and categories.
pub fn world() -> World {
    let w = World::new();
    seed(&w);
    w
}

/// A world on a shared database file (one connection per thread, as
/// separate processes would have). `seed` varies the ids per thread.
pub fn world_on_file(path: &Path, seed: u64, settings: MapSettings) -> World {
    World::on(TestDb::create_file(path), settings, seed)
}

/// Units `so-tnmt` and `so-gtvt`; categories `environment` (so-tnmt)
/// and `traffic` (so-gtvt).
pub fn seed(w: &World) {
    create_unit(&w.db, &w.clock, "so-tnmt", "Sở Tài nguyên và Môi trường").unwrap();
    create_unit(&w.db, &w.clock, "so-gtvt", "Sở Giao thông Vận tải").unwrap();
    create_feedback_category(&w.db, &w.clock, "environment", "Môi trường", "so-tnmt").unwrap();
    create_feedback_category(&w.db, &w.clock, "traffic", "Giao thông", "so-gtvt").unwrap();
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
