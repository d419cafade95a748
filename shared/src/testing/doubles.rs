//! The port doubles every native test shares: a clock that moves only when
//! told, one deterministic randomness source (seeded or scripted), settings
//! from a map, a map-backed KV store and a scripted HTTP client that records
//! what it was asked to send.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use crate::ports::{
    Clock, HttpClient, Kv, OutboundRequest, OutboundResponse, Random, Settings, StoreError,
};

/// A clock that only moves when told to.
pub struct FakeClock(AtomicI64);

impl FakeClock {
    /// A clock showing `now` (Unix seconds).
    pub fn at(now: i64) -> FakeClock {
        FakeClock(AtomicI64::new(now))
    }

    /// Moves the clock `secs` forward (backward when negative).
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }

    /// Sets the clock to `now`.
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The one randomness double: either a seeded SplitMix64 stream (every call
/// differs, every run sees the same bytes; seed it per thread so ids never
/// collide) or scripted 32-bit draws for tests of rejection sampling.
pub struct TestRandom(Mutex<Source>);

enum Source {
    Seeded(u64),
    /// Each `fill` repeats the next draw's little-endian bytes; zeros after.
    Scripted(VecDeque<u32>),
}

impl TestRandom {
    /// A SplitMix64 stream from `seed`.
    pub fn new(seed: u64) -> TestRandom {
        TestRandom(Mutex::new(Source::Seeded(seed)))
    }

    /// Hands out `draws` (one per `fill`, little-endian), then zeros.
    pub fn scripted(draws: &[u32]) -> TestRandom {
        TestRandom(Mutex::new(Source::Scripted(
            draws.iter().copied().collect(),
        )))
    }
}

impl Random for TestRandom {
    fn fill(&self, buf: &mut [u8]) {
        let mut source = self.0.lock().unwrap();
        match &mut *source {
            Source::Seeded(state) => {
                for chunk in buf.chunks_mut(8) {
                    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = *state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    z ^= z >> 31;
                    chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
                }
            }
            Source::Scripted(draws) => {
                let next = draws.pop_front().unwrap_or(0);
                for (i, b) in buf.iter_mut().enumerate() {
                    *b = next.to_le_bytes()[i % 4];
                }
            }
        }
    }
}

/// Settings from a map.
#[derive(Default)]
pub struct MapSettings(HashMap<String, String>);

impl MapSettings {
    /// These settings plus `name` = `value`.
    pub fn with(mut self, name: &str, value: &str) -> MapSettings {
        self.0.insert(name.to_owned(), value.to_owned());
        self
    }
}

impl Settings for MapSettings {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// The KV store as a map.
#[derive(Default)]
pub struct MemKv(pub RefCell<HashMap<String, Vec<u8>>>);

impl Kv for MemKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0.borrow_mut().insert(key.to_owned(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
}

/// A scripted `HttpClient` that records what it was asked to send.
pub struct FakeHttp {
    /// What every request gets back.
    pub answer: Result<OutboundResponse, String>,
    /// Every request sent, in order.
    pub sent: RefCell<Vec<OutboundRequest>>,
}

impl FakeHttp {
    /// Answers every request with `status` and `body`.
    pub fn answering(status: u16, body: &str) -> FakeHttp {
        FakeHttp {
            answer: Ok(OutboundResponse {
                status,
                body: body.as_bytes().to_vec(),
            }),
            sent: RefCell::new(Vec::new()),
        }
    }

    /// Fails every request as a transport error `reason`.
    pub fn failing(reason: &str) -> FakeHttp {
        FakeHttp {
            answer: Err(reason.to_owned()),
            sent: RefCell::new(Vec::new()),
        }
    }

    /// The single request sent, with its body parsed as JSON.
    pub fn only_request(&self) -> (OutboundRequest, serde_json::Value) {
        let sent = self.sent.borrow();
        assert_eq!(sent.len(), 1, "expected exactly one request");
        let req = sent[0].clone();
        let body = serde_json::from_slice(&req.body).unwrap();
        (req, body)
    }
}

impl HttpClient for FakeHttp {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        self.sent.borrow_mut().push(request.clone());
        self.answer.clone()
    }
}
