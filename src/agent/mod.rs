//! The reference agent (`pooladmin agent`): runs on a member, checks in with its token,
//! then heartbeats every 10 s, backing off while pooladmin is away, until told to stop.

pub mod host_facts;
pub mod token_file;

use crate::api::client::{ApiClient, ClientError};
use crate::api::types::{CheckinRequest, HeartbeatRequest};
use crate::model::Secret;
use host_facts::HostFacts;
use std::path::PathBuf;
use std::time::Duration;

/// The agent's version, as it reports it.
pub const AGENT_VERSION: &str = concat!("pooladmin-agent ", env!("CARGO_PKG_VERSION"));

/// Longest wait between tries while pooladmin does not answer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What the agent runs with.
pub struct AgentOptions {
    /// The API client (base URL and token).
    pub client: ApiClient,
    /// The host as it checks in.
    pub facts: HostFacts,
    /// A file listing the session ids the host runs (one a line), when it keeps track.
    pub sessions_file: Option<PathBuf>,
    /// The file the token came from: the working token a check-in gives in exchange for a
    /// bootstrap token is saved there (mode 0600). Without one it is kept in memory only.
    pub token_file: Option<PathBuf>,
}

/// Why the agent stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The token was refused: revoked, or its member is gone.
    #[error(
        "pooladmin refused the token ({0}); the member may have been deleted or given a new token"
    )]
    Refused(ClientError),
}

/// Runs until `stop` resolves (SIGTERM), or the token is refused.
pub async fn run(
    mut options: AgentOptions,
    stop: impl Future<Output = ()>,
) -> Result<(), AgentError> {
    tokio::pin!(stop);
    let checkin = CheckinRequest {
        hostname: options.facts.hostname.clone(),
        address: options.facts.address.clone(),
        cores: options.facts.cores,
        memory_mb: options.facts.memory_mb,
        gpus: options.facts.gpus,
        version: AGENT_VERSION.to_owned(),
    };
    let mut backoff = Duration::from_secs(1);
    let mut checked_in = false;
    loop {
        let result = if checked_in {
            let beat = HeartbeatRequest {
                sessions: options.sessions_file.as_ref().and_then(read_sessions),
                load: load_average(),
            };
            options.client.heartbeat(&beat).await
        } else {
            options.client.check_in(&checkin).await
        };
        let wait = match result {
            Ok(answer) => {
                if !checked_in {
                    tracing::info!(name = %answer.name, state = %answer.state, "checked in");
                }
                if let Some(token) = answer.token {
                    // The bootstrap token is dead now: from here on, the working one.
                    let token = Secret::new(token);
                    if let Some(file) = &options.token_file
                        && let Err(e) = token_file::save_token(file, &token)
                    {
                        tracing::warn!(
                            file = %file.display(),
                            error = %e,
                            "the working token cannot be saved; it is kept in memory until the agent stops"
                        );
                    }
                    options.client.set_bearer(token);
                }
                checked_in = true;
                backoff = Duration::from_secs(1);
                Duration::from_secs(answer.heartbeat_interval_s.clamp(1, 300))
            }
            Err(e) if e.status == Some(401) => return Err(AgentError::Refused(e)),
            Err(e) => {
                tracing::warn!(error = %e, retry_in_s = backoff.as_secs(), "pooladmin did not answer");
                let wait = e
                    .retry_after
                    .map_or(backoff, |s| Duration::from_secs(s).max(backoff));
                backoff = (backoff * 2).min(MAX_BACKOFF);
                wait
            }
        };
        tokio::select! {
            () = &mut stop => {
                tracing::info!("stopping");
                return Ok(());
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// The session ids in `file`; an unreadable file reports nothing rather than "none", so no
/// session is ended for it.
fn read_sessions(file: &PathBuf) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(file)
        .inspect_err(|e| tracing::warn!(file = %file.display(), error = %e, "the sessions file cannot be read"))
        .ok()?;
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
