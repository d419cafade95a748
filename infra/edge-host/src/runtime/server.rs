//! The HTTP front: accepts connections, routes each request to its component,
//! and runs it in a fresh instance with Spin's request headers.

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
use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::WasiHttpView;

use super::component::ComponentEnv;
use super::engine::REQUEST_DEADLINE_TICKS;
use super::state::RequestState;

type Body = UnsyncBoxBody<Bytes, wasmtime_wasi_http::Error>;

/// Maps a request path to the component that serves it.
pub trait Routes: Send + Sync {
    /// The component id for `path` and the Spin headers to give it.
    fn resolve(&self, path: &str, full_url: &str, client_addr: SocketAddr) -> Option<(String, Vec<(String, String)>)>;
}

/// One servable component.
pub struct Served {
    pub pre: Arc<ProxyPre<RequestState>>,
    pub env: Arc<ComponentEnv>,
}

/// A ready-to-serve application.
pub struct App {
    pub routes: Box<dyn Routes>,
    pub components: HashMap<String, Served>,
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

async fn handle(app: Arc<App>, mut req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let path_and_query = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned();
    let full_url = format!("http://{host}{path_and_query}");
    let Some((component, spin_headers)) = app.routes.resolve(req.uri().path(), &full_url, peer) else {
        return plain(StatusCode::NOT_FOUND, "Not Found");
    };
    let Some(served) = app.components.get(&component) else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };

    // Clients must not be able to forge the routing headers.
    let forged: Vec<HeaderName> =
        req.headers().keys().filter(|k| k.as_str().starts_with("spin-")).cloned().collect();
    for name in forged {
        req.headers_mut().remove(name);
    }
    for (name, value) in spin_headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            req.headers_mut().insert(n, v);
        }
    }
    if req.uri().authority().is_none() {
        if let Ok(uri) = full_url.parse() {
            *req.uri_mut() = uri;
        }
    }

    match run_component(served, req).await {
        Ok(resp) => resp,
        Err(e) => {
            eprintln!("[{component}] request failed: {e:#}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

async fn run_component(served: &Served, req: Request<Incoming>) -> anyhow::Result<Response<Body>> {
    let mut store = Store::new(served.pre.engine(), RequestState::new(served.env.clone()));
    store.set_epoch_deadline(REQUEST_DEADLINE_TICKS);
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let req = store.data_mut().http().new_incoming_request(Scheme::Http, req)?;
    let out = store.data_mut().http().new_response_outparam(sender)?;
    let pre = served.pre.clone();

    // The guest may keep streaming the body after it has sent the headers, so
    // it runs in its own task.
    let task = tokio::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy.wasi_http_incoming_handler().call_handle(&mut store, req, out).await
    });

    match receiver.await {
        Ok(Ok(resp)) => Ok(resp),
        Ok(Err(code)) => anyhow::bail!("guest answered with an error: {code:?}"),
        Err(_) => {
            let e = match task.await {
                Ok(Ok(())) => anyhow::anyhow!("guest never set a response"),
                Ok(Err(e)) => e.into(),
                Err(e) => e.into(),
            };
            Err(e)
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut resp = Response::new(
        Full::new(Bytes::from_static(text.as_bytes())).map_err(|never| match never {}).boxed_unsync(),
    );
    *resp.status_mut() = status;
    resp
}
