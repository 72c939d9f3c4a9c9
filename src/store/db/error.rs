//! What a database call can fail with, on either back end, and what the callers need to
//! know of it: try again, the disk is full, the server went away, or nothing to retry.

use super::value::WrongType;

/// A statement failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite said no.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL (or the connection to it) said no.
    #[error("{}", postgres_words(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// The server could not be reached again after it closed the connection.
    #[error("{0}")]
    Unreachable(String),
    /// A query expected to find one row found none.
    #[error("the query returned no rows")]
    NoRows,
    /// A column did not hold what the code reads from it.
    #[error("column {column}: {problem}")]
    Column {
        /// Its position in the row.
        column: usize,
        /// What was expected and found.
        problem: WrongType,
    },
    /// The crash tests' gate refused a commit (see `Store::refuse_commits_when`).
    #[error("the commit was refused")]
    CommitRefused,
}

/// The server's own message and, where it gave one, its detail, rather than the client's
/// bare "db error".
fn postgres_words(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        // The client's own words ("error connecting to server") and the cause beneath them.
        None => match std::error::Error::source(error) {
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        },
    }
}

/// The SQLSTATE the fencing trigger raises (class PA: pooladmin's own).
pub const FENCED_SQLSTATE: &str = "PA001";

impl DbError {
    /// Another connection held what this one needed: the same work may succeed later.
    pub fn is_busy(&self) -> bool {
        use tokio_postgres::error::SqlState;
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            Self::Postgres(e) => e.code().is_some_and(|code| {
                [
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                    SqlState::LOCK_NOT_AVAILABLE,
                    SqlState::QUERY_CANCELED,
                ]
                .contains(code)
            }),
            _ => false,
        }
    }

    /// The server refused a write of a scaler whose lease another node took (the fencing
    /// trigger's SQLSTATE): this node's scaler must stop at once.
    pub fn is_fenced(&self) -> bool {
        match self {
            Self::Postgres(e) => e.code().is_some_and(|code| code.code() == FENCED_SQLSTATE),
            _ => false,
        }
    }

    /// The database cannot grow.
    pub fn is_disk_full(&self) -> bool {
        use tokio_postgres::error::SqlState;
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::DiskFull
            }
            Self::Postgres(e) => e.code() == Some(&SqlState::DISK_FULL),
            _ => false,
        }
    }

    /// The server cannot be reached or closed the connection: reconnecting may help.
    pub fn is_unreachable(&self) -> bool {
        use tokio_postgres::error::SqlState;
        match self {
            Self::Unreachable(_) => true,
            Self::Postgres(e) => {
                e.is_closed()
                    || e.code().is_some_and(|code| {
                        [
                            SqlState::ADMIN_SHUTDOWN,
                            SqlState::CRASH_SHUTDOWN,
                            SqlState::CANNOT_CONNECT_NOW,
                            SqlState::CONNECTION_FAILURE,
                            SqlState::CONNECTION_EXCEPTION,
                        ]
                        .contains(code)
                    })
                    || (e.code().is_none() && e.as_db_error().is_none())
            }
            _ => false,
        }
    }
}
