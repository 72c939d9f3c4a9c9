//! What the tables read back: a stored record with the counts the screens show beside it,
//! and the conversions between stored values and model types.

use super::db::{DbError, Row, WrongType};
use crate::model::{DockerAgent, Resources, Server, Session};
use jiff::Timestamp;

/// A server and the sessions it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerRow {
    /// The server.
    pub server: Server,
    /// Sessions running on it.
    pub sessions: u32,
}

/// A docker agent, its sessions and what they use.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentRow {
    /// The agent.
    pub agent: DockerAgent,
    /// Sessions running on it.
    pub sessions: u32,
    /// What those sessions use.
    pub used: Resources,
}

impl AgentRow {
    /// Capacity minus use.
    pub fn free(&self) -> Resources {
        self.agent.spec.capacity().minus(&self.used)
    }
}

/// A session with the names the Sessions page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    /// The session.
    pub session: Session,
    /// Its pool's name.
    pub pool_name: String,
    /// Its server's friendly name or agent's hostname.
    pub host_name: String,
}

/// Milliseconds since the epoch, as stored.
pub fn to_millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// Reads a stored timestamp.
pub fn timestamp(row: &Row<'_>, idx: usize) -> Result<Timestamp, DbError> {
    let ms: i64 = row.get(idx)?;
    Timestamp::from_millisecond(ms).map_err(|_| unreadable(idx, "a timestamp", ms))
}

/// A column whose value cannot be what it should.
pub fn unreadable(idx: usize, wanted: &'static str, found: impl ToString) -> DbError {
    DbError::Column {
        column: idx,
        problem: WrongType {
            wanted,
            found: found.to_string(),
        },
    }
}

/// Reads a stored timestamp that may be missing (NULL).
pub fn optional_timestamp(row: &Row<'_>, idx: usize) -> Result<Option<Timestamp>, DbError> {
    match row.get::<Option<i64>>(idx)? {
        Some(_) => timestamp(row, idx).map(Some),
        None => Ok(None),
    }
}

/// Reads a stored enum spelling through `parse`.
pub fn parsed<T>(
    row: &Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, DbError> {
    let text: String = row.get(idx)?;
    parse(&text).ok_or_else(|| unreadable(idx, "a known spelling", format!("'{text}'")))
}

/// Reads a count that cannot be negative.
pub fn count(row: &Row<'_>, idx: usize) -> Result<u32, DbError> {
    let n: i64 = row.get(idx)?;
    u32::try_from(n).map_err(|_| unreadable(idx, "a count", n))
}
