//! Where a pooladmin's state lives: an SQLite file on this machine (the default, demos) or a
//! PostgreSQL database a whole deployment shares.

use super::db::postgres::{PgUrl, is_postgres_url};
use std::fmt;
use std::path::{Path, PathBuf};

/// A database, as `--db` or `POOLADMIN_DATABASE_URL` named it.
#[derive(Clone, Debug)]
pub enum Database {
    /// An SQLite file.
    File(PathBuf),
    /// A PostgreSQL database.
    Postgres(PgUrl),
}

impl Database {
    /// A `postgres://` URL, or else a file path.
    pub fn parse(text: &str) -> Result<Self, String> {
        if is_postgres_url(text) {
            PgUrl::parse(text).map(Self::Postgres)
        } else {
            Ok(Self::File(PathBuf::from(text)))
        }
    }

    /// The file, for an SQLite database.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::File(path) => Some(path),
            Self::Postgres(_) => None,
        }
    }
}

/// The file's path, or the URL without its password.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => write!(f, "{url}"),
        }
    }
}
