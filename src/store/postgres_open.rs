//! Opening a PostgreSQL database: connect, migrate under the schema lock, take the scaler's
//! advisory lock when this process runs the scaler, and check the sealing key against the
//! database's check value.

use super::db::postgres::{PgConn, PgUrl, connect};
use super::db::{Conn, DbError};
use super::lock::ScalerLock;
use super::postgres_schema::{Migrated, migrate};
use super::{Database, KeySource, OpenError, Store, key_source, migrations};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The advisory lock the scaler's session holds: one scaler per database until several
/// nodes are supported.
pub(super) const SCALER_LOCK: i64 = 0x706f_6f6c_0000_0002;

fn unreachable(message: String) -> OpenError {
    OpenError::Unreachable { message }
}

/// How this process names itself to the server (`pg_stat_activity.application_name`).
fn application_name(role: &str) -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this machine".to_owned());
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
        let lock = if runs_scaler {
            let held = Box::new(Mutex::new(scaler_lock(url)?));
            Some(Arc::new(ScalerLock::Postgres(held)))
        } else {
            None
        };
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
            lock,
        })
    }
}

/// Another connection to the PostgreSQL database at `url`, for a sibling store.
pub(super) fn sibling_conn(url: &PgUrl) -> Result<Conn, OpenError> {
    connect(url, &application_name("connection"))
        .map(Conn::postgres)
        .map_err(unreachable)
}

/// A connection whose session holds [`SCALER_LOCK`], or the refusal naming the holder.
fn scaler_lock(url: &PgUrl) -> Result<PgConn, OpenError> {
    let conn = Conn::postgres(connect(url, &application_name("scaler")).map_err(unreachable)?);
    let failed = |e: DbError| unreachable(format!("{url}: {e}"));
    let taken: bool = conn
        .query_row("SELECT pg_try_advisory_lock(?1)", [SCALER_LOCK], |r| {
            r.get(0)
        })
        .map_err(failed)?;
    if !taken {
        let holder: Option<String> = conn
            .query_row(
                "SELECT a.application_name || coalesce(' from ' || host(a.client_addr), '')
                   FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                  WHERE l.locktype = 'advisory' AND l.granted
                    AND l.classid::bigint = ?1 AND l.objid::bigint = ?2
                    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  LIMIT 1",
                [SCALER_LOCK >> 32, SCALER_LOCK & 0xffff_ffff],
                |r| r.get(0),
            )
            .ok();
        return Err(OpenError::InUse {
            path: PathBuf::from(url.to_string()),
            holder: holder.unwrap_or_else(|| "another pooladmin".to_owned()),
        });
    }
    conn.into_postgres()
        .ok_or_else(|| unreachable(format!("{url}: not a PostgreSQL connection")))
}
