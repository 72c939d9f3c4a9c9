//! The API's database connections. Each request's database work takes an idle connection,
//! or opens one more up to a cap, so requests run side by side as far as the database lets
//! them: on PostgreSQL, placements in different pools and every read; on SQLite, every read
//! beside the one writer the file allows. No lock is held across a request's work but the
//! database's own.

use crate::store::{Database, Store};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections to one SQLite file: WAL readers beside one writer; more only wait longer.
const SQLITE_CONNECTIONS: usize = 4;
/// Connections to a PostgreSQL server: enough for two cores' worth of requests waiting on
/// the network, few enough for a server's `max_connections` shared by several nodes.
const POSTGRES_CONNECTIONS: usize = 8;

/// Open connections, lent to one request at a time.
pub struct StoreConnections {
    // The connection the API was started with: the others are opened beside it.
    first: Mutex<Store>,
    idle: Mutex<Vec<Store>>,
    turns: Arc<Semaphore>,
}

/// A connection lent to one request; given back by [`StoreConnections::give_back`].
pub struct Lent {
    store: Store,
    _turn: OwnedSemaphorePermit,
}

impl Lent {
    /// The connection.
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }
}

impl StoreConnections {
    /// Connections beside `store`, at most the cap for its kind of database.
    pub fn new(store: Store) -> Self {
        let cap = if matches!(store.database(), Database::Postgres(_)) {
            POSTGRES_CONNECTIONS
        } else {
            SQLITE_CONNECTIONS
        };
        Self {
            first: Mutex::new(store),
            idle: Mutex::new(Vec::new()),
            turns: Arc::new(Semaphore::new(cap)),
        }
    }

    /// Waits for a turn (a free connection or room for one more).
    pub async fn turn(&self) -> OwnedSemaphorePermit {
        Arc::clone(&self.turns)
            .acquire_owned()
            .await
            .unwrap_or_else(|_| unreachable!("the semaphore is never closed"))
    }

    /// An idle connection, or a new one: blocking, so off the async threads.
    pub fn lend(&self, turn: OwnedSemaphorePermit) -> Result<Lent, String> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let store = match idle {
            Some(store) => store,
            None => {
                let first = self.first.lock().unwrap_or_else(|e| e.into_inner());
                first.sibling().map_err(|e| e.to_string())?
            }
        };
        Ok(Lent { store, _turn: turn })
    }

    /// Keeps a connection for the next request. One whose work panicked is not given back:
    /// it may be inside a transaction.
    pub fn give_back(&self, lent: Lent) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(lent.store);
    }
}
