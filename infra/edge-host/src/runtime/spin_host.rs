//! Host side of `fermyon:spin/{key-value,sqlite,variables}@2.0.0`, the
//! interfaces spin-sdk 5.2 imports (its `spin:postgres@4.0.0` is bound here
//! too and implemented in runtime/postgres). SQLite calls run on tokio's blocking pool
//! so a statement waiting on a lock never stalls other requests; key-value
//! calls go to the label's store (runtime/kv), local or Redis.

use wasmtime::component::{HasSelf, Linker, Resource};

use super::kv::KvStore;
use super::pool::{read, SqlitePool};
use super::sql::{self, Value};
use super::state::RequestState;

/// The generated types and traits of every interface in wit/world.wit.
#[allow(missing_docs)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "edge:host/spin-imports",
        imports: { default: async | trappable },
        additional_derives: [PartialEq],
        with: {
            "fermyon:spin/key-value.store": crate::runtime::kv::KvStore,
            "fermyon:spin/sqlite.connection": super::SqlConnection,
            "spin:postgres/postgres.connection": crate::runtime::postgres::PgConnection,
        },
    });
}

use bindings::fermyon::spin::{key_value, sqlite, variables};

/// An open SQL connection handle as the guest sees it: the pool of its label.
pub struct SqlConnection(std::sync::Arc<SqlitePool>);

/// Adds the Spin interfaces to a linker.
pub fn add_to_linker(linker: &mut Linker<RequestState>) -> wasmtime::Result<()> {
    bindings::SpinImports::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)
}

impl key_value::Host for RequestState {}

impl key_value::HostStore for RequestState {
    async fn open(
        &mut self,
        label: String,
    ) -> wasmtime::Result<Result<Resource<KvStore>, key_value::Error>> {
        let Some(store) = self.env.kv.get(&label).cloned() else {
            return Ok(Err(key_value::Error::AccessDenied));
        };
        Ok(Ok(self.table.push(store)?))
    }

    async fn get(
        &mut self,
        this: Resource<KvStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, key_value::Error>> {
        let store = self.table.get(&this)?.clone();
        self.trips.kv();
        Ok(store.get(key).await.map_err(key_value::Error::Other))
    }

    async fn set(
        &mut self,
        this: Resource<KvStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), key_value::Error>> {
        let store = self.table.get(&this)?.clone();
        self.trips.kv();
        Ok(store.set(key, value).await.map_err(key_value::Error::Other))
    }

    async fn delete(
        &mut self,
        this: Resource<KvStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), key_value::Error>> {
        let store = self.table.get(&this)?.clone();
        self.trips.kv();
        Ok(store.delete(key).await.map_err(key_value::Error::Other))
    }

    async fn exists(
        &mut self,
        this: Resource<KvStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, key_value::Error>> {
        let store = self.table.get(&this)?.clone();
        self.trips.kv();
        Ok(store.exists(key).await.map_err(key_value::Error::Other))
    }

    async fn get_keys(
        &mut self,
        this: Resource<KvStore>,
    ) -> wasmtime::Result<Result<Vec<String>, key_value::Error>> {
        let store = self.table.get(&this)?.clone();
        self.trips.kv();
        Ok(store.get_keys().await.map_err(key_value::Error::Other))
    }

    async fn drop(&mut self, this: Resource<KvStore>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl sqlite::Host for RequestState {}

impl sqlite::HostConnection for RequestState {
    async fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<SqlConnection>, sqlite::Error>> {
        let Some(pool) = self.env.sql.get(&database).cloned() else {
            return Ok(Err(sqlite::Error::AccessDenied));
        };
        Ok(Ok(self.table.push(SqlConnection(pool))?))
    }

    async fn execute(
        &mut self,
        this: Resource<SqlConnection>,
        statement: String,
        parameters: Vec<sqlite::Value>,
    ) -> wasmtime::Result<Result<sqlite::QueryResult, sqlite::Error>> {
        let pool = self.table.get(&this)?.0.clone();
        self.trips.sql();
        let params: Vec<Value> = parameters.into_iter().map(from_wit).collect();
        super::statement_log::record(&statement, &params);
        let now = sql::try_read_now(&pool, &statement, &params);
        let result = read(now, move || sql::execute(&pool, &statement, &params)).await;
        Ok(result
            .map_err(sqlite::Error::Io)
            .map(|out| sqlite::QueryResult {
                columns: out.columns,
                rows: out
                    .rows
                    .into_iter()
                    .map(|r| sqlite::RowResult {
                        values: r.into_iter().map(to_wit).collect(),
                    })
                    .collect(),
            }))
    }

    async fn drop(&mut self, this: Resource<SqlConnection>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

fn from_wit(v: sqlite::Value) -> Value {
    match v {
        sqlite::Value::Integer(i) => Value::Integer(i),
        sqlite::Value::Real(r) => Value::Real(r),
        sqlite::Value::Text(t) => Value::Text(t),
        sqlite::Value::Blob(b) => Value::Blob(b),
        sqlite::Value::Null => Value::Null,
    }
}

fn to_wit(v: Value) -> sqlite::Value {
    match v {
        Value::Integer(i) => sqlite::Value::Integer(i),
        Value::Real(r) => sqlite::Value::Real(r),
        Value::Text(t) => sqlite::Value::Text(t),
        Value::Blob(b) => sqlite::Value::Blob(b),
        Value::Null => sqlite::Value::Null,
    }
}

impl variables::Host for RequestState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Ok(Err(variables::Error::InvalidName(name)));
        }
        Ok(self
            .env
            .variables
            .get(&name)
            .cloned()
            .ok_or(variables::Error::Undefined(name)))
    }
}
