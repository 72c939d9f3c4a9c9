//! Import: the whole file is checked with the forms' validators before anything is
//! written, each problem named by its place in the file; then it is applied in one
//! transaction, creating what is new and updating what exists, matched by name.

use super::export::{Snapshot, secret_key, snapshot};
use super::field_keys;
use super::format::{AgentEntry, AutoScaleEntry, ConfigFile, FORMAT, ServerEntry, StagingEntry};
use super::secret_refs;
use crate::model::autoscale::{AutoScaleSpec, Scaling};
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::ldap::LdapSpec;
use crate::model::secret_fields::SecretFields;
use crate::model::server::{SSO_CREDENTIAL, SSO_USERNAME};
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{
    AgentSpec, CredentialType, DnsProviderId, LdapId, PoolId, PoolKind, Secret, ServerSpec,
    StagingSpec, ValidationErrors, VmProviderId, ZoneId,
};
use crate::store::{Choice, Sealer, SharedConfig, Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// What an import does to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// New: created.
    Create,
    /// Exists with other values: updated.
    Update,
    /// Exists as in the file: left alone.
    Unchanged,
    /// Not in the file, and `prune` was asked: deleted.
    Delete,
}

/// How to import.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Plan only; write nothing.
    pub dry_run: bool,
    /// Delete what the file no longer has (refused for anything still in use).
    pub prune: bool,
}

/// One object's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedChange {
    /// Its list in the file ("servers").
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// What happens to it.
    pub change: Change,
}

/// What an import did, or (dry run) would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Every object of the file.
    pub changes: Vec<PlannedChange>,
}

impl ImportReport {
    /// How many objects get `change`.
    pub fn count(&self, change: Change) -> usize {
        self.changes.iter().filter(|c| c.change == change).count()
    }

    /// Whether anything is created, updated or deleted.
    pub fn writes(&self) -> bool {
        self.changes.iter().any(|c| c.change != Change::Unchanged)
    }

    /// "2 to create, 1 to update, 0 to delete, 5 unchanged", or "0 changes".
    pub fn summary(&self) -> String {
        if !self.writes() {
            return format!("0 changes ({} unchanged)", self.count(Change::Unchanged));
        }
        format!(
            "{} to create, {} to update, {} to delete, {} unchanged",
            self.count(Change::Create),
            self.count(Change::Update),
            self.count(Change::Delete),
            self.count(Change::Unchanged)
        )
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is malformed or a value is invalid (exit code 1).
    #[error("the file is invalid; nothing was written:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
    /// The database refused a change (exit code 2).
    #[error("refused; nothing was written: {0}")]
    Refused(String),
}

/// Parses a file; errors carry their JSON path, and unknown keys are refused by path.
/// Secret references are read relative to the working folder.
pub fn parse(text: &str) -> Result<ConfigFile, ImportError> {
    parse_at(text, Path::new("."))
}

/// Parses a file that lives in `folder` (where its `{"file": …}` references are), reading
/// its `{"env": …}` references from this process's environment.
pub fn parse_at(text: &str, folder: &Path) -> Result<ConfigFile, ImportError> {
    let Ok(mut json) = serde_json::from_str::<Value>(text) else {
        return Err(syntax_error(text));
    };
    let env = |name: &str| std::env::var(name).ok();
    let references =
        secret_refs::take_references(&mut json, folder, &env).map_err(ImportError::Invalid)?;
    let mut unknown = Vec::new();
    // The model's types accept unknown keys (settings stored by another version); a file
    // written by hand must not lose a mistyped key silently.
    let mut note_unknown = |path: serde_ignored::Path<'_>| {
        unknown.push(format!("{path}: unknown key"));
    };
    let tracked = serde_ignored::Deserializer::new(json, &mut note_unknown);
    let mut file: ConfigFile = serde_path_to_error::deserialize(tracked).map_err(|e| {
        let path = e.path().to_string();
        ImportError::Invalid(vec![format!("{path}: {}", e.into_inner())])
    })?;
    file.references = references;
    if !unknown.is_empty() {
        return Err(ImportError::Invalid(unknown));
    }
    if file.format != FORMAT {
        return Err(ImportError::Invalid(vec![format!(
            "format: expected \"{FORMAT}\", found \"{}\"",
            file.format
        )]));
    }
    Ok(file)
}

