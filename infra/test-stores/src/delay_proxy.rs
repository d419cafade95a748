//! A TCP proxy on loopback that adds a fixed delay to every byte, both ways:
//! put between edge-host and PostgreSQL, it makes the database look like it is
//! in another building, so a benchmark shows what each store round trip costs
//! at the edge (docs/performance.md). Test and benchmark use only.
//!
//! Each direction of a connection has a reader that stamps every chunk with
//! the time it may leave and a writer that holds it until then, so pipelined
//! bytes keep their spacing and the added round-trip time is the chosen delay
//! (half on the way there, half on the way back), not a delay per chunk.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// A running proxy; it stops accepting when dropped (open connections end
/// when either side closes).
pub struct DelayProxy {
    addr: SocketAddr,
    stopped: Arc<AtomicBool>,
}

impl DelayProxy {
    /// Listens on a free loopback port and forwards every connection to
    /// `target`, adding `rtt` to each round trip.
    pub fn start(target: SocketAddr, rtt: Duration) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stopped = Arc::new(AtomicBool::new(false));
        let stop = stopped.clone();
        std::thread::Builder::new()
            .name("delay-proxy".into())
            .spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    // A refused upstream closes the client, as the server would.
                    if let Ok(server) = TcpStream::connect(target) {
                        splice(client, server, rtt / 2);
                    }
                }
            })?;
        Ok(Self { addr, stopped })
    }

    /// `127.0.0.1:PORT`, where to connect instead of the target.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Forwards both directions of one connection, each delayed by `one_way`.
fn splice(client: TcpStream, server: TcpStream, one_way: Duration) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let pairs = [
        (client.try_clone(), server.try_clone()),
        (server.try_clone(), client.try_clone()),
    ];
    for pair in pairs {
        if let (Ok(from), Ok(to)) = pair {
            pump(from, to, one_way);
        }
    }
}

/// Copies `from` to `to`, each chunk held until `one_way` after it arrived.
fn pump(mut from: TcpStream, mut to: TcpStream, one_way: Duration) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + one_way, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        // Dropping `tx` tells the writer the stream ended.
    });
    std::thread::spawn(move || {
        for (due, chunk) in rx {
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if to.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
        let _ = reader.join();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo server: every byte it receives, it sends back.
    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut write = conn.try_clone().unwrap();
                    let mut read = conn;
                    let _ = std::io::copy(&mut read, &mut write);
                });
            }
        });
        addr
    }

    fn round_trip(addr: SocketAddr, payload: &[u8]) -> (Vec<u8>, Duration) {
        let mut conn = TcpStream::connect(addr).unwrap();
        conn.set_nodelay(true).unwrap();
        let started = Instant::now();
        conn.write_all(payload).unwrap();
        let mut back = vec![0u8; payload.len()];
        conn.read_exact(&mut back).unwrap();
        (back, started.elapsed())
    }

    #[test]
    fn bytes_arrive_intact_and_no_sooner_than_the_added_round_trip() {
        let echo = echo_server();
        let proxy = DelayProxy::start(echo, Duration::from_millis(40)).unwrap();
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (back, took) = round_trip(proxy.addr(), &payload);
        assert_eq!(back, payload, "the proxy changed or lost bytes");
        // A lower bound only: the delay is a floor the proxy guarantees;
        // how much slower a loaded machine is says nothing about the proxy.
        assert!(took >= Duration::from_millis(40), "took {took:?}");
    }

    #[test]
    fn a_refused_upstream_closes_the_client() {
        let unused = TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = unused.local_addr().unwrap();
        drop(unused);
        let proxy = DelayProxy::start(dead, Duration::from_millis(1)).unwrap();
        let mut conn = TcpStream::connect(proxy.addr()).unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(conn.read(&mut buf).unwrap_or(0), 0);
    }
}
