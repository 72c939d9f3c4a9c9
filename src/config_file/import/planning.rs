//! What an import would change, object by object, compared with the database.

use super::reading::without_secrets;
use super::{Change, ImportReport, PlannedChange};
use crate::config_file::export::Snapshot;
use crate::config_file::format::{
    AgentEntry, AutoScaleEntry, ConfigFile, ServerEntry, StagingEntry,
};
use crate::config_file::list::List;
use crate::model::Secret;
use crate::model::autoscale::Scaling;

use std::collections::BTreeMap;

/// Whether the object `name` of `list` gets a secret the database does not have.
pub(super) fn secrets_change(
    list: List,
    name: &str,
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> bool {
    let prefix = format!("{list}/{name}/");
    given
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix))
        .any(|(k, v)| current.get(k) != Some(v))
}

// References match without regard to case, so comparisons fold them.
pub(super) fn fold(name: &str) -> String {
    name.to_lowercase()
}

pub(super) fn folded_server(e: &ServerEntry) -> ServerEntry {
    ServerEntry {
        zone: fold(&e.zone),
        pool: e.pool.as_deref().map(fold),
        ..e.clone()
    }
}

pub(super) fn folded_agent(e: &AgentEntry) -> AgentEntry {
    AgentEntry {
        zone: fold(&e.zone),
        pool: e.pool.as_deref().map(fold),
        ..e.clone()
    }
}

pub(super) fn folded_staging(e: &StagingEntry) -> StagingEntry {
    StagingEntry {
        zone: fold(&e.zone),
        pool: fold(&e.pool),
        ..e.clone()
    }
}

/// Folded references, and without what the file cannot hold: secrets (compared apart) and
/// the LDAP config's id (compared by name).
pub(super) fn folded_autoscale(e: &AutoScaleEntry) -> AutoScaleEntry {
    let mut scaling = e.scaling.clone();
    match &mut scaling {
        Scaling::Servers(s) => {
            s.connection_password = Secret::default();
            s.ldap_config = None;
        }
        Scaling::Agents(a) => a.nginx_key = Secret::default(),
    }
    AutoScaleEntry {
        scaling,
        zone: fold(&e.zone),
        pool: fold(&e.pool),
        vm_provider: fold(&e.vm_provider),
        dns_provider: e.dns_provider.as_deref().map(fold),
        ldap_config: e.ldap_config.as_deref().map(fold),
        ..e.clone()
    }
}

/// Compares every object of the file with the database; with `prune`, what the file lacks
/// is deleted.
pub(super) fn plan(
    file: &ConfigFile,
    now: &Snapshot,
    given: &BTreeMap<String, String>,
    prune: bool,
) -> ImportReport {
    let current = &now.file;
    let mut report = ImportReport::default();
    let mut add = |kind: List, name: String, existing: Option<bool>| {
        let change = match existing {
            None => Change::Create,
            Some(true) => Change::Unchanged,
            Some(false) => Change::Update,
        };
        report.changes.push(PlannedChange { kind, name, change });
    };
    let mut deletes = Vec::new();
    macro_rules! compare {
        ($list:ident, $kind:expr, |$e:ident| $key:expr, |$a:ident, $b:ident| $same:expr) => {
            for $e in &file.$list {
                let key = $key;
                let found = current
                    .$list
                    .iter()
                    .find(|$e| $key.eq_ignore_ascii_case(&key));
                let existing = found.map(|found| {
                    let ($a, $b) = ($e, found);
                    ($same) && !secrets_change($kind, &key, given, &now.secrets)
                });
                add($kind, key, existing);
            }
            if prune {
                for $e in &current.$list {
                    let key = $key;
                    let kept = file.$list.iter().any(|$e| $key.eq_ignore_ascii_case(&key));
                    if !kept {
                        deletes.push(PlannedChange {
                            kind: $kind,
                            name: key,
                            change: Change::Delete,
                        });
                    }
                }
            }
        };
    }
    compare!(zones, List::Zones, |e| e.name.clone(), |a, b| a.name
        == b.name);
    compare!(pools, List::Pools, |e| e.name.clone(), |a, b| a.name
        == b.name);
    compare!(
        ldap_configs,
        List::LdapConfigs,
        |e| e.name.clone(),
        |a, b| without_secrets(a) == without_secrets(b)
    );
    compare!(
        vm_provider_configs,
        List::VmProviderConfigs,
        |e| e.name.clone(),
        |a, b| without_secrets(a) == without_secrets(b)
    );
    compare!(
        dns_provider_configs,
        List::DnsProviderConfigs,
        |e| e.name.clone(),
        |a, b| without_secrets(a) == without_secrets(b)
    );
    compare!(
        servers,
        List::Servers,
        |e| e.friendly_name.clone(),
        |a, b| { folded_server(a) == folded_server(b) }
    );
    compare!(
        docker_agents,
        List::DockerAgents,
        |e| e.hostname.clone(),
        |a, b| folded_agent(a) == folded_agent(b)
    );
    compare!(
        staging_configs,
        List::StagingConfigs,
        |e| format!("{} / {}", e.pool, e.workspace_name),
        |a, b| folded_staging(a) == folded_staging(b)
    );
    compare!(
        autoscale_configs,
        List::AutoScaleConfigs,
        |e| e.name.clone(),
        |a, b| folded_autoscale(a) == folded_autoscale(b)
    );
    report.changes.extend(deletes);
    report
}
