//! Limits under real contention: many connections (threads, and separate
//! OS processes) on one SQLite file in WAL mode, all released at once.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::helpers::{phone, request, start, start_req, verify, wrong};
use crate::identity::{
    authenticate, create_session, find_or_create_by_phone, logout, Client, Origin, OtpError,
    VerifiedPhone,
};
use crate::ports::Clock;
use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb, World};

/// Runs `work` on `n` threads, each with its own connection and world,
/// released together by a barrier.
fn race<T: Send + 'static>(
    path: &Path,
    settings: fn() -> MapSettings,
    n: usize,
    work: impl Fn(usize, &World) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (path, work, barrier) = (path.to_path_buf(), work.clone(), barrier.clone());
            thread::spawn(move || {
                let w = World::on(TestDb::file(&path), settings(), 1_000 + i as u64);
                barrier.wait();
                work(i, &w)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn outcome(r: &Result<VerifiedPhone, OtpError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(OtpError::Invalid { .. }) => "invalid",
        Err(OtpError::Exhausted) => "exhausted",
        Err(OtpError::Expired) => "expired",
        Err(_) => "other",
    }
}

fn count(outcomes: &[&str], what: &str) -> usize {
    outcomes.iter().filter(|o| **o == what).count()
}

struct TempDb(PathBuf);

impl TempDb {
    fn new(tag: &str) -> (TempDb, World) {
        let path = temp_db_path(tag);
        let w = World::on(TestDb::create_file(&path), MapSettings::default(), 1);
        (TempDb(path), w)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        remove_db(&self.0);
    }
}

#[test]
fn parallel_wrong_guesses_evaluate_at_most_five() {
    let (db, w) = TempDb::new("wrong");
    let (id, code) = start(&w, &phone(1)).unwrap();
    let bad = wrong(&code);
    let results = race(&db.0, MapSettings::default, 24, move |_, w| {
        verify(w, &id, &bad)
    });
    let outcomes: Vec<&str> = results.iter().map(outcome).collect();
    assert_eq!(count(&outcomes, "invalid"), 5, "{outcomes:?}");
    assert_eq!(count(&outcomes, "exhausted"), 19, "{outcomes:?}");
    let mut left: Vec<u32> = results
        .iter()
        .filter_map(|r| match r {
            Err(OtpError::Invalid { attempts_left }) => Some(*attempts_left),
            _ => None,
        })
        .collect();
    left.sort();
    assert_eq!(left, [0, 1, 2, 3, 4]);
    assert_eq!(w.db.scalar("SELECT attempts FROM otp_challenges"), 5);
    assert_eq!(w.db.scalar("SELECT failures FROM otp_network_failures"), 5);
}

#[test]
fn parallel_right_codes_succeed_exactly_once() {
    let (db, w) = TempDb::new("right");
    let (id, code) = start(&w, &phone(1)).unwrap();
    let results = race(&db.0, MapSettings::default, 24, move |_, w| {
        verify(w, &id, &code)
    });
    let outcomes: Vec<&str> = results.iter().map(outcome).collect();
    assert_eq!(count(&outcomes, "ok"), 1, "{outcomes:?}");
    assert_eq!(
        count(&outcomes, "expired") + count(&outcomes, "exhausted"),
        23,
        "{outcomes:?}"
    );
}

#[test]
fn parallel_starts_for_one_phone_send_one_code() {
    let (db, w) = TempDb::new("cooldown");
    let results = race(&db.0, MapSettings::default, 16, |_, w| {
        start(w, &phone(1)).map(|_| ())
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(()) | Err(OtpError::RateLimited { .. }))));
    assert_eq!(w.db.scalar("SELECT count(*) FROM otp_challenges"), 1);
}

#[test]
fn parallel_starts_from_one_ip_stop_at_the_cap() {
    let (db, w) = TempDb::new("ip");
    let results = race(&db.0, MapSettings::default, 40, |i, w| {
        start_req(w, &request(phone(i as u32))).map(|_| ())
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        30,
        "{results:?}"
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM otp_challenges"), 30);
}

#[test]
fn parallel_first_logins_create_one_account() {
    let (db, w) = TempDb::new("account");
    let results = race(&db.0, MapSettings::default, 16, |_, w| {
        find_or_create_by_phone(w.ports(), &phone(1), None).unwrap()
    });
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    assert!(results.iter().all(|(a, _)| a.id == results[0].0.id));
    assert_eq!(w.db.scalar("SELECT count(*) FROM citizens"), 1);
}

#[test]
fn parallel_starts_for_one_phone_from_many_networks_stop_at_the_phone_total() {
    let (db, w) = TempDb::new("totals");
    let results = race(&db.0, MapSettings::default, 40, |i, w| {
        let mut req = request(phone(1));
        req.origin = Origin::Network(format!("198.51.100.{}", i + 1));
        start_req(w, &req).map(|_| ())
    });
    // 10 unused codes per phone in any 15 minutes (OtpPolicy default).
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        10,
        "{results:?}"
    );
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(()) | Err(OtpError::RateLimited { .. }))));
    assert_eq!(w.db.scalar("SELECT count(*) FROM otp_challenges"), 10);
}

