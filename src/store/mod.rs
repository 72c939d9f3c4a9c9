//! Persistence, the only place that holds SQL: an embedded SQLite file or a PostgreSQL
//! server (`db`), versioned migrations, foreign keys, one transaction per user action,
//! secrets sealed.

mod agent_tokens;
mod agents;
mod api_keys;
mod api_settings;
mod autoscale;
mod backup;
mod bearer;
mod commit_gate;
mod computers;
mod copy;
mod database;
pub mod db;
mod error;
mod events;
mod host_reports;
mod instance_lifetimes;
mod instances;
mod key_source;
mod lease;
mod lock;
mod member_health;
mod members;
pub mod migrations;
mod names;
mod overview;
mod pools;
mod postgres_open;
mod postgres_schema;
mod provider_configs;
mod rows;
mod scaler_state;
mod scaling;
mod sealed_columns;
mod sealed_fields;
mod sealer;
mod servers;
mod session_history;
mod sessions;
mod settings;
mod staging;
mod vm_sightings;
mod zones;

pub use agent_tokens::{HostToken, TokenOwner};
pub use api_keys::{ApiKeyRow, KeyRights, PortalKey};
pub use autoscale::{AutoScaleRow, Choice};
pub use backup::backup_path;
pub use copy::CopyReport;
pub use database::Database;
pub use error::{OpenError, StoreError};
pub use events::EventFilter;
pub use host_reports::ReportReceipt;
pub use instance_lifetimes::InstanceLifetime;
pub use instances::{InstanceChange, InstanceRequest, MemberTemplate};
pub use key_source::{KeyLocation, KeySource};
pub use lease::NodeBeat;
pub use lock::lock_path;
pub use member_health::{DeadMember, MemberCounts};
pub use postgres_open::host_name;
pub use provider_configs::{ConfigRow, SharedConfig};
pub use rows::{AgentRow, ServerRow, SessionRow};
pub use scaling::{ScalingMember, StagedUse};
pub use sealer::{Sealer, key_path};

/// A fresh random salt for a passphrase-derived key.
pub fn sealer_salt() -> [u8; 16] {
    let key = sealer::new_key();
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&key[..16]);
    salt
}
pub use sessions::Placed;

use db::{Conn, DbError};
use lock::DbLock;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long a write waits for another connection (a future scaler task) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The open database of one pooladmin.
#[derive(Debug)]
pub struct Store {
    conn: Conn,
    database: Database,
    sealer: Sealer,
    key_location: KeyLocation,
    installation_id: String,
    // Shared with sibling connections: the lock is released when the last one closes. A
    // command-line connection beside a running pooladmin holds none.
    lock: Option<Arc<DbLock>>,
}

