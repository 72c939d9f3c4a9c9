//! Export: the store as a [`ConfigFile`], deterministic (every list sorted by name) so two
//! exports of the same state are byte-identical; secrets only sealed, and only on request.

use super::format::{
    AgentEntry, AutoScaleEntry, ConfigFile, FORMAT, PoolEntry, SealedSecrets, ServerEntry,
    StagingEntry, ZoneEntry,
};
use crate::config_file::list::List;
use crate::model::Secret;
use crate::model::autoscale::Scaling;
use crate::model::origin::Origin;
use crate::model::secret_fields::SecretFields;
use crate::store::{Sealer, Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::{BTreeMap, HashMap};

/// The configuration and, apart, its secrets ("kind/name/field" → value).
pub struct Snapshot {
    /// Everything but secrets.
    pub file: ConfigFile,
    /// Every secret that is set.
    pub secrets: BTreeMap<String, String>,
}

/// The key of a secret in the sealed map.
pub fn secret_key(kind: List, name: &str, field: &str) -> String {
    format!("{kind}/{name}/{field}")
}

fn collect<T: SecretFields>(
    secrets: &mut BTreeMap<String, String>,
    kind: List,
    name: &str,
    record: &T,
) {
    for (field, value) in record.secret_values() {
        if !value.is_empty() {
            secrets.insert(secret_key(kind, name, field), value.expose().to_owned());
        }
    }
}

/// What an export holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportScope {
    /// The configuration only: what an administrator made. Members an AutoScale config
    /// made are state (they come and go as the scaler acts), so two exports are equal for as
    /// long as nobody edits the configuration.
    #[default]
    Configuration,
    /// The configuration and the autoscaled members, marked as such: a backup to read, not
    /// a configuration to import (import skips the marked members).
    WithState,
}

/// Reads the configuration (and with [`ExportScope::WithState`] the autoscaled members,
/// marked) from the store, lists sorted by name.
pub fn snapshot(store: &Store, scope: ExportScope) -> Result<Snapshot, StoreError> {
    let wanted = |origin: Origin| origin == Origin::Static || scope == ExportScope::WithState;
    let zones: HashMap<_, _> = store.zones()?.into_iter().map(|z| (z.id, z.name)).collect();
    let pools: HashMap<_, _> = store.pools()?.into_iter().map(|p| (p.id, p.name)).collect();
    let zone = |id| zones.get(&id).cloned().unwrap_or_default();
    let pool = |id| pools.get(&id).cloned().unwrap_or_default();
    let mut secrets = BTreeMap::new();
    let mut file = ConfigFile {
        format: FORMAT.to_owned(),
        ..ConfigFile::default()
    };
    file.zones = store
        .zones()?
        .into_iter()
        .map(|z| ZoneEntry { name: z.name })
        .collect();
    file.pools = store
        .pools()?
        .into_iter()
        .map(|p| PoolEntry {
            name: p.name,
            kind: p.kind,
        })
        .collect();
    for row in store.servers()? {
        let origin = row.server.origin;
        if !wanted(origin) {
            continue;
        }
        let s = row.server.spec;
        if !s.password.is_empty() {
            secrets.insert(
                secret_key(List::Servers, &s.friendly_name, "Password"),
                s.password.expose().to_owned(),
            );
        }
        file.servers.push(ServerEntry {
            friendly_name: s.friendly_name,
            enabled: s.enabled,
            zone: zone(s.zone),
            pool: s.pool.map(pool),
            connection_type: s.connection_type,
            host: s.host,
            port: s.port,
            credential_type: s.credential_type,
            username: s.username,
            connection_info: s.connection_info,
            max_sessions: s.max_sessions,
            reusable: s.reusable,
            autoscaled: origin == Origin::Autoscaled,
        });
    }
    for row in store.agents()? {
        let a = row.agent;
        if !wanted(a.origin) {
            continue;
        }
        file.docker_agents.push(AgentEntry {
            hostname: a.spec.hostname,
            enabled: a.spec.enabled,
            draining: a.draining,
            zone: zone(a.spec.zone),
            pool: a.spec.pool.map(pool),
            reported: a.spec.reported,
            overrides: a.spec.overrides,
            autoscaled: a.origin == Origin::Autoscaled,
        });
    }
    for config in store.staging_configs()? {
        let s = config.spec;
        file.staging_configs.push(StagingEntry {
            zone: zone(s.zone),
            pool: pool(s.pool),
            workspace_name: s.workspace_name,
            desired_sessions: s.desired_sessions,
            per_session: s.per_session,
        });
    }
    let ldap = store.configs::<crate::model::ldap::LdapSpec>()?;
    let vms = store.configs::<crate::model::vm_provider::VmProviderSpec>()?;
    let dns = store.configs::<crate::model::dns_provider::DnsProviderSpec>()?;
    let ldap_name: HashMap<_, _> = ldap.iter().map(|r| (r.id, r.spec.name.clone())).collect();
    let vm_name: HashMap<_, _> = vms.iter().map(|r| (r.id, r.spec.name.clone())).collect();
    let dns_name: HashMap<_, _> = dns.iter().map(|r| (r.id, r.spec.name.clone())).collect();
    for row in ldap {
        collect(&mut secrets, List::LdapConfigs, &row.spec.name, &row.spec);
        file.ldap_configs.push(row.spec);
    }
    for row in vms {
        collect(
            &mut secrets,
            List::VmProviderConfigs,
            &row.spec.name,
            &row.spec,
        );
        file.vm_provider_configs.push(row.spec);
    }
    for row in dns {
        collect(
            &mut secrets,
            List::DnsProviderConfigs,
            &row.spec.name,
            &row.spec,
        );
        file.dns_provider_configs.push(row.spec);
    }
    for row in store.autoscale_configs()? {
        let spec = row.spec;
        collect(&mut secrets, List::AutoScaleConfigs, &spec.name, &spec);
        let ldap_config = match &spec.scaling {
            Scaling::Servers(s) => s.ldap_config.and_then(|id| ldap_name.get(&id).cloned()),
            Scaling::Agents(_) => None,
        };
        file.autoscale_configs.push(AutoScaleEntry {
            name: spec.name,
            enabled: spec.enabled,
            zone: spec.zone.map(zone).unwrap_or_default(),
            pool: pool(spec.pool),
            downscale_backoff_s: spec.downscale_backoff_s,
            require_check_in: spec.require_check_in,
            agent_check_in: spec.agent_check_in,
            provision_timeout_s: spec.provision_timeout_s,
            scaling: spec.scaling,
            vm_provider: spec
                .vm_provider
                .and_then(|id| vm_name.get(&id).cloned())
                .unwrap_or_default(),
            dns_provider: spec.dns_provider.and_then(|id| dns_name.get(&id).cloned()),
            ldap_config,
            schedule: spec.schedule,
        });
    }
    sort_by_name(&mut file);
    Ok(Snapshot { file, secrets })
}