/// Where text that is not JSON breaks, by JSON path (`pools[0]: EOF while parsing …`).
fn syntax_error(text: &str) -> ImportError {
    let mut json = serde_json::Deserializer::from_str(text);
    let problem = match serde_path_to_error::deserialize::<_, ConfigFile>(&mut json) {
        Err(e) => {
            let path = e.path().to_string();
            format!("{path}: {}", e.into_inner())
        }
        Ok(_) => match json.end() {
            Err(e) => format!("after the configuration: {e}"),
            Ok(()) => "not JSON".to_owned(),
        },
    };
    ImportError::Invalid(vec![problem])
}

/// The file's secrets: those it names by reference and its sealed ones, opened with
/// `passphrase`.
fn unseal(
    file: &ConfigFile,
    passphrase: Option<&Secret>,
) -> Result<BTreeMap<String, String>, ImportError> {
    let mut given: BTreeMap<String, String> = file
        .references
        .iter()
        .map(|(key, secret)| (key.clone(), secret.expose().to_owned()))
        .collect();
    let Some(sealed) = &file.secrets else {
        return Ok(given);
    };
    let invalid = |m: &str| ImportError::Invalid(vec![format!("secrets: {m}")]);
    let passphrase = passphrase
        .ok_or_else(|| invalid("the file holds sealed secrets; set POOLADMIN_EXPORT_PASSPHRASE"))?;
    let salt = STANDARD
        .decode(&sealed.salt)
        .map_err(|_| invalid("salt is not base64"))?;
    let blob = STANDARD
        .decode(&sealed.sealed)
        .map_err(|_| invalid("sealed is not base64"))?;
    let sealer = Sealer::from_passphrase(passphrase, &salt).map_err(|e| invalid(&e))?;
    let plain = sealer
        .open(Some(&blob))
        .ok_or_else(|| invalid("the passphrase does not open them"))?;
    let sealed: BTreeMap<String, String> =
        serde_json::from_str(plain.expose()).map_err(|_| invalid("they are damaged"))?;
    for (key, value) in sealed {
        if given.contains_key(&key) {
            return Err(invalid(&format!(
                "{key} is given twice: sealed here and by reference"
            )));
        }
        given.insert(key, value);
    }
    Ok(given)
}

/// Fills `record`'s secrets from the file, else from the database's current values.
fn fill<T: SecretFields>(
    record: &mut T,
    kind: &str,
    name: &str,
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) {
    for (field, secret) in record.secret_fields() {
        let key = secret_key(kind, name, field);
        if let Some(value) = given.get(&key).or_else(|| current.get(&key)) {
            *secret = Secret::new(value.clone());
        }
    }
}

fn without_secrets<T: SecretFields>(record: &T) -> T {
    let mut copy = record.clone();
    for (_, secret) in copy.secret_fields() {
        *secret = Secret::default();
    }
    copy
}

