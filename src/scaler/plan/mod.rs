//! The planner: a pure function of a snapshot and `now` that says what to create and what
//! to delete, each with a reason a person can read (DESIGN §3).

mod budget;
mod words;

pub use budget::BUDGET_WARNING;
use budget::{hold_to_budget, warn_of_budgets};
use words::{describe, size_words};

use super::snapshot::{ConfigSnapshot, MemberSnapshot, PoolSnapshot, Snapshot, Target};
use crate::model::config_health::HealthStatus;
use crate::model::cost::BudgetUse;
use crate::model::instance::{InstanceId, InstanceSize, InstanceState};
use crate::model::resources::format_cores;
use crate::model::scaler_event::EventKind;
use crate::model::schedule::{Level, LocalTimes};
use crate::model::{AutoScaleId, PoolId, PoolKind, Resources, VmProviderId};
use jiff::Timestamp;
use std::collections::HashMap;

/// What the planner decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// What to do.
    pub actions: Vec<Action>,
    /// What could not be done, and why ("Max instances reached …").
    pub notes: Vec<Note>,
    /// Surplus clocks to start (`Some`) or stop (`None`).
    pub clocks: Vec<(PoolId, Option<Timestamp>)>,
    /// Each pool's free capacity against its target, for the Status panel and chart.
    pub levels: Vec<PoolLevel>,
}

/// One thing to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Create `count` instances for a config.
    Create {
        /// The pool served.
        pool: PoolId,
        /// The config that creates them.
        config: AutoScaleId,
        /// Its VM Provider config.
        vm_provider: VmProviderId,
        /// How many.
        count: u32,
        /// What each brings.
        size: InstanceSize,
        /// What the pool must have free, and had (the numbers behind `reason`).
        need: Resources,
        /// What it had free.
        free: Resources,
        /// Why.
        reason: String,
    },
    /// Delete one instance.
    Delete {
        /// The pool it serves.
        pool: PoolId,
        /// The config that made it.
        config: AutoScaleId,
        /// The instance.
        instance: InstanceId,
        /// Why it goes.
        cause: DeleteCause,
        /// Why, in words.
        reason: String,
    },
}

pub use crate::model::decision::DeleteCause;

/// Something the administrator should know about a plan. Its message stays the same while
/// the condition lasts (no ticking counters), so the executor logs it once.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// The pool.
    pub pool: PoolId,
    /// The config, when it is about one.
    pub config: Option<AutoScaleId>,
    /// What and why.
    pub message: String,
    /// How the log files it: a decision, or a budget warning (also a toast).
    pub kind: EventKind,
}

/// A pool's free capacity against its target, in its main unit (cores for Docker Agent
/// pools, sessions for Server pools).
#[derive(Clone, Debug, PartialEq)]
pub struct PoolLevel {
    /// The pool.
    pub pool: PoolId,
    /// Free now (in-flight included).
    pub free: f64,
    /// What it should have free.
    pub target: f64,
    /// Members running or in flight.
    pub instances: u32,
}

/// Decides for every pool of `snapshot` at `now`.
pub fn plan(snapshot: &Snapshot, now: Timestamp) -> Plan {
    let mut headroom: HashMap<VmProviderId, Headroom> = snapshot
        .providers
        .iter()
        .map(|(id, p)| {
            (
                *id,
                Headroom {
                    name: p.name.clone(),
                    max: p.max_instances,
                    left: p.max_instances.saturating_sub(p.live),
                    budget: p.budget.map(|b| (b, b.projected())),
                },
            )
        })
        .collect();
    let mut out = Plan::default();
    // One local time per time zone for the whole pass: the configs' timetables share them.
    let mut clocks = LocalTimes::default();
    for pool in &snapshot.pools {
        plan_pool(
            pool,
            now,
            &snapshot.currency,
            &mut clocks,
            &mut headroom,
            &mut out,
        );
    }
    warn_of_budgets(snapshot, &mut out);
    out
}

struct Headroom {
    name: String,
    max: u32,
    left: u32,
    /// The budget and the month's projection with this pass's creates so far.
    budget: Option<(BudgetUse, f64)>,
}

/// A pool's demand in one shape for both pool types: agent pools count resources, server
/// pools count sessions in `cores`.
struct Demand<'a> {
    free: Resources,
    need: Resources,
    /// The configs whose timetable set their part of the need (explained only if acted on).
    scheduled: Vec<&'a ConfigSnapshot>,
    now: Timestamp,
}

