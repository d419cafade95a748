//! `city-seed --sqlite FILE | --postgres URL [--citizens N] [--seed S]`:
//! fills the database with a city of N citizens (docs/performance.md) and
//! prints what it wrote and how long it took.

use anyhow::{bail, Result};
use city_seed::{seed, Plan, Target};

const USAGE: &str = "city-seed (--sqlite FILE | --postgres URL) [--citizens 1000000] [--seed 1]";

fn main() -> Result<()> {
    let mut target = None;
    let mut plan = Plan {
        citizens: 1_000_000,
        seed: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            bail!("{flag} needs a value\n{USAGE}");
        };
        match flag.as_str() {
            "--sqlite" => target = Some(Target::Sqlite(value.into())),
            "--postgres" => target = Some(Target::Postgres(value)),
            "--citizens" => plan.citizens = value.parse()?,
            "--seed" => plan.seed = value.parse()?,
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    let Some(target) = target else {
        bail!("where to? {USAGE}");
    };
    if plan.citizens == 0 {
        bail!("--citizens must be at least 1");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let report = seed(&target, plan, now)?;
    println!(
        "city-seed: {} citizens, {} rows in {:.1} s",
        plan.citizens,
        report.rows(),
        report.total().as_secs_f64()
    );
    Ok(())
}
