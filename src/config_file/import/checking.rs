//! Checking a whole file with the forms' validators before anything is written, each
//! problem named by its place in the file.

use super::reading::fill;
use crate::config_file::export::Snapshot;
use crate::config_file::format::{AutoScaleEntry, ConfigFile, ServerEntry, StagingEntry};
use crate::config_file::list::List;
use crate::model::autoscale::{AutoScaleSpec, Scaling};
use crate::model::field::ZoneField;
use crate::model::server::{SSO_CREDENTIAL, SSO_USERNAME};
use crate::model::{
    AgentSpec, CredentialType, DnsProviderId, LdapId, PoolId, PoolKind, Secret, ServerSpec,
    StagingSpec, ValidationErrors, VmProviderId, ZoneId,
};
use crate::store::SharedConfig;
use std::collections::{BTreeMap, HashMap};

/// Names known to the file or the database, for references.
pub(super) struct Known {
    zones: Vec<String>,
    pools: HashMap<String, PoolKind>,
    vm: Vec<String>,
    dns: Vec<String>,
    ldap: Vec<String>,
}

impl Known {
    fn new(file: &ConfigFile, current: &ConfigFile) -> Self {
        let lower = |s: &str| s.to_lowercase();
        Self {
            zones: file
                .zones
                .iter()
                .chain(&current.zones)
                .map(|z| lower(&z.name))
                .collect(),
            pools: current
                .pools
                .iter()
                .chain(&file.pools)
                .map(|p| (lower(&p.name), p.kind))
                .collect(),
            vm: file
                .vm_provider_configs
                .iter()
                .chain(&current.vm_provider_configs)
                .map(|c| lower(&c.name))
                .collect(),
            dns: file
                .dns_provider_configs
                .iter()
                .chain(&current.dns_provider_configs)
                .map(|c| lower(&c.name))
                .collect(),
            ldap: file
                .ldap_configs
                .iter()
                .chain(&current.ldap_configs)
                .map(|c| lower(&c.name))
                .collect(),
        }
    }

    fn zone(&self, errors: &mut Vec<String>, at: &str, name: &str) {
        if !self.zones.contains(&name.to_lowercase()) {
            errors.push(format!("{at}.zone: no deployment zone named '{name}'"));
        }
    }

    fn pool(&self, errors: &mut Vec<String>, at: &str, name: &str, kind: PoolKind) {
        match self.pools.get(&name.to_lowercase()) {
            None => errors.push(format!("{at}.pool: no pool named '{name}'")),
            Some(found) if *found != kind => errors.push(format!(
                "{at}.pool: pool '{name}' is a {} pool; expected a {} pool",
                found.label(),
                kind.label()
            )),
            Some(_) => {}
        }
    }
}

/// Records a validator's errors at `at`, each with its JSON key where `key` knows it
/// (`servers[3].port (Port): …`); secret fields, kept in `secrets`, keep just the label.
/// Each of a check's errors, at its place in the file (`servers[3].port (Port): …`); a
/// secret, which the file does not hold, by its label only.
pub(super) fn field_errors(
    errors: &mut Vec<String>,
    at: &str,
    result: Result<(), ValidationErrors>,
) {
    if let Err(found) = result {
        errors.extend(found.errors().iter().map(|e| {
            let label = e.field.label();
            match e.field.json_key() {
                Some(key) => format!("{at}.{key} ({label}): {}", e.message),
                None => format!("{at} ({label}): {}", e.message),
            }
        }));
    }
}

pub(super) fn duplicates(
    errors: &mut Vec<String>,
    list: List,
    names: impl Iterator<Item = String>,
) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.enumerate() {
        if let Some(first) = seen.insert(name.to_lowercase(), i) {
            errors.push(format!(
                "{list}[{i}]: '{name}' is also {list}[{first}]; names must be unique"
            ));
        }
    }
}