#[test]
fn parallel_failures_each_count_once_and_lock_at_the_threshold() {
    let (db, w) = TempDb::new("streak");
    let now = w.clock.now();
    let locks = race(&db.0, MapSettings::default, 30, move |_, w| {
        crate::identity::store::failures::record(&w.db, "+84900000001", "203.0.113.7", 20, 900, now)
            .unwrap()
    });
    assert_eq!(w.db.scalar("SELECT failures FROM otp_network_failures"), 30);
    // The 20th failure set the lock; the ten after it saw it and kept it.
    assert_eq!(
        locks.iter().filter(|l| **l == Some(now + 900)).count(),
        11,
        "{locks:?}"
    );
    assert_eq!(
        w.db.scalar("SELECT locked_until FROM otp_network_failures"),
        now + 900
    );
}

#[test]
fn a_logout_racing_many_requests_is_never_undone() {
    let (db, w) = TempDb::new("slide");
    let (account, _) = find_or_create_by_phone(w.ports(), &phone(1), None).unwrap();
    let session = create_session(w.ports(), &account.id, Client::Web).unwrap();
    w.clock.advance(60);
    let token = session.token.clone();
    let results = race(&db.0, MapSettings::default, 20, move |i, w| {
        w.clock.advance(60);
        if i == 0 {
            logout(w.ports(), &token)
                .map(|_| "logout")
                .map_err(|_| "store")
        } else {
            authenticate(w.ports(), &token)
                .map(|_| "ok")
                .map_err(|_| "refused")
        }
    });
    assert_eq!(results[0], Ok("logout"), "{results:?}");
    w.clock.advance(60);
    assert!(authenticate(w.ports(), &session.token).is_err());
    // Revoking pulled the idle expiry down to the revocation; no slide
    // after it moved it up again.
    assert_eq!(
        w.db.scalar(
            "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL \
             AND idle_expires_at <= revoked_at"
        ),
        1
    );
}

// ---- across OS processes -------------------------------------------------

const CHILD_ENV: &str = "CDS_IDENTITY_CHILD";
const CHILD_TEST: &str = "identity::tests::concurrency::child_process_worker";

/// Not a test on its own: the body of each child process spawned below. It
/// does nothing unless the parent set [`CHILD_ENV`] to
/// `db path|challenge id|code|threads|go-file`.
#[test]
#[ignore = "run by across_processes_* tests in child processes"]
fn child_process_worker() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let [path, id, code, threads, go] = parts[..] else {
        panic!("bad spec {spec}")
    };
    let (id, code, go) = (id.to_owned(), code.to_owned(), PathBuf::from(go));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !go.exists() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
    let results = race(
        Path::new(path),
        MapSettings::default,
        threads.parse().unwrap(),
        move |_, w| verify(w, &id, &code),
    );
    for r in &results {
        println!("OUTCOME {}", outcome(r));
    }
}

/// Spawns `processes` copies of this test binary, each racing `threads`
/// submissions of `code`, releases them together and collects outcomes.
fn race_processes(
    path: &Path,
    id: &str,
    code: &str,
    processes: usize,
    threads: usize,
) -> Vec<String> {
    let go = path.with_extension("go");
    let children: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--ignored",
                    "--exact",
                    CHILD_TEST,
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(
                    CHILD_ENV,
                    format!("{}|{id}|{code}|{threads}|{}", path.display(), go.display()),
                )
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    std::fs::write(&go, b"go").unwrap();
    let mut outcomes = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        // libtest may print its "test … " prefix on the same line as ours.
        outcomes.extend(
            stdout
                .lines()
                .filter_map(|l| l.split_once("OUTCOME ").map(|(_, o)| o.trim().to_owned())),
        );
    }
    let _ = std::fs::remove_file(&go);
    assert_eq!(outcomes.len(), processes * threads, "every child reported");
    outcomes
}

#[test]
fn across_processes_wrong_guesses_evaluate_at_most_five_and_one_right_code_wins() {
    let (db, w) = TempDb::new("procs");
    let (id, code) = start(&w, &phone(1)).unwrap();
    let outcomes = race_processes(&db.0, &id, &wrong(&code), 4, 6);
    let o: Vec<&str> = outcomes.iter().map(String::as_str).collect();
    assert_eq!(
        (count(&o, "invalid"), count(&o, "exhausted")),
        (5, 19),
        "{o:?}"
    );

    let (id, code) = start(&w, &phone(2)).unwrap();
    let outcomes = race_processes(&db.0, &id, &code, 4, 6);
    let o: Vec<&str> = outcomes.iter().map(String::as_str).collect();
    assert_eq!(count(&o, "ok"), 1, "{o:?}");
    assert_eq!(count(&o, "expired") + count(&o, "exhausted"), 23, "{o:?}");
}
