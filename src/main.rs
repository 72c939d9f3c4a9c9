//! pooladmin's command line: opens the window on the default database, another one
//! (`--db PATH`), or a populated demo database (`--demo`).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use pooladmin::model::Secret;
use pooladmin::store::{KeySource, Store};
use pooladmin::ui::{OpenErrorApp, PoolAdminApp};
use std::path::PathBuf;
use std::process::ExitCode;

/// Administration of remote-desktop Server and Docker Agent pools.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Database file to open (created if missing). Default: pooladmin.sqlite in the
    /// platform's data directory.
    #[arg(long, value_name = "PATH", global = true)]
    db: Option<PathBuf>,
    /// Open a populated demo database (demo.sqlite beside the default one, or --db PATH),
    /// never your own.
    #[arg(long)]
    demo: bool,
    /// Without a command, the window opens.
    #[command(subcommand)]
    command: Option<Command>,
}

/// Configuration as code.
#[derive(Subcommand, Debug)]
enum Command {
    /// Print the whole configuration as JSON ("format": "pooladmin/1") on standard output.
    Export {
        /// Include every secret, sealed with POOLADMIN_EXPORT_PASSPHRASE (never in clear).
        #[arg(long)]
        with_secrets: bool,
    },
    /// Print the JSON Schema of the configuration file format.
    Schema,
    /// Apply a configuration file in one transaction: create what is new, update what
    /// exists (matched by name). Exit code 0 applied, 1 invalid file, 2 refused.
    Import {
        /// The file (from `pooladmin export` or written by hand).
        file: PathBuf,
        /// Print what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also delete what the file no longer has (refused for anything still in use).
        #[arg(long)]
        prune: bool,
    },
}

const ICON: &[u8] = include_bytes!("../assets/icon.png");

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Some(command) = &cli.command {
        return config_command(&cli, command);
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pooladmin: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let path = database_path(cli)?;
    let store = match Store::open_with_key(&path, &key_source()) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("pooladmin: {e}");
            // Also say it in a window: a desktop user may not see stderr.
            let message = e.to_string();
            let _ = eframe::run_native(
                "pooladmin",
                window_options([560.0, 220.0]),
                Box::new(|_| Ok(Box::new(OpenErrorApp { message }))),
            );
            anyhow::bail!("the database could not be opened");
        }
    };
    let mut store = store;
    if cli.demo && store.is_empty()? {
        pooladmin::demo::seed(&mut store).context("writing the demo data")?;
        tracing::info!(path = %path.display(), "demo database populated");
    }
    tracing::info!(path = %path.display(), "database open");
    let mut app = PoolAdminApp::new(store);
    if cli.demo {
        app = app.with_subtitle("Demo database");
    }
    eframe::run_native(
        "pooladmin",
        window_options([1440.0, 900.0]),
        Box::new(|_| Ok(Box::new(app))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}

/// The key source the environment asks for.
fn key_source() -> KeySource {
    // A passphrase, when given, seals secrets instead of the keyring or key file.
    match std::env::var("POOLADMIN_PASSPHRASE") {
        Ok(passphrase) if !passphrase.is_empty() => KeySource::Passphrase(Secret::new(passphrase)),
        _ => KeySource::Auto,
    }
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

/// `export` and `import`: reports on stdout / stderr, answers with the exit code.
fn config_command(cli: &Cli, command: &Command) -> ExitCode {
    if let Command::Schema = command {
        print!("{}", pooladmin::config_file::json_schema());
        return ExitCode::SUCCESS;
    }
    let opened = database_path(cli)
        .and_then(|path| Store::open_with_key(&path, &key_source()).map_err(anyhow::Error::from));
    let mut store = match opened {
        Ok(store) => store,
        Err(e) => {
            eprintln!("pooladmin: {e:#}");
            return ExitCode::from(1);
        }
    };
    match command {
        Command::Schema => ExitCode::SUCCESS,
        Command::Export { with_secrets } => {
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
            match pooladmin::config_file::export(&store, sealing) {
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
            let outcome = pooladmin::config_file::parse(&text).and_then(|parsed| {
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

fn database_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(path) = &cli.db {
        return Ok(path.clone());
    }
    let dirs = directories::ProjectDirs::from("", "", "pooladmin")
        .context("no home directory: pass --db PATH")?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))?;
    let file = if cli.demo {
        "demo.sqlite"
    } else {
        "pooladmin.sqlite"
    };
    Ok(dir.join(file))
}

fn window_options(size: [f32; 2]) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("pooladmin")
        .with_app_id("pooladmin")
        .with_inner_size(size);
    match eframe::icon_data::from_png_bytes(ICON) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => tracing::warn!(error = %e, "the window icon could not be read"),
    }
    eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    }
}
