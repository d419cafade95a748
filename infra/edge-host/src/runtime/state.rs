//! Per-request store data: the WASI and wasi:http contexts, the resource table
//! and the component's environment. A new one is made for every request.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use super::component::ComponentEnv;
use super::logging::PrefixedOutput;
use super::store_trips::StoreTrips;

/// The `T` of `Store<T>` for one request.
pub struct RequestState {
    /// WASI (clocks, random, the prefixed stdout/stderr).
    pub wasi: WasiCtx,
    /// wasi-http's state.
    pub http: WasiHttpCtx,
    /// The guest's resource handles.
    pub table: ResourceTable,
    /// The outbound allow-list check.
    pub hooks: OutboundHooks,
    /// The component's stores, variables and allow-list.
    pub env: Arc<ComponentEnv>,
    /// The instance's memory limit.
    pub memory: MemoryCap,
    /// The store round trips of this request (runtime/store_trips.rs).
    pub trips: Arc<StoreTrips>,
}

impl RequestState {
    /// `max_memory`: bytes each linear memory of the instance may grow to.
    pub fn new(env: Arc<ComponentEnv>, max_memory: usize, trips: Arc<StoreTrips>) -> Self {
        let mut wasi = WasiCtx::builder();
        wasi.stdout(PrefixedOutput::stdout(&env.id))
            .stderr(PrefixedOutput::stderr(&env.id));
        Self {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: OutboundHooks { env: env.clone() },
            env,
            memory: MemoryCap {
                max: max_memory,
                reached: false,
            },
            trips,
        }
    }
}

/// The per-instance memory limit. Growth past it fails the way the wasm spec
/// allows (`memory.grow` answers -1, so the guest's allocator reports out of
/// memory and a Rust guest aborts); the limiter remembers it happened so the
/// host can say why the request failed.
pub struct MemoryCap {
    max: usize,
    /// A growth was refused because of `max`.
    pub reached: bool,
}

impl wasmtime::ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.reached = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables are bounded by the pooling allocator's slot size.
        Ok(true)
    }
}

impl WasiView for RequestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for RequestState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// Outbound HTTP: only to `allowed_outbound_hosts`, refused otherwise with
/// `HttpRequestDenied`, as Spin refuses it.
pub struct OutboundHooks {
    env: Arc<ComponentEnv>,
}

type SendFuture = Box<
    dyn std::future::Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<wasmtime_wasi_http::WasiBody>,
                Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> SendFuture {
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("https").to_owned();
        let host = uri.host().unwrap_or_default().to_owned();
        let port = uri.port_u16();
        if !self.env.outbound.allows(&scheme, &host, port) {
            eprintln!(
                "[{}] outbound request to {scheme}://{host}{} refused: not in allowed_outbound_hosts",
                self.env.id,
                port.map(|p| format!(":{p}")).unwrap_or_default()
            );
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        // Gateways that hang must not hold a request forever.
        let options = Some(options.unwrap_or_default()).map(|mut o| {
            o.connect_timeout.get_or_insert(Duration::from_secs(10));
            o.first_byte_timeout.get_or_insert(Duration::from_secs(30));
            o.between_bytes_timeout
                .get_or_insert(Duration::from_secs(30));
            o
        });
        Box::new(async move {
            use http_body_util::BodyExt;
            let (res, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                res.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn std::future::Future<Output = _> + Send>,
            ))
        })
    }
}
