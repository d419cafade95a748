//! `demo-seed`: fills a freshly started local app with the demo data of
//! docs/settings.md through its public API, then prints the URLs and demo phones.
//!
//! `scripts/run` starts it right after edge-host:
//! `demo-seed --url http://127.0.0.1:3000 --admin-token TOKEN`.
//! It is safe to run again: what exists is left as it is.

mod alerts;
mod api;
mod appointments;
mod demo;
mod documents;
mod feedback;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;

use api::Api;
use demo::{Seeder, CITIZEN, OFFICIALS, STEPS, UNITS};

#[derive(Parser)]
#[command(
    version,
    about = "Seeds a local Công dân số app with demo data through its admin API"
)]
struct Args {
    /// Base URL of the running app.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// The app's admin_token (better passed by environment than by argument).
    #[arg(long, env = "SPIN_VARIABLE_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: String,
    /// The app's state dir; the demo issuer's key is saved there.
    #[arg(long, env = "STATE_DIR", default_value = ".spin")]
    state_dir: PathBuf,
    /// How long to wait for the app to become healthy, in seconds.
    #[arg(long, default_value_t = 60)]
    wait_secs: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let api = Api::new(&args.url, &args.admin_token)?;
    println!(
        "demo-seed: waiting for {} (up to {} s)…",
        api.url("/api/v1/health"),
        args.wait_secs
    );
    api.wait_healthy(Duration::from_secs(args.wait_secs))?;

    let seeder = Seeder::new(&api, &args.state_dir);
    for (name, step) in STEPS {
        println!("demo-seed: {name}");
        step(&seeder).with_context(|| format!("seeding {name}"))?;
    }
    seeder.log_out_all();
    print_summary(&seeder);
    Ok(())
}

fn print_summary(s: &Seeder<'_>) {
    let api = s.api;
    let unit_name = |code: &str| {
        UNITS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, n)| n)
            .to_owned()
    };
    println!();
    println!("Công dân số is running in development mode.");
    println!("  Health:   {}", api.url("/api/v1/health"));
    println!("  OpenAPI:  {}", api.url("/api/v1/openapi.json"));
    println!("  Kiosk:    {}", api.url("/kiosk/"));
    println!(
        "  Alerts:   {} (kiosk of the district: {})",
        api.url(&format!("/api/v1/alerts?area={}", alerts::DISTRICT)),
        api.url(&format!("/kiosk/?district={}", alerts::DISTRICT))
    );
    println!();
    println!("Demo phones (log in with a one-time code, channel sms):");
    println!("  citizen   {}  {}", CITIZEN.phone, CITIZEN.full_name);
    for p in OFFICIALS {
        let unit = p.unit.map(unit_name).unwrap_or_default();
        println!("  official  {}  {} — {unit}", p.phone, p.full_name);
    }
    println!();
    println!("Codes are not sent in development; read the newest one with:");
    println!("  curl '{}'", api.url(&demo::outbox_path(CITIZEN.phone)));
    println!();
    println!(
        "Demo issuer key (for pushing documents): {}",
        s.issuer_key_path().display()
    );
}
