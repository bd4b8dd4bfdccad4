//! The portable values that cross the storage boundary: integers, text, bytes and NULL.
//!
//! Both backends bind and decode through these, so one SQL text serves both. Money and
//! quantities are integers, dates and timestamps are ISO text, ids are UUID text, flags are
//! 0/1 integers; floats do not exist here on purpose.

use time::{Date, OffsetDateTime};

use crate::clock::{format_date, format_timestamp, parse_date, parse_timestamp};
use crate::id::Uuid;
use crate::money::{Quantity, UnitPrice};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot decode column: {0}")]
    Decode(String),
    #[error("column {0} out of range")]
    Column(usize),
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Postgres(#[from] postgres::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("{0}")]
    Other(String),
}

/// Anything that can be bound as a parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// Anything that can be read from a column.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self, DbError>;
}

fn mismatch(expected: &str, value: &Value) -> DbError {
    DbError::Decode(format!("expected {expected}, found {value:?}"))
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ToValue for i32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl ToValue for Uuid {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for Quantity {
    fn to_value(&self) -> Value {
        Value::Int(self.scaled())
    }
}

impl ToValue for UnitPrice {
    fn to_value(&self) -> Value {
        Value::Int(self.scaled())
    }
}

impl ToValue for OffsetDateTime {
    fn to_value(&self) -> Value {
        Value::Text(format_timestamp(*self))
    }
}

impl ToValue for Date {
    fn to_value(&self) -> Value {
        Value::Text(format_date(*self))
    }
}

impl ToValue for serde_json::Value {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        Ok(value.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        match value {
            Value::Int(v) => Ok(*v),
            other => Err(mismatch("integer", other)),
        }
    }
}

impl FromValue for i32 {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        let wide = i64::from_value(value)?;
        i32::try_from(wide).map_err(|_| DbError::Decode(format!("{wide} does not fit in i32")))
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        let wide = i64::from_value(value)?;
        u32::try_from(wide).map_err(|_| DbError::Decode(format!("{wide} does not fit in u32")))
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        Ok(i64::from_value(value)? != 0)
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        match value {
            Value::Text(v) => Ok(v.clone()),
            other => Err(mismatch("text", other)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        match value {
            Value::Blob(v) => Ok(v.clone()),
            other => Err(mismatch("bytes", other)),
        }
    }
}

impl FromValue for Uuid {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        let text = String::from_value(value)?;
        Uuid::parse_str(&text).map_err(|e| DbError::Decode(e.to_string()))
    }
}

impl FromValue for Quantity {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        i64::from_value(value).map(Quantity::from_scaled)
    }
}

impl FromValue for UnitPrice {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        i64::from_value(value).map(UnitPrice::from_scaled)
    }
}

impl FromValue for OffsetDateTime {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        let text = String::from_value(value)?;
        parse_timestamp(&text).map_err(|e| DbError::Decode(e.to_string()))
    }
}

impl FromValue for Date {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        let text = String::from_value(value)?;
        parse_date(&text).map_err(|e| DbError::Decode(e.to_string()))
    }
}

impl FromValue for serde_json::Value {
    fn from_value(value: &Value) -> Result<Self, DbError> {
        let text = String::from_value(value)?;
        serde_json::from_str(&text).map_err(|e| DbError::Decode(e.to_string()))
    }
}

/// One result row; columns are read by position, in the order of the `select`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    pub fn new(values: Vec<Value>) -> Row {
        Row { values }
    }

    pub fn get<T: FromValue>(&self, index: usize) -> crate::Result<T> {
        let value = self.values.get(index).ok_or(DbError::Column(index)).map_err(crate::Error::internal)?;
        T::from_value(value).map_err(crate::Error::internal)
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
