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
    /// `wasm` (edge-host serving the components) and/or `native` (the
    /// same route tables linked natively: infra/native-baseline).
    runtimes: Vec<String>,
    /// After seeding: verify the whole audit chain through the endpoint,
    /// a budgeted piece per call (issue 15 item 4), and time it.
    audit_verify: bool,
}

const USAGE: &str = "bench-endpoints [--stores embedded,postgres] [--rtt-ms 0,20] [--nodes 1] \
[--requests 1000] [--connections 32] [--only 'GET /me,booking'] [--citizens 0,10000,1000000] \
[--runtime wasm,native] [--audit-verify on] [--base-url http://host:port]";

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
        runtimes: vec!["wasm".into(), "native".into()],
        audit_verify: false,
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
            "--runtime" => o.runtimes = list(),
            "--base-url" => o.base_url = Some(value.clone()),
            "--audit-verify" => o.audit_verify = value == "on",
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
    for runtime in &o.runtimes {
        assert!(
            runtime == "wasm" || runtime == "native",
            "--runtime {runtime}: wasm or native\n{USAGE}"
        );
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

/// Starts the app on `stores` with `runtime` (`wasm`: edge-host; `native`:
/// the native baseline), with `rtt_ms` added in front of PostgreSQL.
fn start(
    runtime: &str,
    stores: &str,
    rtt_ms: u64,
    nodes: usize,
    zalo: &e2e::fake_server::FakeServer,
) -> (Host, Option<DelayProxy>) {
    let mut builder = hot::app(zalo).arg("--count-store-trips");
    if runtime == "native" {
        builder = builder.binary(&e2e::root().join("target/release/native-baseline"));
    }
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

/// One endpoint's figures on one runtime.
struct Measured {
    name: String,
    trips: (String, String),
    rps: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

/// Prepares and loads every endpoint on `host`, one [`Measured`] each.
fn measure(host: &Arc<Host>, o: &Options, only: &[&str], series: u32) -> Vec<Measured> {
    let mut rows = Vec::new();
    // One more write than measured: the first measures round trips.
    for endpoint in hot::prepare(host, o.requests + 1, only, series) {
        let endpoint = Arc::new(endpoint);
        let trips = match reported_round_trips(&endpoint.send_first(host)) {
            Some((sql, kv)) => (sql.to_string(), kv.to_string()),
            None => ("–".to_owned(), "–".to_owned()),
        };
        let run = load(host, &endpoint, 1, o.requests, o.connections);
        rows.push(Measured {
            name: endpoint.name.to_string(),
            trips,
            rps: run.latencies.len() as f64 / run.elapsed.as_secs_f64(),
            p50: run.percentile(0.50),
            p99: run.percentile(0.99),
            errors: run.errors,
        });
    }
    rows
}

/// The table of one runtime's figures, or of two side by side with the
/// ratio of their requests/s.
fn print_table(runs: &[(&str, Vec<Measured>)]) {
    let cells = |m: &Measured| format!("{:.0} | {:.1} | {:.1} | {}", m.rps, m.p50, m.p99, m.errors);
    match runs {
        [(_, rows)] => {
            println!("| endpoint | SQL trips | KV trips | req/s | p50 ms | p99 ms | errors |");
            println!("|---|---:|---:|---:|---:|---:|---:|");
            for m in rows {
                println!(
                    "| {} | {} | {} | {} |",
                    m.name,
                    m.trips.0,
                    m.trips.1,
                    cells(m)
                );
            }
        }
        [(a, first), (b, second)] => {
            println!(
                "| endpoint | SQL trips | KV trips | {a} req/s | p50 ms | p99 ms | errors \
                 | {b} req/s | p50 ms | p99 ms | errors | {a}/{b} req/s |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (m, n) in first.iter().zip(second) {
                println!(
                    "| {} | {} | {} | {} | {} | {:.2} |",
                    m.name,
                    m.trips.0,
                    m.trips.1,
                    cells(m),
                    cells(n),
                    m.rps / n.rps
                );
            }
        }
        _ => {}
    }
}

/// The resident memory of the processes serving `host`, as one line.
fn resident_memory(host: &Host) -> Option<String> {
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
    (!rss.is_empty()).then(|| rss.join(", "))
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
        let rows = measure(&Arc::new(Host::remote(url)), &o, &only, series);
        print_table(&[("remote", rows)]);
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
                println!();
                if stores == "embedded" {
                    println!("### embedded SQLite + local key-value store");
                } else {
                    println!("### PostgreSQL + Redis, +{rtt} ms round trip to PostgreSQL");
                }
                println!();
                let mut runs = Vec::new();
                for runtime in &o.runtimes {
                    series += 1;
                    let (host, _proxy) = start(runtime, stores, rtt, o.nodes, &zalo);
                    let host = Arc::new(host);
                    println!("{runtime}: {} node(s)", host.node_count());
                    if citizens > 0 {
                        seed_city(&host, citizens);
                    }
                    if o.audit_verify {
                        verify_audit_chain(&host);
                    }
                    let rows = measure(&host, &o, &only, series);
                    if let Some(rss) = resident_memory(&host) {
                        println!("{runtime}: resident memory after the load: {rss}");
                    }
                    runs.push((runtime.as_str(), rows));
                }
                println!();
                print_table(&runs);
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

/// Verifies the whole audit chain through `GET /api/v1/admin/audit/verify`
/// as an operator would: calls until `complete`, each checking at most the
/// endpoint's budget from the checkpoint the previous one left; then one
/// call more, which finds nothing new. Prints the times.
fn verify_audit_chain(host: &Host) {
    let call = || {
        let t = Instant::now();
        let r = host.get_auth("/api/v1/admin/audit/verify", e2e::ADMIN_TOKEN);
        assert_eq!(r.status, 200, "{}", r.text());
        (r.json(), t.elapsed())
    };
    let started = Instant::now();
    let (mut calls, mut slowest, mut reported_ms) = (0u32, Duration::ZERO, 0u64);
    let report = loop {
        let (r, took) = call();
        calls += 1;
        slowest = slowest.max(took);
        reported_ms += r["elapsed_ms"].as_u64().unwrap_or(0);
        assert_eq!(r["ok"], true, "the seeded chain must verify: {r}");
        if r["complete"] == true {
            break r;
        }
    };
    let total = started.elapsed();
    let entries = report["entries"].as_u64().unwrap_or(0);
    let (idle, idle_took) = call();
    println!(
        "audit chain: {entries} entries verified in {calls} calls, {:.1} s \
         ({:.0} entries/s; walks {:.1} s by elapsed_ms; slowest call {} ms); \
         the next call, with nothing new: {} ms (from seq {})",
        total.as_secs_f64(),
        entries as f64 / total.as_secs_f64(),
        reported_ms as f64 / 1000.0,
        slowest.as_millis(),
        idle_took.as_millis(),
        idle["verified_from"],
    );
    println!();
}
