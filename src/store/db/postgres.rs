//! One connection to a PostgreSQL server. tokio-postgres does the talking on a small
//! runtime of the store's own; the store's calls wait for each answer on their own thread
//! (`futures_executor::block_on`), so they behave like SQLite's whether or not the caller
//! is itself on the scaler's runtime.

pub use super::pg_tls::SslMode;
pub use super::pg_url::{PgUrl, is_postgres_url};

use super::changes::{CHANNEL, Changes, LEASE_CHANNEL};
use super::error::DbError;
use super::placeholders::numbered;
use super::value::Value;
use postgres_types::ToSql;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;
use tokio_postgres::{AsyncMessage, Client, Statement};

/// How long connecting (TCP, TLS and login) may take before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

type Gate = Box<dyn FnMut() -> bool + Send>;

/// An open connection, with its prepared statements.
pub struct PgConn {
    // Replaced by a new connection when the server closed this one (see `revive`).
    client: RefCell<Client>,
    application_name: String,
    changes: Arc<Changes>,
    listening: Cell<bool>,
    statements: RefCell<HashMap<String, Statement>>,
    gate: RefCell<Option<Gate>>,
    /// Settings of this session (`set_config`), made again on every new connection.
    settings: RefCell<Vec<(String, String)>>,
    url: PgUrl,
}

/// The runtime that drives every connection's socket; it lives as long as the process.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        #[allow(clippy::expect_used)]
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("pooladmin-postgres")
            .enable_all()
            .build()
            .expect("a thread for the database connections")
    })
}

/// Connects to `url`, naming this process to the server as `application_name` (it shows in
/// `pg_stat_activity`, and in the message that refuses a second scaler). The error is one
/// line naming what failed.
pub fn connect(url: &PgUrl, application_name: &str) -> Result<PgConn, String> {
    let changes = Arc::new(Changes::default());
    Ok(PgConn {
        client: RefCell::new(open_client(url, application_name, &changes)?),
        application_name: application_name.to_owned(),
        changes,
        listening: Cell::new(false),
        statements: RefCell::new(HashMap::new()),
        gate: RefCell::new(None),
        settings: RefCell::new(Vec::new()),
        url: url.clone(),
    })
}

fn open_client(
    url: &PgUrl,
    application_name: &str,
    changes: &Arc<Changes>,
) -> Result<Client, String> {
    let changes = Arc::clone(changes);
    let tls = super::pg_tls::client_config(url.ssl_mode, url.ssl_root_cert.as_deref())?;
    let mut config = tokio_postgres::Config::new();
    config
        .host(&url.host)
        .port(url.port)
        .user(&url.user)
        .dbname(&url.dbname)
        .application_name(application_name)
        .ssl_mode(url.ssl_mode.negotiation())
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives_idle(Duration::from_secs(30));
    if let Some(password) = &url.password {
        config.password(password.expose());
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let connector = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
    runtime().spawn(async move {
        match config.connect(connector).await {
            Ok((client, mut connection)) => {
                let _ = sender.send(Ok(client));
                // Drives the socket, and takes the notifications the store listens for.
                loop {
                    match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                        Some(Ok(AsyncMessage::Notification(n))) if n.channel() == CHANNEL => {
                            changes.announced(n.payload());
                        }
                        Some(Ok(AsyncMessage::Notification(n))) if n.channel() == LEASE_CHANNEL => {
                            changes.lease_freed();
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "the connection to PostgreSQL ended");
                            break;
                        }
                        None => break,
                    }
                }
            }
            Err(e) => {
                let _ = sender.send(Err(DbError::Postgres(e).to_string()));
            }
        }
    });
    receiver
        .recv()
        .map_err(|_| "the database connection's thread ended".to_owned())?
        .map_err(|e| format!("{url}: {e}"))
}

impl PgConn {
    /// The database it is connected to (no password).
    pub fn url(&self) -> &PgUrl {
        &self.url
    }

    /// Whether the server closed the connection (a new one is needed).
    pub fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }

    /// Connects again when the server closed the connection (a restart, a network that
    /// went away): called only between transactions, so no half-done work is lost with the
    /// old session. Its prepared statements went with it.
    pub(super) fn revive(&self) -> Result<(), DbError> {
        if !self.is_closed() {
            return Ok(());
        }
        let client = open_client(&self.url, &self.application_name, &self.changes)
            .map_err(DbError::Unreachable)?;
        self.statements.borrow_mut().clear();
        *self.client.borrow_mut() = client;
        for (name, value) in self.settings.borrow().iter() {
            self.set_config(name, value)?;
        }
        if self.listening.get() {
            self.execute_batch(&format!("LISTEN {CHANNEL}; LISTEN {LEASE_CHANNEL}"))?;
            self.changes.missed_some();
        }
        tracing::info!(database = %self.url, "reconnected to the database");
        Ok(())
    }

    fn statement(&self, sql: &str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = futures_executor::block_on(self.client.borrow().prepare(&numbered(sql)))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// The rows `sql` returns.
    pub fn query(&self, sql: &str, values: &[Value]) -> Result<Vec<tokio_postgres::Row>, DbError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        Ok(futures_executor::block_on(
            self.client.borrow().query(&statement, &params),
        )?)
    }

    /// Runs `sql`; the rows it changed.
    pub fn execute(&self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        Ok(futures_executor::block_on(
            self.client.borrow().execute(&statement, &params),
        )?)
    }

    /// Runs statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        Ok(futures_executor::block_on(
            self.client.borrow().batch_execute(sql),
        )?)
    }

    /// The writes announced so far, listening from the first call on.
    pub fn changes(&self) -> Result<Arc<Changes>, DbError> {
        if !self.listening.get() {
            self.execute_batch(&format!("LISTEN {CHANNEL}; LISTEN {LEASE_CHANNEL}"))?;
            self.listening.set(true);
        }
        Ok(Arc::clone(&self.changes))
    }

    /// Sets `name` to `value` for this session, and again for every session after a
    /// reconnection: what the server checks this connection's writes against (the
    /// scaler's fencing epoch) never lapses with a restart.
    pub fn keep_setting(&self, name: &str, value: &str) -> Result<(), DbError> {
        self.set_config(name, value)?;
        let mut settings = self.settings.borrow_mut();
        settings.retain(|(kept, _)| kept != name);
        settings.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    fn set_config(&self, name: &str, value: &str) -> Result<(), DbError> {
        self.query(
            "SELECT set_config(?1, ?2, false)",
            &[Value::Text(name.to_owned()), Value::Text(value.to_owned())],
        )
        .map(|_| ())
    }

    pub(super) fn set_gate(&self, gate: Gate) {
        *self.gate.borrow_mut() = Some(gate);
    }

    /// Asks the crash tests' gate whether the next commit may happen.
    pub(super) fn pass_gate(&self) -> Result<(), DbError> {
        let mut gate = self.gate.borrow_mut();
        match gate.as_mut().map(|refuse| refuse()) {
            Some(true) => Err(DbError::CommitRefused),
            _ => Ok(()),
        }
    }
}
