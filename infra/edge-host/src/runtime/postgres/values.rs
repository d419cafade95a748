//! Value conversion between `spin:postgres/postgres@4.0.0` and tokio-postgres,
//! type for type as Spin's factor-outbound-pg converts them, so a guest sees
//! the same values (and the same refusals) on edge-host as on Spin.
//!
//! Parameters bind with the Rust type their case names, and tokio-postgres
//! checks it against the type PostgreSQL inferred for the placeholder: an
//! `int64` binds only to `INT8`, a `str` only to text types, and a mismatch is
//! a query error. `db-null` binds to any type. Result columns convert by their
//! PostgreSQL type; a type the interface has no case for comes back as
//! `unsupported` with PostgreSQL's binary encoding.

use anyhow::{anyhow, Context as _};
use bytes::{Buf as _, BufMut as _, BytesMut};
use postgres_range::{BoundSided, BoundType, Normalizable, Range, RangeBound};
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use tokio_postgres::Row;

use super::wit::{Column, DbDataType, DbValue, Interval, ParameterValue, RangeBoundKind};

type SqlError = Box<dyn std::error::Error + Sync + Send>;

/// A parameter ready to bind.
pub type SqlParam = Box<dyn ToSql + Send + Sync>;

/// Converts every parameter, failing on the first that is not a valid value
/// of its type (a malformed UUID, decimal, JSON, date...).
pub fn to_sql_params(params: &[ParameterValue]) -> anyhow::Result<Vec<SqlParam>> {
    params.iter().map(to_sql_param).collect()
}

fn to_sql_param(value: &ParameterValue) -> anyhow::Result<SqlParam> {
    use ParameterValue as P;
    Ok(match value {
        P::Boolean(v) => Box::new(*v),
        P::Int8(v) => Box::new(*v),
        P::Int16(v) => Box::new(*v),
        P::Int32(v) => Box::new(*v),
        P::Int64(v) => Box::new(*v),
        P::Floating32(v) => Box::new(*v),
        P::Floating64(v) => Box::new(*v),
        P::Str(v) => Box::new(v.clone()),
        P::Binary(v) => Box::new(v.clone()),
        P::Date(v) => Box::new(date_to_pg(*v)?),
        P::Time(v) => Box::new(time_to_pg(*v)?),
        P::Datetime(v) => Box::new(datetime_to_pg(*v)?),
        P::Timestamp(v) => Box::new(
            chrono::DateTime::<chrono::Utc>::from_timestamp(*v, 0)
                .ok_or_else(|| anyhow!("invalid epoch timestamp {v}"))?,
        ),
        P::Uuid(v) => {
            Box::new(uuid::Uuid::parse_str(v).with_context(|| format!("invalid UUID {v}"))?)
        }
        P::Jsonb(v) => Box::new(
            serde_json::from_slice::<serde_json::Value>(v)
                .with_context(|| format!("invalid JSON {}", String::from_utf8_lossy(v)))?,
        ),
        P::Decimal(v) => Box::new(decimal(v)?),
        P::RangeInt32((lo, hi)) => Box::new(range_to_pg(*lo, *hi)),
        P::RangeInt64((lo, hi)) => Box::new(range_to_pg(*lo, *hi)),
        P::RangeDecimal((lo, hi)) => {
            let bound = |b: &Option<(String, RangeBoundKind)>| {
                b.as_ref()
                    .map(|(v, k)| Ok::<_, anyhow::Error>((Decimal(decimal(v)?), *k)))
                    .transpose()
            };
            Box::new(range_to_pg(bound(lo)?, bound(hi)?))
        }
        P::ArrayInt32(v) => Box::new(v.clone()),
        P::ArrayInt64(v) => Box::new(v.clone()),
        P::ArrayDecimal(v) => Box::new(
            v.iter()
                .map(|d| d.as_deref().map(decimal).transpose())
                .collect::<anyhow::Result<Vec<_>>>()?,
        ),
        P::ArrayStr(v) => Box::new(v.clone()),
        P::Interval(v) => Box::new(PgInterval(*v)),
        P::DbNull => Box::new(PgNull),
    })
}

