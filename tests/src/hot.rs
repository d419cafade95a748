//! The hot endpoints of docs/performance.md, prepared on a running test app:
//! the work citizens do most (log in, look at their profile and papers, find
//! and book a slot, read the public feedback list, have a share link checked,
//! talk to the Zalo bot), each as a list of ready requests. The end-to-end
//! round-trip budget test and `bench-endpoints` both use it, so what is
//! measured is what is tested.
//!
//! Writes are measured on the write path, never on refusals: each login,
//! booking and webhook call is a different citizen, seat or message.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use reqwest::blocking::RequestBuilder;
use serde_json::{json, Value};

use crate::admin::{issuer_key, official_login, service, unit};
use crate::fake_server::FakeServer;
use crate::session::{login, outbox_code};
use crate::time::local_date;
use crate::zalo::{sign, text_event, OA_SECRET, ZALO_OK};
use crate::{Host, HostBuilder, Method};

/// One ready request and the status that means it did its work.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// Extra headers (authorisation, content type, validators).
    pub headers: Vec<(&'static str, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
    /// The status of success.
    pub expect: u16,
}

impl Call {
    fn get(path: String, token: Option<&str>) -> Self {
        Self {
            method: Method::GET,
            path,
            headers: token
                .map(|t| vec![("authorization", format!("Bearer {t}"))])
                .unwrap_or_default(),
            body: vec![],
            expect: 200,
        }
    }

    fn post_json(path: &str, token: Option<&str>, body: &Value, expect: u16) -> Self {
        let mut headers = vec![("content-type", "application/json".to_owned())];
        if let Some(t) = token {
            headers.push(("authorization", format!("Bearer {t}")));
        }
        Self {
            method: Method::POST,
            path: path.to_owned(),
            headers,
            body: body.to_string().into_bytes(),
            expect,
        }
    }

    /// The request on `host`'s next node.
    pub fn request(&self, host: &Host) -> RequestBuilder {
        let mut rb = host.request(self.method.clone(), &self.path);
        for (name, value) in &self.headers {
            rb = rb.header(*name, value);
        }
        if !self.body.is_empty() {
            rb = rb.body(self.body.clone());
        }
        rb
    }
}

/// A hot endpoint and its ready requests.
pub struct Endpoint {
    /// Its name in the tables.
    pub name: &'static str,
    /// The requests: a read repeats its one request; a write has one per run.
    pub calls: Vec<Call>,
}

impl Endpoint {
    /// Sends the first request on `host`; it must succeed.
    pub fn send_first(&self, host: &Host) -> crate::Resp {
        let call = self.call(0).unwrap();
        let resp = host.send(call.request(host));
        assert_eq!(resp.status, call.expect, "{}: {}", self.name, resp.text());
        resp
    }

    /// The `i`-th request of a run, `None` once a write's are used up.
    pub fn call(&self, i: usize) -> Option<&Call> {
        match self.calls.len() {
            1 => self.calls.first(),
            _ => self.calls.get(i),
        }
    }
}

/// The endpoints' names, in table order.
pub const NAMES: [&str; 11] = [
    "login start",
    "login verify",
    "GET /me",
    "document list",
    "document content (304)",
    "slot list",
    "booking",
    "public feedback list",
    "share verification",
    "Zalo webhook",
    "health",
];

/// The app the hot endpoints run on: the test app with the code and
/// submission limits per network raised (every request of a benchmark comes
/// from one loopback address) and its Zalo API at `zalo`.
pub fn app(zalo: &FakeServer) -> HostBuilder {
    crate::zalo::with_zalo(HostBuilder::app(), zalo)
        .var("otp_ip_hourly", "1000000")
        .var("otp_resend_seconds", "0")
        .var("feedback_anonymous_ip_hourly", "1000000")
        // Code requests come from citizens' own networks (below), as a
        // reverse proxy in front of the nodes reports them.
        .var("trusted_proxies", "127.0.0.1/32")
}

/// The Zalo fake the app's replies go to.
pub fn zalo() -> FakeServer {
    FakeServer::start(200, ZALO_OK)
}

