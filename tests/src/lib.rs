//! The shared test app of the end-to-end suite (`tests/tests/e2e/`): starts
//! the real `edge-host` binary on ephemeral ports, serving the `.wasm` files
//! that `scripts/test` built, on the store setup `E2E_STORES` names
//! ([`stores`]: one node on embedded SQLite, or `E2E_NODES` nodes on
//! PostgreSQL + Redis with requests spread round-robin), and gives tests a
//! small HTTP client with request builders. Beside it: the administrator
//! ([`admin`]: units, services, categories, officials, issuers, kiosks),
//! people logging in ([`session`]), a service and a browser for the OpenID
//! provider ([`sso`]), the database the nodes share ([`db`]),
//! percent-encoding ([`encode`]), the local clock ([`time`]), the vault
//! ([`vault`]) and loopback fakes of outside services ([`fake_server`]).
//!
//! Nothing here sleeps to synchronise: the harness waits for the line
//! `Serving http://…` that each edge-host prints once it accepts connections.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub use reqwest::blocking::Client;
pub use reqwest::Method;
use serde_json::Value;
pub use stores::{Backing, Stores};

pub mod admin;
pub mod db;
pub mod encode;
pub mod fake_server;
pub mod hot;
pub mod seed;
pub mod session;
pub mod sso;
pub mod stores;
pub mod time;
pub mod vault;
pub mod zalo;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `edge-host` binary (profile `host`) that `scripts/test` builds.
pub fn edge_host_bin() -> PathBuf {
    let bin = root().join("target/host/edge-host");
    assert!(
        bin.exists(),
        "{} is missing: run the suite with scripts/test, which builds it and the components first",
        bin.display()
    );
    bin
}

/// Secrets the test app runs with (throw-away values). Each is at least 32
/// bytes, so a test may switch `dev_mode` off without tripping the settings
/// check (docs/settings.md).
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// The `public_base_url` the test app runs with: share links point here,
/// whatever `Host` a request carries.
pub const PUBLIC_BASE_URL: &str = "https://congdanso.test";

/// How to start a test app: one edge-host process on embedded stores, or
/// several on PostgreSQL and Redis ([`stores`]).
pub struct HostBuilder {
    manifest: PathBuf,
    vars: Vec<(String, String)>,
    state_dir: Option<PathBuf>,
    args: Vec<String>,
    stores: Stores,
    nodes: usize,
    backing: Option<Backing>,
    /// Another program that takes edge-host's `up` command line (the
    /// bench-only native baseline); edge-host when `None`.
    binary: Option<PathBuf>,
}

impl HostBuilder {
    /// The product app (`spin.toml` at the root), in dev mode with test
    /// secrets, on the stores `E2E_STORES` names.
    pub fn app() -> Self {
        let stores = Stores::from_env();
        Self {
            manifest: root().join("spin.toml"),
            vars: vec![],
            state_dir: None,
            args: vec![],
            stores,
            nodes: match stores {
                Stores::Embedded => 1,
                Stores::Postgres => stores::nodes_from_env(),
            },
            backing: None,
            binary: None,
        }
        .var("token_secret", "test-token-secret-0123456789abcdef")
        .var("otp_pepper", "test-otp-pepper-0123456789abcdef")
        .var("qr_secret", "test-qr-secret-0123456789abcdef0")
        .var("admin_token", ADMIN_TOKEN)
        .var("public_base_url", PUBLIC_BASE_URL)
        .var("dev_mode", "true")
    }

    /// The probe fixture app (`tests/fixtures/spin.toml`): it tests the
    /// runtime itself, on embedded stores only, whatever `E2E_STORES` says.
    pub fn probe() -> Self {
        Self {
            manifest: root().join("tests/fixtures/spin.toml"),
            vars: vec![],
            state_dir: None,
            args: vec![],
            stores: Stores::Embedded,
            nodes: 1,
            backing: None,
            binary: None,
        }
        .var("must_have", "present")
    }

    /// Runs on the embedded stores, one node, whatever `E2E_STORES` says: for
    /// a test about the SQLite file or the local key-value store themselves
    /// (the call site says why).
    pub fn embedded_only(mut self) -> Self {
        self.stores = Stores::Embedded;
        self.nodes = 1;
        self.backing = None;
        self
    }

    /// Runs on PostgreSQL and Redis with these databases (a fault test's own
    /// servers), whatever `E2E_STORES` says.
    pub fn on(mut self, backing: Backing) -> Self {
        self.stores = Stores::Postgres;
        if self.nodes < 2 {
            self.nodes = stores::nodes_from_env();
        }
        self.backing = Some(backing);
        self
    }

