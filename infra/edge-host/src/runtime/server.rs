//! The HTTP front: accepts connections, routes each request to its component,
//! receives its body within the limits, and runs it in a fresh instance with
//! Spin's request headers, bounded in wall-clock time and memory, while at most
//! `max_concurrent_requests` run at once (docs/runtime.md).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::{Store, UpdateDeadline};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::WasiHttpView;

use super::body::{self, Received};
use super::component::ComponentEnv;
use super::state::RequestState;
use super::store_trips::{self, StoreTrips};
use crate::host_error::{self, HostError, Lang};
use crate::limits::{Limits, OVERLOADED_RETRY_AFTER_SECS};

type Body = UnsyncBoxBody<Bytes, wasmtime_wasi_http::Error>;

/// Maps a request path to the component that serves it.
pub trait Routes: Send + Sync {
    /// The component id for `path` and the Spin headers to give it.
    fn resolve(
        &self,
        path: &str,
        full_url: &str,
        client_addr: SocketAddr,
    ) -> Option<(String, Vec<(String, String)>)>;
}

/// One servable component.
pub struct Served {
    /// The component, compiled and linked, ready to instantiate per request.
    pub pre: Arc<ProxyPre<RequestState>>,
    /// What it may use: stores, variables, outbound hosts.
    pub env: Arc<ComponentEnv>,
}

/// A ready-to-serve application.
pub struct App {
    /// Which component serves a path.
    pub routes: Box<dyn Routes>,
    /// Component id → the component.
    pub components: HashMap<String, Served>,
    /// The per-request bounds.
    pub limits: Limits,
    /// One permit per request running in a guest, shared by every thread.
    pub slots: Arc<Semaphore>,
    /// Report each response's store round trips in headers
    /// (runtime/store_trips.rs); off unless `up --count-store-trips`.
    pub count_store_trips: bool,
}