/// Prepares every endpoint in `only` (all when empty) with `writes` requests
/// for each write, using phone numbers from `+8490` + `series`… so that runs
/// on one database never share a citizen.
pub fn prepare(host: &Host, writes: usize, only: &[&str], series: u32) -> Vec<Endpoint> {
    let wanted = |name: &str| only.is_empty() || only.contains(&name);
    let phone = |set: u32, i: usize| format!("+8490{}{set}{i:05}", series % 10);
    let mut out = Vec::new();

    // One citizen with a full vault: papers pushed by an agency, a share link.
    let citizen = login(host, &phone(9, 0));
    let key = issuer_key(
        host,
        &json!({"code": format!("bench-{series}"), "name": "Sở Tư pháp"}),
    );
    let mut doc_ids = Vec::new();
    for n in 0..20 {
        let pushed = host.post_json_auth(
            "/api/v1/issuer/documents",
            &key,
            &json!({
                "citizen": {"phone": phone(9, 0)},
                "type": "birth_certificate",
                "title": format!("Giấy khai sinh {n}"),
                "content_base64": base64::engine::general_purpose::STANDARD
                    .encode(crate::vault::pdf(&format!("bench-{n}"))),
                "content_type": "application/pdf",
                "issued_at": "1990-05-20",
                "external_id": format!("BENCH-{series}-{n}"),
            }),
        );
        assert_eq!(pushed.status, 201, "{}", pushed.text());
        doc_ids.push(pushed.json()["id"].as_str().unwrap().to_owned());
    }
    let content_path = format!("/api/v1/documents/{}/content", doc_ids[0]);
    let etag = host
        .get_auth(&content_path, &citizen)
        .header("etag")
        .unwrap();
    let shared = host.post_json_auth(
        &format!("/api/v1/documents/{}/shares", doc_ids[0]),
        &citizen,
        &json!({"purpose": "Khám bệnh"}),
    );
    assert_eq!(shared.status, 201, "{}", shared.text());
    let share_url = shared.json()["url"].as_str().unwrap().to_owned();
    let share_path = share_url[share_url.find("/api/").unwrap()..].to_owned();

    if wanted("login start") {
        let calls = (0..writes)
            .map(|i| {
                let body = json!({"phone": phone(1, i), "channel": "sms", "client": "web"});
                let mut c = Call::post_json("/api/v1/auth/otp", None, &body, 202);
                let network = format!("10.{}.{}.{}", series % 250, i / 250 % 250, i % 250 + 1);
                c.headers.push(("x-forwarded-for", network));
                c
            })
            .collect();
        out.push(Endpoint {
            name: "login start",
            calls,
        });
    }
    if wanted("login verify") {
        // Citizens who have an account, as most logins are.
        let calls = in_parallel(writes, |i| {
            let p = phone(2, i);
            login(host, &p);
            let started = host.post_json(
                "/api/v1/auth/otp",
                &json!({"phone": p, "channel": "sms", "client": "web"}),
            );
            assert_eq!(started.status, 202, "{}", started.text());
            let challenge = started.json()["challenge_id"].as_str().unwrap().to_owned();
            let body = json!({"challenge_id": challenge, "code": outbox_code(host, &p)});
            Call::post_json("/api/v1/auth/verify", None, &body, 200)
        });
        out.push(Endpoint {
            name: "login verify",
            calls,
        });
    }
    let reads = [
        ("GET /me", Call::get("/api/v1/me".into(), Some(&citizen))),
        (
            "document list",
            Call::get("/api/v1/documents".into(), Some(&citizen)),
        ),
        ("document content (304)", {
            let mut c = Call::get(content_path, Some(&citizen));
            c.headers.push(("if-none-match", etag));
            c.expect = 304;
            c
        }),
    ];
    for (name, call) in reads {
        if wanted(name) {
            out.push(Endpoint {
                name,
                calls: vec![call],
            });
        }
    }

    if wanted("slot list") || wanted("booking") {
        let service_code = format!("bench-kham-{series}");
        let slots = open_slots(host, &service_code, &phone(8, 0), writes);
        if wanted("slot list") {
            out.push(Endpoint {
                name: "slot list",
                calls: vec![Call::get(
                    format!(
                        "/api/v1/appointments/slots?service={service_code}&from={}",
                        local_date(1)
                    ),
                    None,
                )],
            });
        }
        if wanted("booking") {
            let calls = in_parallel(writes, |i| {
                let token = login(host, &phone(3, i));
                let body = json!({"slot_id": slots[i % slots.len()]});
                let mut c = Call::post_json("/api/v1/appointments", Some(&token), &body, 201);
                c.headers
                    .push(("idempotency-key", format!("bench-{series}-{i}")));
                c
            });
            out.push(Endpoint {
                name: "booking",
                calls,
            });
        }
    }

    if wanted("public feedback list") {
        unit(
            host,
            &format!("bench-tnmt-{series}"),
            "Sở Tài nguyên và Môi trường",
        );
        crate::admin::category(
            host,
            &format!("bench-env-{series}"),
            "Môi trường",
            &format!("bench-tnmt-{series}"),
        );
        for n in 0..30 {
            let r = host.post_json(
                "/api/v1/feedback",
                &json!({
                    "category": format!("bench-env-{series}"),
                    "title": format!("Rác thải ùn ứ trên vỉa hè {n}"),
                    "content": "Rác không được thu gom ba ngày nay, bốc mùi hôi.",
                    "location": {"lat": 16.067_812, "lng": 108.220_345,
                                 "address": "K45/12 Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"},
                }),
            );
            assert_eq!(r.status, 201, "{}", r.text());
        }
        out.push(Endpoint {
            name: "public feedback list",
            calls: vec![Call::get("/api/v1/feedback".into(), None)],
        });
    }
    if wanted("share verification") {
        out.push(Endpoint {
            name: "share verification",
            calls: vec![Call::get(share_path, None)],
        });
    }
    if wanted("Zalo webhook") {
        let calls = (0..writes)
            .map(|i| {
                let user = format!("{}{i:06}", 7000 + series);
                let (body, ts) = text_event(&user, &format!("bench-{series}-{i}"), "trợ giúp");
                Call {
                    method: Method::POST,
                    path: "/api/v1/zalo/webhook".into(),
                    headers: vec![
                        ("content-type", "application/json".into()),
                        ("x-zevent-signature", sign(&body, &ts, OA_SECRET)),
                    ],
                    body,
                    expect: 200,
                }
            })
            .collect();
        out.push(Endpoint {
            name: "Zalo webhook",
            calls,
        });
    }
    if wanted("health") {
        out.push(Endpoint {
            name: "health",
            calls: vec![Call::get("/api/v1/health".into(), None)],
        });
    }
    out
}