fn decimal(v: &str) -> anyhow::Result<rust_decimal::Decimal> {
    rust_decimal::Decimal::from_str_exact(v).with_context(|| format!("invalid decimal {v}"))
}

fn date_to_pg((y, m, d): (i32, u8, u8)) -> anyhow::Result<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(y, m.into(), d.into())
        .ok_or_else(|| anyhow!("invalid date y={y}, m={m}, d={d}"))
}

fn time_to_pg((h, m, s, ns): (u8, u8, u8, u32)) -> anyhow::Result<chrono::NaiveTime> {
    chrono::NaiveTime::from_hms_nano_opt(h.into(), m.into(), s.into(), ns)
        .ok_or_else(|| anyhow!("invalid time {h}:{m}:{s}:{ns}"))
}

fn datetime_to_pg(
    (y, mo, d, h, mi, s, ns): (i32, u8, u8, u8, u8, u8, u32),
) -> anyhow::Result<chrono::NaiveDateTime> {
    Ok(chrono::NaiveDateTime::new(
        date_to_pg((y, mo, d))?,
        time_to_pg((h, mi, s, ns))?,
    ))
}

/// The interface's name for a PostgreSQL type.
pub fn data_type(ty: &Type) -> DbDataType {
    use DbDataType as D;
    match *ty {
        Type::BOOL => D::Boolean,
        Type::BYTEA => D::Binary,
        Type::FLOAT4 => D::Floating32,
        Type::FLOAT8 => D::Floating64,
        Type::INT2 => D::Int16,
        Type::INT4 => D::Int32,
        Type::INT8 => D::Int64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => D::Str,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => D::Datetime,
        Type::DATE => D::Date,
        Type::TIME => D::Time,
        Type::UUID => D::Uuid,
        Type::JSONB => D::Jsonb,
        Type::NUMERIC => D::Decimal,
        Type::INT4_RANGE => D::RangeInt32,
        Type::INT8_RANGE => D::RangeInt64,
        Type::NUM_RANGE => D::RangeDecimal,
        Type::INT4_ARRAY => D::ArrayInt32,
        Type::INT8_ARRAY => D::ArrayInt64,
        Type::NUMERIC_ARRAY => D::ArrayDecimal,
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => D::ArrayStr,
        Type::INTERVAL => D::Interval,
        _ => D::Other(ty.name().to_owned()),
    }
}

/// The columns of a result, named and typed from its first row (Spin sends
/// none for a result without rows, and a guest must not rely on them then).
pub fn columns(row: &Row) -> Vec<Column> {
    row.columns()
        .iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            data_type: data_type(c.type_()),
        })
        .collect()
}

/// Converts one result row.
pub fn row(row: &Row) -> anyhow::Result<Vec<DbValue>> {
    (0..row.len()).map(|i| entry(row, i)).collect()
}

fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    i: usize,
    f: impl FnOnce(T) -> anyhow::Result<DbValue>,
) -> anyhow::Result<DbValue> {
    match row.try_get::<_, Option<T>>(i)? {
        Some(v) => f(v),
        None => Ok(DbValue::DbNull),
    }
}

/// A date and time as the WIT `datetime` tuple (year, month, day, hour,
/// minute, second, nanosecond).
fn datetime(v: &chrono::NaiveDateTime) -> anyhow::Result<DbValue> {
    use chrono::{Datelike as _, Timelike as _};
    let narrow = |n: u32| u8::try_from(n).context("date or time field out of range");
    Ok(DbValue::Datetime((
        v.year(),
        narrow(v.month())?,
        narrow(v.day())?,
        narrow(v.hour())?,
        narrow(v.minute())?,
        narrow(v.second())?,
        v.nanosecond(),
    )))
}