impl App {
    /// An app with one request slot per allowed concurrent request.
    pub fn new(
        routes: Box<dyn Routes>,
        components: HashMap<String, Served>,
        limits: Limits,
    ) -> Self {
        let slots = Arc::new(Semaphore::new(limits.max_concurrent_requests as usize));
        Self {
            routes,
            components,
            limits,
            slots,
            count_store_trips: false,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // HTTP/1.1 only: the auto builder reads ahead on every connection to
    // detect an HTTP/2 preface, and nothing here speaks cleartext HTTP/2. The
    // timer makes hyper drop a client that takes over 30 s to send its headers.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(hyper_util::rt::TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Running out of file descriptors is transient; keep serving.
                    eprintln!("edge-host: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req| {
            let app = app.clone();
            async move { Ok::<_, std::convert::Infallible>(handle(app, req, peer).await) }
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(std::time::Duration::from_secs(10)) => {
            eprintln!("edge-host: gave up waiting for open connections");
        }
    }
    Ok(())
}

/// Who asked, for the answers the host makes itself.
struct Asker {
    lang: Lang,
    request_id: String,
}

impl Asker {
    fn of(headers: &hyper::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        Self {
            lang: Lang::from_accept_language(text("accept-language")),
            request_id: host_error::request_id(text("x-request-id")),
        }
    }

    /// The host's own answer, in the docs/api.md shape.
    fn answer(&self, error: HostError) -> Response<Body> {
        let json = error.to_json(self.lang).to_string();
        let mut resp = Response::new(
            Full::new(Bytes::from(json))
                .map_err(|never| match never {})
                .boxed_unsync(),
        );
        *resp.status_mut() =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = resp.headers_mut();
        headers.insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Ok(id) = HeaderValue::from_str(&self.request_id) {
            headers.insert("x-request-id", id);
        }
        if let Some(secs) = error.retry_after() {
            headers.insert(hyper::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

async fn handle(app: Arc<App>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let asker = Asker::of(req.headers());
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_owned();
    let full_url = format!("http://{host}{path_and_query}");
    let Some((component, spin_headers)) = app.routes.resolve(req.uri().path(), &full_url, peer)
    else {
        return asker.answer(HostError::NotFound);
    };
    let Some(served) = app.components.get(&component) else {
        return asker.answer(HostError::Internal);
    };

    // The body is received whole before an instance is taken, within the size
    // and time limits: a slow or oversized upload costs a connection and a
    // bounded buffer, never a slot that other requests (health) need.
    let limits = &app.limits;
    let too_large = HostError::PayloadTooLarge {
        limit: limits.max_body_bytes,
    };
    let allowance = body::drain_allowance(limits.max_body_bytes);
    let (mut parts, incoming) = req.into_parts();
    let declared = body::declared_length(&parts.headers);
    if declared.is_some_and(|n| n > limits.max_body_bytes) {
        // Refused on the headers alone. A client waiting for `100 Continue`
        // sends nothing, and one declaring far more than we would read is cut
        // off; one already sending a body we can afford to read is read to the
        // end, so it sees this answer rather than a reset connection.
        let expects_continue = parts.headers.contains_key(hyper::header::EXPECT);
        if expects_continue || declared.is_some_and(|n| n - limits.max_body_bytes > allowance) {
            return closing(asker.answer(too_large));
        }
        tokio::spawn(body::drain(incoming, allowance, limits.body_timeout));
        return asker.answer(too_large);
    }
    let bytes = match body::receive(
        incoming,
        declared,
        limits.max_body_bytes,
        limits.body_timeout,
    )
    .await
    {
        Received::Complete(bytes) => bytes,
        Received::Refused(error, Some(rest)) => {
            // The counted bytes went over the limit while the client is still
            // sending: read on in the background so it sees the 413.
            tokio::spawn(body::drain(rest, allowance, limits.body_timeout));
            return asker.answer(error);
        }
        Received::Refused(error, None) => return closing(asker.answer(error)),
    };
    let Ok(permit) = app.slots.clone().try_acquire_owned() else {
        eprintln!(
            "[{component}] refused: all {} request slots busy",
            limits.max_concurrent_requests
        );
        return asker.answer(HostError::Overloaded {
            retry_after: OVERLOADED_RETRY_AFTER_SECS,
        });
    };

    // Clients must not be able to forge the routing headers.
    let forged: Vec<HeaderName> = parts
        .headers
        .keys()
        .filter(|k| k.as_str().starts_with("spin-"))
        .cloned()
        .collect();
    for name in forged {
        parts.headers.remove(name);
    }
    for (name, value) in spin_headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            parts.headers.insert(n, v);
        }
    }
    if parts.uri.authority().is_none() {
        if let Ok(uri) = full_url.parse() {
            parts.uri = uri;
        }
    }
    let req = Request::from_parts(parts, Full::new(bytes));

    let trips = Arc::new(StoreTrips::default());
    match run_component(&component, served, req, permit, limits, trips.clone()).await {
        Ok(mut resp) => {
            if app.count_store_trips {
                // The counts when the guest sent its headers: spin-sdk
                // components finish their store work before they answer.
                let (sql, kv) = trips.counts();
                let headers = resp.headers_mut();
                headers.insert(store_trips::SQL_HEADER, HeaderValue::from(sql));
                headers.insert(store_trips::KV_HEADER, HeaderValue::from(kv));
                headers.insert(
                    store_trips::CONNECT_HEADER,
                    HeaderValue::from(trips.connects()),
                );
            }
            resp
        }
        Err(Failure::TimedOut) => asker.answer(HostError::Timeout),
        Err(Failure::Failed) => asker.answer(HostError::Internal),
    }
}

/// Asks hyper to close the connection after this answer.
fn closing(mut resp: Response<Body>) -> Response<Body> {
    resp.headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// Why a guest gave no response (the details are in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    TimedOut,
    Failed,
}

/// The error a guest is stopped with at its wall-clock deadline.
#[derive(Debug)]
struct DeadlinePassed;

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request ran past its wall-clock limit")
    }
}

impl std::error::Error for DeadlinePassed {}

async fn run_component(
    id: &str,
    served: &Served,
    req: Request<Full<Bytes>>,
    permit: OwnedSemaphorePermit,
    limits: &Limits,
    trips: Arc<StoreTrips>,
) -> Result<Response<Body>, Failure> {
    let req = req.map(|b| {
        b.map_err(|never: std::convert::Infallible| -> wasmtime_wasi_http::Error { match never {} })
    });
    let max_memory = usize::try_from(limits.max_instance_memory).unwrap_or(usize::MAX);
    let mut store = Store::new(
        served.pre.engine(),
        RequestState::new(served.env.clone(), max_memory, trips),
    );
    store.limiter(|state| &mut state.memory);
    // One wall-clock deadline covers guest code and host calls alike. Guest
    // code is interrupted at epoch ticks: it yields to the other requests of
    // its thread at every tick and traps at the first tick past the deadline
    // (a guest spinning in a loop would otherwise never let the timer below
    // run). Host calls (outbound HTTP, SQL, KV) are awaited, so the timer
    // bounds them.
    let deadline = std::time::Instant::now() + limits.request_timeout;
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| {
        if std::time::Instant::now() >= deadline {
            Err(DeadlinePassed.into())
        } else {
            Ok(UpdateDeadline::Yield(1))
        }
    });
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let prepared: wasmtime::Result<_> = (|| {
        let req = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, req)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        Ok((req, out))
    })();
    let (req, out) = match prepared {
        Ok(v) => v,
        Err(e) => {
            eprintln!("[{id}] request failed: {e:#}");
            return Err(Failure::Failed);
        }
    };
    let pre = served.pre.clone();
    let id_owned = id.to_owned();
    let timeout = limits.request_timeout;

    // The guest may keep streaming the body after it has sent the headers, so
    // it runs in its own task, which holds the slot until the guest is done.
    let task = tokio::spawn(async move {
        let _permit = permit;
        let guest = async {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, req, out)
                .await
        };
        let outcome = tokio::time::timeout_at(deadline.into(), guest).await;
        let failure = match outcome {
            Ok(Ok(())) => return None,
            Err(_) => {
                eprintln!(
                    "[{id_owned}] request stopped: ran past the {timeout:?} wall-clock limit"
                );
                Failure::TimedOut
            }
            Ok(Err(e)) if e.chain().any(|c| c.is::<DeadlinePassed>()) => {
                eprintln!("[{id_owned}] request stopped: {e:#}");
                Failure::TimedOut
            }
            Ok(Err(e)) => {
                let memory = if store.data().memory.reached {
                    format!(" (the instance reached its memory limit of {max_memory} bytes)")
                } else {
                    String::new()
                };
                eprintln!("[{id_owned}] request failed{memory}: {e:#}");
                Failure::Failed
            }
        };
        Some(failure)
    });

    match receiver.await {
        Ok(Ok(resp)) => Ok(resp),
        Ok(Err(code)) => {
            eprintln!("[{id}] request failed: guest answered with an error: {code:?}");
            Err(Failure::Failed)
        }
        Err(_) => match task.await {
            Ok(Some(failure)) => Err(failure),
            Ok(None) => {
                eprintln!("[{id}] request failed: guest never set a response");
                Err(Failure::Failed)
            }
            Err(e) => {
                eprintln!("[{id}] request failed: {e}");
                Err(Failure::Failed)
            }
        },
    }
}
