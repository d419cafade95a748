//! The Redis key-value store (`type = "redis"`) against a real throw-away
//! redis-server (crate test-stores): Spin's semantics, one database per label,
//! and what a guest sees when Redis stops and comes back.
#![allow(clippy::unwrap_used)]

use edge_host::redis_url::RedisUrl;
use edge_host::runtime::kv::{KvStore, RedisKv, REDIS_OP_TIMEOUT};
use edge_host::runtime_config::{KvLocation, RuntimeConfig, StateDir};
use test_stores::Redis;

fn store(url: &str) -> KvStore {
    KvStore::Redis(RedisKv::new(&RedisUrl::parse(url).unwrap()).unwrap())
}

/// A hang guard, not a timing assertion: the call must come back at all.
/// Generous beyond the store's own bound so a slow machine cannot fail it.
async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(REDIS_OP_TIMEOUT * 5, f)
        .await
        .expect("the key-value call hung instead of returning")
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[tokio::test]
async fn set_get_exists_delete_round_trip() {
    let kv = store(&Redis::shared().fresh_db());
    assert_eq!(kv.get(s("conv:1")).await.unwrap(), None);
    assert!(!kv.exists(s("conv:1")).await.unwrap());

    kv.set(s("conv:1"), b"step=otp".to_vec()).await.unwrap();
    assert_eq!(
        kv.get(s("conv:1")).await.unwrap(),
        Some(b"step=otp".to_vec())
    );
    assert!(kv.exists(s("conv:1")).await.unwrap());

    kv.set(s("conv:1"), vec![0, 255, 7]).await.unwrap();
    assert_eq!(kv.get(s("conv:1")).await.unwrap(), Some(vec![0, 255, 7]));
    kv.set(s("empty"), vec![]).await.unwrap();
    assert_eq!(kv.get(s("empty")).await.unwrap(), Some(vec![]));

    let mut keys = kv.get_keys().await.unwrap();
    keys.sort();
    assert_eq!(keys, ["conv:1", "empty"]);

    kv.delete(s("conv:1")).await.unwrap();
    assert_eq!(kv.get(s("conv:1")).await.unwrap(), None);
    assert!(!kv.exists(s("conv:1")).await.unwrap());
    // Deleting a missing key is not an error, as in Spin.
    kv.delete(s("conv:1")).await.unwrap();
    assert_eq!(kv.get_keys().await.unwrap(), ["empty"]);
}

#[tokio::test]
async fn get_keys_lists_every_key_once() {
    let kv = store(&Redis::shared().fresh_db());
    for i in 0..2_500 {
        kv.set(format!("k{i}"), vec![1]).await.unwrap();
    }
    let mut keys = kv.get_keys().await.unwrap();
    keys.sort();
    let mut expected: Vec<String> = (0..2_500).map(|i| format!("k{i}")).collect();
    expected.sort();
    assert_eq!(keys, expected);
}

#[tokio::test]
async fn labels_on_different_databases_do_not_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runtime-config.toml");
    let redis = Redis::shared();
    std::fs::write(
        &file,
        format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n\n[key_value_store.cache]\ntype = \"redis\"\nurl = \"{}\"\n",
            redis.fresh_db(),
            redis.fresh_db()
        ),
    )
    .unwrap();
    let config = RuntimeConfig::load(Some(&file), dir.path(), StateDir::Unset).unwrap();
    let open = |label: &str| match &config.key_value_stores[label] {
        KvLocation::Redis(url) => KvStore::Redis(RedisKv::new(url).unwrap()),
        KvLocation::Local(_) => unreachable!("{label} is configured as Redis"),
    };
    let (default, cache) = (open("default"), open("cache"));

    default
        .set(s("shared-name"), b"default".to_vec())
        .await
        .unwrap();
    cache
        .set(s("shared-name"), b"cache".to_vec())
        .await
        .unwrap();
    cache.set(s("only-cache"), b"x".to_vec()).await.unwrap();

    assert_eq!(
        default.get(s("shared-name")).await.unwrap(),
        Some(b"default".to_vec())
    );
    assert_eq!(
        cache.get(s("shared-name")).await.unwrap(),
        Some(b"cache".to_vec())
    );
    assert!(!default.exists(s("only-cache")).await.unwrap());
    assert_eq!(default.get_keys().await.unwrap(), ["shared-name"]);
    cache.delete(s("shared-name")).await.unwrap();
    assert_eq!(
        default.get(s("shared-name")).await.unwrap(),
        Some(b"default".to_vec())
    );
}