/// A service with at least `seats` seats from tomorrow on; the slot ids.
fn open_slots(host: &Host, code: &str, official_phone: &str, seats: usize) -> Vec<String> {
    let unit_code = format!("{code}-unit");
    unit(host, &unit_code, "Sở Y tế Đà Nẵng");
    service(
        host,
        code,
        "Khám nội tổng quát — Bệnh viện Đà Nẵng",
        "health",
        &unit_code,
        "124 Hải Phòng, Thạch Thang, Hải Châu, Đà Nẵng",
    );
    let official = official_login(host, official_phone, "Cán bộ Sở Y tế", &unit_code);
    // Eight half-hour slots a day for a week, each with room for its share.
    let capacity = seats.div_ceil(56).clamp(1, 1000);
    let schedule = json!({"service_code": code, "date_from": local_date(1), "date_to": local_date(7),
                          "day_start": "08:00", "day_end": "12:00", "interval_minutes": 30,
                          "capacity": capacity});
    let r = host.post_json_auth("/api/v1/appointments/slots", &official, &schedule);
    assert_eq!(r.status, 201, "{}", r.text());
    let listed = host.get(&format!(
        "/api/v1/appointments/slots?service={code}&limit=100&from={}",
        local_date(1)
    ));
    let ids: Vec<String> = listed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 56, "{}", listed.text());
    ids
}

/// `f(0..n)` on a few threads (set-up requests), in index order.
fn in_parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break mine;
                        }
                        mine.push((i, f(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The (SQL, key-value) round trips of one response of a host started with
/// `--count-store-trips`.
pub fn round_trips(resp: &crate::Resp) -> (u32, u32) {
    reported_round_trips(resp)
        .unwrap_or_else(|| panic!("no round-trip headers: start the host with --count-store-trips"))
}

/// [`round_trips`] when the runtime reports them (edge-host with
/// `--count-store-trips`; real Spin never does).
pub fn reported_round_trips(resp: &crate::Resp) -> Option<(u32, u32)> {
    let count = |name: &str| resp.header(name).and_then(|v| v.parse().ok());
    Some((
        count("edge-sql-round-trips")?,
        count("edge-kv-round-trips")?,
    ))
}

/// The Spin variables an app must run with for [`prepare`] to work on it
/// (for `bench-endpoints --base-url`), its Zalo API at `zalo`.
pub fn settings(zalo: &FakeServer) -> Vec<(String, String)> {
    app(zalo).variables()
}
