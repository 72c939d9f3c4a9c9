//! `pooladmin simulate`: a what-if replay of a config's recorded demand, printed.

use crate::cli_database::DatabaseArgs;
use anyhow::{Context, Result};
use clap::Args;
use jiff::{SignedDuration, Timestamp};
use pooladmin::replay::Change;
use pooladmin::replay::preview::for_config_named;

/// `pooladmin simulate …`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The AutoScale config whose pool's demand is replayed.
    #[arg(long)]
    config: String,
    /// Start of the replay: a date (YYYY-MM-DD, 00:00 UTC) or an RFC 3339 time. Default:
    /// seven days before --to.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// End of the replay (not included). Default: now.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// A candidate value, key=value (repeatable): standby_cores, standby_memory_mb,
    /// standby_gpus, agent_cores_override, agent_memory_override_gb, agent_gpus_override,
    /// minimum_available_sessions, max_sessions_per_server, reusable, downscale_backoff_s,
    /// max_instances.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// Replays and prints the report; a wrong argument names itself.
pub fn simulate(args: &SimulateArgs) -> Result<()> {
    let changes = args
        .set
        .iter()
        .map(|text| {
            Change::parse(text)
                .map_err(anyhow::Error::msg)
                .context("--set")
        })
        .collect::<Result<Vec<_>>>()?;
    let now = Timestamp::now();
    let to = match &args.to {
        Some(text) => parse_when(text).context("--to")?,
        None => now,
    };
    let from = match &args.from {
        Some(text) => parse_when(text).context("--from")?,
        None => to - SignedDuration::from_hours(24 * 7),
    };
    let store = args.database.open_for_command()?;
    let preview = for_config_named(&store, &args.config, &changes, from, to, now)?;
    print!("{}", preview.to_text());
    Ok(())
}

/// A date at 00:00 UTC, or an RFC 3339 instant.
fn parse_when(text: &str) -> Result<Timestamp> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| anyhow::anyhow!("'{text}': expected YYYY-MM-DD or an RFC 3339 time"))?;
    Ok(date.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}