/// Names known to the file or the database, for references.
struct Known {
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
fn field_errors(
    errors: &mut Vec<String>,
    at: &str,
    result: Result<(), ValidationErrors>,
    key: impl Fn(&str) -> Option<String>,
) {
    if let Err(found) = result {
        errors.extend(found.errors().iter().map(|e| match key(e.field) {
            Some(key) => format!("{at}.{key} ({}): {}", e.field, e.message),
            None => format!("{at} ({}): {}", e.field, e.message),
        }));
    }
}

fn duplicates(errors: &mut Vec<String>, list: &str, names: impl Iterator<Item = String>) {
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
fn server_spec(
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

fn staging_spec(entry: &StagingEntry, zone: ZoneId, pool: PoolId) -> StagingSpec {
    StagingSpec {
        zone,
        pool,
        workspace_name: entry.workspace_name.clone(),
        desired_sessions: entry.desired_sessions,
        per_session: entry.per_session,
    }
}

/// An AutoScale config's spec; references resolved by `ids`.
fn autoscale_spec(
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
fn check(file: &ConfigFile, now: &Snapshot, given: &BTreeMap<String, String>) -> Vec<String> {
    let mut errors = Vec::new();
    let current = &now.file;
    duplicates(
        &mut errors,
        "zones",
        file.zones.iter().map(|z| z.name.clone()),
    );
    duplicates(
        &mut errors,
        "pools",
        file.pools.iter().map(|p| p.name.clone()),
    );
    duplicates(
        &mut errors,
        "servers",
        file.servers.iter().map(|s| s.friendly_name.clone()),
    );
    duplicates(
        &mut errors,
        "docker_agents",
        file.docker_agents.iter().map(|a| a.hostname.clone()),
    );
    duplicates(
        &mut errors,
        "staging_configs",
        file.staging_configs
            .iter()
            .map(|s| format!("{} / {}", s.pool, s.workspace_name)),
    );
    duplicates(
        &mut errors,
        "ldap_configs",
        file.ldap_configs.iter().map(|c| c.name.clone()),
    );
    duplicates(
        &mut errors,
        "vm_provider_configs",
        file.vm_provider_configs.iter().map(|c| c.name.clone()),
    );
    duplicates(
        &mut errors,
        "dns_provider_configs",
        file.dns_provider_configs.iter().map(|c| c.name.clone()),
    );
    duplicates(
        &mut errors,
        "autoscale_configs",
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
        crate::model::validation::check_name(&mut found, "Name", &zone.name);
        field_errors(
            &mut errors,
            &format!("zones[{i}]"),
            found.into_result(()),
            |_| Some("name".to_owned()),
        );
    }
    for (i, entry) in file.servers.iter().enumerate() {
        let at = format!("servers[{i}]");
        known.zone(&mut errors, &at, &entry.zone);
        if let Some(pool) = &entry.pool {
            known.pool(&mut errors, &at, pool, PoolKind::Server);
        }
        let spec = server_spec(entry, Secret::default(), ZoneId(0), None);
        field_errors(&mut errors, &at, spec.validate(), field_keys::server);
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
        field_errors(&mut errors, &at, spec.validate(), field_keys::agent);
    }
    for (i, entry) in file.staging_configs.iter().enumerate() {
        let at = format!("staging_configs[{i}]");
        known.zone(&mut errors, &at, &entry.zone);
        known.pool(&mut errors, &at, &entry.pool, PoolKind::DockerAgent);
        field_errors(
            &mut errors,
            &at,
            staging_spec(entry, ZoneId(0), PoolId(0)).validate(),
            field_keys::staging,
        );
    }
    check_shared(
        &mut errors,
        "ldap_configs",
        &file.ldap_configs,
        given,
        &now.secrets,
        |_, l| field_keys::ldap(l),
    );
    check_shared(
        &mut errors,
        "vm_provider_configs",
        &file.vm_provider_configs,
        given,
        &now.secrets,
        field_keys::vm_provider,
    );
    check_shared(
        &mut errors,
        "dns_provider_configs",
        &file.dns_provider_configs,
        given,
        &now.secrets,
        field_keys::dns_provider,
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
            "autoscale_configs",
            &entry.name,
            given,
            &now.secrets,
        );
        field_errors(&mut errors, &at, spec.validate(), |label| {
            field_keys::autoscale(&spec.scaling, label)
        });
    }
    errors
}

fn check_shared<T: SharedConfig + Clone>(
    errors: &mut Vec<String>,
    list: &str,
    entries: &[T],
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
    key: impl Fn(&T, &str) -> Option<String>,
) {
    for (i, entry) in entries.iter().enumerate() {
        let mut spec = entry.clone();
        fill(&mut spec, list, entry.name(), given, current);
        field_errors(errors, &format!("{list}[{i}]"), spec.validate(), |label| {
            key(entry, label)
        });
    }
}

/// Whether the object `name` of `list` gets a secret the database does not have.
fn secrets_change(
    list: &str,
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
fn fold(name: &str) -> String {
    name.to_lowercase()
}

fn folded_server(e: &ServerEntry) -> ServerEntry {
    ServerEntry {
        zone: fold(&e.zone),
        pool: e.pool.as_deref().map(fold),
        ..e.clone()
    }
}

fn folded_agent(e: &AgentEntry) -> AgentEntry {
    AgentEntry {
        zone: fold(&e.zone),
        pool: e.pool.as_deref().map(fold),
        ..e.clone()
    }
}

fn folded_staging(e: &StagingEntry) -> StagingEntry {
    StagingEntry {
        zone: fold(&e.zone),
        pool: fold(&e.pool),
        ..e.clone()
    }
}

/// Folded references, and without what the file cannot hold: secrets (compared apart) and
/// the LDAP config's id (compared by name).
fn folded_autoscale(e: &AutoScaleEntry) -> AutoScaleEntry {
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
fn plan(
    file: &ConfigFile,
    now: &Snapshot,
    given: &BTreeMap<String, String>,
    prune: bool,
) -> ImportReport {
    let current = &now.file;
    let mut report = ImportReport::default();
    let mut add = |kind: &'static str, name: String, existing: Option<bool>| {
        let change = match existing {
            None => Change::Create,
            Some(true) => Change::Unchanged,
            Some(false) => Change::Update,
        };
        report.changes.push(PlannedChange { kind, name, change });
    };
    let mut deletes = Vec::new();
    macro_rules! compare {
        ($list:ident, $kind:literal, |$e:ident| $key:expr, |$a:ident, $b:ident| $same:expr) => {
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
    compare!(zones, "zones", |e| e.name.clone(), |a, b| a.name == b.name);
    compare!(pools, "pools", |e| e.name.clone(), |a, b| a.name == b.name);
    compare!(
        ldap_configs,
        "ldap_configs",
        |e| e.name.clone(),
        |a, b| without_secrets(a) == without_secrets(b)
    );
    compare!(
        vm_provider_configs,
        "vm_provider_configs",
        |e| e.name.clone(),
        |a, b| without_secrets(a) == without_secrets(b)
    );
    compare!(
        dns_provider_configs,
        "dns_provider_configs",
        |e| e.name.clone(),
        |a, b| without_secrets(a) == without_secrets(b)
    );
    compare!(servers, "servers", |e| e.friendly_name.clone(), |a, b| {
        folded_server(a) == folded_server(b)
    });
    compare!(
        docker_agents,
        "docker_agents",
        |e| e.hostname.clone(),
        |a, b| folded_agent(a) == folded_agent(b)
    );
    compare!(
        staging_configs,
        "staging_configs",
        |e| format!("{} / {}", e.pool, e.workspace_name),
        |a, b| folded_staging(a) == folded_staging(b)
    );
    compare!(
        autoscale_configs,
        "autoscale_configs",
        |e| e.name.clone(),
        |a, b| folded_autoscale(a) == folded_autoscale(b)
    );
    report.changes.extend(deletes);
    report
}

/// Checks, plans and (unless a dry run) applies `file` in one transaction.
pub fn import(
    store: &mut Store,
    file: &ConfigFile,
    passphrase: Option<&Secret>,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let given = unseal(file, passphrase)?;
    let now = snapshot(store).map_err(|e| ImportError::Refused(e.to_string()))?;
    let errors = check(file, &now, &given);
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let report = plan(file, &now, &given, options.prune);
    if options.dry_run || !report.writes() {
        return Ok(report);
    }
    store
        .atomically(|store| apply(store, file, &report, &given, &now.secrets))
        .map_err(|e| ImportError::Refused(e.to_string()))?;
    Ok(report)
}

fn change_of(report: &ImportReport, kind: &str, name: &str) -> Change {
    report
        .changes
        .iter()
        .find(|c| c.kind == kind && c.name.eq_ignore_ascii_case(name))
        .map_or(Change::Unchanged, |c| c.change)
}

fn by_name<I: Copy>(pairs: impl IntoIterator<Item = (String, I)>) -> HashMap<String, I> {
    pairs
        .into_iter()
        .map(|(n, i)| (n.to_lowercase(), i))
        .collect()
}

fn lookup<I: Copy>(map: &HashMap<String, I>, name: &str) -> Result<I, StoreError> {
    map.get(&name.to_lowercase())
        .copied()
        .ok_or_else(|| StoreError::Refused(format!("'{name}' vanished during the import")))
}

fn apply_shared<T: SharedConfig + Clone>(
    store: &mut Store,
    list: &'static str,
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
            Change::Unchanged | Change::Delete => {}
        }
    }
    Ok(by_name(
        store
            .configs::<T>()?
            .into_iter()
            .map(|r| (r.spec.name().to_owned(), r.id)),
    ))
}

fn apply(
    store: &mut Store,
    file: &ConfigFile,
    report: &ImportReport,
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> Result<(), StoreError> {
    // Names match without regard to case; an update is a change of case only.
    let zone_ids = by_name(store.zones()?.into_iter().map(|z| (z.name, z.id)));
    for zone in &file.zones {
        match change_of(report, "zones", &zone.name) {
            Change::Create => {
                store.add_zone(&zone.name)?;
            }
            Change::Update => store.rename_zone(lookup(&zone_ids, &zone.name)?, &zone.name)?,
            Change::Unchanged | Change::Delete => {}
        }
    }
    let pool_ids = by_name(store.pools()?.into_iter().map(|p| (p.name, p.id)));
    for pool in &file.pools {
        match change_of(report, "pools", &pool.name) {
            Change::Create => {
                store.add_pool(&pool.name, pool.kind)?;
            }
            Change::Update => store.rename_pool(lookup(&pool_ids, &pool.name)?, &pool.name)?,
            Change::Unchanged | Change::Delete => {}
        }
    }
    let zones = by_name(store.zones()?.into_iter().map(|z| (z.name, z.id)));
    let pools = by_name(store.pools()?.into_iter().map(|p| (p.name, p.id)));
    let ldap = apply_shared::<LdapSpec>(
        store,
        "ldap_configs",
        &file.ldap_configs,
        report,
        given,
        current,
    )?;
    let vm = apply_shared::<VmProviderSpec>(
        store,
        "vm_provider_configs",
        &file.vm_provider_configs,
        report,
        given,
        current,
    )?;
    let dns = apply_shared::<DnsProviderSpec>(
        store,
        "dns_provider_configs",
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
        let change = change_of(report, "servers", &entry.friendly_name);
        if change == Change::Unchanged {
            continue;
        }
        let key = secret_key("servers", &entry.friendly_name, "Password");
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
        let change = change_of(report, "docker_agents", &entry.hostname);
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
        let change = change_of(report, "staging_configs", &name);
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
        let change = change_of(report, "autoscale_configs", &entry.name);
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
        fill(&mut spec, "autoscale_configs", &entry.name, given, current);
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
fn delete_missing(store: &mut Store, report: &ImportReport) -> Result<(), StoreError> {
    let doomed = |kind: &str| -> Vec<String> {
        report
            .changes
            .iter()
            .filter(|c| c.kind == kind && c.change == Change::Delete)
            .map(|c| c.name.to_lowercase())
            .collect()
    };
    for row in store.autoscale_configs()? {
        if doomed("autoscale_configs").contains(&row.spec.name.to_lowercase()) {
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
        if doomed("staging_configs").contains(&key) {
            store.delete_staging(config.id)?;
        }
    }
    for row in store.agents()? {
        if doomed("docker_agents").contains(&row.agent.spec.hostname.to_lowercase()) {
            store.delete_agent(row.agent.id)?;
        }
    }
    for row in store.servers()? {
        if doomed("servers").contains(&row.server.spec.friendly_name.to_lowercase()) {
            store.delete_server(row.server.id)?;
        }
    }
    delete_shared::<DnsProviderSpec>(store, &doomed("dns_provider_configs"))?;
    delete_shared::<VmProviderSpec>(store, &doomed("vm_provider_configs"))?;
    delete_shared::<LdapSpec>(store, &doomed("ldap_configs"))?;
    for pool in store.pools()? {
        if doomed("pools").contains(&pool.name.to_lowercase()) {
            store.delete_pool(pool.id)?;
        }
    }
    for zone in store.zones()? {
        if doomed("zones").contains(&zone.name.to_lowercase()) {
            store.delete_zone(zone.id)?;
        }
    }
    Ok(())
}

fn delete_shared<T: SharedConfig>(store: &mut Store, doomed: &[String]) -> Result<(), StoreError> {
    for row in store.configs::<T>()? {
        if doomed.contains(&row.spec.name().to_lowercase()) {
            store.delete_config::<T>(row.id)?;
        }
    }
    Ok(())
}