    /// How many edge-host processes serve the app (PostgreSQL setup only:
    /// the embedded one is a single node).
    pub fn nodes(mut self, n: usize) -> Self {
        assert!(n >= 1);
        if self.stores == Stores::Postgres {
            self.nodes = n;
        }
        self
    }

    /// Sets a Spin variable through `SPIN_VARIABLE_<NAME>`, as Spin reads it.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The Spin variables set so far, by name.
    pub fn variables(&self) -> Vec<(String, String)> {
        self.vars.clone()
    }

    /// Leaves a variable unset (even one `app()` sets).
    pub fn unset(mut self, name: &str) -> Self {
        self.vars.retain(|(n, _)| n != name);
        self
    }

    /// Uses (and keeps) this state dir instead of a fresh temporary one. On
    /// PostgreSQL the dir remembers its databases, so hosts started on it
    /// later, or beside it, share the data as they do on one SQLite file.
    pub fn state_dir(mut self, dir: &Path) -> Self {
        self.state_dir = Some(dir.to_path_buf());
        self
    }

    /// Serves another manifest.
    pub fn manifest(mut self, path: &Path) -> Self {
        self.manifest = path.to_path_buf();
        self
    }

    /// Starts `binary` instead of edge-host, with the same command line.
    pub fn binary(mut self, binary: &Path) -> Self {
        self.binary = Some(binary.to_path_buf());
        self
    }

    /// Passes an extra command-line argument to `edge-host up`.
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    fn command(&self, state_dir: &Path, extra: &[String], vars: &[(String, String)]) -> Command {
        let mut cmd = Command::new(self.binary.clone().unwrap_or_else(edge_host_bin));
        cmd.arg("up")
            .arg("--from")
            .arg(&self.manifest)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--state-dir")
            .arg(state_dir)
            .arg("--cache-dir")
            .arg(root().join("target/edge-cache"))
            .args(extra)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, _) in std::env::vars() {
            if k.starts_with("SPIN_VARIABLE_") {
                cmd.env_remove(k);
            }
        }
        for (name, value) in vars {
            cmd.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        cmd
    }

    /// Starts the app and waits until every node serves.
    pub fn start(self) -> Host {
        match self.try_start() {
            Ok(h) => h,
            Err(log) => panic!("edge-host did not start:\n{log}"),
        }
    }

    /// Starts the app; `Err` holds the output of a node that exited instead
    /// of serving (the others are stopped).
    pub fn try_start(self) -> Result<Host, String> {
        let (temp, state_dir) = match &self.state_dir {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::tempdir().unwrap();
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let log = Arc::new(Log::default());
        let client = Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        if self.stores == Stores::Embedded {
            let node = start_node(self.command(&state_dir, &[], &self.vars), log.clone(), "")?;
            return Ok(Host {
                url: node.url.clone(),
                nodes: vec![node],
                next: AtomicUsize::new(0),
                state_dir,
                stores: Stores::Embedded,
                backing: None,
                _temp: temp,
                client,
                log,
            });
        }
        assert!(
            !self.args.iter().any(|a| a == "--runtime-config-file"),
            "a test with its own runtime config runs on the embedded stores: use embedded_only()"
        );
        let backing = match (&self.backing, &self.state_dir) {
            (Some(b), _) => b.clone(),
            (None, Some(dir)) => Backing::for_state_dir(dir),
            (None, None) => Backing::fresh(),
        };
        let rc = state_dir.join("e2e-runtime-config.toml");
        std::fs::create_dir_all(&state_dir).unwrap();
        std::fs::write(&rc, backing.runtime_config()).unwrap();
        let mut vars = self.vars.clone();
        vars.retain(|(n, _)| n != "database_url" && n != "database_host");
        vars.push(("database_url".into(), backing.database_url.clone()));
        vars.push(("database_host".into(), backing.database_host.clone()));
        let extra = vec!["--runtime-config-file".to_owned(), rc.display().to_string()];
        // Every node starts at once, as a rollout does: the migrations'
        // advisory lock is what keeps them apart.
        let starting: Vec<_> = (0..self.nodes)
            .map(|i| {
                let node_dir = state_dir.join(format!("node-{i}"));
                std::fs::create_dir_all(&node_dir).unwrap();
                let cmd = self.command(&node_dir, &extra, &vars);
                let log = log.clone();
                std::thread::spawn(move || start_node(cmd, log, &format!("[node {i}] ")))
            })
            .collect();
        let mut nodes = Vec::new();
        let mut failed = None;
        for t in starting {
            match t.join().unwrap() {
                Ok(node) => nodes.push(node),
                Err(out) => failed = Some(out),
            }
        }
        if let Some(out) = failed {
            for node in &nodes {
                node.stop();
            }
            return Err(out);
        }
        Ok(Host {
            url: nodes[0].url.clone(),
            nodes,
            next: AtomicUsize::new(0),
            state_dir,
            stores: Stores::Postgres,
            backing: Some(backing),
            _temp: temp,
            client,
            log,
        })
    }
}

/// Spawns one edge-host and waits for its `Serving` line; `Err` holds its
/// output when it exits first. Its lines go to `log`, after `prefix`.
fn start_node(mut cmd: Command, log: Arc<Log>, prefix: &str) -> Result<Node, String> {
    let mut child = cmd.spawn().expect("spawn edge-host");
    let own = Arc::new(Log::default());
    let (tx, rx) = mpsc::channel::<Option<String>>();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    pump(stdout, [log.clone(), own.clone()], prefix, Some(tx.clone()));
    pump(stderr, [log, own.clone()], prefix, Some(tx));
    // Bounded wait for the "Serving" line; compiling components on a cold
    // cache can take a while on 2 cores.
    let mut open_streams = 2;
    let url = loop {
        match rx.recv_timeout(Duration::from_secs(300)) {
            Ok(Some(line)) => {
                if let Some(rest) = line.strip_prefix("Serving ") {
                    break rest.trim().to_owned();
                }
            }
            // Both streams must close before the log is complete.
            Ok(None) if open_streams > 1 => open_streams -= 1,
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(own.snapshot());
            }
        }
    };
    Ok(Node {
        child: Mutex::new(Some(child)),
        url,
        down: AtomicBool::new(false),
    })
}

