//! What each hot endpoint asks of its stores (docs/performance.md, "Store
//! round trips"): edge-host started with `--count-store-trips` reports each
//! response's SQL and key-value round trips, and no hot endpoint may need
//! more than three of them together, because at the edge every one of them
//! crosses the network to the database (20 ms each on a link between data
//! centres). The same prepared requests are what `scripts/bench` measures.

use e2e::hot::{self, round_trips};
use e2e::{HostBuilder, Stores};

/// At most this many store round trips per hot request (SQL and KV together).
const BUDGET: u32 = 3;

/// The one endpoint above the budget, and where: on PostgreSQL the code
/// quotas' insert runs as `BEGIN`, the rule's advisory lock, the insert and
/// `COMMIT` (docs/consistency.md, "Code sending quotas"), four round trips
/// where SQLite needs one; the fifth is the development outbox, which a
/// deployment replaces with the SMS gateway (HTTP, not a store).
const POSTGRES_EXCEPTION: (&str, u32) = ("login start", 5);

fn budget(stores: Stores, endpoint: &str) -> u32 {
    match stores {
        Stores::Postgres if endpoint == POSTGRES_EXCEPTION.0 => POSTGRES_EXCEPTION.1,
        _ => BUDGET,
    }
}

#[test]
fn every_hot_endpoint_answers_within_three_store_round_trips() {
    let zalo = hot::zalo();
    let host = hot::app(&zalo).arg("--count-store-trips").start();
    let endpoints = hot::prepare(&host, 1, &[], 0);
    assert_eq!(
        endpoints.iter().map(|e| e.name).collect::<Vec<_>>(),
        hot::NAMES,
        "every endpoint of the table is measured"
    );
    let mut table = Vec::new();
    for endpoint in &endpoints {
        let call = endpoint.call(0).unwrap();
        let resp = host.send(call.request(&host));
        assert_eq!(
            resp.status,
            call.expect,
            "{}: {}",
            endpoint.name,
            resp.text()
        );
        let (sql, kv) = round_trips(&resp);
        table.push((endpoint.name, sql, kv));
    }
    // Printed for docs/performance.md (`-- --nocapture`).
    for (name, sql, kv) in &table {
        println!("{name:<24} sql {sql:>2}  kv {kv:>2}");
    }
    let over: Vec<_> = table
        .iter()
        .filter(|(name, sql, kv)| sql + kv > budget(host.stores, name))
        .collect();
    assert!(over.is_empty(), "over budget: {over:?}");
}

#[test]
fn round_trips_are_not_reported_unless_asked() {
    let host = HostBuilder::app().start();
    let resp = host.get("/api/v1/health");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("edge-sql-round-trips"), None);
    assert_eq!(resp.header("edge-kv-round-trips"), None);
}
