//! The store's one seam to its two back ends: a [`Conn`] runs the same statement, written
//! once in the SQL both understand, on SQLite (rusqlite) or PostgreSQL (tokio-postgres).
//! What differs between the dialects lives here: placeholders (`placeholders`), value
//! formats (`pg_value`), transactions (`Savepoint`), and the few functions SQLite lacks
//! (`sqlite_functions`).

mod changes;
mod error;
mod parameters;
mod pg_tls;
mod pg_url;
mod pg_value;
mod placeholders;
pub mod postgres;
mod row;
mod sqlite_functions;
mod value;
mod write_gate;

pub use changes::{Changes, LEASE_CHANNEL};
pub use error::DbError;
pub use parameters::Params;
pub use row::Row;
pub use value::{FromValue, ToValue, Value, WrongType};

use postgres::PgConn;
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use write_gate::WriteTurn;

/// Which SQL a connection speaks, for the few statements written twice (the schema).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// The embedded file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// One open connection.
pub struct Conn {
    backend: Backend,
    // Open transactions and savepoints: PostgreSQL needs BEGIN for the outermost one.
    depth: Cell<u32>,
    // SQLite: the turn to write among the sibling connections, held by an outermost
    // write transaction (BEGIN IMMEDIATE).
    writes: WriteTurn,
}

enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("dialect", &self.dialect())
            .finish_non_exhaustive()
    }
}

/// `Ok(None)` for a query that found no row.
pub trait OptionalExtension<T> {
    /// The row, or none.
    fn optional(self) -> Result<Option<T>, DbError>;
}

