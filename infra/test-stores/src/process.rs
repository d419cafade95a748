//! One server process and its watchdog: spawning it, waiting for the line
//! that says it serves, stopping and restarting it, and making sure it never
//! outlives the test process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to say it is ready (PostgreSQL after a crash
/// recovery on a loaded 2-core machine included).
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// The most of a server's output kept for failure messages.
const LOG_TAIL: usize = 64 * 1024;

/// The watchdog: reads the server's current pid (or `none`) line by line
/// from this process; at end of input (this process is gone, or the owner
/// let go) it stops that pid and removes the server's directory. It ignores
/// the terminal's Ctrl-C so that it outlives the test process it guards.
const WATCHDOG: &str = r#"trap '' INT HUP
pid=none
while read -r line; do pid=$line; done
if [ "$pid" != none ]; then
  kill -"$2" "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i+1)); done
  kill -KILL "$pid" 2>/dev/null
fi
rm -rf "$1"
"#;

/// A port on 127.0.0.1 that nothing listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("test-stores: no free port on 127.0.0.1: {e}"))
}

/// Whether we are root (servers that refuse root then run as another user).
pub(crate) fn is_root() -> bool {
    // `id -u` rather than libc: the crate keeps `unsafe_code = "deny"`.
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The uid and gid of a local user, from `/etc/passwd`.
pub(crate) fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            [user, _, uid, gid, ..] if *user == name => {
                Some((uid.parse().ok()?, gid.parse().ok()?))
            }
            _ => None,
        }
    })
}

/// A new temporary directory that outlives this value: the watchdog (or the
/// owner's `Drop`) removes it.
pub(crate) fn temp_dir(prefix: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .unwrap_or_else(|e| panic!("test-stores: cannot create a temporary directory: {e}"))
        .keep()
}

/// One run's output, with the count of "ready" lines seen.
#[derive(Default)]
struct RunLog {
    state: Mutex<RunState>,
    changed: Condvar,
}

#[derive(Default)]
struct RunState {
    tail: String,
    ready: bool,
    open_streams: u8,
}

impl RunLog {
    fn pump(self: &Arc<Self>, stream: impl Read + Send + 'static, ready: &'static str) {
        let log = self.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                let mut s = log.state.lock().unwrap();
                s.ready |= line.contains(ready);
                s.tail.push_str(&line);
                s.tail.push('\n');
                if s.tail.len() > LOG_TAIL {
                    let cut = s.tail.len() - LOG_TAIL / 2;
                    let cut = (cut..s.tail.len())
                        .find(|i| s.tail.is_char_boundary(*i))
                        .unwrap_or(0);
                    s.tail.drain(..cut);
                }
                log.changed.notify_all();
            }
            log.state.lock().unwrap().open_streams -= 1;
            log.changed.notify_all();
        });
    }

    /// Waits for the ready line; `Err` with the output when the process
    /// closed its output first or took too long.
    fn wait_ready(&self) -> Result<(), String> {
        let guard = self.state.lock().unwrap();
        let (s, _) = self
            .changed
            .wait_timeout_while(guard, READY_TIMEOUT, |s| !s.ready && s.open_streams > 0)
            .unwrap();
        if s.ready {
            Ok(())
        } else {
            Err(s.tail.clone())
        }
    }

    fn tail(&self) -> String {
        self.state.lock().unwrap().tail.clone()
    }
}

/// What starts a server and how it says it is ready.
pub(crate) struct Spec {
    /// The program's name, for messages.
    pub what: &'static str,
    /// A line (part) the server prints once it accepts connections.
    pub ready: &'static str,
    /// The signal that stops it cleanly (`INT`, `TERM`).
    pub stop_signal: &'static str,
    /// The signal the watchdog stops it with, at once, when this process
    /// has ended (`QUIT`: PostgreSQL's immediate shutdown).
    pub exit_signal: &'static str,
    /// Builds the command line; called for each (re)start.
    pub command: Box<dyn Fn() -> Command + Send + Sync>,
}

/// A server process that can be stopped and started again, with a watchdog
/// that stops it and removes `dir` when this process ends.
pub struct Server {
    spec: Spec,
    dir: PathBuf,
    run: Mutex<Option<(Child, Arc<RunLog>)>>,
    watchdog: Mutex<Option<(Child, ChildStdin)>>,
}

impl Server {
    /// Starts the watchdog for `dir`, then the server; panics with the
    /// server's output when it does not come up.
    pub(crate) fn start(spec: Spec, dir: &Path) -> Server {
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("test-stores-watchdog")
            .arg(dir)
            .arg(spec.exit_signal)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("test-stores: cannot start the watchdog shell: {e}"));
        let stdin = watchdog.stdin.take().unwrap();
        let server = Server {
            spec,
            dir: dir.to_path_buf(),
            run: Mutex::new(None),
            watchdog: Mutex::new(Some((watchdog, stdin))),
        };
        server.start_again();
        server
    }

    /// The directory the server keeps its files in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the server process is running.
    pub fn is_running(&self) -> bool {
        let mut run = self.run.lock().unwrap();
        match run.as_mut() {
            Some((child, _)) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Starts the server (again, on the same port and files) and waits until
    /// it serves; does nothing when it runs.
    pub fn start_again(&self) {
        let mut run = self.run.lock().unwrap();
        if let Some((child, _)) = run.as_mut() {
            if matches!(child.try_wait(), Ok(None)) {
                return;
            }
        }
        let mut child = (self.spec.command)()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("test-stores: cannot start {}: {e}", self.spec.what));
        self.tell_watchdog(&child.id().to_string());
        let log = Arc::new(RunLog::default());
        log.state.lock().unwrap().open_streams = 2;
        log.pump(child.stdout.take().unwrap(), self.spec.ready);
        log.pump(child.stderr.take().unwrap(), self.spec.ready);
        if let Err(output) = log.wait_ready() {
            let _ = child.kill();
            let _ = child.wait();
            self.tell_watchdog("none");
            panic!(
                "test-stores: {} did not start (directory {}):\n{output}",
                self.spec.what,
                self.dir.display()
            );
        }
        *run = Some((child, log));
    }

    /// Stops the server cleanly and waits until it has exited; does nothing
    /// when it is stopped.
    pub fn stop(&self) {
        let mut run = self.run.lock().unwrap();
        if let Some((mut child, _)) = run.take() {
            let sent = Command::new("kill")
                .arg(format!("-{}", self.spec.stop_signal))
                .arg(child.id().to_string())
                .status();
            if !matches!(sent, Ok(s) if s.success()) {
                let _ = child.kill();
            }
            let deadline = Instant::now() + Duration::from_secs(60);
            // Bounded: a server that ignores its stop signal is killed.
            while matches!(child.try_wait(), Ok(None)) {
                if Instant::now() > deadline {
                    let _ = child.kill();
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            self.tell_watchdog("none");
        }
    }

    /// The output of the current (or last) run, for failure messages.
    pub fn output(&self) -> String {
        match self.run.lock().unwrap().as_ref() {
            Some((_, log)) => log.tail(),
            None => String::new(),
        }
    }

    fn tell_watchdog(&self, line: &str) {
        if let Some((_, stdin)) = self.watchdog.lock().unwrap().as_mut() {
            let _ = writeln!(stdin, "{line}");
        }
    }
}

impl Drop for Server {
    /// An owned server: stops it, then lets the watchdog remove its
    /// directory, and waits for that.
    fn drop(&mut self) {
        self.stop();
        if let Some((mut watchdog, stdin)) = self.watchdog.lock().unwrap().take() {
            drop(stdin);
            let _ = watchdog.wait();
        }
    }
}
