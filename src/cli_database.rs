//! Which database a command opens (`--db PATH|URL`, `POOLADMIN_DATABASE_URL`, `--demo`) and
//! with which key (`POOLADMIN_PASSPHRASE`, `--key-file`, the keyring, a key file beside an
//! SQLite file): the options of the commands that use a database, and of the window.

use anyhow::{Context, Result};
use clap::Args;
use pooladmin::model::Secret;
use pooladmin::store::{Database, KeySource, OpenError, Store};
use std::path::PathBuf;

/// The environment variable that names the database when --db does not.
pub const DATABASE_URL_ENV: &str = "POOLADMIN_DATABASE_URL";

/// The database options.
#[derive(Args, Clone, Debug, Default)]
pub struct DatabaseArgs {
    /// The database: a file (SQLite, created if missing) or a PostgreSQL URL,
    /// postgres://USER@HOST:5432/DBNAME?sslmode=verify-full&sslrootcert=CA.pem (the password
    /// from PGPASSWORD or ~/.pgpass rather than the URL). Default: $POOLADMIN_DATABASE_URL,
    /// else pooladmin.sqlite in the platform's data directory.
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<String>,
    /// The populated demo database (demo.sqlite beside the default one, or --db), never
    /// your own.
    #[arg(long)]
    pub demo: bool,
    /// The key that seals secrets, in this file (32 bytes, created mode 0600 the first
    /// time). Every node of a PostgreSQL database needs the same key: this file, the same
    /// POOLADMIN_PASSPHRASE, or the OS keyring.
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// On a PostgreSQL database, this node's name among the deployment's nodes (the window
    /// and headless; shown on the Nodes page, in /healthz and /metrics). Default: the host
    /// name (for a window, the host name and "window").
    #[arg(long, value_name = "NAME")]
    pub node_name: Option<String>,
}

impl DatabaseArgs {
    /// Takes what `earlier` (given before the command's name) has that these lack.
    pub fn fill_from(&mut self, earlier: &Self) {
        if self.db.is_none() {
            self.db.clone_from(&earlier.db);
        }
        if self.key_file.is_none() {
            self.key_file.clone_from(&earlier.key_file);
        }
        if self.node_name.is_none() {
            self.node_name.clone_from(&earlier.node_name);
        }
        self.demo |= earlier.demo;
    }

    /// The database these options name.
    pub fn database(&self) -> Result<Database> {
        let named = self.db.clone().or_else(|| {
            std::env::var(DATABASE_URL_ENV)
                .ok()
                .filter(|v| !v.is_empty())
        });
        if let Some(text) = named {
            return Database::parse(&text).map_err(anyhow::Error::msg);
        }
        let dirs = directories::ProjectDirs::from("", "", "pooladmin")
            .context("no home directory: pass --db PATH")?;
        let dir = dirs.data_dir();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
        let file = if self.demo {
            "demo.sqlite"
        } else {
            "pooladmin.sqlite"
        };
        Ok(Database::File(dir.join(file)))
    }

    /// This node's name: `--node-name`, else the host name (with " window" for a window).
    pub fn node_name(&self, window: bool) -> Result<String> {
        let name = match &self.node_name {
            Some(name) => name.trim().to_owned(),
            None => {
                let host = pooladmin::store::host_name();
                if window {
                    format!("{host} window")
                } else {
                    host
                }
            }
        };
        if name.is_empty() || name.chars().count() > 63 || name.chars().any(char::is_control) {
            anyhow::bail!(
                "--node-name {name:?}: expected 1 to 63 printable characters, unique among the deployment's nodes"
            );
        }
        Ok(name)
    }

    /// The key source the options and the environment ask for: a passphrase, when given,
    /// seals secrets instead of a key file or the keyring.
    pub fn key_source(&self) -> KeySource {
        match std::env::var("POOLADMIN_PASSPHRASE") {
            Ok(passphrase) if !passphrase.is_empty() => {
                KeySource::Passphrase(Secret::new(passphrase))
            }
            _ => match &self.key_file {
                Some(file) => KeySource::File(file.clone()),
                None => KeySource::Auto,
            },
        }
    }

    /// Opens the database for a process that runs the scaler (the window, `headless`).
    pub fn open_for_scaler(&self) -> Result<Store> {
        Ok(Store::open_database(&self.database()?, &self.key_source())?)
    }

    /// Opens the database for a command, beside a running scaler.
    pub fn open_for_command(&self) -> Result<Store> {
        Ok(self.try_open_for_command()?)
    }

    /// [`DatabaseArgs::open_for_command`] with the store's own error.
    pub fn try_open_for_command(&self) -> Result<Store, OpenError> {
        let database = self.database().map_err(|e| OpenError::Unreachable {
            message: e.to_string(),
        })?;
        Store::open_database_for_command(&database, &self.key_source())
    }
}
