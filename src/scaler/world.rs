//! Reads what one scaler pass needs from the store: the planner's snapshot, and the configs
//! and instances the executor acts on.

use super::snapshot::{
    ConfigSnapshot, MemberInstance, MemberSnapshot, PoolSnapshot, ProviderUse, Snapshot,
    StagingLack,
};
use crate::model::autoscale::AutoScaleValues;
use crate::model::cost::{BudgetUse, Lifetime, month_of, projected_month_millis};
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::instance::{Instance, InstanceId};
use crate::model::ldap::LdapSpec;
use crate::model::schedule::{BOOTS_JUDGED, boot_p90};
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{AutoScaleId, DnsProviderId, LdapId, PoolId, Resources, VmProviderId};
use crate::store::{AutoScaleRow, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;

/// One pass's view of the store.
#[derive(Clone, Debug, Default)]
pub struct World {
    /// What the planner decides on.
    pub snapshot: Snapshot,
    /// Every AutoScale config.
    pub configs: HashMap<AutoScaleId, AutoScaleRow>,
    /// Every VM Provider config.
    pub vm_providers: HashMap<VmProviderId, VmProviderSpec>,
    /// Every DNS Provider config.
    pub dns_providers: HashMap<DnsProviderId, DnsProviderSpec>,
    /// Every LDAP config.
    pub ldap: HashMap<LdapId, LdapSpec>,
    /// Instances not over yet.
    pub instances: HashMap<InstanceId, Instance>,
    /// Where agents check in (`{checkin_url}`).
    pub checkin_url: String,
    /// Each valid config's numbers, parsed once: the scaler reads no form text.
    pub values: HashMap<AutoScaleId, AutoScaleValues>,
    /// Configs whose stored settings (or their VM Provider config's) no longer pass the
    /// checks the form makes, with why: they neither plan nor act on a guessed value.
    pub invalid: HashMap<AutoScaleId, String>,
}

impl World {
    /// Reads it all as of `now` (a member whose agent fell silent counts as not serving).
    pub fn load(store: &Store, now: Timestamp) -> Result<Self, StoreError> {
        let pools = store.pools()?;
        let configs: Vec<AutoScaleRow> = store.autoscale_configs()?;
        let health = store.config_health()?;
        let clocks = store.surplus_clocks()?;
        let instances: HashMap<InstanceId, Instance> = store
            .live_instances()?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let vm_providers: HashMap<VmProviderId, VmProviderSpec> = store
            .configs::<VmProviderSpec>()?
            .into_iter()
            .map(|row| (row.id, row.spec))
            .collect();
        let dns_providers = store
            .configs::<DnsProviderSpec>()?
            .into_iter()
            .map(|row| (row.id, row.spec))
            .collect();
        let ldap = store
            .configs::<LdapSpec>()?
            .into_iter()
            .map(|row| (row.id, row.spec))
            .collect();
        let staged = store.staged_use()?;
        let staging = store.staging_configs()?;

        let mut snapshot = Snapshot::default();
        // A provider whose stored settings no longer parse has no limit: its configs are
        // stopped below (`parsed_configs`), and it gets no capacity to plan with.
        let budgets = budgets(store, &vm_providers, now)?;
        snapshot.currency = store.app_settings()?.currency;
        for (id, spec) in &vm_providers {
            if let Ok(max_instances) = spec.max_instances() {
                snapshot.providers.insert(
                    *id,
                    ProviderUse {
                        name: spec.name.clone(),
                        max_instances,
                        live: 0,
                        budget: budgets.get(id).copied(),
                    },
                );
            }
        }
        for instance in instances.values() {
            if let Some(p) = snapshot.providers.get_mut(&instance.vm_provider) {
                p.live += 1;
            }
        }

        let mut by_pool: HashMap<PoolId, PoolSnapshot> = HashMap::new();
        for pool in &pools {
            if !configs.iter().any(|c| c.spec.pool == pool.id) {
                continue;
            }
            let mut lack = StagingLack::default();
            let mut wanted = Resources::default();
            let mut wanted_sessions = 0u32;
            for s in staging.iter().filter(|s| s.spec.pool == pool.id) {
                wanted = wanted.plus(&s.spec.total_need());
                wanted_sessions += s.spec.desired_sessions;
            }
            let have = staged.get(&pool.id).copied().unwrap_or_default();
            let short = wanted.minus(&have.resources);
            lack.resources = Resources::new(
                short.cores.max(0.0),
                short.memory_mb.max(0),
                short.gpus.max(0),
            );
            lack.sessions = wanted_sessions.saturating_sub(have.sessions);
            by_pool.insert(
                pool.id,
                PoolSnapshot {
                    id: pool.id,
                    name: pool.name.clone(),
                    kind: pool.kind,
                    configs: Vec::new(),
                    members: Vec::new(),
                    staging_lack: lack,
                    surplus_since: clocks.get(&pool.id).copied(),
                },
            );
        }
        let (values, invalid) = parsed_configs(&configs, &vm_providers);
        let boots = store.boot_times(BOOTS_JUDGED)?;
        for row in &configs {
            let Some(pool) = by_pool.get_mut(&row.spec.pool) else {
                continue;
            };
            let Some(vm_provider) = row.spec.vm_provider else {
                continue;
            };
            // A config whose settings do not parse has no numbers to plan with.
            let Some(parsed) = values.get(&row.id) else {
                continue;
            };
            let boot_lead = boot_p90(
                boots.get(&row.id).map_or(&[], Vec::as_slice),
                SignedDuration::from_secs(parsed.provision_timeout_s),
            );
            let mut config = ConfigSnapshot::from_values(
                row.id,
                &row.spec,
                parsed,
                health.get(&row.id).cloned().unwrap_or_default(),
                boot_lead,
            );
            config.vm_provider = vm_provider;
            pool.configs.push(config);
        }
        for member in store.scaling_members(now)? {
            let Some(pool) = by_pool.get_mut(&member.pool) else {
                continue;
            };
            let instance = member.instance.and_then(|id| instances.get(&id));
            pool.members.push(MemberSnapshot {
                instance: instance.map(|i| MemberInstance {
                    id: i.id,
                    config: i.config,
                    state: i.state,
                    used: i.used,
                }),
                enabled: member.enabled,
                draining: member.draining,
                capacity: member.capacity,
                used: member.used,
                sessions: member.sessions,
                created_at: member.created_at,
            });
        }
        // Instances on their way have no member row yet: they count by their size.
        for instance in instances.values().filter(|i| i.member.is_none()) {
            let Some(pool) = by_pool.get_mut(&instance.pool) else {
                continue;
            };
            let capacity = instance.size.as_resources();
            pool.members.push(MemberSnapshot {
                instance: Some(MemberInstance {
                    id: instance.id,
                    config: instance.config,
                    state: instance.state,
                    used: instance.used,
                }),
                enabled: true,
                draining: false,
                capacity,
                used: Resources::default(),
                sessions: 0,
                created_at: instance.created_at,
            });
        }
        let mut pools: Vec<PoolSnapshot> = by_pool.into_values().collect();
        pools.sort_by_key(|p| p.id);
        snapshot.pools = pools;
        Ok(Self {
            snapshot,
            configs: configs.into_iter().map(|c| (c.id, c)).collect(),
            vm_providers,
            dns_providers,
            ldap,
            instances,
            checkin_url: store.checkin_url()?,
            values,
            invalid,
        })
    }
}

/// Each config's numbers, parsed once from its checked settings, and every config whose
/// stored settings (or its VM Provider config's) fail the form's checks, with the field and
/// reason (a hand-edited row, or one from an older version): nothing is scaled on a guess.
fn parsed_configs(
    configs: &[AutoScaleRow],
    vm_providers: &HashMap<VmProviderId, VmProviderSpec>,
) -> (
    HashMap<AutoScaleId, AutoScaleValues>,
    HashMap<AutoScaleId, String>,
) {
    let mut values = HashMap::new();
    let mut invalid = HashMap::new();
    for row in configs {
        let provider = row.spec.vm_provider.and_then(|id| vm_providers.get(&id));
        match (row.spec.values(), provider.map(VmProviderSpec::validate)) {
            (Err(errors), _) => {
                invalid.insert(
                    row.id,
                    format!("its stored settings no longer parse: {errors}"),
                );
            }
            (Ok(_), Some(Err(errors))) => {
                let name = provider.map_or("?", |p| p.name.as_str());
                invalid.insert(
                    row.id,
                    format!(
                        "the stored settings of VM Provider config {name} no longer parse: {errors}"
                    ),
                );
            }
            (Ok(parsed), _) => {
                values.insert(row.id, parsed);
            }
        }
    }
    (values, invalid)
}

/// Each budgeted VM Provider config's month as it stands: one read of the month's instance
/// lifetimes, only when some config has a budget.
fn budgets(
    store: &Store,
    vm_providers: &HashMap<VmProviderId, VmProviderSpec>,
    now: Timestamp,
) -> Result<HashMap<VmProviderId, BudgetUse>, StoreError> {
    let mut budgets: HashMap<VmProviderId, BudgetUse> = vm_providers
        .iter()
        .filter_map(|(id, spec)| {
            let terms = spec.cost_terms().ok()?;
            Some((
                *id,
                BudgetUse {
                    hourly_price: terms.hourly_price?,
                    monthly_budget: terms.monthly_budget?,
                    projected_millis: 0,
                },
            ))
        })
        .collect();
    if budgets.is_empty() {
        return Ok(budgets);
    }
    let (month_start, _) = month_of(now);
    let mut lifetimes: HashMap<VmProviderId, Vec<Lifetime>> = HashMap::new();
    for row in store.instance_lifetimes(month_start)? {
        lifetimes
            .entry(row.vm_provider)
            .or_default()
            .push(row.lifetime);
    }
    for (id, budget) in &mut budgets {
        let of_config = lifetimes.get(id).map(Vec::as_slice).unwrap_or_default();
        budget.projected_millis = projected_month_millis(of_config, now);
    }
    Ok(budgets)
}
