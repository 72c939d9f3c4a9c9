//! Opening a PostgreSQL database: connect, migrate under the schema lock, and check the
//! sealing key against the database's check value. Which node runs the scaler is the
//! lease's business (`store/lease.rs`), not the opening's: every node opens alike.

use super::db::postgres::{PgUrl, connect};
use super::db::{Conn, DbError};
use super::postgres_schema::{Migrated, migrate};
use super::{Database, KeySource, OpenError, Store, key_source, migrations};
use std::path::PathBuf;

/// The advisory lock the scaler of a pooladmin from before several nodes (schema 14) holds
/// for as long as it runs: a database such a scaler runs on is not migrated under it.
pub(super) const SCALER_LOCK: i64 = 0x706f_6f6c_0000_0002;

fn unreachable(message: String) -> OpenError {
    OpenError::Unreachable { message }
}

/// This machine's name, as the environment or the system says it.
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this machine".to_owned())
}

/// How this process names itself to the server (`pg_stat_activity.application_name`).
fn application_name(role: &str) -> String {
    let host = host_name();
    // The server keeps 63 bytes of it.
    let mut name = format!("pooladmin {role}, pid {} on {host}", std::process::id());
    name.truncate(63);
    name
}

impl Store {
    pub(super) fn open_postgres(
        url: &PgUrl,
        source: &KeySource,
        runs_scaler: bool,
    ) -> Result<Self, OpenError> {
        let database = Database::Postgres(url.clone());
        let failed = |e: DbError| OpenError::Corrupt {
            path: PathBuf::from(url.to_string()),
            source: e,
        };
        let role = if runs_scaler { "scaler" } else { "command" };
        let mut conn = Conn::postgres(connect(url, &application_name(role)).map_err(unreachable)?);
        match migrate(&mut conn, SCALER_LOCK).map_err(|e| OpenError::Migrate {
            path: PathBuf::from(url.to_string()),
            message: e.to_string(),
        })? {
            Migrated::Current => {}
            Migrated::TooNew(found) => {
                return Err(OpenError::TooNew {
                    path: PathBuf::from(url.to_string()),
                    found,
                    known: migrations::LATEST_VERSION,
                });
            }
            Migrated::HeldAt(found) => {
                return Err(OpenError::Migrate {
                    path: PathBuf::from(url.to_string()),
                    message: format!(
                        "a scaler runs on it and its schema (version {found}) is not this \
                         build's ({}); stop that scaler first",
                        migrations::LATEST_VERSION
                    ),
                });
            }
        }
        let (sealer, key_location) = key_source::sealer_for(&conn, &database, source)?;
        let installation_id = conn
            .query_row("SELECT uuid FROM installation WHERE id = 1", (), |r| {
                r.get(0)
            })
            .map_err(failed)?;
        Ok(Self {
            conn,
            database,
            sealer,
            key_location,
            installation_id,
            lock: None,
        })
    }
}

/// Another connection to the PostgreSQL database at `url`, for a sibling store.
pub(super) fn sibling_conn(url: &PgUrl) -> Result<Conn, OpenError> {
    connect(url, &application_name("connection"))
        .map(Conn::postgres)
        .map_err(unreachable)
}
