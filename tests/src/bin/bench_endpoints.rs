//! `bench-endpoints`: the hot endpoints (e2e::hot) under load, on the
//! embedded stores or on PostgreSQL + Redis with a chosen round-trip time
//! added between the nodes and PostgreSQL (test_stores::DelayProxy). For
//! each endpoint it prints the store round trips one request makes, then
//! requests/s, p50 and p99 over `--requests` requests at `--connections`
//! at once, and the requests that did not get their success status.
//!
//! `scripts/bench endpoints` builds what it needs and runs it; the figures
//! go to docs/performance.md with the command line that produced them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e::hot::{self, reported_round_trips, Endpoint};
use e2e::{Backing, Host};
use test_stores::{DelayProxy, Postgres, Redis};

struct Options {
    base_url: Option<String>,
    stores: Vec<String>,
    rtt_ms: Vec<u64>,
    nodes: usize,
    requests: usize,
    connections: usize,
    only: Vec<String>,
    /// City sizes to seed (city-seed) before measuring; 0: the empty app.
    citizens: Vec<u64>,
}

const USAGE: &str = "bench-endpoints [--stores embedded,postgres] [--rtt-ms 0,20] [--nodes 1] \
[--requests 1000] [--connections 32] [--only 'GET /me,booking'] [--citizens 0,10000,1000000] \
[--base-url http://host:port]";

fn options() -> Options {
    let mut o = Options {
        base_url: None,
        stores: vec!["embedded".into(), "postgres".into()],
        rtt_ms: vec![0, 20],
        nodes: 1,
        requests: 1000,
        connections: 32,
        only: vec![],
        citizens: vec![0],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| panic!("{flag} needs a value\n{USAGE}"));
        let list = || value.split(',').map(|s| s.trim().to_owned()).collect();
        let number = || {
            value
                .parse()
                .unwrap_or_else(|_| panic!("{flag}: not a number\n{USAGE}"))
        };
        match flag.as_str() {
            "--stores" => o.stores = list(),
            "--rtt-ms" => {
                o.rtt_ms = value
                    .split(',')
                    .map(|s| s.trim().parse().expect("--rtt-ms: numbers"))
                    .collect()
            }
            "--nodes" => o.nodes = number(),
            "--requests" => o.requests = number(),
            "--connections" => o.connections = number(),
            "--only" => o.only = list(),
            "--base-url" => o.base_url = Some(value.clone()),
            "--citizens" => {
                o.citizens = value
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse()
                            .expect("--citizens: numbers")
                    })
                    .collect()
            }
            _ => panic!("unknown option {flag}\n{USAGE}"),
        }
    }
    for name in &o.only {
        assert!(
            hot::NAMES.contains(&name.as_str()),
            "--only {name}: not one of {:?}",
            hot::NAMES
        );
    }
    o
}

/// Latencies of one run, and how many requests failed.
struct Run {
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
}

