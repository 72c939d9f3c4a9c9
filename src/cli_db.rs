//! `pooladmin db copy`: moving an installation from its SQLite file into an empty
//! PostgreSQL database (see `store::copy`).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use pooladmin::model::Secret;
use pooladmin::store::{Database, KeySource, Store};
use std::path::PathBuf;

/// What `db` does.
#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Copy an SQLite database whole (configuration, instances with their tokens and
    /// states, sessions, history, events, keys) into an empty PostgreSQL database, in one
    /// transaction. The source is opened with its own key (the key file beside it, the OS
    /// keyring, or POOLADMIN_SOURCE_PASSPHRASE) and must not be in use by a running
    /// pooladmin; every secret is sealed again with the target's key (POOLADMIN_PASSPHRASE or
    /// --key-file). The row counts of every table are compared after.
    Copy(CopyArgs),
}

/// The options of `db copy`.
#[derive(Args, Debug)]
pub struct CopyArgs {
    /// The SQLite database file to copy.
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,
    /// The empty PostgreSQL database to copy into: postgres://USER@HOST:5432/DBNAME?….
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// The key file the target's secrets are sealed with (created, mode 0600, the first
    /// time); every node that opens the target needs it. Or set POOLADMIN_PASSPHRASE.
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
}

/// Copies and prints the rows per table.
pub fn db(command: &DbCommand) -> Result<()> {
    let DbCommand::Copy(args) = command;
    let target = match Database::parse(&args.to).map_err(anyhow::Error::msg)? {
        Database::Postgres(url) => Database::Postgres(url),
        Database::File(_) => anyhow::bail!(
            "--to {}: expected a PostgreSQL URL (postgres://USER@HOST:5432/DBNAME)",
            args.to
        ),
    };
    let source_key = match std::env::var("POOLADMIN_SOURCE_PASSPHRASE") {
        Ok(p) if !p.is_empty() => KeySource::Passphrase(Secret::new(p)),
        _ => KeySource::Auto,
    };
    let target_key = match (std::env::var("POOLADMIN_PASSPHRASE"), &args.key_file) {
        (Ok(p), _) if !p.is_empty() => KeySource::Passphrase(Secret::new(p)),
        (_, Some(file)) => KeySource::File(file.clone()),
        _ => anyhow::bail!(
            "the target needs its key: set POOLADMIN_PASSPHRASE or pass --key-file PATH"
        ),
    };
    if !args.from.exists() {
        anyhow::bail!("--from {}: no such file", args.from.display());
    }
    // Opened as a scaler would be: a source a running pooladmin holds is refused.
    let source = Store::open_with_key(&args.from, &source_key)?;
    let mut target_store = Store::open_database_for_command(&target, &target_key)?;
    let report = source
        .copy_into(&mut target_store)
        .with_context(|| format!("copying {} into {target}", args.from.display()))?;
    for (table, rows) in &report.tables {
        println!("{table}\t{rows}");
    }
    println!(
        "copied {} rows in {} tables into {target}; {} secrets sealed again with its key",
        report.tables.iter().map(|(_, n)| n).sum::<u64>(),
        report.tables.len(),
        report.resealed
    );
    Ok(())
}