fn plan_pool(
    pool: &PoolSnapshot,
    now: Timestamp,
    currency: &str,
    clocks: &mut LocalTimes,
    headroom: &mut HashMap<VmProviderId, Headroom>,
    out: &mut Plan,
) {
    retire_spent(pool, out);
    let enabled: Vec<&ConfigSnapshot> = pool.configs.iter().filter(|c| c.enabled).collect();
    let demand = demand(pool, &enabled, now, clocks);
    out.levels.push(PoolLevel {
        pool: pool.id,
        free: demand.free.cores,
        target: demand.need.cores,
        instances: pool
            .members
            .iter()
            .filter(|m| {
                m.instance
                    .is_none_or(|i| i.state.is_provisioning() || i.state == InstanceState::Running)
            })
            .count() as u32,
    });
    if enabled.is_empty() {
        stop_clock(pool, out);
        return;
    }
    let deficit = demand.need.minus(&demand.free);
    if deficit.cores > 1e-9 || deficit.memory_mb > 0 || deficit.gpus > 0 {
        stop_clock(pool, out);
        let context = UpContext {
            now,
            currency,
            demand: &demand,
        };
        scale_up(pool, &enabled, deficit, &context, headroom, out);
    } else {
        scale_down(pool, &enabled, demand, now, out);
    }
}

fn stop_clock(pool: &PoolSnapshot, out: &mut Plan) {
    if pool.surplus_since.is_some() {
        out.clocks.push((pool.id, None));
    }
}

/// Free capacity over serving members, and the need: the largest standby of the pool's
/// configs plus what staging still lacks.
fn demand<'a>(
    pool: &PoolSnapshot,
    enabled: &[&'a ConfigSnapshot],
    now: Timestamp,
    clocks: &mut LocalTimes,
) -> Demand<'a> {
    let mut free = Resources::default();
    for member in pool.members.iter().filter(|m| m.serves()) {
        let f = member.free();
        // An over-committed member has nothing free; it does not eat another's room.
        free = free.plus(&Resources::new(
            f.cores.max(0.0),
            f.memory_mb.max(0),
            f.gpus.max(0),
        ));
    }
    let mut need = Resources::default();
    let mut scheduled = Vec::new();
    for config in enabled {
        let (level, by_timetable) = config.standby_at(now, clocks);
        if by_timetable {
            scheduled.push(*config);
        }
        let standby = match level {
            Level::Agents(standby) => standby,
            Level::Servers(min_available) => Resources::new(f64::from(min_available), 0, 0),
        };
        need = Resources::new(
            need.cores.max(standby.cores),
            need.memory_mb.max(standby.memory_mb),
            need.gpus.max(standby.gpus),
        );
    }
    let lack = match pool.kind {
        PoolKind::DockerAgent => pool.staging_lack.resources,
        PoolKind::Server => Resources::new(f64::from(pool.staging_lack.sessions), 0, 0),
    };
    Demand {
        free,
        need: need.plus(&lack),
        scheduled,
        now,
    }
}

/// How many instances of `per` cover `deficit`, or `None` when they bring nothing of a
/// resource that is short.
fn instances_for(deficit: &Resources, per: &Resources) -> Option<u32> {
    let mut count: f64 = 0.0;
    let short = [
        (deficit.cores, per.cores),
        (deficit.memory_mb as f64, per.memory_mb as f64),
        (deficit.gpus as f64, per.gpus as f64),
    ];
    for (short, each) in short {
        if short > 1e-9 {
            if each <= 0.0 {
                return None;
            }
            count = count.max((short / each - 1e-9).ceil());
        }
    }
    Some(count as u32)
}

/// Serves a deficit with the pool's configs in order: each takes what its provider's
/// headroom allows, unless it is paused, backing off or stopped.
fn scale_up(
    pool: &PoolSnapshot,
    enabled: &[&ConfigSnapshot],
    mut deficit: Resources,
    context: &UpContext,
    headroom: &mut HashMap<VmProviderId, Headroom>,
    out: &mut Plan,
) {
    let now = context.now;
    let why = describe(pool, &deficit, context.demand);
    let mut unserved: Vec<String> = Vec::new();
    let mut wanted_total = 0;
    for config in enabled {
        let size = config.target.size();
        let per = size.as_resources();
        let Some(wanted) = instances_for(&deficit, &per) else {
            unserved.push(format!(
                "{}: its instances bring none of what is short",
                config.name
            ));
            continue;
        };
        if wanted == 0 {
            break;
        }
        wanted_total = wanted_total.max(wanted);
        match config.health.status(now) {
            HealthStatus::Ok => {}
            HealthStatus::Paused => {
                unserved.push(format!("{}: paused", config.name));
                continue;
            }
            HealthStatus::BackingOff(until) => {
                unserved.push(format!(
                    "{}: backing off until {}",
                    config.name,
                    until.strftime("%H:%M:%S")
                ));
                continue;
            }
            HealthStatus::Stopped(reason) => {
                unserved.push(format!("{}: stopped ({reason})", config.name));
                continue;
            }
        }
        let Some(room) = headroom.get_mut(&config.vm_provider) else {
            unserved.push(format!(
                "{}: its VM Provider config is missing",
                config.name
            ));
            continue;
        };
        let count = wanted.min(room.left);
        if count < wanted {
            out.notes.push(Note {
                pool: pool.id,
                config: Some(config.id),
                kind: EventKind::Decision,
                message: format!(
                    "max instances {} of {} reached: {} not created by {}",
                    room.max,
                    room.name,
                    size_words(pool, wanted - count, &size),
                    config.name
                ),
            });
        }
        let count = hold_to_budget(pool, config, room, count, &size, context, out);
        if count == 0 {
            continue;
        }
        room.left -= count;
        out.actions.push(Action::Create {
            pool: pool.id,
            config: config.id,
            vm_provider: config.vm_provider,
            count,
            reason: format!("{why} → create {}", size_words(pool, count, &size)),
            size,
            need: context.demand.need,
            free: context.demand.free,
        });
        let brought = Resources::new(
            per.cores * f64::from(count),
            per.memory_mb * i64::from(count),
            per.gpus * i64::from(count),
        );
        deficit = deficit.minus(&brought);
        if deficit.cores <= 1e-9 && deficit.memory_mb <= 0 && deficit.gpus <= 0 {
            return;
        }
    }
    if !unserved.is_empty() || wanted_total > 0 {
        // No amounts here: the note stands while the deficit lasts, and the log keeps it once.
        let mut message = "the deficit is not fully served".to_owned();
        if !unserved.is_empty() {
            message.push_str(" — ");
            message.push_str(&unserved.join("; "));
        }
        out.notes.push(Note {
            pool: pool.id,
            config: None,
            message,
            kind: EventKind::Decision,
        });
    }
}