impl Run {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

/// Sends the endpoint's requests `from..` on `connections` threads.
fn load(
    host: &Arc<Host>,
    endpoint: &Arc<Endpoint>,
    from: usize,
    n: usize,
    connections: usize,
) -> Run {
    let next = Arc::new(AtomicUsize::new(from));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (host, endpoint, next) = (host.clone(), endpoint.clone(), next.clone());
            std::thread::spawn(move || {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= from + n {
                        break;
                    }
                    let Some(call) = endpoint.call(i) else { break };
                    let t = Instant::now();
                    match host.try_send(call.request(&host)) {
                        Ok(r) if r.status == call.expect => {}
                        _ => errors += 1,
                    }
                    latencies.push(t.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut run = Run {
        elapsed: Duration::ZERO,
        latencies: vec![],
        errors: 0,
    };
    for w in workers {
        let (l, e) = w.join().unwrap();
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = started.elapsed();
    run.latencies.sort_unstable();
    run
}

/// Starts the app on `stores`, with `rtt_ms` added in front of PostgreSQL.
fn start(
    stores: &str,
    rtt_ms: u64,
    nodes: usize,
    zalo: &e2e::fake_server::FakeServer,
) -> (Host, Option<DelayProxy>) {
    let builder = hot::app(zalo).arg("--count-store-trips");
    if stores == "embedded" {
        return (builder.embedded_only().start(), None);
    }
    let pg = Postgres::shared();
    let fresh = Backing::fresh_on(pg, Redis::shared());
    let target: std::net::SocketAddr = pg.host().parse().unwrap();
    let proxy = DelayProxy::start(target, Duration::from_millis(rtt_ms)).unwrap();
    let via = proxy.addr().to_string();
    let backing = Backing {
        database_url: fresh.database_url.replace(&pg.host(), &via),
        database_host: via,
        redis_url: fresh.redis_url,
    };
    (builder.on(backing).nodes(nodes).start(), Some(proxy))
}

/// Prepares and loads every endpoint on `host`, printing one table row each.
fn table(host: &Arc<Host>, o: &Options, only: &[&str], series: u32) {
    println!("| endpoint | SQL trips | KV trips | req/s | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    // One more write than measured: the first measures round trips.
    for endpoint in hot::prepare(host, o.requests + 1, only, series) {
        let endpoint = Arc::new(endpoint);
        let (sql, kv) = match reported_round_trips(&endpoint.send_first(host)) {
            Some((sql, kv)) => (sql.to_string(), kv.to_string()),
            None => ("–".to_owned(), "–".to_owned()),
        };
        let run = load(host, &endpoint, 1, o.requests, o.connections);
        println!(
            "| {} | {sql} | {kv} | {:.0} | {:.1} | {:.1} | {} |",
            endpoint.name,
            run.latencies.len() as f64 / run.elapsed.as_secs_f64(),
            run.percentile(0.50),
            run.percentile(0.99),
            run.errors
        );
    }
    // Resident memory of the runtime processes this run started.
    let rss: Vec<String> = host
        .node_pids()
        .iter()
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{} MiB", kib / 1024))
        })
        .collect();
    if !rss.is_empty() {
        println!();
        println!(
            "edge-host resident memory after the load: {}",
            rss.join(", ")
        );
    }
}

fn main() {
    let o = options();
    let only: Vec<&str> = o.only.iter().map(String::as_str).collect();
    let zalo = hot::zalo();
    println!(
        "{} requests per endpoint at {} connections; {} cores",
        o.requests,
        o.connections,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if let Some(url) = &o.base_url {
        // Someone else's deployment: it must run with these settings.
        println!();
        println!("### {url}");
        println!();
        println!("(the app must run with these variables:");
        for (name, value) in hot::settings(&zalo) {
            println!("  SPIN_VARIABLE_{}={value}", name.to_uppercase());
        }
        println!(")");
        println!();
        let series = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            % 10) as u32;
        table(&Arc::new(Host::remote(url)), &o, &only, series);
        return;
    }
    let mut series = 0;
    for stores in &o.stores {
        let rtts: &[u64] = if stores == "embedded" {
            &[0]
        } else {
            &o.rtt_ms
        };
        for &citizens in &o.citizens {
            for &rtt in rtts {
                series += 1;
                let (host, _proxy) = start(stores, rtt, o.nodes, &zalo);
                let host = Arc::new(host);
                let nodes = host.node_count();
                println!();
                if stores == "embedded" {
                    println!("### embedded SQLite + local key-value store, {nodes} node(s)");
                } else {
                    println!(
                        "### PostgreSQL + Redis, {nodes} node(s), +{rtt} ms round trip to PostgreSQL"
                    );
                }
                println!();
                if citizens > 0 {
                    seed_city(&host, citizens);
                }
                table(&host, &o, &only, series);
            }
        }
    }
}

/// Fills the app's database with a city of `citizens` (city-seed), straight
/// into the database while the app is idle, and says how long it took.
fn seed_city(host: &Host, citizens: u64) {
    let target = match &host.backing {
        None => city_seed::Target::Sqlite(e2e::db::db_path(&host.state_dir)),
        // Straight to the server, not through the delay proxy.
        Some(b) => city_seed::Target::Postgres(
            b.database_url
                .replace(&b.database_host, &Postgres::shared().host()),
        ),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let plan = city_seed::Plan { citizens, seed: 1 };
    let report = city_seed::seed(&target, plan, now).unwrap();
    println!(
        "city of {citizens} citizens seeded: {} rows in {:.0} s",
        report.rows(),
        report.total().as_secs_f64()
    );
    println!();
}
