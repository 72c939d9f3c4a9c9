//! `export`, `import` and `schema`: the configuration as a file, reported on standard
//! output and error, answered with the exit code (0 applied, 1 invalid, 2 refused).

use crate::{Cli, Command, database_path, key_source};
use pooladmin::model::Secret;
use pooladmin::store::Store;
use std::process::ExitCode;

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

/// `export` and `import`: reports on stdout / stderr, answers with the exit code.
pub fn config_command(cli: &Cli, command: &Command) -> ExitCode {
    if let Command::Schema = command {
        print!("{}", pooladmin::config_file::json_schema());
        return ExitCode::SUCCESS;
    }
    // Export reads beside a running pooladmin; import writes, so it takes the lock.
    let beside = matches!(command, Command::Export { .. });
    let opened = database_path(cli).and_then(|path| {
        let key = key_source();
        let store = if beside {
            Store::open_for_command(&path, &key)
        } else {
            Store::open_with_key(&path, &key)
        };
        store.map_err(anyhow::Error::from)
    });
    let mut store = match opened {
        Ok(store) => store,
        Err(e) => {
            eprintln!("pooladmin: {e:#}");
            return ExitCode::from(1);
        }
    };
    match command {
        Command::Schema
        | Command::Headless { .. }
        | Command::ApiKey(_)
        | Command::ApiSchema
        | Command::Agent(_)
        | Command::Simulate(_)
        | Command::Cloud(_)
        | Command::Session(_) => ExitCode::SUCCESS,
        Command::Export {
            with_secrets,
            include_state,
        } => {
            let passphrase = export_passphrase(*with_secrets);
            if *with_secrets && passphrase.is_none() {
                eprintln!(
                    "pooladmin: --with-secrets needs a passphrase to seal them: set POOLADMIN_EXPORT_PASSPHRASE or run it in a terminal"
                );
                return ExitCode::from(1);
            }
            let sealing = if *with_secrets {
                passphrase.as_ref()
            } else {
                None
            };
            let scope = if *include_state {
                pooladmin::config_file::ExportScope::WithState
            } else {
                pooladmin::config_file::ExportScope::Configuration
            };
            match pooladmin::config_file::export(&store, sealing, scope) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("pooladmin: export failed: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Import {
            file,
            dry_run,
            prune,
        } => {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("pooladmin: {}: {e}", file.display());
                    return ExitCode::from(1);
                }
            };
            let options = pooladmin::config_file::ImportOptions {
                dry_run: *dry_run,
                prune: *prune,
            };
            let folder = file.parent().unwrap_or(std::path::Path::new("."));
            let outcome = pooladmin::config_file::parse_at(&text, folder).and_then(|parsed| {
                pooladmin::config_file::import(
                    &mut store,
                    &parsed,
                    export_passphrase(needs_passphrase(&text)).as_ref(),
                    options,
                )
            });
            match outcome {
                Ok(report) => {
                    for change in &report.changes {
                        println!("{:?}\t{}\t{}", change.change, change.kind, change.name);
                    }
                    let verb = if *dry_run { "would apply" } else { "applied" };
                    println!("{verb}: {}", report.summary());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("pooladmin: {}: {e}", file.display());
                    match e {
                        pooladmin::config_file::ImportError::Invalid(_) => ExitCode::from(1),
                        pooladmin::config_file::ImportError::Refused(_) => ExitCode::from(2),
                    }
                }
            }
        }
    }
}

/// Whether a configuration file holds sealed secrets (so a passphrase is worth asking for).
fn needs_passphrase(text: &str) -> bool {
    pooladmin::config_file::parse(text).is_ok_and(|file| file.secrets.is_some())
}
