//! The limits edge-host puts on every request (docs/runtime.md): body size
//! (declared and chunked), time to receive a body, wall-clock time in the
//! guest including host calls, memory per instance and concurrent requests.
//! Every refusal is the JSON error of docs/api.md with an `x-request-id`, and the
//! node keeps serving afterwards.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use e2e::{Host, HostBuilder, Method, Resp};
use serde_json::Value;

/// A response read off a raw socket.
struct RawResp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

fn addr(host: &Host) -> String {
    host.url.trim_start_matches("http://").to_owned()
}

/// Opens a connection and sends `head` (request line and headers, without
/// the blank line) and `body` as they are.
fn raw_send(host: &Host, head: &str, body: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr(host)).unwrap();
    // A bound on a broken test, not a synchronisation: every read below waits
    // for an answer the server must send.
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(format!("{head}\r\nHost: {}\r\n\r\n", addr(host)).as_bytes())
        .unwrap();
    s.write_all(body).unwrap();
    s
}

/// Reads one response (`Content-Length` or chunked body, no trailers).
fn raw_read(s: &mut TcpStream) -> RawResp {
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no status line: {line:?}"))
        .parse()
        .unwrap();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim_end(), 16).unwrap();
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        body.resize(len, 0);
        reader.read_exact(&mut body).unwrap();
    }
    RawResp {
        status,
        headers,
        body,
    }
}

fn assert_error(resp: &Resp, status: u16, code: &str) {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert_eq!(resp.error_code(), code, "{}", resp.text());
    assert!(
        resp.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        resp.text()
    );
    assert!(
        resp.json()["error"]["fields"].is_object(),
        "{}",
        resp.text()
    );
    assert!(resp
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
    assert!(resp.header("x-request-id").is_some_and(|id| !id.is_empty()));
}

fn still_serves(host: &Host) {
    let ok = host.get("/probe/x/headers");
    assert_eq!(ok.status, 200, "{}\n{}", ok.text(), host.log());
}

/// A loopback upstream that accepts requests and holds every answer until
/// released: a guest calling it stays inside a host call, holding its slot,
/// for exactly as long as the test wants.
struct Blocker {
    origin: String,
    arrived: mpsc::Receiver<()>,
    released: Arc<(Mutex<bool>, Condvar)>,
}

impl Blocker {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let (tx, arrived) = mpsc::channel();
        let released = Arc::new((Mutex::new(false), Condvar::new()));
        let gate = released.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (tx, gate) = (tx.clone(), gate.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0
                            || line.trim_end().is_empty()
                        {
                            break;
                        }
                    }
                    let _ = tx.send(());
                    let (lock, cvar) = &*gate;
                    let _open = cvar
                        .wait_while(lock.lock().unwrap(), |open| !*open)
                        .unwrap();
                    let mut stream = stream;
                    let _ =
                        stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\nreleased");
                });
            }
        });
        Self {
            origin,
            arrived,
            released,
        }
    }

    /// Waits until `n` requests reached the upstream.
    fn wait_for(&self, n: usize) {
        for _ in 0..n {
            self.arrived
                .recv_timeout(Duration::from_secs(60))
                .expect("request reached the upstream");
        }
    }

    fn release(&self) {
        let (lock, cvar) = &*self.released;
        *lock.lock().unwrap() = true;
        cvar.notify_all();
    }
}

#[test]
fn slow_body_clients_do_not_starve_health() {
    // Far fewer slots than slow clients: were a slot taken before the body
    // arrived, the slow clients would fill them all and health would get 503.
    let host = HostBuilder::app()
        .arg("--max-concurrent-requests")
        .arg("8")
        .start();
    let slow: Vec<TcpStream> = (0..300)
        .map(|_| {
            raw_send(
                &host,
                "POST /api/v1/feedback HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: 100",
                b"",
            )
        })
        .collect();

    for _ in 0..20 {
        let health = host.get("/api/v1/health");
        assert_eq!(health.status, 200, "{}\n{}", health.text(), host.log());
        assert_eq!(health.json()["status"], "ok");
    }

    // The slow clients were held, not dropped: one that finally sends its
    // body gets the app's own answer.
    let mut last = slow.into_iter().last().unwrap();
    last.write_all(&[b' '; 100]).unwrap();
    let answer = raw_read(&mut last);
    assert!(
        answer.status < 500,
        "{} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    assert!(
        answer.json()["error"]["code"].is_string(),
        "the app's error shape"
    );
}

#[test]
fn a_client_that_never_finishes_its_body_gets_408() {
    let host = HostBuilder::probe().arg("--body-timeout").arg("1s").start();
    let mut s = raw_send(
        &host,
        "POST /probe/x/echo HTTP/1.1\r\ncontent-length: 100\r\naccept-language: en\r\nx-request-id: slow-1",
        b"only ten b",
    );
    let resp = raw_read(&mut s);
    assert_eq!(resp.status, 408);
    assert_eq!(resp.json()["error"]["code"], "request_timeout");
    assert_eq!(
        resp.json()["error"]["message"],
        "The request body took too long to arrive. Please try again."
    );
    assert_eq!(resp.header("x-request-id"), Some("slow-1"));
    assert_eq!(resp.header("connection"), Some("close"));
    still_serves(&host);
}

