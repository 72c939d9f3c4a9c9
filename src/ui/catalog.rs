//! What the screens show, read from the store once per change rather than once per frame.

use crate::model::app_settings::AppSettings;
use crate::model::config_health::ConfigHealth;
use crate::model::cost::{CostSummary, Lifetime, month_of, summarize};
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::ldap::LdapSpec;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{
    AutoScaleId, DeploymentZone, Pool, PoolId, PoolKind, PoolSummary, StagingConfig, VmProviderId,
    ZoneId,
};
use crate::store::{AgentRow, AutoScaleRow, ConfigRow, ServerRow, SessionRow, Store, StoreError};
use jiff::Timestamp;
use std::collections::HashMap;

/// A snapshot of the database for drawing. `generation` changes on every reload, so pages
/// can keep sorted and filtered row orders until the data changes. The session list, the
/// largest part, is read only when the Sessions page is shown.
#[derive(Default)]
pub struct Catalog {
    /// Pools by name.
    pub pools: Vec<Pool>,
    /// One summary per pool, by name.
    pub overview: Vec<PoolSummary>,
    /// Zones by name.
    pub zones: Vec<DeploymentZone>,
    /// Servers, oldest first.
    pub servers: Vec<ServerRow>,
    /// Docker agents, oldest first.
    pub agents: Vec<AgentRow>,
    /// Staging configs.
    pub staging: Vec<StagingConfig>,
    /// Sessions, newest first; current only after [`Catalog::ensure_sessions`].
    pub sessions: Vec<SessionRow>,
    sessions_current: bool,
    /// AutoScale configs, by pool then order.
    pub autoscale: Vec<AutoScaleRow>,
    /// How each AutoScale config is faring (paused, backing off, stopped); absent = healthy.
    pub health: HashMap<AutoScaleId, ConfigHealth>,
    /// VM Provider configs, by name.
    pub vm_providers: Vec<ConfigRow<VmProviderSpec>>,
    /// DNS Provider configs, by name.
    pub dns_providers: Vec<ConfigRow<DnsProviderSpec>>,
    /// LDAP configs, by name.
    pub ldap: Vec<ConfigRow<LdapSpec>>,
    /// The API's Host Missing and Host Dead Expirations (s), to judge members' silence.
    pub host_expiry: (u32, u32),
    /// The general settings (currency, history retention).
    pub settings: AppSettings,
    /// The month's instances of each pool whose VM Provider config has a price, each with
    /// that price: the Pools page and the Status tab work out the cost from them.
    pub priced: HashMap<PoolId, Vec<(Lifetime, f64)>>,
    /// Bumped on every reload.
    pub generation: u64,
    pool_index: HashMap<PoolId, usize>,
    zone_index: HashMap<ZoneId, usize>,
}

impl Catalog {
    /// Reads everything the screens show.
    pub fn load(store: &Store, generation: u64) -> Result<Self, StoreError> {
        let pools = store.pools()?;
        let zones = store.zones()?;
        let vm_providers: Vec<ConfigRow<VmProviderSpec>> = store.configs()?;
        let autoscale = store.autoscale_configs()?;
        let priced = priced_lifetimes(store, &vm_providers, &autoscale)?;
        Ok(Self {
            settings: store.app_settings()?,
            priced,
            pool_index: pools.iter().enumerate().map(|(i, p)| (p.id, i)).collect(),
            zone_index: zones.iter().enumerate().map(|(i, z)| (z.id, i)).collect(),
            overview: store.pool_overview()?,
            servers: store.servers()?,
            agents: store.agents()?,
            staging: store.staging_configs()?,
            sessions: Vec::new(),
            sessions_current: false,
            autoscale,
            health: store.config_health()?,
            vm_providers,
            dns_providers: store.configs()?,
            ldap: store.configs()?,
            host_expiry: store.host_expiry()?,
            pools,
            zones,
            generation,
        })
    }

    /// Reads the session list if it is not current; a new generation when it was read.
    pub fn ensure_sessions(&mut self, store: &Store) -> Result<(), StoreError> {
        if !self.sessions_current {
            self.sessions = store.sessions()?;
            self.sessions_current = true;
            self.generation += 1;
        }
        Ok(())
    }

    /// Whether the session list was read with the rest.
    pub fn sessions_current(&self) -> bool {
        self.sessions_current
    }

    /// Sessions in all pools (every session belongs to a pool), without the session list.
    pub fn session_count(&self) -> u32 {
        self.overview.iter().map(|s| s.sessions).sum()
    }

    /// What a pool's instances cost at `now`; `None` when none of its configs has a price.
    pub fn pool_cost(&self, pool: PoolId, now: Timestamp) -> Option<CostSummary> {
        self.priced.get(&pool).map(|p| summarize(p, now))
    }

    /// A pool by id.
    pub fn pool(&self, id: PoolId) -> Option<&Pool> {
        self.pool_index.get(&id).map(|&i| &self.pools[i])
    }

    /// A pool's name, or "—" for none.
    pub fn pool_name(&self, id: Option<PoolId>) -> &str {
        id.and_then(|id| self.pool(id))
            .map_or("—", |p| p.name.as_str())
    }

    /// A zone's name.
    pub fn zone_name(&self, id: ZoneId) -> &str {
        self.zone_index
            .get(&id)
            .map_or("?", |&i| self.zones[i].name.as_str())
    }

    /// Zones as choices for a form's drop-down.
    pub fn zone_choices(&self) -> Vec<(Option<ZoneId>, String)> {
        self.zones
            .iter()
            .map(|z| (Some(z.id), z.name.clone()))
            .collect()
    }

    /// Pools of one kind as choices, with "none" first when a member may stay unassigned.
    pub fn pool_choices(&self, kind: PoolKind, with_none: bool) -> Vec<(Option<PoolId>, String)> {
        let none = with_none.then(|| (None, "— none —".to_owned()));
        none.into_iter()
            .chain(self.pools_of(kind).map(|p| (Some(p.id), p.name.clone())))
            .collect()
    }

    /// Pools of one kind, by name.
    pub fn pools_of(&self, kind: PoolKind) -> impl Iterator<Item = &Pool> {
        self.pools.iter().filter(move |p| p.kind == kind)
    }
}

/// The month's instance lifetimes of every pool, priced by their VM Provider configs; pools
/// served only by configs without a price are left out (no cost is guessed).
fn priced_lifetimes(
    store: &Store,
    vm_providers: &[ConfigRow<VmProviderSpec>],
    autoscale: &[AutoScaleRow],
) -> Result<HashMap<PoolId, Vec<(Lifetime, f64)>>, StoreError> {
    let prices: HashMap<VmProviderId, f64> = vm_providers
        .iter()
        .filter_map(|row| Some((row.id, row.spec.cost_terms().ok()?.hourly_price?)))
        .collect();
    let mut priced: HashMap<PoolId, Vec<(Lifetime, f64)>> = HashMap::new();
    if prices.is_empty() {
        return Ok(priced);
    }
    // A priced pool with no instance this month costs 0, which is worth showing.
    for row in autoscale {
        if row
            .spec
            .vm_provider
            .is_some_and(|id| prices.contains_key(&id))
        {
            priced.entry(row.spec.pool).or_default();
        }
    }
    let (month_start, _) = month_of(Timestamp::now());
    for row in store.instance_lifetimes(month_start)? {
        if let Some(price) = prices.get(&row.vm_provider) {
            priced
                .entry(row.pool)
                .or_default()
                .push((row.lifetime, *price));
        }
    }
    Ok(priced)
}