#[test]
fn the_same_redis_database_for_two_labels_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runtime-config.toml");
    let url = Redis::shared().fresh_db();
    std::fs::write(
        &file,
        format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"{url}\"\n\n[key_value_store.cache]\ntype = \"redis\"\nurl = \"{url}\"\n"
        ),
    )
    .unwrap();
    let e = format!(
        "{:#}",
        RuntimeConfig::load(Some(&file), dir.path(), StateDir::Unset).unwrap_err()
    );
    assert!(
        e.contains("[key_value_store.cache]") && e.contains("[key_value_store.default]"),
        "{e}"
    );
    assert!(e.contains("own Redis database"), "{e}");
}

#[tokio::test]
async fn redis_stopped_gives_errors_and_service_resumes_when_it_is_back() {
    let redis = Redis::start_owned();
    let kv = store(&redis.url(1));
    kv.set(s("state"), b"before".to_vec()).await.unwrap();

    redis.stop();
    // Every operation answers with an error, none hangs.
    let e = bounded(kv.get(s("state"))).await.unwrap_err();
    assert!(e.contains(&format!("127.0.0.1:{}", redis.port())), "{e}");
    assert!(bounded(kv.set(s("state"), b"x".to_vec())).await.is_err());
    assert!(bounded(kv.delete(s("state"))).await.is_err());
    assert!(bounded(kv.exists(s("state"))).await.is_err());
    assert!(bounded(kv.get_keys()).await.is_err());

    // Back (empty: nothing is persisted): the same store object works again,
    // the first call included, with no restart.
    redis.start_again();
    assert_eq!(bounded(kv.get(s("state"))).await.unwrap(), None);
    bounded(kv.set(s("state"), b"after".to_vec()))
        .await
        .unwrap();
    assert_eq!(
        bounded(kv.get(s("state"))).await.unwrap(),
        Some(b"after".to_vec())
    );
}

#[tokio::test]
async fn a_node_starts_while_redis_is_down_and_connects_later() {
    let redis = Redis::start_owned();
    redis.stop();
    // Creating the store does not connect.
    let kv = store(&redis.url(0));
    assert!(bounded(kv.exists(s("k"))).await.is_err());
    redis.start_again();
    bounded(kv.set(s("k"), b"v".to_vec())).await.unwrap();
    assert!(bounded(kv.exists(s("k"))).await.unwrap());
}

/// The server's pid, from its own INFO.
fn redis_pid(url: &str) -> String {
    let mut conn = redis::Client::open(url).unwrap().get_connection().unwrap();
    let info: String = redis::cmd("INFO").arg("server").query(&mut conn).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_hanging_redis_gives_an_error_within_the_bound() {
    let redis = Redis::start_owned();
    let kv = store(&redis.url(0));
    kv.set(s("k"), b"v".to_vec()).await.unwrap();
    let pid = redis_pid(&redis.url(0));
    let signal = |sig: &str| {
        let ok = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    };
    // Stopped, not exited: connections are accepted by the kernel and never
    // answered, the case only a timeout can end.
    signal("-STOP");
    let result = bounded(kv.get(s("k"))).await;
    signal("-CONT");
    let e = result.unwrap_err();
    assert!(e.contains("127.0.0.1"), "{e}");
    // Running again: so is the store, on its next call.
    assert_eq!(bounded(kv.get(s("k"))).await.unwrap(), Some(b"v".to_vec()));
}