fn sort_by_name(file: &mut ConfigFile) {
    let lower = |s: &str| s.to_lowercase();
    file.zones.sort_by_key(|e| lower(&e.name));
    file.pools.sort_by_key(|e| lower(&e.name));
    file.servers.sort_by_key(|e| lower(&e.friendly_name));
    file.docker_agents.sort_by_key(|e| lower(&e.hostname));
    file.staging_configs
        .sort_by_key(|e| (lower(&e.pool), lower(&e.workspace_name)));
    file.ldap_configs.sort_by_key(|e| lower(&e.name));
    file.vm_provider_configs.sort_by_key(|e| lower(&e.name));
    file.dns_provider_configs.sort_by_key(|e| lower(&e.name));
    // Within a pool, configs keep their serving order (the store lists them so); the sort
    // is stable.
    file.autoscale_configs.sort_by_key(|e| lower(&e.pool));
}

/// The configuration (see [`ExportScope`]) as pretty JSON; with a passphrase, its secrets
/// sealed inside.
pub fn export(
    store: &Store,
    passphrase: Option<&Secret>,
    scope: ExportScope,
) -> Result<String, String> {
    let Snapshot { mut file, secrets } = snapshot(store, scope).map_err(|e| e.to_string())?;
    if let Some(passphrase) = passphrase {
        let salt = crate::store::sealer_salt();
        let sealer = Sealer::from_passphrase(passphrase, &salt)?;
        let plain = Secret::new(serde_json::to_string(&secrets).map_err(|e| e.to_string())?);
        let sealed = sealer
            .seal_unbound(&plain)
            .ok_or_else(|| "the secrets could not be sealed".to_owned())?;
        file.secrets = Some(SealedSecrets {
            salt: STANDARD.encode(salt),
            sealed: STANDARD.encode(sealed),
        });
    }
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
