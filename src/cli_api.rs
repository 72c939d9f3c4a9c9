//! The command line of the HTTP API: portal keys (`api-key`), the reference agent (`agent`)
//! and a portal's calls (`session start`, `session end`).

use crate::cli_database::DatabaseArgs;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use pooladmin::agent::{AgentOptions, host_facts::read_host};
use pooladmin::api::client::ApiClient;
use pooladmin::api::types::SessionStartRequest;
use pooladmin::model::Secret;
use pooladmin::model::host_health::report_age;
use pooladmin::store::KeyRights;
use std::path::{Path, PathBuf};

/// `pooladmin api-key …`: on a database, also while pooladmin has it open.
#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Make a portal key; it is printed once, alone on the last line.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// A name for it (who uses it).
        #[arg(long)]
        name: String,
        /// It may only read (pools, metrics): no session started or ended.
        #[arg(long)]
        read_only: bool,
        /// A pool it may use (repeat for more); without any, every pool.
        #[arg(long = "pool", value_name = "NAME")]
        pools: Vec<String>,
    },
    /// List the keys: name, created, last used, rights.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a key at once.
    Revoke {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Its name.
        name: String,
    },
}

/// `pooladmin agent …`.
#[derive(Args, Debug)]
pub struct AgentArgs {
    /// pooladmin's API: its base URL or the `{checkin_url}`.
    #[arg(long)]
    url: String,
    /// File holding the agent token (`{checkin_token}`, or one from the member's Actions
    /// menu). A bootstrap token is replaced in it by the member's working token at check-in,
    /// so the file must be writable (it is written with mode 0600).
    #[arg(long, value_name = "FILE")]
    token_file: PathBuf,
    /// The address sessions reach this host at (default: the one that routes to pooladmin).
    #[arg(long)]
    address: Option<String>,
    /// A CA certificate (PEM) to trust for the API besides the system's.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// A file listing the ids of the sessions this host runs, one a line; sessions it no
    /// longer lists are ended. Without it, sessions are not checked.
    #[arg(long, value_name = "FILE")]
    sessions_file: Option<PathBuf>,
}

/// Where a portal call goes and with which key.
#[derive(Args, Debug)]
pub struct PortalArgs {
    /// pooladmin's API base URL, e.g. https://pooladmin.example.com:8443.
    #[arg(long)]
    api: String,
    /// File holding a portal key (`pooladmin api-key create`).
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,
    /// A CA certificate (PEM) to trust for the API besides the system's.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
}

/// `pooladmin session …`.
#[derive(Subcommand, Debug)]
pub enum SessionCommand {
    /// Start a session; prints the answer as JSON.
    Start {
        #[command(flatten)]
        portal: PortalArgs,
        /// The pool's name.
        #[arg(long)]
        pool: String,
        /// Who it is for.
        #[arg(long)]
        user: String,
        /// Cores (Docker Agent pools).
        #[arg(long)]
        cores: Option<f64>,
        /// Memory in MB (Docker Agent pools).
        #[arg(long)]
        memory_mb: Option<i64>,
        /// GPUs (Docker Agent pools).
        #[arg(long)]
        gpus: Option<i64>,
        /// File holding the user's credential, for servers that sign in as the user.
        #[arg(long, value_name = "FILE")]
        credential_file: Option<PathBuf>,
    },
    /// End a session (ending one already gone is fine).
    End {
        #[command(flatten)]
        portal: PortalArgs,
        /// The session's id.
        id: String,
    },
}

impl ApiKeyCommand {
    /// Its database options.
    pub fn database_mut(&mut self) -> &mut DatabaseArgs {
        match self {
            Self::Create { database, .. }
            | Self::List { database }
            | Self::Revoke { database, .. } => database,
        }
    }
}

