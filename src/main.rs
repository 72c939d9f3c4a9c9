//! pooladmin's command line: opens the window on the default database, another one
//! (`--db PATH`), or a populated demo database (`--demo`); runs the scaler without a window
//! (`headless`); exports and imports the configuration; manages API keys; and is the
//! reference agent (`agent`) and a portal's client (`session`).
// The command line's answers are its standard output (the library never prints).
#![allow(clippy::print_stdout)]

mod cli_api;
mod cli_cloud;
mod cli_config;
mod cli_database;
mod cli_db;
mod cli_exit;
mod cli_simulate;
mod stop_signal;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use cli_database::DatabaseArgs;
use cli_exit::{EXIT_CODES, report};
#[cfg(feature = "gui")]
use pooladmin::api::ApiControl;
use pooladmin::api::ApiStatus;
use pooladmin::cloud::{Clock, ProviderClouds};
#[cfg(feature = "gui")]
use pooladmin::scaler::ScalerHandle;
use pooladmin::scaler::election::{self, ElectionSettings};
use pooladmin::scaler::gauges::ScalerGauges;
use pooladmin::scaler::supervisor::{Maker, supervise};
use pooladmin::scaler::{Command as ScalerCommand, Leadership, ScalerSettings};
use pooladmin::store::Database;
#[cfg(feature = "gui")]
use pooladmin::store::Store;
#[cfg(feature = "gui")]
use pooladmin::ui::ui_state::UiState;
#[cfg(feature = "gui")]
use pooladmin::ui::{OpenErrorApp, PoolAdminApp};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Administration of remote-desktop Server and Docker Agent pools. Without a command, the
/// window opens.
#[derive(Parser, Debug)]
#[command(version, about, after_help = EXIT_CODES)]
struct Cli {
    /// The window's database (commands that use one also take these after their name).
    #[command(flatten)]
    database: DatabaseArgs,
    /// More log on standard error: -v for progress, -vv for detail (RUST_LOG, when set,
    /// decides instead). headless and agent log progress to standard output anyway.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Without a command, the window opens.
    #[command(subcommand)]
    command: Option<Command>,
}

/// What to do instead of opening the window.
#[derive(Subcommand, Debug)]
enum Command {
    /// Run the scaler without a window, logging to standard output, until SIGINT or
    /// SIGTERM (calls in flight finish or are left for the next start). With --demo, the
    /// demo's users start and end sessions too. The HTTP API runs as its settings say.
    #[command(after_help = EXIT_CODES)]
    Headless {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Serve the HTTP API on this address and port (e.g. 127.0.0.1:8443), whatever the
        /// stored settings say; an address other than loopback needs the stored TLS settings.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<std::net::SocketAddr>,
    },
    /// Portal keys of the HTTP API.
    #[command(subcommand, after_help = EXIT_CODES)]
    ApiKey(cli_api::ApiKeyCommand),
    /// Print the HTTP API's OpenAPI 3.1 document (assets/api-openapi.json).
    ApiSchema,
    /// Run the reference agent on a member: check in, then heartbeat every 10 s, until
    /// SIGTERM.
    #[command(after_help = EXIT_CODES)]
    Agent(cli_api::AgentArgs),
    /// Start or end a session through the HTTP API, as a portal does.
    #[command(subcommand)]
    Session(cli_api::SessionCommand),
    /// Print the whole configuration as JSON ("format": "pooladmin/1") on standard output:
    /// what administrators made, not the members AutoScale configs made.
    #[command(after_help = EXIT_CODES)]
    Export(cli_config::ExportArgs),
    /// Print the JSON Schema of the configuration file format.
    Schema,
    /// Replay a config's recorded demand (default: the last 7 days) against its current
    /// values and candidate ones (--set key=value), and print both side by side.
    #[command(after_help = EXIT_CODES)]
    Simulate(cli_simulate::SimulateArgs),
    /// Read what a VM Provider config's account has (regions, images, sizes, …).
    #[command(subcommand, after_help = EXIT_CODES)]
    Cloud(cli_cloud::CloudCommand),
    /// Check a configuration file, then apply it in one transaction: create what is new,
    /// update what exists (matched by name). Every fault of the file is listed at once.
    #[command(after_help = EXIT_CODES)]
    Import(cli_config::ImportArgs),
    /// Move an installation between databases.
    #[command(subcommand, after_help = EXIT_CODES)]
    Db(cli_db::DbCommand),
}

impl Cli {
    /// The database options given before a command's name moved to the command (as earlier
    /// versions took them there); refused for a command that uses no database.
    fn settled(mut self) -> Result<Self, &'static str> {
        let given = self.database.db.is_some() || self.database.demo;
        if let Some(command) = &mut self.command {
            match command.database_mut() {
                Some(own) => own.fill_from(&self.database),
                None if given => {
                    return Err("this command uses no database: --db and --demo do not apply");
                }
                None => {}
            }
        }
        Ok(self)
    }
}

