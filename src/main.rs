//! pooladmin's command line: opens the window on the default database, another one
//! (`--db PATH`), or a populated demo database (`--demo`).

use anyhow::{Context, Result};
use clap::Parser;
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
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Open a populated demo database (demo.sqlite beside the default one, or --db PATH),
    /// never your own.
    #[arg(long)]
    demo: bool,
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
    // A passphrase, when given, seals secrets instead of the key file beside the database.
    let key = match std::env::var("POOLADMIN_PASSPHRASE") {
        Ok(passphrase) if !passphrase.is_empty() => KeySource::Passphrase(Secret::new(passphrase)),
        _ => KeySource::Auto,
    };
    let store = match Store::open_with_key(&path, &key) {
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
