//! Receiving a request body in the host, before any guest runs: bounded in
//! size (declared `Content-Length` and counted bytes, so chunked bodies are
//! bounded too) and in time. A client that trickles its body therefore holds
//! only a connection and a buffer, never an instance slot.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::time::Instant;

use crate::host_error::HostError;

/// Most bytes reserved up front from a declared length: the buffer grows as
/// data arrives, so a `Content-Length` alone costs no memory.
const MAX_PREALLOCATION: usize = 64 << 10;

/// How a body was received, or why not.
pub enum Received {
    /// The whole body.
    Complete(Bytes),
    /// Refused; the remaining body, if any, to be drained (see [`drain`]).
    Refused(HostError, Option<Incoming>),
}

/// The declared `Content-Length` (hyper has already refused a malformed one).
pub fn declared_length(headers: &hyper::HeaderMap) -> Option<u64> {
    headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Bytes of a refused body the host still reads so that the client gets its
/// answer (see [`drain`]): as much as one accepted body, at least 1 MiB.
pub fn drain_allowance(limit: u64) -> u64 {
    limit.max(1 << 20)
}

/// Reads the whole body within `limit` bytes and `timeout`.
pub async fn receive(
    mut body: Incoming,
    declared: Option<u64>,
    limit: u64,
    timeout: Duration,
) -> Received {
    let deadline = Instant::now() + timeout;
    let capacity = declared
        .unwrap_or(0)
        .min(limit)
        .min(MAX_PREALLOCATION as u64);
    let mut buf = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Received::Refused(HostError::BodyTimeout, None),
            Ok(None) => return Received::Complete(buf.freeze()),
            Ok(Some(Err(_))) => return Received::Refused(HostError::BadBody, None),
            Ok(Some(Ok(frame))) => {
                // Trailers carry no body bytes; wasi:http has no use for them here.
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                if (buf.len() as u64).saturating_add(data.len() as u64) > limit {
                    return Received::Refused(HostError::PayloadTooLarge { limit }, Some(body));
                }
                buf.extend_from_slice(&data);
            }
        }
    }
}

/// Reads and discards what remains of a refused body, at most `allowance`
/// bytes and `timeout`, so that a client still sending gets to read the
/// refusal: closing a socket with unread data makes the kernel reset the
/// connection, and the client may lose the answer with it. Past the bounds the
/// body is dropped and the connection closes.
pub async fn drain(mut body: Incoming, allowance: u64, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let mut seen: u64 = 0;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, body.frame()).await {
        if let Some(data) = frame.data_ref() {
            seen = seen.saturating_add(data.len() as u64);
            if seen > allowance {
                return;
            }
        }
    }
}