impl Command {
    /// The database options of a command that uses a database.
    fn database_mut(&mut self) -> Option<&mut DatabaseArgs> {
        match self {
            Self::Headless { database, .. } => Some(database),
            Self::ApiKey(command) => Some(command.database_mut()),
            Self::Export(args) => Some(&mut args.database),
            Self::Import(args) => Some(&mut args.database),
            Self::Simulate(args) => Some(&mut args.database),
            Self::Cloud(command) => Some(command.database_mut()),
            Self::ApiSchema | Self::Agent(_) | Self::Session(_) | Self::Schema | Self::Db(_) => {
                None
            }
        }
    }
}

#[cfg(feature = "gui")]
const ICON: &[u8] = include_bytes!("../assets/icon.png");

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are answers (0); a wrong argument is the caller's input (1).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { cli_exit::INPUT } else { 0 });
        }
    };
    let cli = match cli.settled() {
        Ok(cli) => cli,
        Err(problem) => {
            eprintln!("pooladmin: {problem}");
            return ExitCode::from(cli_exit::INPUT);
        }
    };
    // Headless and as an agent, the log is the output (progress included); otherwise
    // standard output belongs to the command's answer and standard error says only what
    // went wrong, unless asked for more.
    let logs_progress = matches!(
        cli.command,
        Some(Command::Agent(_) | Command::Headless { .. })
    );
    let level = match (logs_progress, cli.verbose) {
        (true, 0) | (false, 1) => "info",
        (_, 0) => "warn",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let log = tracing_subscriber::fmt().with_env_filter(filter);
    if logs_progress {
        log.with_writer(std::io::stdout).init();
    } else {
        log.with_writer(std::io::stderr).init();
    }
    match cli.command {
        Some(Command::Agent(args)) => report(cli_api::agent(&args)),
        Some(Command::Headless { database, listen }) => report(headless(&database, listen)),
        Some(Command::ApiSchema) => {
            print!("{}", pooladmin::api::openapi_json());
            ExitCode::SUCCESS
        }
        Some(Command::Schema) => {
            print!("{}", pooladmin::config_file::json_schema());
            ExitCode::SUCCESS
        }
        Some(Command::ApiKey(command)) => report(cli_api::api_key(command)),
        Some(Command::Session(command)) => report(cli_api::session(&command)),
        Some(Command::Cloud(command)) => report(cli_cloud::cloud(&command)),
        Some(Command::Simulate(args)) => report(cli_simulate::simulate(&args)),
        Some(Command::Export(args)) => report(cli_config::export(&args)),
        Some(Command::Import(args)) => report(cli_config::import(&args)),
        Some(Command::Db(command)) => report(cli_db::db(&command)),
        None => report(run(&cli.database)),
    }
}

#[cfg(not(feature = "gui"))]
fn run(_database: &DatabaseArgs) -> Result<()> {
    anyhow::bail!(
        "this pooladmin was built without the window (--no-default-features); use headless, agent, session, api-key, export or import"
    )
}

