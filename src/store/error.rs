//! What can go wrong opening the database or carrying out a user action.

use super::db::DbError;
use crate::model::{NoCapacity, ValidationErrors};
use std::path::PathBuf;

/// The database could not be opened; it was left as it was. Each `path` names the database:
/// its file, or (PostgreSQL) its URL without the password.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The PostgreSQL server cannot be reached, refused the login, or has no such database.
    #[error("{message}")]
    Unreachable {
        /// What failed, naming the database (its URL without the password).
        message: String,
    },
    /// The file or its folder cannot be read, created or written.
    #[error("{}: cannot open the database: {source}", .path.display())]
    Io {
        /// The database file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Another pooladmin holds the database.
    #[error("{} is already open in another pooladmin ({holder}); close that one first", .path.display())]
    InUse {
        /// The database file.
        path: PathBuf,
        /// Which process holds it.
        holder: String,
    },
    /// A newer pooladmin wrote this database.
    #[error(
        "{} was written by a newer pooladmin (schema version {found}; this pooladmin knows up to {known}); open it with a newer pooladmin",
        .path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The file is not an SQLite database, or is damaged.
    #[error("{} is not a pooladmin database or is damaged: {source}", .path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What the database said.
        source: DbError,
    },
    /// SQLite could only open the file read-only.
    #[error("{} is read-only; pooladmin needs to write to it", .path.display())]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// The copy taken before an upgrade failed, so the upgrade was not attempted.
    #[error("{}: could not take a backup before upgrading it, so it was left as it is: {source}", .path.display())]
    Backup {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// Setting up or upgrading the schema failed.
    #[error("{}: setting up the database failed: {message}", .path.display())]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The key that seals secrets could not be read or created.
    #[error("{}: the key that seals secrets cannot be used: {message}", .path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// A user action was refused or failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// One or more fields are invalid.
    #[error("{0}")]
    Invalid(#[from] ValidationErrors),
    /// The action would break a rule (deleting a pool that still has members, …).
    #[error("{0}")]
    Refused(String),
    /// The row is gone (deleted meanwhile).
    #[error("{what} #{id} no longer exists")]
    NotFound {
        /// What kind of row.
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// A session found no member with room.
    #[error("{0}")]
    NoCapacity(#[from] NoCapacity),
    /// A sealed secret could not be opened (the key file was replaced?).
    #[error(
        "a stored secret could not be unsealed; was the key file beside the database replaced?"
    )]
    Unseal,
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] DbError),
}

impl StoreError {
    /// `Ok` when a statement changed a row; otherwise the row is gone.
    pub(super) fn unless_missing(
        changed: usize,
        what: &'static str,
        id: i64,
    ) -> Result<(), StoreError> {
        if changed == 0 {
            Err(StoreError::NotFound { what, id })
        } else {
            Ok(())
        }
    }

    /// The message for one form field, when the error is about that field.
    pub fn field_errors(&self) -> Option<&ValidationErrors> {
        match self {
            Self::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}
