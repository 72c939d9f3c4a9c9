//! `export` and `import`: the configuration as a file. Import checks the whole file first,
//! every fault listed at once, even when the database cannot take it now.

use crate::cli_database::DatabaseArgs;
use anyhow::{Context, Result};
use clap::Args;
use pooladmin::config_file::{ExportScope, ImportError, ImportOptions, ImportReport};
use pooladmin::model::Secret;
use pooladmin::store::{OpenError, Store};
use std::path::{Path, PathBuf};

/// `pooladmin export …`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Include every secret, sealed with POOLADMIN_EXPORT_PASSPHRASE (never in clear).
    #[arg(long)]
    with_secrets: bool,
    /// Also list the autoscaled members, marked "autoscaled": a backup to read; import
    /// leaves them out.
    #[arg(long)]
    include_state: bool,
}

/// `pooladmin import …`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The file (from `pooladmin export` or written by hand).
    file: PathBuf,
    /// Print what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also delete what the file no longer has (refused for anything still in use).
    #[arg(long)]
    prune: bool,
}

/// The export passphrase: POOLADMIN_EXPORT_PASSPHRASE, else asked for on the terminal
/// (not echoed) when `ask` and there is one.
fn export_passphrase(ask: bool) -> Option<Secret> {
    if let Some(passphrase) = std::env::var("POOLADMIN_EXPORT_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Some(Secret::new(passphrase));
    }
    if !ask || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return None;
    }
    rpassword::prompt_password("Passphrase for the configuration's secrets: ")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

/// Prints the configuration; it reads beside a running pooladmin.
pub fn export(args: &ExportArgs) -> Result<()> {
    let passphrase = if args.with_secrets {
        Some(export_passphrase(true).context(
            "--with-secrets needs a passphrase to seal them: set POOLADMIN_EXPORT_PASSPHRASE or run it in a terminal",
        )?)
    } else {
        None
    };
    let store = args.database.open_for_command()?;
    let scope = if args.include_state {
        ExportScope::WithState
    } else {
        ExportScope::Configuration
    };
    let text = pooladmin::config_file::export(&store, passphrase.as_ref(), scope)
        .map_err(anyhow::Error::msg)
        .context("export failed")?;
    print!("{text}");
    Ok(())
}

/// Checks the file, then applies it (or, with --dry-run, says what would change). Writing
/// needs the database to itself; held by a running pooladmin, the file is still checked
/// against it, and the import is refused after.
pub fn import(args: &ImportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let in_file = |e: ImportError| anyhow::Error::new(e).context(args.file.display().to_string());
    let folder = args.file.parent().unwrap_or(Path::new("."));
    let parsed = pooladmin::config_file::parse_at(&text, folder).map_err(in_file)?;
    let passphrase = export_passphrase(parsed.secrets.is_some());
    let options = ImportOptions {
        dry_run: args.dry_run,
        prune: args.prune,
    };
    let database = args.database.database()?;
    let mut store = match Store::open_database(&database, &args.database.key_source()) {
        Ok(store) => store,
        Err(held @ OpenError::InUse { .. }) => {
            // Checked against the database as it is, then refused: nothing is written.
            let mut beside = args.database.open_for_command()?;
            let check = ImportOptions {
                dry_run: true,
                ..options
            };
            let report =
                pooladmin::config_file::import(&mut beside, &parsed, passphrase.as_ref(), check)
                    .map_err(in_file)?;
            if args.dry_run {
                print_report(&report, true);
                return Ok(());
            }
            return Err(anyhow::Error::new(held).context(format!(
                "{} is valid ({}), but it cannot be applied now",
                args.file.display(),
                report.summary()
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let report = pooladmin::config_file::import(&mut store, &parsed, passphrase.as_ref(), options)
        .map_err(in_file)?;
    print_report(&report, args.dry_run);
    Ok(())
}

fn print_report(report: &ImportReport, dry_run: bool) {
    for change in &report.changes {
        println!("{:?}\t{}\t{}", change.change, change.kind, change.name);
    }
    let verb = if dry_run { "would apply" } else { "applied" };
    println!("{verb}: {}", report.summary());
}
