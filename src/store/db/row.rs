//! One row of a result, read the same way from either back end.

use super::error::DbError;
use super::value::{FromValue, Value};

/// A row: its columns by position.
pub struct Row<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a tokio_postgres::Row),
}

impl<'a> Row<'a> {
    pub(super) fn sqlite(row: &'a rusqlite::Row<'a>) -> Self {
        Self {
            inner: Inner::Sqlite(row),
        }
    }

    pub(super) fn postgres(row: &'a tokio_postgres::Row) -> Self {
        Self {
            inner: Inner::Postgres(row),
        }
    }

    /// Column `idx` (from 0) as `T`.
    pub fn get<T: FromValue>(&self, idx: usize) -> Result<T, DbError> {
        let value = match &self.inner {
            Inner::Sqlite(row) => Value::from(row.get_ref(idx)?),
            Inner::Postgres(row) => row.try_get::<_, Value>(idx)?,
        };
        T::from_value(value).map_err(|problem| DbError::Column {
            column: idx,
            problem,
        })
    }
}
