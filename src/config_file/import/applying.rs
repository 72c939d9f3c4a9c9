//! Applying a checked file in one transaction: create what is new, update what exists,
//! and with --prune delete what the file no longer holds.

use super::checking::{autoscale_spec, server_spec, staging_spec};
use super::reading::fill;
use super::{Change, ImportReport, change_of};
use crate::config_file::export::secret_key;
use crate::config_file::format::ConfigFile;
use crate::config_file::list::List;
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::ldap::LdapSpec;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{AgentSpec, PoolId, Secret};
use crate::store::{Choice, SharedConfig, Store, StoreError};
use std::collections::{BTreeMap, HashMap};

pub(super) fn by_name<I: Copy>(pairs: impl IntoIterator<Item = (String, I)>) -> HashMap<String, I> {
    pairs
        .into_iter()
        .map(|(n, i)| (n.to_lowercase(), i))
        .collect()
}

pub(super) fn lookup<I: Copy>(map: &HashMap<String, I>, name: &str) -> Result<I, StoreError> {
    map.get(&name.to_lowercase())
        .copied()
        .ok_or_else(|| StoreError::Refused(format!("'{name}' vanished during the import")))
}

pub(super) fn apply_shared<T: SharedConfig + Clone>(
    store: &mut Store,
    list: List,
    entries: &[T],
    report: &ImportReport,
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> Result<HashMap<String, T::Id>, StoreError> {
    let ids = by_name(
        store
            .configs::<T>()?
            .into_iter()
            .map(|r| (r.spec.name().to_owned(), r.id)),
    );
    for entry in entries {
        let mut spec = entry.clone();
        fill(&mut spec, list, entry.name(), given, current);
        match change_of(report, list, entry.name()) {
            Change::Create => {
                store.add_config(&spec)?;
            }
            Change::Update => store.update_config(lookup(&ids, entry.name())?, &spec)?,
            Change::Unchanged | Change::Delete | Change::Skipped => {}
        }
    }
    Ok(by_name(
        store
            .configs::<T>()?
            .into_iter()
            .map(|r| (r.spec.name().to_owned(), r.id)),
    ))
}

pub(super) fn apply(
    store: &mut Store,
    file: &ConfigFile,
    report: &ImportReport,
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> Result<(), StoreError> {
    // Names match without regard to case; an update is a change of case only.
    let zone_ids = by_name(store.zones()?.into_iter().map(|z| (z.name, z.id)));
    for zone in &file.zones {
        match change_of(report, List::Zones, &zone.name) {
            Change::Create => {
                store.add_zone(&zone.name)?;
            }
            Change::Update => store.rename_zone(lookup(&zone_ids, &zone.name)?, &zone.name)?,
            Change::Unchanged | Change::Delete | Change::Skipped => {}
        }
    }
    let pool_ids = by_name(store.pools()?.into_iter().map(|p| (p.name, p.id)));
    for pool in &file.pools {
        match change_of(report, List::Pools, &pool.name) {
            Change::Create => {
                store.add_pool(&pool.name, pool.kind)?;
            }
            Change::Update => store.rename_pool(lookup(&pool_ids, &pool.name)?, &pool.name)?,
            Change::Unchanged | Change::Delete | Change::Skipped => {}
        }
    }
    let zones = by_name(store.zones()?.into_iter().map(|z| (z.name, z.id)));
    let pools = by_name(store.pools()?.into_iter().map(|p| (p.name, p.id)));
    let ldap = apply_shared::<LdapSpec>(
        store,
        List::LdapConfigs,
        &file.ldap_configs,
        report,
        given,
        current,
    )?;
    let vm = apply_shared::<VmProviderSpec>(
        store,
        List::VmProviderConfigs,
        &file.vm_provider_configs,
        report,
        given,
        current,
    )?;
    let dns = apply_shared::<DnsProviderSpec>(
        store,
        List::DnsProviderConfigs,
        &file.dns_provider_configs,
        report,
        given,
        current,
    )?;
    let servers = by_name(
        store
            .servers()?
            .into_iter()
            .map(|r| (r.server.spec.friendly_name, r.server.id)),
    );
    for entry in &file.servers {
        let change = change_of(report, List::Servers, &entry.friendly_name);
        if change == Change::Unchanged {
            continue;
        }
        let key = secret_key(List::Servers, &entry.friendly_name, "Password");
        let password = Secret::new(
            given
                .get(&key)
                .or_else(|| current.get(&key))
                .cloned()
                .unwrap_or_default(),
        );
        let pool = entry
            .pool
            .as_deref()
            .map(|p| lookup(&pools, p))
            .transpose()?;
        let spec = server_spec(entry, password, lookup(&zones, &entry.zone)?, pool);
        match change {
            Change::Create => {
                store.add_server(&spec)?;
            }
            _ => store.update_server(lookup(&servers, &entry.friendly_name)?, &spec)?,
        }
    }
    let agents = by_name(
        store
            .agents()?
            .into_iter()
            .map(|r| (r.agent.spec.hostname, r.agent.id)),
    );
    for entry in &file.docker_agents {
        let change = change_of(report, List::DockerAgents, &entry.hostname);
        if change == Change::Unchanged {
            continue;
        }
        let spec = AgentSpec {
            hostname: entry.hostname.clone(),
            enabled: entry.enabled,
            zone: lookup(&zones, &entry.zone)?,
            pool: entry
                .pool
                .as_deref()
                .map(|p| lookup(&pools, p))
                .transpose()?,
            reported: entry.reported,
            overrides: entry.overrides,
        };
        let id = match change {
            Change::Create => store.add_agent(&spec)?,
            _ => {
                let id = lookup(&agents, &entry.hostname)?;
                store.update_agent(id, &spec)?;
                id
            }
        };
        store.set_agent_draining(id, entry.draining)?;
    }
    let staging: HashMap<(PoolId, String), _> = store
        .staging_configs()?
        .into_iter()
        .map(|c| ((c.spec.pool, c.spec.workspace_name.to_lowercase()), c.id))
        .collect();
    for entry in &file.staging_configs {
        let name = format!("{} / {}", entry.pool, entry.workspace_name);
        let change = change_of(report, List::StagingConfigs, &name);
        if change == Change::Unchanged {
            continue;
        }
        let pool = lookup(&pools, &entry.pool)?;
        let spec = staging_spec(entry, lookup(&zones, &entry.zone)?, pool);
        match staging.get(&(pool, entry.workspace_name.to_lowercase())) {
            Some(id) if change == Change::Update => store.update_staging(*id, &spec)?,
            _ => {
                store.add_staging(&spec)?;
            }
        }
    }
    let autoscale = by_name(
        store
            .autoscale_configs()?
            .into_iter()
            .map(|r| (r.spec.name, (r.id, r.spec.pool))),
    );
    for entry in &file.autoscale_configs {
        let change = change_of(report, List::AutoScaleConfigs, &entry.name);
        if change == Change::Unchanged {
            continue;
        }
        let pool = lookup(&pools, &entry.pool)?;
        let dns_id = entry
            .dns_provider
            .as_deref()
            .map(|n| lookup(&dns, n))
            .transpose()?;
        let ldap_id = entry
            .ldap_config
            .as_deref()
            .map(|n| lookup(&ldap, n))
            .transpose()?;
        let vm_id = lookup(&vm, &entry.vm_provider)?;
        let mut spec = autoscale_spec(
            entry,
            lookup(&zones, &entry.zone)?,
            pool,
            vm_id,
            dns_id,
            ldap_id,
        );
        fill(
            &mut spec,
            List::AutoScaleConfigs,
            &entry.name,
            given,
            current,
        );
        let target = match change {
            Change::Create => None,
            _ => {
                let (id, stored_pool) = lookup(&autoscale, &entry.name)?;
                if stored_pool != pool {
                    store.assign_autoscale(id, pool)?;
                }
                Some(id)
            }
        };
        let dns_choice = dns_id.map(Choice::Existing);
        store.save_autoscale(target, &spec, &Choice::Existing(vm_id), dns_choice.as_ref())?;
    }
    delete_missing(store, report)
}

/// Deletes what `report` marks for deletion, users before what they use; the store refuses
/// anything still in use (a member with sessions, a config an AutoScale config uses).
pub(super) fn delete_missing(store: &mut Store, report: &ImportReport) -> Result<(), StoreError> {
    let doomed = |kind: List| -> Vec<String> {
        report
            .changes
            .iter()
            .filter(|c| c.kind == kind && c.change == Change::Delete)
            .map(|c| c.name.to_lowercase())
            .collect()
    };
    for row in store.autoscale_configs()? {
        if doomed(List::AutoScaleConfigs).contains(&row.spec.name.to_lowercase()) {
            store.delete_autoscale(row.id)?;
        }
    }
    let pool_names: HashMap<PoolId, String> =
        store.pools()?.into_iter().map(|p| (p.id, p.name)).collect();
    for config in store.staging_configs()? {
        let pool = pool_names
            .get(&config.spec.pool)
            .cloned()
            .unwrap_or_default();
        let key = format!("{} / {}", pool, config.spec.workspace_name).to_lowercase();
        if doomed(List::StagingConfigs).contains(&key) {
            store.delete_staging(config.id)?;
        }
    }
    for row in store.agents()? {
        if doomed(List::DockerAgents).contains(&row.agent.spec.hostname.to_lowercase()) {
            store.delete_agent(row.agent.id)?;
        }
    }
    for row in store.servers()? {
        if doomed(List::Servers).contains(&row.server.spec.friendly_name.to_lowercase()) {
            store.delete_server(row.server.id)?;
        }
    }
    delete_shared::<DnsProviderSpec>(store, &doomed(List::DnsProviderConfigs))?;
    delete_shared::<VmProviderSpec>(store, &doomed(List::VmProviderConfigs))?;
    delete_shared::<LdapSpec>(store, &doomed(List::LdapConfigs))?;
    for pool in store.pools()? {
        if doomed(List::Pools).contains(&pool.name.to_lowercase()) {
            store.delete_pool(pool.id)?;
        }
    }
    for zone in store.zones()? {
        if doomed(List::Zones).contains(&zone.name.to_lowercase()) {
            store.delete_zone(zone.id)?;
        }
    }
    Ok(())
}

pub(super) fn delete_shared<T: SharedConfig>(
    store: &mut Store,
    doomed: &[String],
) -> Result<(), StoreError> {
    for row in store.configs::<T>()? {
        if doomed.contains(&row.spec.name().to_lowercase()) {
            store.delete_config::<T>(row.id)?;
        }
    }
    Ok(())
}
