//! The guest-facing side: `connection.open/query/execute` on a request's
//! resource table, each delegating to [`super::pool`].

use wasmtime::component::Resource;

use super::wit::{self, Error, ParameterValue, RowSet};
use super::PgConnection;
use crate::runtime::state::RequestState;

impl wit::Host for RequestState {}

impl wit::HostConnection for RequestState {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<PgConnection>, Error>> {
        if let Err(e) = super::check_address(&self.env.outbound, &address) {
            // The error names host and port only, never the credentials.
            if let Error::ConnectionFailed(why) = &e {
                eprintln!("[{}] PostgreSQL connection refused: {why}", self.env.id);
            }
            return Ok(Err(e));
        }
        match self.env.pg.open(&address).await {
            Ok(conn) => {
                // A pooled connection was cleaned when released and costs
                // nothing here; a new one is counted apart (store_trips.rs).
                if conn.is_fresh() {
                    self.trips.connect();
                }
                Ok(Ok(self.table.push(conn)?))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    async fn query(
        &mut self,
        this: Resource<PgConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<RowSet, Error>> {
        self.trips.sql();
        let conn = self.table.get_mut(&this)?;
        Ok(conn.query(statement, params).await)
    }

    async fn execute(
        &mut self,
        this: Resource<PgConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<u64, Error>> {
        self.trips.sql();
        let conn = self.table.get_mut(&this)?;
        Ok(conn.execute(statement, params).await)
    }

    async fn drop(&mut self, this: Resource<PgConnection>) -> wasmtime::Result<()> {
        // Returns the client to its pool (recycled before its next use).
        self.table.delete(this)?;
        Ok(())
    }
}
