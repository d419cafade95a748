//! The HTTP server: hyper on tokio, each request routed by the manifest's
//! routes (edge-host's router, with Spin's `spin-*` headers) and answered by
//! [`cds_shared::component::serve`] on a blocking thread, as a component
//! instance runs one request to completion.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use cds_shared::client_addr::{self, TrustedProxies};
use cds_shared::component::{self, Component};
use cds_shared::http::Request;
use edge_host::router::{full_url, spin_headers, Router};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::runtime::NativeRuntime;

/// Everything the server answers with.
pub struct App {
    /// The manifest's routes.
    pub router: Router,
    /// Each component id's route table and runtime.
    pub components: HashMap<String, (Component, Arc<NativeRuntime>)>,
}

/// Accepts connections on `listener` until the process ends.
pub async fn run(listener: TcpListener, app: Arc<App>) -> anyhow::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(answer(&app, req, peer).await) }
            });
            // A client that hangs up mid-request is its own business.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Reply = hyper::Response<Full<Bytes>>;

async fn answer(app: &App, req: hyper::Request<Incoming>, peer: SocketAddr) -> Reply {
    let (parts, body) = req.into_parts();
    let Some(route) = app.router.route(parts.uri.path()) else {
        return plain(404, "Not Found");
    };
    let Some((component, runtime)) = app.components.get(&route.component_id).cloned() else {
        return plain(500, "component not served by the native baseline");
    };
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return plain(400, "unreadable body"),
    };
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let url = full_url("http", host.as_deref(), &path_and_query);
    // Spin's headers replace any the client sent under those names.
    let added = spin_headers(&route, &url, peer);
    headers.retain(|(name, _)| !added.iter().any(|(n, _)| n == name));
    headers.extend(added);
    let served = tokio::task::spawn_blocking(move || {
        let trusted = TrustedProxies::from_settings(&runtime.variables);
        let client_ip = client_addr::client_ip(&headers, &trusted);
        let req = Request::new(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query().unwrap_or(""),
            headers,
            body,
            client_ip,
        );
        component::serve(runtime.as_ref(), &req, component)
    })
    .await;
    let Ok(resp) = served else {
        return plain(500, "handler panicked");
    };
    let mut reply = hyper::Response::builder().status(resp.status);
    for (name, value) in &resp.headers {
        reply = reply.header(name.as_str(), value.as_str());
    }
    reply
        .body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| plain(500, "bad response header"))
}

fn plain(status: u16, text: &'static str) -> Reply {
    let mut reply = hyper::Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *reply.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    reply
}
