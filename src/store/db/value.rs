//! The values that cross the store's seam: what a statement is given and what a row holds,
//! the same on SQLite and PostgreSQL, so each query is written once.

use std::fmt;

/// One value of a parameter or a column.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A whole number (SQLite INTEGER; PostgreSQL smallint, integer or bigint).
    Integer(i64),
    /// A floating-point number (REAL; double precision or numeric).
    Real(f64),
    /// Text (TEXT; text, citext or jsonb).
    Text(String),
    /// Bytes (BLOB; bytea).
    Blob(Vec<u8>),
    /// A truth value (SQLite stores it as 0 or 1; PostgreSQL boolean).
    Bool(bool),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Integer(_) => "an integer",
            Self::Real(_) => "a real number",
            Self::Text(_) => "text",
            Self::Blob(_) => "bytes",
            Self::Bool(_) => "a boolean",
        }
    }
}

/// What a statement parameter is made from.
pub trait ToValue {
    /// The value bound for it.
    fn to_value(&self) -> Value;
}

macro_rules! integer_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Integer(i64::from(*self))
            }
        }
    )*};
}
integer_to_value!(i64, i32, u32, u16, u8, i16);

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for f32 {
    fn to_value(&self) -> Value {
        Value::Real(f64::from(*self))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
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

impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

/// Why a column could not be read as the type asked for.
#[derive(Debug)]
pub struct WrongType {
    /// What the code asked for.
    pub wanted: &'static str,
    /// What the column held.
    pub found: String,
}

impl fmt::Display for WrongType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, found {}", self.wanted, self.found)
    }
}

impl WrongType {
    fn of(wanted: &'static str, value: &Value) -> Self {
        Self {
            wanted,
            found: value.kind().to_owned(),
        }
    }
}

/// What a column is read into.
pub trait FromValue: Sized {
    /// The column's value as this type.
    fn from_value(value: Value) -> Result<Self, WrongType>;
}

impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        match value {
            Value::Integer(n) => Ok(n),
            Value::Bool(b) => Ok(i64::from(b)),
            // PostgreSQL's sum() of integers is numeric; a whole one reads as an integer.
            Value::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(x as i64),
            other => Err(WrongType::of("an integer", &other)),
        }
    }
}

macro_rules! narrow_integer_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, WrongType> {
                let wide = i64::from_value(value)?;
                <$t>::try_from(wide).map_err(|_| WrongType {
                    wanted: concat!("a ", stringify!($t)),
                    found: format!("{wide}"),
                })
            }
        }
    )*};
}
narrow_integer_from_value!(i32, u32, u16, u8, u64, usize, i16);

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        match value {
            Value::Real(x) => Ok(x),
            Value::Integer(n) => Ok(n as f64),
            other => Err(WrongType::of("a real number", &other)),
        }
    }
}

impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        f64::from_value(value).map(|x| x as f32)
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        match value {
            Value::Bool(b) => Ok(b),
            Value::Integer(n) => Ok(n != 0),
            other => Err(WrongType::of("a boolean", &other)),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        match value {
            Value::Text(s) => Ok(s),
            other => Err(WrongType::of("text", &other)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        match value {
            Value::Blob(b) => Ok(b),
            other => Err(WrongType::of("bytes", &other)),
        }
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        Ok(value)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, WrongType> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null => ValueRef::Null,
            Self::Integer(n) => ValueRef::Integer(*n),
            Self::Real(x) => ValueRef::Real(*x),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Blob(b) => ValueRef::Blob(b),
            Self::Bool(b) => ValueRef::Integer(i64::from(*b)),
        }))
    }
}

impl From<rusqlite::types::ValueRef<'_>> for Value {
    fn from(value: rusqlite::types::ValueRef<'_>) -> Self {
        use rusqlite::types::ValueRef;
        match value {
            ValueRef::Null => Self::Null,
            ValueRef::Integer(n) => Self::Integer(n),
            ValueRef::Real(x) => Self::Real(x),
            ValueRef::Text(t) => Self::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Self::Blob(b.to_vec()),
        }
    }
}