impl<T> OptionalExtension<T> for Result<T, DbError> {
    fn optional(self) -> Result<Option<T>, DbError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Conn {
    /// A connection to an SQLite file (already configured by the caller).
    pub fn sqlite(conn: rusqlite::Connection) -> Result<Self, DbError> {
        sqlite_functions::register(&conn)?;
        Ok(Self {
            backend: Backend::Sqlite(conn),
            depth: Cell::new(0),
            writes: WriteTurn::default(),
        })
    }

    /// A connection to a PostgreSQL server.
    pub fn postgres(conn: PgConn) -> Self {
        Self {
            backend: Backend::Postgres(Box::new(conn)),
            depth: Cell::new(0),
            writes: WriteTurn::default(),
        }
    }

    /// Which SQL it speaks.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (backups, pragmas).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(conn) => Some(conn),
            Backend::Postgres(_) => None,
        }
    }

    /// The PostgreSQL connection, for what only PostgreSQL has (advisory locks, NOTIFY).
    pub fn as_postgres(&self) -> Option<&PgConn> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(conn) => Some(conn),
        }
    }

    /// The PostgreSQL connection itself, to be held (the scaler's lock).
    pub fn into_postgres(self) -> Option<PgConn> {
        match self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(conn) => Some(*conn),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize, DbError> {
        let values = params.values();
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values.iter()))?),
            Backend::Postgres(conn) => {
                if self.depth.get() == 0 {
                    conn.revive()?;
                    conn.pass_gate()?;
                }
                Ok(conn.execute(sql, &values)? as usize)
            }
        }
    }

    /// Runs statements separated by semicolons, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Backend::Postgres(conn) => {
                self.revive_between_transactions(conn)?;
                conn.execute_batch(sql)
            }
        }
    }

    fn revive_between_transactions(&self, conn: &PgConn) -> Result<(), DbError> {
        if self.depth.get() == 0 {
            conn.revive()?;
        }
        Ok(())
    }

    /// Every row `sql` returns, each through `read`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: impl Params,
        mut read: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<std::vec::IntoIter<Result<T, DbError>>, DbError> {
        let values = params.values();
        let mut out = Vec::new();
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
                while let Some(r) = rows.next()? {
                    out.push(read(&Row::sqlite(r)));
                }
            }
            Backend::Postgres(conn) => {
                self.revive_between_transactions(conn)?;
                for r in conn.query(sql, &values)? {
                    out.push(read(&Row::postgres(&r)));
                }
            }
        }
        Ok(out.into_iter())
    }

    /// The first row `sql` returns through `read`; [`DbError::NoRows`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        read: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let values = params.values();
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
                match rows.next()? {
                    Some(r) => read(&Row::sqlite(r)),
                    None => Err(DbError::NoRows),
                }
            }
            Backend::Postgres(conn) => {
                self.revive_between_transactions(conn)?;
                match conn.query(sql, &values)?.first() {
                    Some(r) => read(&Row::postgres(r)),
                    None => Err(DbError::NoRows),
                }
            }
        }
    }

    /// Whether `sql` returns any row.
    pub fn exists(&self, sql: &str, params: impl Params) -> Result<bool, DbError> {
        self.query_row(sql, params, |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
    }

    /// A statement to run (possibly) several times; prepared once per connection.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>, DbError> {
        Ok(Stmt {
            conn: self,
            sql: sql.to_owned(),
        })
    }

    /// [`Conn::prepare_cached`]: every statement is kept prepared.
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>, DbError> {
        self.prepare_cached(sql)
    }

    /// The id the last INSERT gave its row. On PostgreSQL, the last value any sequence of
    /// this session handed out: call it right after the INSERT.
    pub fn last_insert_rowid(&self) -> Result<i64, DbError> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn.last_insert_rowid()),
            Backend::Postgres(_) => self.query_row("SELECT lastval()", (), |r| r.get(0)),
        }
    }

    /// Opens a transaction (or, inside one, a savepoint): everything written through it is
    /// kept by [`Savepoint::commit`], or nothing when it is dropped.
    pub fn savepoint(&mut self) -> Result<Savepoint<'_>, DbError> {
        let depth = self.begin()?;
        Ok(Savepoint {
            conn: self,
            depth,
            done: false,
        })
    }

    /// A transaction that reads what it will write (a placement): on SQLite it holds the
    /// file's write lock from its first statement (BEGIN IMMEDIATE), so what it read cannot
    /// change before it writes, entered after the sibling connections of this process that
    /// write (see `write_gate`); on PostgreSQL a plain transaction, whose rows the caller
    /// locks with [`Conn::lock_row`]. Inside a transaction, a savepoint.
    pub fn write_transaction(&mut self) -> Result<Savepoint<'_>, DbError> {
        let depth = self.begin_writing()?;
        Ok(Savepoint {
            conn: self,
            depth,
            done: false,
        })
    }

    /// [`Conn::write_transaction`] by hand, for a caller that cannot hold a [`Savepoint`];
    /// its depth, for [`Conn::end`].
    pub fn begin_writing(&self) -> Result<u32, DbError> {
        if self.depth.get() > 0 || self.dialect() == Dialect::Postgres {
            return self.begin();
        }
        self.writes.take();
        if let Err(e) = self.execute_batch("BEGIN IMMEDIATE") {
            self.writes.give_back();
            return Err(e);
        }
        self.depth.set(1);
        Ok(0)
    }

    /// Locks the row `id` of `table` until the transaction ends, so that two connections
    /// that read it to decide a write take turns (PostgreSQL: `FOR NO KEY UPDATE`, which
    /// leaves rows that merely refer to it free). On SQLite the write transaction already
    /// holds the whole file. Whether the row exists.
    pub fn lock_row(&self, table: LockedTable, id: i64) -> Result<bool, DbError> {
        let table = table.name();
        match self.dialect() {
            Dialect::Postgres => self.exists(
                &format!("SELECT 1 FROM {table} WHERE id = ?1 FOR NO KEY UPDATE"),
                [id],
            ),
            Dialect::Sqlite => self.exists(&format!("SELECT 1 FROM {table} WHERE id = ?1"), [id]),
        }
    }

    /// Writes of this connection and `sibling` (another connection to the same SQLite
    /// file in this process) take turns in [`Conn::write_transaction`].
    pub fn share_writes_with(&mut self, sibling: &Conn) {
        self.writes = sibling.writes.sibling();
    }

    /// [`Conn::savepoint`] under the name rusqlite gives it for an outermost one.
    pub fn transaction(&mut self) -> Result<Savepoint<'_>, DbError> {
        self.savepoint()
    }

    /// Opens a transaction or savepoint by hand, for a caller that cannot hold a
    /// [`Savepoint`] (it needs the store itself meanwhile); its depth, for [`Conn::end`].
    pub fn begin(&self) -> Result<u32, DbError> {
        let depth = self.depth.get();
        match (&self.backend, depth) {
            (Backend::Postgres(conn), 0) => {
                conn.revive()?;
                conn.execute_batch("BEGIN")?
            }
            _ => self.execute_batch(&format!("SAVEPOINT sp{depth}"))?,
        }
        self.depth.set(depth + 1);
        Ok(depth)
    }

    /// Ends what [`Conn::begin`] opened at `depth`: keeps or undoes its writes.
    pub fn end(&self, depth: u32, keep: bool) -> Result<(), DbError> {
        // Whatever happens below, this level is closed.
        self.depth.set(depth);
        if depth == 0 && self.writes.held() {
            let ended = self.execute_batch(if keep { "COMMIT" } else { "ROLLBACK" });
            if ended.is_err() {
                // A COMMIT that failed may leave the transaction open; none may outlive it.
                let _ = self.execute_batch("ROLLBACK");
            }
            self.writes.give_back();
            return ended;
        }
        match (&self.backend, depth, keep) {
            (Backend::Postgres(conn), 0, true) => {
                if let Err(refused) = conn.pass_gate() {
                    conn.execute_batch("ROLLBACK")?;
                    return Err(refused);
                }
                conn.execute_batch("COMMIT")
            }
            (Backend::Postgres(conn), 0, false) => conn.execute_batch("ROLLBACK"),
            (_, _, true) => self.execute_batch(&format!("RELEASE sp{depth}")),
            (_, _, false) => {
                self.execute_batch(&format!("ROLLBACK TO sp{depth}; RELEASE sp{depth}"))
            }
        }
    }

    /// Asks `refuse` at each commit; from its first `true` on, commits fail and roll back.
    pub fn refuse_commits_when(
        &self,
        refuse: impl FnMut() -> bool + Send + 'static,
    ) -> Result<(), DbError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                conn.commit_hook(Some(refuse))?;
                Ok(())
            }
            Backend::Postgres(conn) => {
                conn.set_gate(Box::new(refuse));
                Ok(())
            }
        }
    }
}

