//! How values are written to and read from columns, the same on both backends under sqlx's `Any`
//! driver: times as UTC microseconds, ids as text, enums as their wire spelling, structured
//! values as JSON text, and SQLite's integer booleans.

use chrono::{DateTime, TimeZone, Utc};
use paylinks_api::WireEnum;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

pub fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(us: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(us).single().unwrap_or_default()
}

/// JSON text of a structured column (ids, line items, metadata, a payment).
pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

fn decode_err(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

pub fn from_text<T: DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(&row.try_get::<String, _>(column)?).map_err(decode_err)
}

pub fn enum_col<T: WireEnum>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    T::parse(&text).ok_or_else(|| sqlx::Error::Decode(format!("unknown value {text:?} in {column}").into()))
}

pub fn uuid_col(row: &AnyRow, column: &str) -> Result<Option<Uuid>, sqlx::Error> {
    row.try_get::<Option<String>, _>(column)?.map(|s| s.parse().map_err(decode_err)).transpose()
}

pub fn micros_col(row: &AnyRow, column: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    Ok(from_micros(row.try_get(column)?))
}

/// SQLite has no boolean type under the `Any` driver: its booleans come back as integers.
pub fn bool_col(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    row.try_get::<bool, _>(column).or_else(|_| row.try_get::<i64, _>(column).map(|v| v != 0))
}

/// A value to bind to a dynamically built query.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
    Bool(bool),
}

pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

pub fn bind_all<'q>(mut query: AnyQuery<'q>, binds: &[Bind]) -> AnyQuery<'q> {
    for bind in binds {
        query = match bind {
            Bind::Text(s) => query.bind(s.clone()),
            Bind::Int(i) => query.bind(*i),
            Bind::Bool(b) => query.bind(*b),
        };
    }
    query
}