/// Runs an `api-key` command.
pub fn api_key(mut command: ApiKeyCommand) -> Result<()> {
    let mut store = command.database_mut().open_for_command()?;
    let now = jiff::Timestamp::now();
    match &command {
        ApiKeyCommand::Create {
            name,
            read_only,
            pools,
            ..
        } => {
            let rights = KeyRights {
                read_only: *read_only,
                pools: pools.clone(),
            };
            let key = store.create_api_key(name, &rights, now)?;
            println!("API key {} created; it is shown this once:", name.trim());
            println!("{}", key.expose());
        }
        ApiKeyCommand::List { .. } => {
            println!("NAME\tCREATED\tLAST USED\tRIGHTS");
            for key in store.api_keys()? {
                let created = key
                    .created_at
                    .round(jiff::Unit::Second)
                    .unwrap_or(key.created_at);
                println!(
                    "{}\t{created}\t{}\t{}",
                    key.name,
                    report_age(key.last_used, now),
                    key.rights.describe()
                );
            }
        }
        ApiKeyCommand::Revoke { name, .. } => {
            store.revoke_api_key(name)?;
            println!("API key {} revoked", name.trim());
        }
    }
    Ok(())
}

fn read_secret(file: &Path, what: &str) -> Result<Secret> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading the {what} from {}", file.display()))?;
    let secret = text.trim();
    anyhow::ensure!(!secret.is_empty(), "{} holds no {what}", file.display());
    Ok(Secret::new(secret))
}

fn read_ca(file: Option<&PathBuf>) -> Result<Option<String>> {
    file.map(|f| {
        std::fs::read_to_string(f)
            .with_context(|| format!("reading the CA certificate {}", f.display()))
    })
    .transpose()
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// Runs the reference agent until SIGTERM or SIGINT.
pub fn agent(args: &AgentArgs) -> Result<()> {
    let token = read_secret(&args.token_file, "agent token")?;
    let ca = read_ca(args.ca_file.as_ref())?;
    let client = ApiClient::new(&args.url, token, ca.as_deref()).map_err(anyhow::Error::msg)?;
    // The host and port the agent reaches pooladmin at, to find its own address by routing.
    let url = reqwest::Url::parse(client.base()).context("the API URL")?;
    let api_host = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port_or_known_default().unwrap_or(443)
    );
    let facts = read_host(&api_host, args.address.as_deref());
    tracing::info!(
        url = client.base(),
        hostname = %facts.hostname,
        address = %facts.address,
        cores = facts.cores,
        memory_mb = facts.memory_mb,
        gpus = facts.gpus,
        "agent starting"
    );
    let options = AgentOptions {
        client,
        facts,
        sessions_file: args.sessions_file.clone(),
        token_file: Some(args.token_file.clone()),
    };
    runtime()?.block_on(async {
        let stop = async {
            let _ = crate::stop_signal::wait_for_stop_signal().await;
        };
        pooladmin::agent::run(options, stop)
            .await
            .map_err(anyhow::Error::from)
    })
}

fn portal_client(portal: &PortalArgs) -> Result<ApiClient> {
    let key = read_secret(&portal.key_file, "API key")?;
    let ca = read_ca(portal.ca_file.as_ref())?;
    ApiClient::new(&portal.api, key, ca.as_deref()).map_err(anyhow::Error::msg)
}

/// Runs a `session` command.
pub fn session(command: &SessionCommand) -> Result<()> {
    match command {
        SessionCommand::Start {
            portal,
            pool,
            user,
            cores,
            memory_mb,
            gpus,
            credential_file,
        } => {
            let client = portal_client(portal)?;
            let credential = credential_file
                .as_ref()
                .map(|f| read_secret(f, "credential"))
                .transpose()?;
            let request = SessionStartRequest {
                user: user.clone(),
                cores: *cores,
                memory_mb: *memory_mb,
                gpus: *gpus,
                credential: credential.map(|c| c.expose().to_owned()),
            };
            let answer = runtime()?
                .block_on(client.start_session(pool, &request))
                .map_err(|e| {
                    let context = match e.retry_after {
                        Some(after) => format!("no session started (retry after {after} s)"),
                        None => "no session started".to_owned(),
                    };
                    anyhow::Error::new(e).context(context)
                })?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        SessionCommand::End { portal, id } => {
            let client = portal_client(portal)?;
            runtime()?
                .block_on(client.end_session(id))
                .map_err(|e| anyhow::Error::new(e).context(format!("session {id} not ended")))?;
            println!("session {id} ended");
            Ok(())
        }
    }
}