fn entry(r: &Row, i: usize) -> anyhow::Result<DbValue> {
    use chrono::{Datelike as _, Timelike as _};
    use DbValue as V;
    let narrow = |n: u32| u8::try_from(n).context("date or time field out of range");
    let ty = r.columns()[i].type_().clone();
    match ty {
        Type::BOOL => get(r, i, |v| Ok(V::Boolean(v))),
        Type::BYTEA => get(r, i, |v| Ok(V::Binary(v))),
        Type::FLOAT4 => get(r, i, |v| Ok(V::Floating32(v))),
        Type::FLOAT8 => get(r, i, |v| Ok(V::Floating64(v))),
        Type::INT2 => get(r, i, |v| Ok(V::Int16(v))),
        Type::INT4 => get(r, i, |v| Ok(V::Int32(v))),
        Type::INT8 => get(r, i, |v| Ok(V::Int64(v))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => get(r, i, |v| Ok(V::Str(v))),
        Type::TIMESTAMP => get(r, i, |v: chrono::NaiveDateTime| datetime(&v)),
        // Read as the UTC instant, as Spin reads it.
        Type::TIMESTAMPTZ => get(r, i, |v: chrono::DateTime<chrono::Utc>| {
            datetime(&v.naive_utc())
        }),
        Type::DATE => get(r, i, |v: chrono::NaiveDate| {
            Ok(V::Date((v.year(), narrow(v.month())?, narrow(v.day())?)))
        }),
        Type::TIME => get(r, i, |v: chrono::NaiveTime| {
            Ok(V::Time((
                narrow(v.hour())?,
                narrow(v.minute())?,
                narrow(v.second())?,
                v.nanosecond(),
            )))
        }),
        Type::UUID => get(r, i, |v: uuid::Uuid| Ok(V::Uuid(v.to_string()))),
        Type::JSONB => get(r, i, |v: serde_json::Value| {
            Ok(V::Jsonb(
                serde_json::to_vec(&v).context("invalid JSON from database")?,
            ))
        }),
        Type::NUMERIC => get(r, i, |v: rust_decimal::Decimal| {
            Ok(V::Decimal(v.to_string()))
        }),
        Type::INT4_RANGE => get(r, i, |v: Range<i32>| {
            Ok(V::RangeInt32(range_to_wit(&v, |x| *x)))
        }),
        Type::INT8_RANGE => get(r, i, |v: Range<i64>| {
            Ok(V::RangeInt64(range_to_wit(&v, |x| *x)))
        }),
        Type::NUM_RANGE => get(r, i, |v: Range<Decimal>| {
            Ok(V::RangeDecimal(range_to_wit(&v, |d| d.0.to_string())))
        }),
        Type::INT4_ARRAY => get(r, i, |v| Ok(V::ArrayInt32(v))),
        Type::INT8_ARRAY => get(r, i, |v| Ok(V::ArrayInt64(v))),
        Type::NUMERIC_ARRAY => get(r, i, |v: Vec<Option<rust_decimal::Decimal>>| {
            Ok(V::ArrayDecimal(
                v.into_iter().map(|d| d.map(|d| d.to_string())).collect(),
            ))
        }),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => {
            get(r, i, |v| Ok(V::ArrayStr(v)))
        }
        Type::INTERVAL => get(r, i, |v: PgInterval| Ok(V::Interval(v.0))),
        _ => get(r, i, |v: Raw| Ok(V::Unsupported(v.0))),
    }
}

/// Bytes a converted value holds, for the result size limit.
pub fn size_of_value(v: &DbValue) -> usize {
    let heap = match v {
        DbValue::Str(s) | DbValue::Uuid(s) | DbValue::Decimal(s) => s.len(),
        DbValue::Binary(b) | DbValue::Jsonb(b) | DbValue::Unsupported(b) => b.len(),
        DbValue::ArrayInt32(a) => a.len() * 8,
        DbValue::ArrayInt64(a) => a.len() * 16,
        DbValue::ArrayDecimal(a) | DbValue::ArrayStr(a) => a
            .iter()
            .map(|s| std::mem::size_of::<Option<String>>() + s.as_ref().map_or(0, String::len))
            .sum(),
        DbValue::RangeDecimal((lo, hi)) => {
            lo.as_ref().map_or(0, |b| b.0.len()) + hi.as_ref().map_or(0, |b| b.0.len())
        }
        _ => 0,
    };
    std::mem::size_of::<DbValue>() + heap
}

type WitRange<T> = (Option<(T, RangeBoundKind)>, Option<(T, RangeBoundKind)>);

fn range_to_pg<T: Normalizable + PartialOrd>(
    lo: Option<(T, RangeBoundKind)>,
    hi: Option<(T, RangeBoundKind)>,
) -> Range<T> {
    fn kind(k: RangeBoundKind) -> BoundType {
        match k {
            RangeBoundKind::Inclusive => BoundType::Inclusive,
            RangeBoundKind::Exclusive => BoundType::Exclusive,
        }
    }
    Range::new(
        lo.map(|(v, k)| RangeBound::new(v, kind(k))),
        hi.map(|(v, k)| RangeBound::new(v, kind(k))),
    )
}

fn range_to_wit<T: Normalizable + PartialOrd, U>(
    range: &Range<T>,
    value: impl Fn(&T) -> U,
) -> WitRange<U> {
    fn bound<S: BoundSided, T, U>(
        b: &RangeBound<S, T>,
        value: &impl Fn(&T) -> U,
    ) -> (U, RangeBoundKind) {
        let kind = match b.type_ {
            BoundType::Inclusive => RangeBoundKind::Inclusive,
            BoundType::Exclusive => RangeBoundKind::Exclusive,
        };
        (value(&b.value), kind)
    }
    (
        range.lower().map(|b| bound(b, &value)),
        range.upper().map(|b| bound(b, &value)),
    )
}

/// A decimal usable as a range bound (numranges are not normalised).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Decimal(rust_decimal::Decimal);

impl Normalizable for Decimal {
    fn normalize<S: BoundSided>(bound: RangeBound<S, Self>) -> RangeBound<S, Self> {
        bound
    }
}

impl ToSql for Decimal {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, SqlError> {
        self.0.to_sql(ty, out)
    }

    fn accepts(ty: &Type) -> bool {
        <rust_decimal::Decimal as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

impl FromSql<'_> for Decimal {
    fn from_sql(ty: &Type, raw: &[u8]) -> Result<Self, SqlError> {
        rust_decimal::Decimal::from_sql(ty, raw).map(Decimal)
    }

    fn accepts(ty: &Type) -> bool {
        <rust_decimal::Decimal as FromSql>::accepts(ty)
    }
}

/// `interval` in PostgreSQL's binary form: microseconds, days, months.
#[derive(Debug)]
struct PgInterval(Interval);

impl ToSql for PgInterval {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, SqlError> {
        out.put_i64(self.0.micros);
        out.put_i32(self.0.days);
        out.put_i32(self.0.months);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    to_sql_checked!();
}

impl FromSql<'_> for PgInterval {
    fn from_sql(_ty: &Type, mut raw: &[u8]) -> Result<Self, SqlError> {
        if raw.len() != 16 {
            return Err("an interval is 16 bytes".into());
        }
        let micros = raw.get_i64();
        let days = raw.get_i32();
        let months = raw.get_i32();
        Ok(PgInterval(Interval {
            micros,
            days,
            months,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

/// SQL NULL for a placeholder of any type: the guest's `db-null` carries no
/// type, and an `Option<T>::None` would be checked against `T`.
#[derive(Debug)]
struct PgNull;

impl ToSql for PgNull {
    fn to_sql(&self, _ty: &Type, _out: &mut BytesMut) -> Result<IsNull, SqlError> {
        Ok(IsNull::Yes)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn to_sql_checked(&self, _ty: &Type, _out: &mut BytesMut) -> Result<IsNull, SqlError> {
        Ok(IsNull::Yes)
    }
}

/// Any other type, as PostgreSQL's binary encoding of it.
struct Raw(Vec<u8>);

impl FromSql<'_> for Raw {
    fn from_sql(_ty: &Type, raw: &[u8]) -> Result<Self, SqlError> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}
