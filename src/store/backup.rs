//! Copies of the database: before every upgrade, and on the administrator's request.

use rusqlite::Connection;
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
    conn.execute("VACUUM INTO ?1", [dest.to_string_lossy()])?;
    Ok(())
}