/// A server's spec with placeholder ids, for its own field checks.
pub(super) fn server_spec(
    entry: &ServerEntry,
    password: Secret,
    zone: ZoneId,
    pool: Option<PoolId>,
) -> ServerSpec {
    let (username, password) = match entry.credential_type {
        // The placeholders are not secrets: they are what SSO means.
        CredentialType::SsoPlaceholders => (SSO_USERNAME.to_owned(), Secret::new(SSO_CREDENTIAL)),
        _ => (entry.username.clone(), password),
    };
    ServerSpec {
        friendly_name: entry.friendly_name.clone(),
        enabled: entry.enabled,
        zone,
        pool,
        connection_type: entry.connection_type,
        host: entry.host.clone(),
        port: entry.port,
        credential_type: entry.credential_type,
        username,
        password,
        connection_info: entry.connection_info.clone(),
        max_sessions: entry.max_sessions,
        reusable: entry.reusable,
    }
}

pub(super) fn staging_spec(entry: &StagingEntry, zone: ZoneId, pool: PoolId) -> StagingSpec {
    StagingSpec {
        zone,
        pool,
        workspace_name: entry.workspace_name.clone(),
        desired_sessions: entry.desired_sessions,
        per_session: entry.per_session,
    }
}

/// An AutoScale config's spec; references resolved by `ids`.
pub(super) fn autoscale_spec(
    entry: &AutoScaleEntry,
    zone: ZoneId,
    pool: PoolId,
    vm: VmProviderId,
    dns: Option<DnsProviderId>,
    ldap: Option<LdapId>,
) -> AutoScaleSpec {
    let mut scaling = entry.scaling.clone();
    if let Scaling::Servers(s) = &mut scaling {
        s.ldap_config = ldap;
    }
    AutoScaleSpec {
        name: entry.name.clone(),
        enabled: entry.enabled,
        zone: Some(zone),
        pool,
        downscale_backoff_s: entry.downscale_backoff_s.clone(),
        require_check_in: entry.require_check_in,
        agent_check_in: entry.agent_check_in,
        provision_timeout_s: entry.provision_timeout_s.clone(),
        scaling,
        vm_provider: Some(vm),
        dns_provider: dns,
        schedule: entry.schedule.clone(),
    }
}