/// One edge-host process of a test app.
struct Node {
    child: Mutex<Option<Child>>,
    url: String,
    /// Killed by the test: the client no longer sends it requests, as a load
    /// balancer takes a dead node out.
    down: AtomicBool,
}

impl Node {
    /// SIGTERM (edge-host finishes in-flight requests and exits), then a
    /// bounded wait, then SIGKILL.
    fn stop(&self) {
        let Some(mut child) = self.child.lock().unwrap().take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
        }
    }
}

/// Copies a child's output into `logs` (each line after `prefix`);
/// announces each line on `tx` and `None` at EOF.
fn pump<const N: usize>(
    stream: impl std::io::Read + Send + 'static,
    logs: [Arc<Log>; N],
    prefix: &str,
    tx: Option<mpsc::Sender<Option<String>>>,
) {
    let prefix = prefix.to_owned();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            for log in &logs {
                log.push(&format!("{prefix}{line}"));
            }
            if let Some(tx) = &tx {
                let _ = tx.send(Some(line));
            }
        }
        if let Some(tx) = &tx {
            let _ = tx.send(None);
        }
    });
}

/// Everything a host printed, with a way to wait for a line.
#[derive(Default)]
struct Log {
    text: Mutex<String>,
    grew: Condvar,
}

impl Log {
    fn push(&self, line: &str) {
        self.text.lock().unwrap().push_str(&format!("{line}\n"));
        self.grew.notify_all();
    }

    fn snapshot(&self) -> String {
        self.text.lock().unwrap().clone()
    }
}

/// A running test app: one edge-host, or several on shared stores that the
/// client spreads requests over round-robin.
pub struct Host {
    nodes: Vec<Node>,
    next: AtomicUsize,
    /// `http://127.0.0.1:PORT` of the first node.
    pub url: String,
    pub state_dir: PathBuf,
    /// The setup this app runs on.
    pub stores: Stores,
    /// Its PostgreSQL and Redis databases (PostgreSQL setup).
    pub backing: Option<Backing>,
    _temp: Option<tempfile::TempDir>,
    pub client: Client,
    log: Arc<Log>,
}

