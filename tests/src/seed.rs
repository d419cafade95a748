//! The demo seeder (`demo-seed`, the binary `scripts/run` uses) run against a
//! test host, as an operator fills a fresh app.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::{root, Host, ADMIN_TOKEN};

/// The seeder binary `scripts/test` builds.
pub fn demo_seed_bin() -> PathBuf {
    let bin = root().join("target/release/demo-seed");
    assert!(
        bin.exists(),
        "{} is missing: cargo build --release -p demo-seed",
        bin.display()
    );
    bin
}

/// Runs the seeder against `host`, keeping its files in `state`; what it
/// printed. It must succeed.
pub fn run_seed(host: &Host, state: &Path) -> String {
    let out = std::process::Command::new(demo_seed_bin())
        .args([
            "--url",
            &host.url,
            "--admin-token",
            ADMIN_TOKEN,
            "--state-dir",
        ])
        .arg(state)
        .env_remove("SPIN_VARIABLE_ADMIN_TOKEN")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "demo-seed failed:\n{text}");
    text
}