/// Checks the whole file; every problem with its place.
pub(super) fn check(
    file: &ConfigFile,
    now: &Snapshot,
    given: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut errors = Vec::new();
    let current = &now.file;
    duplicates(
        &mut errors,
        List::Zones,
        file.zones.iter().map(|z| z.name.clone()),
    );
    duplicates(
        &mut errors,
        List::Pools,
        file.pools.iter().map(|p| p.name.clone()),
    );
    duplicates(
        &mut errors,
        List::Servers,
        file.servers.iter().map(|s| s.friendly_name.clone()),
    );
    duplicates(
        &mut errors,
        List::DockerAgents,
        file.docker_agents.iter().map(|a| a.hostname.clone()),
    );
    duplicates(
        &mut errors,
        List::StagingConfigs,
        file.staging_configs
            .iter()
            .map(|s| format!("{} / {}", s.pool, s.workspace_name)),
    );
    duplicates(
        &mut errors,
        List::LdapConfigs,
        file.ldap_configs.iter().map(|c| c.name.clone()),
    );
    duplicates(
        &mut errors,
        List::VmProviderConfigs,
        file.vm_provider_configs.iter().map(|c| c.name.clone()),
    );
    duplicates(
        &mut errors,
        List::DnsProviderConfigs,
        file.dns_provider_configs.iter().map(|c| c.name.clone()),
    );
    duplicates(
        &mut errors,
        List::AutoScaleConfigs,
        file.autoscale_configs.iter().map(|c| c.name.clone()),
    );
    for (i, pool) in file.pools.iter().enumerate() {
        if let Some(existing) = current
            .pools
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&pool.name))
            && existing.kind != pool.kind
        {
            errors.push(format!(
                "pools[{i}].kind: pool '{}' exists as a {} pool; a pool's type cannot change",
                pool.name,
                existing.kind.label()
            ));
        }
    }
    let known = Known::new(file, current);
    for (i, zone) in file.zones.iter().enumerate() {
        let mut found = ValidationErrors::default();
        crate::model::validation::check_name(&mut found, ZoneField::Name, &zone.name);
        field_errors(&mut errors, &format!("zones[{i}]"), found.into_result(()));
    }
    for (i, entry) in file.servers.iter().enumerate() {
        let at = format!("servers[{i}]");
        known.zone(&mut errors, &at, &entry.zone);
        if let Some(pool) = &entry.pool {
            known.pool(&mut errors, &at, pool, PoolKind::Server);
        }
        let spec = server_spec(entry, Secret::default(), ZoneId(0), None);
        field_errors(&mut errors, &at, spec.validate());
    }
    for (i, entry) in file.docker_agents.iter().enumerate() {
        let at = format!("docker_agents[{i}]");
        known.zone(&mut errors, &at, &entry.zone);
        if let Some(pool) = &entry.pool {
            known.pool(&mut errors, &at, pool, PoolKind::DockerAgent);
        }
        let spec = AgentSpec {
            hostname: entry.hostname.clone(),
            enabled: entry.enabled,
            zone: ZoneId(0),
            pool: None,
            reported: entry.reported,
            overrides: entry.overrides,
        };
        field_errors(&mut errors, &at, spec.validate());
    }
    for (i, entry) in file.staging_configs.iter().enumerate() {
        let at = format!("staging_configs[{i}]");
        known.zone(&mut errors, &at, &entry.zone);
        known.pool(&mut errors, &at, &entry.pool, PoolKind::DockerAgent);
        field_errors(
            &mut errors,
            &at,
            staging_spec(entry, ZoneId(0), PoolId(0)).validate(),
        );
    }
    check_shared(
        &mut errors,
        List::LdapConfigs,
        &file.ldap_configs,
        given,
        &now.secrets,
    );
    check_shared(
        &mut errors,
        List::VmProviderConfigs,
        &file.vm_provider_configs,
        given,
        &now.secrets,
    );
    check_shared(
        &mut errors,
        List::DnsProviderConfigs,
        &file.dns_provider_configs,
        given,
        &now.secrets,
    );
    for (i, entry) in file.autoscale_configs.iter().enumerate() {
        let at = format!("autoscale_configs[{i}]");
        known.zone(&mut errors, &at, &entry.zone);
        known.pool(&mut errors, &at, &entry.pool, entry.scaling.kind());
        let refs: [(&str, Option<&String>, &Vec<String>); 3] = [
            ("vm_provider", Some(&entry.vm_provider), &known.vm),
            ("dns_provider", entry.dns_provider.as_ref(), &known.dns),
            ("ldap_config", entry.ldap_config.as_ref(), &known.ldap),
        ];
        for (key, name, names) in refs {
            if let Some(name) = name
                && !names.contains(&name.to_lowercase())
            {
                errors.push(format!("{at}.{key}: no config named '{name}'"));
            }
        }
        let ldap = entry.ldap_config.as_ref().map(|_| LdapId(0));
        let dns = entry.dns_provider.as_ref().map(|_| DnsProviderId(0));
        let mut spec = autoscale_spec(entry, ZoneId(0), PoolId(0), VmProviderId(0), dns, ldap);
        fill(
            &mut spec,
            List::AutoScaleConfigs,
            &entry.name,
            given,
            &now.secrets,
        );
        field_errors(&mut errors, &at, spec.validate());
    }
    errors
}

pub(super) fn check_shared<T: SharedConfig + Clone>(
    errors: &mut Vec<String>,
    list: List,
    entries: &[T],
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) {
    for (i, entry) in entries.iter().enumerate() {
        let mut spec = entry.clone();
        fill(&mut spec, list, entry.name(), given, current);
        field_errors(errors, &format!("{list}[{i}]"), spec.validate());
    }
}
