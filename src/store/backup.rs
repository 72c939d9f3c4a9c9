//! Copies of the database: before every upgrade, and on the administrator's request. Like
//! the database itself, they are readable by their owner only.

use rusqlite::Connection;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// Where the copy taken before upgrading from schema `version` goes: beside the database.
pub fn backup_path(db: &Path, version: i64) -> PathBuf {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
    let mut name = db.as_os_str().to_owned();
    name.push(format!(".v{version}-{stamp}.bak"));
    PathBuf::from(name)
}

/// `VACUUM INTO`: a consistent, compact copy, taken without writing to the source.
pub fn vacuum_into(conn: &Connection, dest: &Path) -> rusqlite::Result<()> {
    // SQLite would create the copy with the process's default mode; an empty file made
    // owner-only first is one `VACUUM INTO` accepts and keeps.
    create_owner_only(dest).map_err(|e| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("cannot create {}: {e}", dest.display())),
        )
    })?;
    conn.execute("VACUUM INTO ?1", [dest.to_string_lossy()])?;
    Ok(())
}

/// Creates `path` empty, readable and writable by its owner only; an existing file is an
/// error (nothing is overwritten). SQLite then takes an empty file for a new database, and
/// makes its WAL and shared-memory files with the database file's mode.
pub(super) fn create_owner_only(path: &Path) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}
