//! The wasmtime engine: configured once, compiling each component once (and
//! caching the machine code on disk), then pre-instantiating it so a request
//! only pays for a cheap instantiation from the pooling allocator.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use super::state::RequestState;
use crate::limits::Limits;

/// How often the epoch ticks. A running guest yields to its thread's other
/// requests at every tick and is stopped at the first tick past its
/// wall-clock deadline (see `server::run_component`).
pub const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Bytes of each linear memory kept mapped between requests: a Rust
/// component's stack, data and the heap of a typical request fit in it.
const LINEAR_MEMORY_KEEP_RESIDENT: usize = 4 << 20;

/// Builds the engine. `cache_dir` keeps compiled code across restarts; the
/// instance pool holds one slot per allowed concurrent request, each memory
/// slot the size of the per-instance memory limit.
pub fn new_engine(cache_dir: Option<&Path>, limits: &Limits) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);

    let mut pool = PoolingAllocationConfig::default();
    // One slot per request the server lets run at once (it answers 503 past
    // that), so instantiation never fails for want of a slot. Each instance of
    // a Rust wasip2 component uses a handful of core instances, one memory and
    // a few tables.
    let slots = limits.max_concurrent_requests;
    pool.total_component_instances(slots);
    pool.total_core_instances(slots.saturating_mul(6));
    pool.total_memories(slots);
    pool.total_tables(slots.saturating_mul(4));
    pool.total_stacks(slots);
    // The store's limiter (state::MemoryCap) refuses growth past the limit
    // first and records it; the slot size is the hard backstop.
    let max_memory = usize::try_from(limits.max_instance_memory).unwrap_or(usize::MAX);
    pool.max_memory_size(max_memory);
    pool.max_component_instance_size(1 << 20);
    pool.max_core_instance_size(1 << 20);
    pool.max_memories_per_component(4);
    pool.max_tables_per_component(16);
    // Resetting a slot with madvise makes the next request fault its pages back
    // in, and every fault that breaks copy-on-write flushes the TLB of every
    // core. Where the kernel has the PAGEMAP_SCAN ioctl (Linux 6.7+), wasmtime
    // instead finds the pages a request dirtied and restores just those, so a
    // slot's memory stays mapped between requests (docs/performance.md).
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes);
        pool.linear_memory_keep_resident(LINEAR_MEMORY_KEEP_RESIDENT.min(max_memory));
    }
    // A small table is cheaper to memset than to madvise.
    pool.table_keep_resident(64 << 10);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));

    if let Some(dir) = cache_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating cache dir {}", dir.display()))?;
        let mut cache_config = wasmtime::CacheConfig::new();
        cache_config.with_directory(dir);
        config.cache(Some(wasmtime::Cache::new(cache_config)?));
    }
    let engine = Engine::new(&config)?;

    // Epoch ticker: lets a runaway guest be interrupted at its deadline.
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        })?;
    Ok(engine)
}

/// The linker with everything a spin-sdk 5.2 component imports.
pub fn new_linker(engine: &Engine) -> anyhow::Result<Linker<RequestState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    super::spin_host::add_to_linker(&mut linker)?;
    Ok(linker)
}

/// Compiles (or loads from cache) and pre-instantiates one component.
pub fn prepare(
    engine: &Engine,
    linker: &Linker<RequestState>,
    id: &str,
    wasm_path: &Path,
) -> anyhow::Result<Arc<ProxyPre<RequestState>>> {
    let bytes = std::fs::read(wasm_path).with_context(|| {
        format!(
            "component `{id}`: cannot read {} (run `edge-host build` first)",
            wasm_path.display()
        )
    })?;
    let component = Component::new(engine, &bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "component `{id}`: {} is not a valid component",
                wasm_path.display()
            )
        })?;
    let pre = linker
        .instantiate_pre(&component)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!("component `{id}`: imports something this host does not provide")
        })?;
    let proxy = ProxyPre::new(pre)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("component `{id}`: does not export wasi:http/incoming-handler"))?;
    Ok(Arc::new(proxy))
}