#[cfg(feature = "gui")]
fn run(database: &DatabaseArgs) -> Result<()> {
    let place = database.database()?;
    let store = match Store::open_database(&place, &database.key_source()) {
        Ok(store) => store,
        Err(e) => {
            // Said in a window too: a desktop user may not see standard error.
            let message = e.to_string();
            let _ = eframe::run_native(
                "pooladmin",
                window_options([560.0, 220.0]),
                Box::new(|_| Ok(Box::new(OpenErrorApp { message }))),
            );
            return Err(e.into());
        }
    };
    let mut store = store;
    if database.demo && store.is_empty()? {
        pooladmin::demo::seed(&mut store).context("writing the demo data")?;
        tracing::info!(database = %place, "demo database populated");
    }
    tracing::info!(database = %place, "database open");
    let simulator_state = pooladmin::cloud::factory::simulator_state_base(&place);
    // On a server's database the window is a node that watches: a laptop sleeps, so it runs
    // the scaler only when its administrator asks it to ("Run the scaler here").
    let leadership = match &place {
        Database::Postgres(_) => Some(Arc::new(Leadership::new(&database.node_name(true)?, false))),
        Database::File(_) => None,
    };
    let scaler_store = store.sibling().context("opening the scaler's connection")?;
    let api_store = store.sibling().context("opening the API's connection")?;
    let demo_store = if database.demo {
        Some(store.sibling().context("opening the demo's connection")?)
    } else {
        None
    };
    let mut app = PoolAdminApp::new(store);
    if database.demo {
        app = app.with_subtitle("Demo database");
    }
    let stop_users = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&stop_users);
    let result = eframe::run_native(
        "pooladmin",
        window_options([1440.0, 900.0]),
        Box::new(move |cc| {
            let egui_ctx = cc.egui_ctx.clone();
            let clouds = Arc::new(ProviderClouds::new(Clock::new(), simulator_state));
            let scaler = ScalerHandle::start(
                scaler_store,
                Arc::clone(&clouds) as Arc<dyn pooladmin::cloud::CloudFactory>,
                ScalerSettings::default(),
                Arc::new(move || egui_ctx.request_repaint()),
                leadership,
            )?;
            // The HTTP API beside the scaler, on its runtime, as its settings say; the demo
            // serves it on a loopback port of the system's choosing.
            let wake = scaler.commander();
            let demo_listen = demo_store.as_ref().map(|_| loopback_any_port());
            let api = scaler.runtime().map(|runtime| {
                ApiControl::start(
                    runtime,
                    api_store,
                    demo_listen,
                    Arc::new(move || {
                        let _ = wake.send(ScalerCommand::Wake);
                    }),
                    scaler.gauges(),
                )
            });
            if let (Some(mut demo), Some(api), Some(runtime)) =
                (demo_store, api.as_ref(), scaler.runtime())
            {
                let commands = scaler.commander();
                pooladmin::demo::start_on_api(
                    &mut demo,
                    runtime,
                    api.listening_url(),
                    simulated_clouds(&clouds),
                    move || {
                        let _ = commands.send(ScalerCommand::Wake);
                    },
                    stop,
                )
                .map_err(std::io::Error::other)?;
            }
            let app = match api {
                Some(api) => app.with_api(api),
                None => app,
            };
            // The page, filters and sorts of the last run (window size, column widths
            // and the theme come back through eframe and egui themselves).
            let app = match cc.storage {
                Some(storage) => app.with_ui_state(UiState::load(storage)),
                None => app,
            };
            Ok(Box::new(app.with_scaler(scaler)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"));
    stop_users.store(true, Ordering::Relaxed);
    result
}

/// The scaler without a window, until SIGINT or SIGTERM. On a PostgreSQL database this
/// process is one node of the deployment: it serves the API and runs the scaler while the
/// election makes it the leader.
fn headless(database: &DatabaseArgs, listen: Option<std::net::SocketAddr>) -> Result<()> {
    let place = database.database()?;
    let leadership = match &place {
        Database::Postgres(_) => Some(Arc::new(Leadership::new(&database.node_name(false)?, true))),
        Database::File(_) => None,
    };
    let mut store = database.open_for_scaler()?;
    if database.demo && store.is_empty()? {
        pooladmin::demo::seed(&mut store).context("writing the demo data")?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the scaler's runtime")?;
    runtime.block_on(async move {
        let (commands, command_rx) = tokio::sync::mpsc::unbounded_channel();
        // The log is the output: updates need no reader.
        let (updates, mut update_rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move { while update_rx.recv().await.is_some() {} });
        let stop_users = Arc::new(AtomicBool::new(false));
        let gauges = Arc::new(ScalerGauges::default());
        let clouds = Arc::new(ProviderClouds::new(
            Clock::new(),
            pooladmin::cloud::factory::simulator_state_base(&place),
        ));
        if let Some(listen) = listen {
            let settings = store.api_settings()?;
            if !listen.ip().is_loopback() && !settings.uses_tls() {
                anyhow::bail!(
                    "--listen {listen}: other machines could reach the API in clear; set a TLS certificate and key on the API page first, or listen on 127.0.0.1"
                );
            }
        }
        let election = match &leadership {
            Some(leadership) => {
                gauges.set_leadership(Arc::clone(leadership));
                Some(election::start(
                    store.sibling()?,
                    Arc::clone(leadership),
                    ElectionSettings::default(),
                )?)
            }
            None => None,
        };
        let maker = Maker {
            store: store.sibling()?,
            clouds: Arc::clone(&clouds) as Arc<dyn pooladmin::cloud::CloudFactory>,
            settings: ScalerSettings::default(),
            updates,
            gauges: Arc::clone(&gauges),
        };
        // The API, as its settings say (the demo's on loopback); the watch's sender lives as
        // long as this loop.
        let listen = listen.or(database.demo.then(loopback_any_port));
        let (_reload, reload_rx) = tokio::sync::watch::channel(0u64);
        let api_status = Arc::new(std::sync::Mutex::new(ApiStatus::Off));
        let wake = commands.clone();
        tokio::spawn(pooladmin::api::supervise(
            store.sibling()?,
            listen,
            Arc::new(move || {
                let _ = wake.send(ScalerCommand::Wake);
            }),
            Arc::clone(&gauges),
            reload_rx,
            Arc::clone(&api_status),
        ));
        if database.demo {
            let wake = commands.clone();
            pooladmin::demo::start_on_api(
                &mut store,
                &tokio::runtime::Handle::current(),
                pooladmin::api::listening_url(Arc::clone(&api_status)),
                simulated_clouds(&clouds),
                move || {
                    let _ = wake.send(ScalerCommand::Wake);
                },
                Arc::clone(&stop_users),
            )
            .map_err(anyhow::Error::msg)?;
        }
        match &leadership {
            Some(l) => tracing::info!(db = %place, node = %l.node(), "node running headless: it serves the API and runs the scaler while elected; Ctrl-C or SIGTERM stops it"),
            None => tracing::info!(db = %place, "scaler running headless; Ctrl-C or SIGTERM stops it"),
        }
        let restart = Arc::new(tokio::sync::Notify::new());
        // Run here, not spawned: the supervisor borrows its connections across its waits.
        let running = supervise(maker, command_rx, restart, leadership.clone());
        tokio::pin!(running);
        tokio::select! {
            stopped = stop_signal::wait_for_stop_signal() => stopped?,
            () = &mut running => anyhow::bail!("the scaler stopped"),
        }
        tracing::info!("stopping: calls in flight finish or are left for the next start");
        stop_users.store(true, Ordering::Relaxed);
        let _ = commands.send(ScalerCommand::Shutdown);
        running.await;
        // Only once the scaler stopped is the lease handed back: the next leader starts at
        // once and never overlaps this one.
        if let (Some(leadership), Some(election)) = (leadership, election) {
            let _ =
                tokio::task::spawn_blocking(move || election::stop(&leadership, election)).await;
        }
        Ok(())
    })
}

/// 127.0.0.1 on a port the system chooses (the demo's API).
fn loopback_any_port() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The simulated clouds `clouds` made, for the demo's hosts.
fn simulated_clouds(clouds: &Arc<ProviderClouds>) -> pooladmin::demo::fleet::SimulatedClouds {
    let clouds = Arc::clone(clouds);
    Arc::new(move || clouds.simulated_clouds())
}

#[cfg(feature = "gui")]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `pooladmin …` command line the README shows, in code blocks and inline, with
    /// its placeholders filled in, shell continuations joined and redirections dropped.
    fn readme_command_lines() -> Vec<String> {
        let readme = include_str!("../README.md");
        let mut lines = Vec::new();
        let mut in_block = false;
        // A ```text block is a picture (the High availability diagram), not commands.
        let mut in_picture = false;
        let mut pending = String::new();
        for line in readme.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with("```") {
                in_block = !in_block;
                in_picture = in_block && trimmed == "```text";
                continue;
            }
            if in_picture {
                continue;
            }
            if in_block {
                let command = if pending.is_empty() {
                    trimmed.strip_prefix("pooladmin ").map(str::to_owned)
                } else {
                    Some(format!("{pending} {trimmed}"))
                };
                let Some(command) = command else { continue };
                match command.strip_suffix('\\') {
                    Some(open) => pending = open.trim().to_owned(),
                    None => {
                        pending.clear();
                        lines.push(command);
                    }
                }
                continue;
            }
        }
        // Inline spans: `pooladmin …`, possibly across a line break.
        let joined = readme.replace('\n', " ");
        for (i, span) in joined.split('`').enumerate() {
            if i % 2 == 1
                && let Some(command) = span.strip_prefix("pooladmin ")
            {
                lines.push(command.to_owned());
            }
        }
        lines
            .iter()
            .map(|line| {
                let line = line.split(" #").next().unwrap_or(line);
                let line = line.split(" > ").next().unwrap_or(line);
                line.replace(['[', ']'], "")
                    .replace("{checkin_url}", "https://pooladmin.example.com:8443")
                    .replace("...", "")
                    .replace('…', "")
            })
            .collect()
    }

    #[test]
    fn every_command_line_in_the_readme_parses() {
        let lines = readme_command_lines();
        assert!(lines.len() >= 12, "the README's commands: {lines:?}");
        for line in &lines {
            let args = shlex::split(line).unwrap_or_else(|| panic!("unquotable: {line}"));
            let argv = std::iter::once("pooladmin".to_owned()).chain(args);
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("README: `pooladmin {line}` does not parse:\n{e}");
            }
        }
    }

    #[test]
    fn demo_is_accepted_before_and_after_the_command() {
        for argv in [
            ["pooladmin", "--demo", "headless"],
            ["pooladmin", "headless", "--demo"],
        ] {
            let cli = Cli::try_parse_from(argv)
                .expect("parses")
                .settled()
                .unwrap();
            let Some(Command::Headless { database, .. }) = cli.command else {
                panic!("{argv:?}: not headless");
            };
            assert!(database.demo, "{argv:?}");
        }
    }
}