/// A response, fully read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): status {} body {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The stable error code of an error body (docs/api.md).
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Host {
    /// The URL of `path` on the next live node (round-robin).
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.next_node().url, path)
    }

    fn next_node(&self) -> &Node {
        let n = self.nodes.len();
        for _ in 0..n {
            let node = &self.nodes[self.next.fetch_add(1, Ordering::Relaxed) % n];
            if !node.down.load(Ordering::Relaxed) {
                return node;
            }
        }
        panic!("every node of the test app is down")
    }

    /// An app someone else runs at `url` (`http://host:port`, no trailing
    /// slash): a deployment on real Spin, say, for `bench-endpoints
    /// --base-url`. It must run with the test app's settings (`app()`'s
    /// variables); this process starts and stops nothing.
    pub fn remote(url: &str) -> Host {
        Host {
            nodes: vec![Node {
                child: Mutex::new(None),
                url: url.trim_end_matches('/').to_owned(),
                down: AtomicBool::new(false),
            }],
            next: AtomicUsize::new(0),
            url: url.trim_end_matches('/').to_owned(),
            state_dir: PathBuf::new(),
            stores: Stores::Embedded,
            backing: None,
            _temp: None,
            client: Client::builder()
                .timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            log: Arc::new(Log::default()),
        }
    }

    /// The process ids of the nodes this process started and that still run.
    pub fn node_pids(&self) -> Vec<u32> {
        self.nodes
            .iter()
            .filter_map(|n| n.child.lock().unwrap().as_ref().map(Child::id))
            .collect()
    }

    /// How many edge-host processes serve the app.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The base URL of node `i`.
    pub fn node_url(&self, i: usize) -> &str {
        &self.nodes[i].url
    }

    /// `kill -9` of node `i`: no clean shutdown, in-flight requests are cut;
    /// the client sends it nothing more.
    pub fn kill_node(&self, i: usize) {
        let node = &self.nodes[i];
        node.down.store(true, Ordering::Relaxed);
        if let Some(mut child) = node.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A request builder for `path` on the next node.
    pub fn request(&self, method: Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.client.request(method, self.at(path))
    }

    pub fn send(&self, rb: reqwest::blocking::RequestBuilder) -> Resp {
        self.try_send(rb)
            .unwrap_or_else(|e| panic!("request failed: {e}\nlog:\n{}", self.log()))
    }

    /// Sends and reads the answer; `Err` when the connection fails (a node
    /// killed mid-request, a timeout).
    pub fn try_send(&self, rb: reqwest::blocking::RequestBuilder) -> Result<Resp, reqwest::Error> {
        let resp = rb.send()?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes()?.to_vec();
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send(self.request(Method::GET, path))
    }

    pub fn get_auth(&self, path: &str, token: &str) -> Resp {
        self.send(self.request(Method::GET, path).bearer_auth(token))
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.send(self.request(Method::POST, path).json(body))
    }

    pub fn post_json_auth(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(
            self.request(Method::POST, path)
                .bearer_auth(token)
                .json(body),
        )
    }

    /// `DELETE path` with a bearer token.
    pub fn delete_auth(&self, path: &str, token: &str) -> Resp {
        self.send(self.request(Method::DELETE, path).bearer_auth(token))
    }

    /// `PATCH path` with a JSON body, signed in with `token` when given.
    pub fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let mut rb = self.request(Method::PATCH, path).json(body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        self.send(rb)
    }

    /// `POST path` with a form body of this content type.
    pub fn post_form(&self, path: &str, content_type: &str, body: String) -> Resp {
        self.send(
            self.request(Method::POST, path)
                .header("content-type", content_type)
                .body(body),
        )
    }

    /// Everything edge-host printed so far.
    pub fn log(&self) -> String {
        self.log.snapshot()
    }

    /// Waits (at most 10 s) until the log contains `needle`: component
    /// output reaches the log asynchronously, after the response.
    pub fn wait_for_log(&self, needle: &str) -> bool {
        let guard = self.log.text.lock().unwrap();
        let (guard, _) = self
            .log
            .grew
            .wait_timeout_while(guard, Duration::from_secs(10), |text| {
                !text.contains(needle)
            })
            .unwrap();
        guard.contains(needle)
    }

    /// Stops every node (SIGTERM, then waits) and keeps the state dir if the
    /// caller chose it; everything they printed.
    pub fn stop(mut self) -> String {
        self.shutdown();
        self.log()
    }

    fn shutdown(&mut self) {
        for node in &self.nodes {
            node.stop();
        }
    }

    /// The first node's process (and how it exited) — for shutdown tests.
    pub fn child_mut(&mut self) -> Option<&mut Child> {
        self.nodes[0].child.get_mut().unwrap().as_mut()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Runs `n` copies of `f` at once on real threads and collects the results.
pub fn parallel<T: Send + 'static>(
    n: usize,
    f: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let f = Arc::new(f);
    let barrier = Arc::new(std::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = f.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                f(i)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}
