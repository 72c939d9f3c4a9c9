//! `pooladmin cloud list`: what a VM Provider config's account has, as the form's pickers
//! show it, printed as a table or JSON.

use crate::cli_database::DatabaseArgs;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use pooladmin::cloud::{Clock, CloudFactory, ProviderClouds};
use pooladmin::model::cloud_list::ListKind;
use pooladmin::model::vm_provider::VmProviderSpec;

/// `pooladmin cloud …`.
#[derive(Subcommand, Debug)]
pub enum CloudCommand {
    /// One list of the account: regions, zones, images, sizes, subnets, security-groups,
    /// key-pairs, identities, firewalls, tags, networks, accelerators, resource-groups.
    List(ListArgs),
}

/// `pooladmin cloud list …`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The VM Provider config whose account and region are read.
    #[arg(long)]
    provider_config: String,
    /// What to list.
    kind: String,
    /// Narrow a long list (public AMIs are searched by name this way).
    #[arg(long, default_value = "")]
    search: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

impl CloudCommand {
    /// Its database options.
    pub fn database_mut(&mut self) -> &mut DatabaseArgs {
        let Self::List(args) = self;
        &mut args.database
    }
}

/// Reads and prints the list.
pub fn cloud(command: &CloudCommand) -> Result<()> {
    let CloudCommand::List(args) = command;
    let kind = ListKind::parse(&args.kind).ok_or_else(|| {
        let kinds: Vec<&str> = ListKind::ALL.iter().map(|k| k.as_str()).collect();
        anyhow::anyhow!(
            "'{}' is not a list; one of: {}",
            args.kind,
            kinds.join(", ")
        )
    })?;
    let store = args.database.open_for_command()?;
    let configs = store.configs::<VmProviderSpec>()?;
    let row = configs
        .iter()
        .find(|r| r.spec.name.eq_ignore_ascii_case(&args.provider_config))
        .ok_or_else(|| {
            let names: Vec<&str> = configs.iter().map(|r| r.spec.name.as_str()).collect();
            anyhow::anyhow!(
                "no VM Provider config is named '{}'; there are: {}",
                args.provider_config,
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )
        })?;
    let cloud_kind = row.spec.settings.kind();
    let offered = ListKind::of(cloud_kind);
    if offered.is_empty() {
        anyhow::bail!(
            "{} is {}, which has no account to read lists from",
            row.spec.name,
            cloud_kind.label()
        );
    }
    if !offered.contains(&kind) {
        anyhow::bail!(
            "{} offers no list of {} here; it has: {}",
            cloud_kind.label(),
            kind.as_str(),
            offered
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let clouds = ProviderClouds::new(
        Clock::new(),
        pooladmin::cloud::factory::simulator_state_base(store.database()),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let entries = runtime.block_on(async {
        let cloud = clouds.vm_cloud(row.id, &row.spec)?;
        cloud.list(kind, &args.search).await
    })?;
    let entries: Vec<_> = entries
        .into_iter()
        .filter(|e| e.matches(&args.search))
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    let width = |f: &dyn Fn(&pooladmin::model::cloud_list::ListEntry) -> usize| {
        entries.iter().map(f).max().unwrap_or(0)
    };
    let (w1, w2) = (
        width(&|e| e.value.chars().count()).max(5),
        width(&|e| e.label.chars().count()).max(4),
    );
    println!("{:w1$}  {:w2$}  DETAIL", "VALUE", "NAME");
    for e in &entries {
        println!("{:w1$}  {:w2$}  {}", e.value, e.label, e.detail);
    }
    println!("{} {}", entries.len(), kind.noun(cloud_kind));
    Ok(())
}
