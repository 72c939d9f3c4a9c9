//! The configuration file, `"format": "pooladmin/1"`: one list per kind, references by
//! name, unknown keys refused. Secrets travel sealed, in `secrets`, or by reference where
//! each goes (`secret_refs.rs`); never in clear.

use crate::model::Secret;
use crate::model::autoscale::Scaling;
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::ldap::LdapSpec;
use crate::model::schedule::Schedule;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{ConnectionType, CredentialType, PoolKind, Resources};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format this build reads and writes.
pub const FORMAT: &str = "pooladmin/1";

/// A whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Deployment zones.
    #[serde(default)]
    pub zones: Vec<ZoneEntry>,
    /// Pools.
    #[serde(default)]
    pub pools: Vec<PoolEntry>,
    /// Servers.
    #[serde(default)]
    pub servers: Vec<ServerEntry>,
    /// Docker agents.
    #[serde(default)]
    pub docker_agents: Vec<AgentEntry>,
    /// Staging configs.
    #[serde(default)]
    pub staging_configs: Vec<StagingEntry>,
    /// LDAP configs.
    #[serde(default)]
    pub ldap_configs: Vec<LdapSpec>,
    /// VM Provider configs.
    #[serde(default)]
    pub vm_provider_configs: Vec<VmProviderSpec>,
    /// DNS Provider configs.
    #[serde(default)]
    pub dns_provider_configs: Vec<DnsProviderSpec>,
    /// AutoScale configs.
    #[serde(default)]
    pub autoscale_configs: Vec<AutoScaleEntry>,
    /// Every secret, sealed with a passphrase; absent unless exported with secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<SealedSecrets>,
    /// Secrets the file named by reference (`{"env": …}`, `{"file": …}`), read when it was
    /// parsed: "list/name/label" → value. Never written.
    #[serde(skip)]
    #[schemars(skip)]
    pub references: BTreeMap<String, Secret>,
}

/// A deployment zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneEntry {
    /// Its name: what the file's references and a re-import match it by.
    pub name: String,
}

/// A pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolEntry {
    /// Its name: what the file's references and a re-import match it by.
    pub name: String,
    /// Server or DockerAgent.
    pub kind: PoolKind,
}

/// A server; its password travels in `secrets`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerEntry {
    /// Friendly Name.
    pub friendly_name: String,
    /// Enabled.
    pub enabled: bool,
    /// Deployment Zone, by name.
    pub zone: String,
    /// Pool, by name.
    pub pool: Option<String>,
    /// Connection Type.
    pub connection_type: ConnectionType,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Credential Type.
    pub credential_type: CredentialType,
    /// Username.
    pub username: String,
    /// Connection Info (JSON).
    pub connection_info: String,
    /// Max Simultaneous Sessions.
    pub max_sessions: u32,
    /// Reusable.
    pub reusable: bool,
    /// Made by an AutoScale config: state, not configuration. Written only by
    /// `export --include-state` (a backup); import never makes such an entry a static member.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub autoscaled: bool,
}

/// A docker agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    /// Hostname.
    pub hostname: String,
    /// Enabled.
    pub enabled: bool,
    /// Draining.
    pub draining: bool,
    /// Deployment Zone, by name.
    pub zone: String,
    /// Pool, by name.
    pub pool: Option<String>,
    /// Reported cores, memory (MB), GPUs.
    pub reported: Resources,
    /// Overrides (0 = none).
    pub overrides: Resources,
    /// Made by an AutoScale config: state, not configuration. Written only by
    /// `export --include-state` (a backup); import never makes such an entry a static member.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub autoscaled: bool,
}

/// A staging config; a pool stages a workspace once, so (pool, workspace) names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StagingEntry {
    /// Deployment Zone, by name.
    pub zone: String,
    /// Pool, by name.
    pub pool: String,
    /// Workspace Name.
    pub workspace_name: String,
    /// Desired Sessions.
    pub desired_sessions: u32,
    /// What one session needs.
    pub per_session: Resources,
}

/// An AutoScale config; its shared configs by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoScaleEntry {
    /// Its name: what the file's references and a re-import match it by.
    pub name: String,
    /// Enabled.
    pub enabled: bool,
    /// Deployment Zone, by name.
    pub zone: String,
    /// Pool, by name.
    pub pool: String,
    /// Downscale Backoff (Seconds).
    pub downscale_backoff_s: String,
    /// Require Check-in.
    pub require_check_in: bool,
    /// Check-in by agent (`POST /v1/checkin`) instead of the port; left out when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub agent_check_in: bool,
    /// Provision Timeout (s).
    pub provision_timeout_s: String,
    /// The Server or Docker Agent fields.
    pub scaling: Scaling,
    /// VM Provider config, by name.
    pub vm_provider: String,
    /// DNS Provider config, by name.
    pub dns_provider: Option<String>,
    /// LDAP config for AD computer records, by name.
    pub ldap_config: Option<String>,
    /// Schedule windows and date overrides; left out when there are none.
    #[serde(default, skip_serializing_if = "Schedule::is_unset")]
    pub schedule: Schedule,
}

/// Secrets sealed with a passphrase: XChaCha20-Poly1305, key by Argon2id over `salt`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedSecrets {
    /// Base64 salt.
    pub salt: String,
    /// Base64 sealed JSON object: "kind/name/field" → value.
    pub sealed: String,
}