impl Store {
    /// Opens (or creates) the database at `path`: refuses a database held by another
    /// pooladmin or written by a newer one, backs up an older one before upgrading it, and
    /// leaves the file untouched whenever it refuses.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        Self::open_with_key(path, &KeySource::KeyFile)
    }

    /// Opens the database like [`Store::open`], sealing secrets with the key from `source`.
    /// A key other than the one the database was first used with is refused.
    pub fn open_with_key(path: &Path, source: &KeySource) -> Result<Self, OpenError> {
        let lock = DbLock::acquire_waiting(path)?;
        Self::open_locked(path, source, Some(lock))
    }

    /// Opens `database` for a process that runs the scaler (the window, `headless`): an
    /// SQLite file as [`Store::open_with_key`] does (a second scaler is refused), a
    /// PostgreSQL database with its schema migrated (its nodes elect the one that scales).
    pub fn open_database(database: &Database, source: &KeySource) -> Result<Self, OpenError> {
        match database {
            Database::File(path) => Self::open_with_key(path, source),
            Database::Postgres(url) => Self::open_postgres(url, source, true),
        }
    }

    /// Opens `database` for an administrator's command, beside a running scaler: see
    /// [`Store::open_for_command`].
    pub fn open_database_for_command(
        database: &Database,
        source: &KeySource,
    ) -> Result<Self, OpenError> {
        match database {
            Database::File(path) => Self::open_for_command(path, source),
            Database::Postgres(url) => Self::open_postgres(url, source, false),
        }
    }

    /// Opens the database for an administrator's command (`api-key`, `export`) even while a
    /// window or `headless` holds it: the lock keeps one *scaler* per database, not the
    /// command line out. Beside a running pooladmin nothing is migrated: a database that is
    /// not at this build's schema is refused. The lock is held only while the database is
    /// opened (and migrated), so a pooladmin starting meanwhile waits a moment instead of
    /// being refused.
    pub fn open_for_command(path: &Path, source: &KeySource) -> Result<Self, OpenError> {
        match DbLock::acquire(path) {
            Ok(lock) => {
                let mut store = Self::open_locked(path, source, Some(lock))?;
                store.lock = None;
                Ok(store)
            }
            Err(OpenError::InUse { .. }) => Self::open_locked(path, source, None),
            Err(e) => Err(e),
        }
    }

    fn open_locked(
        path: &Path,
        source: &KeySource,
        lock: Option<DbLock>,
    ) -> Result<Self, OpenError> {
        let path = path.to_path_buf();
        let database = Database::File(path.clone());
        let corrupt = |source: rusqlite::Error| OpenError::Corrupt {
            path: path.clone(),
            source: source.into(),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if !path.exists() {
            // Best effort (a race with another creator is fine): SQLite opens the empty file
            // as a new database, and an error here shows again, better worded, at the open.
            let _ = backup::create_owner_only(&path);
        }
        let mut conn =
            Connection::open_with_flags(&path, flags).map_err(|source| OpenError::Io {
                path: path.clone(),
                source: std::io::Error::other(source.to_string()),
            })?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            return Err(OpenError::ReadOnly { path });
        }
        // Reading the header proves the file is an SQLite database before anything is written.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(corrupt)?;
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(corrupt)?;
        if version > migrations::LATEST_VERSION {
            return Err(OpenError::TooNew {
                path,
                found: version,
                known: migrations::LATEST_VERSION,
            });
        }
        if lock.is_none() && version != migrations::LATEST_VERSION {
            return Err(OpenError::Migrate {
                path,
                message: format!(
                    "another pooladmin holds it and its schema (version {version}) is not this build's ({}); close that pooladmin first",
                    migrations::LATEST_VERSION
                ),
            });
        }
        if version > 0 && version < migrations::LATEST_VERSION {
            let backup = backup_path(&path, version);
            backup::vacuum_into(&conn, &backup).map_err(|source| OpenError::Backup {
                path: path.clone(),
                source,
            })?;
            tracing::info!(backup = %backup.display(), "backed up the database before upgrading it");
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(corrupt)?;
        configure(&conn).map_err(corrupt)?;
        migrations::migrations()
            .to_latest(&mut conn)
            .map_err(|e| OpenError::Migrate {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let corrupt = |source: DbError| OpenError::Corrupt {
            path: path.clone(),
            source,
        };
        let mut conn = Conn::sqlite(conn).map_err(corrupt)?;
        let (sealer, key_location) = key_source::sealer_for(&conn, &database, source)?;
        if sealed_columns::rebinding_due(&conn).map_err(corrupt)? {
            if lock.is_none() {
                return Err(OpenError::Migrate {
                    path: path.clone(),
                    message: "its secrets wait to be re-sealed by the pooladmin that holds it; \
                              close that pooladmin and start again"
                        .to_owned(),
                });
            }
            let (rebound, unopened) =
                sealed_columns::bind_to_places(&mut conn, &sealer).map_err(corrupt)?;
            if rebound > 0 {
                tracing::info!(rebound, "bound the stored secrets to their places");
            }
            if unopened > 0 {
                tracing::warn!(
                    unopened,
                    "stored secrets that did not open were left as they are"
                );
            }
        }
        let installation_id = conn
            .query_row("SELECT uuid FROM installation WHERE id = 1", [], |r| {
                r.get(0)
            })
            .map_err(corrupt)?;
        Ok(Self {
            conn,
            database,
            sealer,
            key_location,
            installation_id,
            lock: lock.map(Arc::new),
        })
    }

    /// Lets this connection's database grow to at most `pages` pages (SQLite's
    /// `max_page_count`), never below its size now: past it, writes fail as on a full disk.
    /// The tests of what a full disk does use it.
    pub fn limit_growth(&mut self, pages: i64) -> Result<i64, StoreError> {
        let conn = self.sqlite()?;
        Ok(conn
            .pragma_update_and_check(None, "max_page_count", pages, |r| r.get(0))
            .map_err(DbError::from)?)
    }

    /// A second connection to the same database with the same key, for the scaler's
    /// background task: WAL lets it write while the window reads.
    pub fn sibling(&self) -> Result<Self, OpenError> {
        let mut conn = match &self.database {
            Database::File(path) => sqlite_sibling(path)?,
            Database::Postgres(url) => postgres_open::sibling_conn(url)?,
        };
        conn.share_writes_with(&self.conn);
        Ok(self.with_conn(conn))
    }

    /// This store's database, key and lock over another connection.
    fn with_conn(&self, conn: Conn) -> Self {
        Self {
            conn,
            database: self.database.clone(),
            sealer: self.sealer.clone(),
            key_location: self.key_location.clone(),
            installation_id: self.installation_id.clone(),
            lock: self.lock.clone(),
        }
    }

    /// Where the database is: its file, or its URL (without the password).
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Where the key that seals this database's secrets lives.
    pub fn key_location(&self) -> &KeyLocation {
        &self.key_location
    }

    /// The id that marks this installation's instances in the clouds.
    pub fn installation_id(&self) -> &str {
        &self.installation_id
    }

    /// Runs `actions` as one transaction: everything they write is kept, or nothing. A
    /// write transaction from the start (see [`Conn::write_transaction`]): what they read
    /// cannot change before they write.
    pub fn atomically<T>(
        &mut self,
        actions: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let depth = self.conn.begin_writing()?;
        match actions(self) {
            Ok(value) => {
                self.conn.end(depth, true)?;
                Ok(value)
            }
            Err(e) => {
                // The rollback cannot fail short of a broken connection; the error to report
                // is the one that caused it.
                let _ = self.conn.end(depth, false);
                Err(e)
            }
        }
    }

    /// Writes a consistent copy of the database to `dest` (which must not exist yet).
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Refused(format!(
                "{} already exists; choose a new file name",
                dest.display()
            )));
        }
        Ok(backup::vacuum_into(self.sqlite()?, dest).map_err(DbError::from)?)
    }

    /// A number that changes whenever another connection (the scaler, the demo's users)
    /// commits, so the window knows when to read again.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        match self.conn.as_postgres() {
            // Counted as the server announces writes: no round trip per frame.
            Some(conn) => Ok(conn.changes()?.seen()),
            None => Ok(self
                .conn
                .query_row("PRAGMA data_version", [], |r| r.get(0))?),
        }
    }

    /// On PostgreSQL, the signal of writes made by other processes (another node's API, an
    /// administrator's window, `import`), for the scaler to wake on; none on SQLite.
    pub fn changes(&self) -> Result<Option<Arc<db::Changes>>, StoreError> {
        match self.conn.as_postgres() {
            Some(conn) => Ok(Some(conn.changes()?)),
            None => Ok(None),
        }
    }

    /// Brings the server's statistics of the member and session tables up to date after a
    /// bulk load (an import, `db copy`, many agents at once): PostgreSQL plans placement from
    /// them, and until autovacuum gets to a new table it would sort a whole pool instead of
    /// walking the placement index. SQLite's planner takes the index without them.
    pub fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.conn.dialect() == db::Dialect::Postgres {
            self.conn
                .execute_batch("ANALYZE docker_agents, servers, sessions")?;
        }
        Ok(())
    }

    /// Whether the server closed this connection (the next call tries to reconnect). A
    /// local check: no round trip.
    pub fn connection_lost(&self) -> bool {
        self.conn.as_postgres().is_some_and(|conn| conn.is_closed())
    }

    /// The SQLite connection, for what only a file has; refused on a server.
    fn sqlite(&self) -> Result<&Connection, StoreError> {
        self.conn.as_sqlite().ok_or_else(|| {
            StoreError::Refused("this works on an SQLite database file only".to_owned())
        })
    }

    /// Whether the database holds no pools, servers or agents yet (a fresh file).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM pools)
                AND NOT EXISTS (SELECT 1 FROM servers)
                AND NOT EXISTS (SELECT 1 FROM docker_agents)",
            [],
            |r| r.get(0),
        )?)
    }
}

/// Another connection to the SQLite file at `path`: WAL lets it write while others read.
fn sqlite_sibling(path: &Path) -> Result<Conn, OpenError> {
    let corrupt = |source: DbError| OpenError::Corrupt {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| corrupt(e.into()))?;
    configure(&conn).map_err(|e| corrupt(e.into()))?;
    Conn::sqlite(conn).map_err(corrupt)
}

/// What every connection needs: foreign keys enforced, WAL's usual durability, and a wait
/// for the other connection's write instead of an error.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(BUSY_TIMEOUT)
}