/// What a scale-up goes by besides the pool.
struct UpContext<'a> {
    now: Timestamp,
    currency: &'a str,
    demand: &'a Demand<'a>,
}

/// Deletes idle autoscaled members, newest first, once the surplus has lasted the
/// config's Downscale Backoff, while what is left still covers the need.
fn scale_down(
    pool: &PoolSnapshot,
    enabled: &[&ConfigSnapshot],
    demand: Demand,
    now: Timestamp,
    out: &mut Plan,
) {
    let mut idle: Vec<&MemberSnapshot> = pool
        .members
        .iter()
        .filter(|m| {
            m.serves()
                && m.sessions == 0
                && m.instance
                    .is_some_and(|i| i.state == InstanceState::Running)
        })
        .collect();
    idle.sort_by_key(|m| std::cmp::Reverse(m.created_at));
    let mut free = demand.free;
    // A surplus clock in the future means the wall clock went back: it starts again now,
    // so nothing goes early and nothing waits for the lost hour.
    let mut started = pool.surplus_since.filter(|since| *since <= now);
    for member in idle {
        let Some(instance) = member.instance else {
            continue;
        };
        let Some(config) = enabled.iter().find(|c| c.id == instance.config) else {
            continue;
        };
        let left = free.minus(&member.capacity);
        if !demand.need.fits_in(&left) {
            continue;
        }
        let since = *started.get_or_insert_with(|| {
            out.clocks.push((pool.id, Some(now)));
            now
        });
        let lasted = now.duration_since(since);
        if lasted < config.downscale_backoff {
            out.notes.push(Note {
                pool: pool.id,
                config: Some(config.id),
                kind: EventKind::Decision,
                message: format!(
                    "surplus since {}: the newest idle {} goes if it lasts the {}s Downscale \
                     Backoff",
                    since.strftime("%H:%M:%S UTC"),
                    pool.kind.member_noun(),
                    config.downscale_backoff.as_secs()
                ),
            });
            return;
        }
        free = left;
        out.actions.push(Action::Delete {
            pool: pool.id,
            config: config.id,
            instance: instance.id,
            cause: DeleteCause::Surplus,
            reason: format!(
                "surplus for {}s ≥ Downscale Backoff {}s, and without it {} still covers \
                 the target {} → delete the newest idle {}",
                lasted.as_secs(),
                config.downscale_backoff.as_secs(),
                format_cores(left.cores),
                format_cores(demand.need.cores),
                pool.kind.member_noun()
            ),
        });
    }
    if started.is_none() {
        stop_clock(pool, out);
    }
}

/// Drained members that are empty, and non-reusable servers whose session ended, go
/// whatever the demand: nothing may be placed on them again.
fn retire_spent(pool: &PoolSnapshot, out: &mut Plan) {
    for member in &pool.members {
        let Some(instance) = member.instance else {
            continue;
        };
        if member.sessions > 0 {
            continue;
        }
        let cause = if instance.state == InstanceState::Draining
            || (instance.state == InstanceState::Running && member.draining)
        {
            DeleteCause::Drained
        } else if instance.state == InstanceState::Running
            && instance.used
            && pool.configs.iter().any(|c| {
                c.id == instance.config
                    && matches!(
                        c.target,
                        Target::Servers {
                            reusable: false,
                            ..
                        }
                    )
            })
        {
            DeleteCause::Spent
        } else {
            continue;
        };
        out.actions.push(Action::Delete {
            pool: pool.id,
            config: instance.config,
            instance: instance.id,
            cause,
            reason: match cause {
                DeleteCause::Drained => format!(
                    "{} was drained and is empty → delete it",
                    pool.kind.member_noun()
                ),
                _ => "server is not Reusable and its session ended → delete it".to_owned(),
            },
        });
    }
}