#[test]
fn bodies_over_the_limit_get_413_before_the_component_runs() {
    let limit = 1usize << 20;
    let host = HostBuilder::probe()
        .arg("--max-body-bytes")
        .arg("1MiB")
        .start();

    // Declared too large: refused on the headers alone, without the body ever
    // being sent (so no component could have read it).
    let mut s = raw_send(
        &host,
        "POST /probe/x/echo HTTP/1.1\r\ncontent-length: 300000000\r\nx-request-id: big-1",
        b"",
    );
    let resp = raw_read(&mut s);
    assert_eq!(resp.status, 413);
    let body = resp.json();
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert_eq!(body["error"]["message"], "Dữ liệu gửi lên quá lớn.");
    assert_eq!(body["error"]["fields"]["limit"], limit);
    assert_eq!(resp.header("x-request-id"), Some("big-1"));

    // Chunked (no length declared): the host counts the bytes.
    let chunked = |n: usize| reqwest::blocking::Body::new(std::io::Cursor::new(vec![b'a'; n]));
    let over = host.send(
        host.request(Method::POST, "/probe/x/echo")
            .header("accept-language", "en")
            .body(chunked(limit + limit / 2)),
    );
    assert_error(&over, 413, "payload_too_large");
    assert_eq!(
        over.json()["error"]["message"],
        "The request body is too large."
    );

    // Up to the limit, both ways, the component gets every byte.
    let under = host.send(
        host.request(Method::POST, "/probe/x/echo")
            .body(chunked(limit / 2)),
    );
    assert_eq!(under.json()["bytes"], limit / 2, "{}", under.text());
    let exact = host.send(
        host.request(Method::POST, "/probe/x/echo")
            .body(vec![b'a'; limit]),
    );
    assert_eq!(exact.json()["bytes"], limit, "{}", exact.text());
    let one_more = host.send(
        host.request(Method::POST, "/probe/x/echo")
            .body(vec![b'a'; limit + 1]),
    );
    assert_error(&one_more, 413, "payload_too_large");
    still_serves(&host);
}

#[test]
fn a_guest_that_loops_forever_is_stopped_at_the_wall_clock_limit() {
    let host = HostBuilder::probe()
        .arg("--request-timeout")
        .arg("1s")
        .start();
    let started = Instant::now();
    let resp = host.send(
        host.request(Method::GET, "/probe/x/spin")
            .header("x-request-id", "loop-1"),
    );
    assert_error(&resp, 504, "timeout");
    assert_eq!(
        resp.json()["error"]["message"],
        "Yêu cầu xử lý quá lâu, vui lòng thử lại sau."
    );
    assert_eq!(resp.header("x-request-id").as_deref(), Some("loop-1"));
    // The configured second, not the 60 s default (generous bound for 2 busy cores).
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(host.wait_for_log("wall-clock limit"), "{}", host.log());
    still_serves(&host);
}

#[test]
fn a_host_call_that_hangs_is_stopped_at_the_wall_clock_limit() {
    let upstream = Blocker::start();
    let host = HostBuilder::probe()
        .var("upstream", &upstream.origin)
        .arg("--request-timeout")
        .arg("1s")
        .start();
    let resp = host.send(
        host.request(
            Method::GET,
            &format!("/probe/x/fetch?url={}/hang", upstream.origin),
        )
        .header("accept-language", "en"),
    );
    assert_error(&resp, 504, "timeout");
    assert_eq!(
        resp.json()["error"]["message"],
        "The request took too long to process, please try again later."
    );
    upstream.release();
    still_serves(&host);
}

#[test]
fn a_guest_that_exhausts_its_memory_gets_a_json_error() {
    let host = HostBuilder::probe()
        .arg("--max-instance-memory")
        .arg("32MiB")
        .start();
    for _ in 0..2 {
        let resp = host.get("/probe/x/hog");
        assert_error(&resp, 500, "internal");
        still_serves(&host);
    }
    assert!(
        host.wait_for_log("memory limit of 33554432 bytes"),
        "{}",
        host.log()
    );
    // Within the limit the same component still works.
    let small = host.send(
        host.request(Method::POST, "/probe/x/echo")
            .body(vec![b'a'; 4 << 20]),
    );
    assert_eq!(small.json()["bytes"], 4 << 20);
}

#[test]
fn requests_past_the_concurrency_cap_get_503_with_retry_after() {
    let upstream = Blocker::start();
    let host = Arc::new(
        HostBuilder::probe()
            .var("upstream", &upstream.origin)
            .arg("--max-concurrent-requests")
            .arg("2")
            .start(),
    );
    let holders: Vec<_> = (0..2)
        .map(|i| {
            let (host, url) = (
                host.clone(),
                format!("/probe/x/fetch?url={}/hold{i}", upstream.origin),
            );
            std::thread::spawn(move || host.get(&url))
        })
        .collect();
    // Both slots are now held by guests waiting inside an outbound call.
    upstream.wait_for(2);

    let refused = host.send(
        host.request(Method::GET, "/probe/x/headers")
            .header("x-request-id", "busy-1"),
    );
    assert_error(&refused, 503, "overloaded");
    assert_eq!(refused.header("retry-after").as_deref(), Some("1"));
    assert_eq!(refused.json()["error"]["fields"]["retry_after"], 1);
    assert_eq!(refused.header("x-request-id").as_deref(), Some("busy-1"));
    // Unrouted paths need no slot: the host answers them itself.
    assert_error(&host.get("/nowhere"), 404, "not_found");

    upstream.release();
    for h in holders {
        let done = h.join().unwrap();
        assert_eq!(done.json()["body"], "released", "{}", done.text());
    }
    // A slot is freed when its guest has finished, an instant after the client
    // read the last byte; a few immediate retries cover that gap.
    let freed = (0..100)
        .map(|_| host.get("/probe/x/headers"))
        .find(|r| r.status != 503);
    assert_eq!(freed.map(|r| r.status), Some(200));
}
