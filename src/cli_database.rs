//! Which database a command opens (`--db PATH`, `--demo`) and with which key: the options
//! of the commands that use a database, and of the window.

use anyhow::{Context, Result};
use clap::Args;
use pooladmin::model::Secret;
use pooladmin::store::KeySource;
use std::path::PathBuf;

/// The database options.
#[derive(Args, Clone, Debug, Default)]
pub struct DatabaseArgs {
    /// Database file to open (created if missing). Default: pooladmin.sqlite in the
    /// platform's data directory.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The populated demo database (demo.sqlite beside the default one, or --db PATH),
    /// never your own.
    #[arg(long)]
    pub demo: bool,
}

impl DatabaseArgs {
    /// Takes what `earlier` (given before the command's name) has that these lack.
    pub fn fill_from(&mut self, earlier: &Self) {
        if self.db.is_none() {
            self.db.clone_from(&earlier.db);
        }
        self.demo |= earlier.demo;
    }

    /// The database file.
    pub fn path(&self) -> Result<PathBuf> {
        if let Some(path) = &self.db {
            return Ok(path.clone());
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
        Ok(dir.join(file))
    }
}

/// The key source the environment asks for.
pub fn key_source() -> KeySource {
    // A passphrase, when given, seals secrets instead of the keyring or key file.
    match std::env::var("POOLADMIN_PASSPHRASE") {
        Ok(passphrase) if !passphrase.is_empty() => KeySource::Passphrase(Secret::new(passphrase)),
        _ => KeySource::Auto,
    }
}