/// The tables whose rows [`Conn::lock_row`] locks.
#[derive(Clone, Copy, Debug)]
pub enum LockedTable {
    /// A pool, while a session is placed in it.
    Pools,
}

impl LockedTable {
    fn name(self) -> &'static str {
        match self {
            Self::Pools => "pools",
        }
    }
}

/// A statement bound to its connection.
pub struct Stmt<'c> {
    conn: &'c Conn,
    sql: String,
}

impl Stmt<'_> {
    /// See [`Conn::query_map`].
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        read: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<std::vec::IntoIter<Result<T, DbError>>, DbError> {
        self.conn.query_map(&self.sql, params, read)
    }

    /// See [`Conn::query_row`].
    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        read: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.conn.query_row(&self.sql, params, read)
    }

    /// See [`Conn::execute`].
    pub fn execute(&mut self, params: impl Params) -> Result<usize, DbError> {
        self.conn.execute(&self.sql, params)
    }

    /// See [`Conn::exists`].
    pub fn exists(&mut self, params: impl Params) -> Result<bool, DbError> {
        self.conn.exists(&self.sql, params)
    }
}

/// An open transaction or savepoint; dropped without [`Savepoint::commit`], it undoes
/// everything written through it.
pub struct Savepoint<'c> {
    conn: &'c mut Conn,
    depth: u32,
    done: bool,
}

impl Savepoint<'_> {
    /// Keeps what was written.
    pub fn commit(mut self) -> Result<(), DbError> {
        self.done = true;
        self.conn.end(self.depth, true)
    }
}

impl Deref for Savepoint<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl DerefMut for Savepoint<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if !self.done {
            // A rollback fails only on a broken connection, which the next call reports.
            let _ = self.conn.end(self.depth, false);
        }
    }
}

/// Builds statement parameters from values of different types: `params![id, name]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$(&$value as &dyn $crate::store::db::ToValue),*] as &[&dyn $crate::store::db::ToValue]
    };
}
pub(crate) use params;
