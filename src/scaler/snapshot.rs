//! Everything the planner looks at, read from the store in one go: pools with their
//! members (running and in flight), their configs in serving order, and the provider
//! limits. Plain data, so tests and benchmarks build one by hand.

use crate::model::autoscale::{AutoScaleSpec, AutoScaleValues, Scaling, ScalingValues};
use crate::model::config_health::ConfigHealth;
use crate::model::cost::BudgetUse;
use crate::model::instance::{InstanceId, InstanceSize, InstanceState};
use crate::model::schedule::{Effective, Level, LocalTimes, ScheduleSpec};
use crate::model::{AutoScaleId, PoolId, PoolKind, Resources, VmProviderId};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;

/// The state of the world the planner decides on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Every pool that has at least one AutoScale config.
    pub pools: Vec<PoolSnapshot>,
    /// Each VM Provider config's Max instances and its live or in-flight instances.
    pub providers: HashMap<VmProviderId, ProviderUse>,
    /// The currency prices and budgets are in, for reasons.
    pub currency: String,
}

/// How much of a VM Provider config is taken.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderUse {
    /// Its name, for reasons.
    pub name: String,
    /// Max instances.
    pub max_instances: u32,
    /// Instances not over yet, of every config that shares it.
    pub live: u32,
    /// Its monthly budget and the month's projection, when it has a price and a budget.
    pub budget: Option<BudgetUse>,
}

/// One pool.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSnapshot {
    /// The pool's key in the database.
    pub id: PoolId,
    /// Name, for reasons.
    pub name: String,
    /// Server or Docker Agent.
    pub kind: PoolKind,
    /// Its AutoScale configs in serving order (the table's order).
    pub configs: Vec<ConfigSnapshot>,
    /// Members, running or in flight.
    pub members: Vec<MemberSnapshot>,
    /// What its staging configs still lack: resources for agent pools, sessions (in
    /// `cores`) for server pools.
    pub staging_lack: StagingLack,
    /// Since when it has had a surplus, if it has one.
    pub surplus_since: Option<Timestamp>,
}

/// What a pool's staging configs want and do not have yet.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StagingLack {
    /// Resources (Docker Agent pools).
    pub resources: Resources,
    /// Sessions (Server pools).
    pub sessions: u32,
}

/// One AutoScale config.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigSnapshot {
    /// The config's key in the database.
    pub id: AutoScaleId,
    /// Name, for reasons.
    pub name: String,
    /// Enabled.
    pub enabled: bool,
    /// Its VM Provider config.
    pub vm_provider: VmProviderId,
    /// Paused, backing off or stopped.
    pub health: ConfigHealth,
    /// Downscale Backoff.
    pub downscale_backoff: SignedDuration,
    /// What it keeps free, and what one new instance brings.
    pub target: Target,
    /// Its timetable over the target's own values.
    pub schedule: ScheduleSpec,
    /// How long its instances take to come up (the 90th percentile of its last boots, the
    /// Provision Timeout before there are any): a window's values are in place this long
    /// before it begins.
    pub boot_lead: SignedDuration,
}

impl ConfigSnapshot {
    /// The planner's view of a config from its parsed values; `boot_lead` is its observed
    /// boot time (or the Provision Timeout before it has booted anything).
    pub fn from_values(
        id: AutoScaleId,
        spec: &AutoScaleSpec,
        values: &AutoScaleValues,
        health: ConfigHealth,
        boot_lead: SignedDuration,
    ) -> Self {
        Self {
            id,
            name: spec.name.clone(),
            enabled: spec.enabled,
            vm_provider: spec.vm_provider.unwrap_or(VmProviderId(0)),
            health,
            downscale_backoff: SignedDuration::from_secs(values.downscale_backoff_s),
            target: Target::of(&values.scaling, &spec.scaling),
            schedule: values.schedule.clone(),
            boot_lead,
        }
    }

    fn base_level(&self) -> Level {
        match self.target {
            Target::Agents { standby, .. } => Level::Agents(standby),
            Target::Servers { min_available, .. } => Level::Servers(min_available),
        }
    }

    /// What it keeps free at `now`, its timetable considered, and whether that decided;
    /// `clocks` keeps the local times already worked out.
    pub fn standby_at(&self, now: Timestamp, clocks: &mut LocalTimes) -> (Level, bool) {
        self.schedule
            .effective_level(self.base_level(), now, self.boot_lead, clocks)
    }

    /// [`ConfigSnapshot::standby_at`] with the reason in words, when the timetable decided.
    pub fn standby_explained(&self, now: Timestamp) -> Effective {
        self.schedule
            .effective(self.base_level(), now, self.boot_lead)
    }
}

/// What a config keeps free.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Docker Agent pool: standby resources; each new agent brings `per_agent`.
    Agents {
        /// Standby Cores / Memory (MB) / GPUs.
        standby: Resources,
        /// Agent Cores / Memory / GPUs overrides.
        per_agent: Resources,
    },
    /// Server pool: minimum available sessions; each new server brings `slots`.
    Servers {
        /// Minimum Available Sessions.
        min_available: u32,
        /// Max Simultaneous Sessions Per Server.
        slots: u32,
        /// Whether a server serves again after its session ended.
        reusable: bool,
    },
}

impl Target {
    /// A config's target from its parsed numbers (and the Reusable box of a server config).
    pub fn of(values: &ScalingValues, scaling: &Scaling) -> Self {
        match values {
            ScalingValues::Agents { standby, per_agent } => Target::Agents {
                standby: *standby,
                per_agent: *per_agent,
            },
            ScalingValues::Servers {
                min_available,
                slots,
                ..
            } => Target::Servers {
                min_available: *min_available,
                slots: *slots,
                reusable: matches!(scaling, Scaling::Servers(s) if s.reusable),
            },
        }
    }

    /// What one instance of this config brings.
    pub fn size(&self) -> InstanceSize {
        match *self {
            Target::Agents { per_agent, .. } => InstanceSize::Agent(per_agent),
            Target::Servers { slots, .. } => InstanceSize::Server { slots },
        }
    }
}

/// A member of a pool, or an instance on its way to becoming one.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberSnapshot {
    /// The instance behind it, when it is autoscaled.
    pub instance: Option<MemberInstance>,
    /// Takes sessions (enabled).
    pub enabled: bool,
    /// Takes no new sessions.
    pub draining: bool,
    /// Capacity (agents) — for servers, `cores` holds the session slots.
    pub capacity: Resources,
    /// What its sessions use — for servers, `cores` holds the session count.
    pub used: Resources,
    /// Sessions on it.
    pub sessions: u32,
    /// When it was created (newest idle goes first).
    pub created_at: Timestamp,
}

/// The autoscaled side of a member.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemberInstance {
    /// Instance row.
    pub id: InstanceId,
    /// The config that made it.
    pub config: AutoScaleId,
    /// Lifecycle state.
    pub state: InstanceState,
    /// Whether a session ever ran on it.
    pub used: bool,
}

impl MemberSnapshot {
    /// Counts toward free capacity: running or on its way, and taking sessions.
    pub fn serves(&self) -> bool {
        let state_serves = match &self.instance {
            None => true,
            Some(i) => i.state.is_provisioning() || i.state == InstanceState::Running,
        };
        state_serves && self.enabled && !self.draining
    }

    /// Capacity minus use.
    pub fn free(&self) -> Resources {
        self.capacity.minus(&self.used)
    }
}
