//! `spin:postgres/postgres@4.0.0`, the PostgreSQL interface spin-sdk 5.2's
//! `pg4` module imports, provided as Spin's factor-outbound-pg provides it: a
//! pool per address ([`pool`]), the address checked against the component's
//! `allowed_outbound_hosts` as `postgres://host:port` (default port 5432),
//! values converted type for type ([`values`]) and errors mapped the same way
//! (a PostgreSQL error keeps its SQLSTATE in `db-error.code`).

// The interface's own error type is large (a db-error carries its fields);
// it is what the guest receives, so it is returned as it is, as Spin does.
#![allow(clippy::result_large_err)]

mod host;
pub mod pool;
pub mod values;

pub use pool::{PgConnection, PgPools, Timeouts};

/// The interface's types, as the guest sees them.
pub use crate::runtime::spin_host::bindings::spin::postgres::postgres as wit;

use crate::runtime::outbound::AllowedHosts;
use wit::Error;

/// Whether `address` may be opened under `allowed`, checked host by host as
/// Spin checks it: every TCP host with its port (the one at its index, or the
/// only one given, else 5432) must be allowed for scheme `postgres`.
pub fn check_address(allowed: &AllowedHosts, address: &str) -> Result<(), Error> {
    let config: tokio_postgres::Config = address
        .parse()
        .map_err(|e: tokio_postgres::Error| Error::ConnectionFailed(e.to_string()))?;
    let ports = config.get_ports();
    for (i, host) in config.get_hosts().iter().enumerate() {
        match host {
            tokio_postgres::config::Host::Tcp(name) => {
                let port = ports
                    .get(i)
                    .or_else(|| (ports.len() == 1).then(|| ports.first()).flatten())
                    .copied();
                if !allowed.allows("postgres", name, port) {
                    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                    return Err(Error::ConnectionFailed(format!(
                        "address postgres://{name}{port} is not permitted"
                    )));
                }
            }
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(_) => {
                return Err(Error::ConnectionFailed(
                    "Unix sockets are not supported on WebAssembly".into(),
                ));
            }
        }
    }
    Ok(())
}
