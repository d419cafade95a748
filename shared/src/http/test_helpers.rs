//! Helpers the http modules' unit tests share.

use std::cell::Cell;

use serde_json::Value;

use crate::ports::Random;

use super::Response;

/// Deterministic "randomness" so generated ids can be asserted.
pub(crate) struct Counter(Cell<u8>);
impl Random for Counter {
    fn fill(&self, buf: &mut [u8]) {
        for b in buf {
            *b = self.0.get();
            self.0.set(self.0.get().wrapping_add(1));
        }
    }
}

pub(crate) fn rng() -> Counter {
    Counter(Cell::new(0))
}

pub(crate) fn body_json(resp: &Response) -> Value {
    serde_json::from_slice(&resp.body).unwrap_or(Value::Null)
}
