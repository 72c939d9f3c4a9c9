//! The planner's promises (DESIGN §3), over arbitrary snapshots: never past Max instances
//! (in-flight counted, across configs sharing a provider config); never deletes a static
//! member, a member with sessions, or before the surplus lasted Downscale Backoff; meets
//! the target when headroom allows; never creates and deletes for one config in one plan.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use jiff::{SignedDuration, Timestamp};
use pooladmin::model::config_health::ConfigHealth;
use pooladmin::model::cost::BudgetUse;
use pooladmin::model::instance::{InstanceId, InstanceState};
use pooladmin::model::scaler_event::EventKind;
use pooladmin::model::{AutoScaleId, PoolId, PoolKind, Resources, VmProviderId};
use pooladmin::scaler::plan::{Action, DeleteCause, plan};
use pooladmin::scaler::snapshot::{
    ConfigSnapshot, MemberInstance, MemberSnapshot, PoolSnapshot, ProviderUse, Snapshot,
    StagingLack, Target,
};
use proptest::prelude::*;
use std::collections::HashMap;

const NOW_S: i64 = 1_800_000_000;

fn now() -> Timestamp {
    Timestamp::from_second(NOW_S).unwrap()
}

#[derive(Clone, Debug)]
struct MemberSeed {
    autoscaled: Option<(usize, InstanceState, bool)>,
    cores: u8,
    used_cores: u8,
    sessions: u8,
    draining: bool,
    age_s: u32,
}

fn member_seed() -> impl Strategy<Value = MemberSeed> {
    (
        prop::option::of((
            0usize..3,
            prop::sample::select(vec![
                InstanceState::Requested,
                InstanceState::Creating,
                InstanceState::Booting,
                InstanceState::Running,
                InstanceState::Running,
                InstanceState::Draining,
                InstanceState::Deleting,
            ]),
            any::<bool>(),
        )),
        1u8..16,
        0u8..16,
        0u8..4,
        prop::bool::weighted(0.1),
        0u32..5000,
    )
        .prop_map(
            |(autoscaled, cores, used_cores, sessions, draining, age_s)| MemberSeed {
                autoscaled,
                cores,
                used_cores: used_cores.min(cores),
                sessions: if used_cores == 0 { 0 } else { sessions.max(1) },
                draining,
                age_s,
            },
        )
}

#[derive(Clone, Debug)]
struct ConfigSeed {
    provider: usize,
    enabled: bool,
    health: u8,
    standby: u8,
    per_agent: u8,
    backoff_s: u16,
    reusable: bool,
}

fn config_seed() -> impl Strategy<Value = ConfigSeed> {
    (
        0usize..2,
        prop::bool::weighted(0.85),
        0u8..6,
        0u8..40,
        1u8..9,
        0u16..1200,
        any::<bool>(),
    )
        .prop_map(
            |(provider, enabled, health, standby, per_agent, backoff_s, reusable)| ConfigSeed {
                provider,
                enabled,
                health,
                standby,
                per_agent,
                backoff_s,
                reusable,
            },
        )
}

#[derive(Clone, Debug)]
struct PoolSeed {
    servers: bool,
    configs: Vec<ConfigSeed>,
    members: Vec<MemberSeed>,
    surplus_for_s: Option<u16>,
    staging_cores: u8,
}

fn pool_seed() -> impl Strategy<Value = PoolSeed> {
    (
        any::<bool>(),
        prop::collection::vec(config_seed(), 1..4),
        prop::collection::vec(member_seed(), 0..12),
        prop::option::of(0u16..1500),
        0u8..8,
    )
        .prop_map(
            |(servers, configs, members, surplus_for_s, staging_cores)| PoolSeed {
                servers,
                configs,
                members,
                surplus_for_s,
                staging_cores,
            },
        )
}

fn health(seed: u8) -> ConfigHealth {
    let mut health = ConfigHealth::default();
    match seed {
        1 => health.paused = true,
        2 => health.backoff_until = Some(now() + SignedDuration::from_secs(60)),
        3 => health.stopped_reason = Some("AuthFailure".into()),
        _ => {}
    }
    health
}

fn build(pools: &[PoolSeed], max: [u32; 2]) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for (i, m) in max.iter().enumerate() {
        snapshot.providers.insert(
            VmProviderId(i as i64 + 1),
            ProviderUse {
                name: format!("provider {i}"),
                max_instances: *m,
                live: 0,
                budget: None,
            },
        );
    }
    let mut next_instance = 1;
    for (p, seed) in pools.iter().enumerate() {
        let pool = PoolId(p as i64 + 1);
        let kind = if seed.servers {
            PoolKind::Server
        } else {
            PoolKind::DockerAgent
        };
        let configs: Vec<ConfigSnapshot> = seed
            .configs
            .iter()
            .enumerate()
            .map(|(c, cs)| ConfigSnapshot {
                id: AutoScaleId((p * 10 + c) as i64 + 1),
                name: format!("config {p}.{c}"),
                enabled: cs.enabled,
                vm_provider: VmProviderId(cs.provider as i64 + 1),
                health: health(cs.health),
                downscale_backoff: SignedDuration::from_secs(cs.backoff_s.into()),
                target: if seed.servers {
                    Target::Servers {
                        min_available: cs.standby.into(),
                        slots: cs.per_agent.into(),
                        reusable: cs.reusable,
                    }
                } else {
                    Target::Agents {
                        standby: Resources::new(cs.standby.into(), 0, 0),
                        per_agent: Resources::new(cs.per_agent.into(), 1024, 0),
                    }
                },
                schedule: Default::default(),
                boot_lead: SignedDuration::from_secs(600),
            })
            .collect();
        let mut members = Vec::new();
        for ms in &seed.members {
            let instance = ms.autoscaled.and_then(|(c, state, used)| {
                let config = configs.get(c)?;
                let id = InstanceId(next_instance);
                next_instance += 1;
                if let Some(p) = snapshot.providers.get_mut(&config.vm_provider) {
                    p.live += 1;
                }
                Some(MemberInstance {
                    id,
                    config: config.id,
                    state,
                    used,
                })
            });
            let provisioning = instance.is_some_and(|i| i.state.is_provisioning());
            members.push(MemberSnapshot {
                instance,
                enabled: true,
                draining: ms.draining && !provisioning,
                capacity: Resources::new(ms.cores.into(), 1024 * i64::from(ms.cores), 0),
                used: if provisioning {
                    Resources::default()
                } else {
                    Resources::new(ms.used_cores.into(), 0, 0)
                },
                sessions: if provisioning { 0 } else { ms.sessions.into() },
                created_at: now() - SignedDuration::from_secs(ms.age_s.into()),
            });
        }
        snapshot.pools.push(PoolSnapshot {
            id: pool,
            name: format!("pool {p}"),
            kind,
            configs,
            members,
            staging_lack: StagingLack {
                resources: Resources::new(seed.staging_cores.into(), 0, 0),
                sessions: seed.staging_cores.into(),
            },
            surplus_since: seed
                .surplus_for_s
                .map(|s| now() - SignedDuration::from_secs(s.into())),
        });
    }
    snapshot
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_plan_keeps_every_promise(
        pools in prop::collection::vec(pool_seed(), 1..5),
        max in (0u32..30, 0u32..30),
    ) {
        let snapshot = build(&pools, [max.0, max.1]);
        let out = plan(&snapshot, now());

        // Max instances, in-flight and other configs' instances counted.
        let mut created: HashMap<VmProviderId, u32> = HashMap::new();
        for action in &out.actions {
            if let Action::Create { vm_provider, count, .. } = action {
                prop_assert!(*count > 0);
                *created.entry(*vm_provider).or_default() += count;
            }
        }
        for (provider, n) in &created {
            let used = &snapshot.providers[provider];
            prop_assert!(used.live + n <= used.max_instances,
                "{} live + {n} created > max {}", used.live, used.max_instances);
        }

        let members: HashMap<InstanceId, (&PoolSnapshot, &MemberSnapshot)> = snapshot
            .pools
            .iter()
            .flat_map(|p| p.members.iter().map(move |m| (p, m)))
            .filter_map(|(p, m)| m.instance.map(|i| (i.id, (p, m))))
            .collect();
        for action in &out.actions {
            let Action::Delete { instance, config, cause, .. } = action else { continue };
            // Only autoscaled members (static ones have no instance), never with sessions.
            let (pool, member) = members[instance];
            prop_assert_eq!(member.sessions, 0);
            if *cause == DeleteCause::Surplus {
                let c = pool.configs.iter().find(|c| c.id == *config).unwrap();
                let since = pool.surplus_since.unwrap_or(now());
                prop_assert!(now().duration_since(since) >= c.downscale_backoff,
                    "deleted before the backoff");
                // Never both ways for one config.
                let creates_too = out.actions.iter().any(|a| matches!(a,
                    Action::Create { config: c2, .. } if c2 == config));
                prop_assert!(!creates_too, "config {} creates and deletes", config);
            }
        }

        // The target is met when every config is healthy and headroom is ample.
        let ample = build(&pools, [10_000, 10_000]);
        let healthy_pools: Vec<&PoolSnapshot> = ample
            .pools
            .iter()
            .filter(|p| p.configs.iter().any(|c| c.enabled)
                && p.configs.iter().all(|c| c.health == ConfigHealth::default()))
            .collect();
        let out = plan(&ample, now());
        for pool in healthy_pools {
            let level = out.levels.iter().find(|l| l.pool == pool.id).unwrap();
            let added: f64 = out.actions.iter().filter_map(|a| match a {
                Action::Create { pool: p, count, size, .. } if *p == pool.id => Some(match size {
                    pooladmin::model::instance::InstanceSize::Agent(r) => r.cores * f64::from(*count),
                    pooladmin::model::instance::InstanceSize::Server { slots } =>
                        f64::from(slots * count),
                }),
                _ => None,
            }).sum();
            prop_assert!(level.free + added + 1e-9 >= level.target,
                "pool {} free {} + created {added} < target {}", pool.id, level.free, level.target);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A budget is never taken past by a plan: what is created, each charged to the month's
    /// end, fits in what the month's projection leaves; and a cut is always explained.
    #[test]
    fn a_plan_holds_every_budget(
        pools in prop::collection::vec(pool_seed(), 1..5),
        budgets in prop::collection::vec((0.01f64..3.0, 0.0f64..20_000.0, 0i64..10_000), 2),
    ) {
        let mut snapshot = build(&pools, [10_000, 10_000]);
        snapshot.currency = "EUR".into();
        for (i, (price, budget, hours)) in budgets.iter().enumerate() {
            let provider = snapshot.providers.get_mut(&VmProviderId(i as i64 + 1)).unwrap();
            provider.budget = Some(BudgetUse {
                hourly_price: *price,
                monthly_budget: *budget,
                projected_millis: hours * 3_600_000,
            });
        }
        let out = plan(&snapshot, now());
        let mut created: HashMap<VmProviderId, u32> = HashMap::new();
        for action in &out.actions {
            if let Action::Create { vm_provider, count, .. } = action {
                *created.entry(*vm_provider).or_default() += count;
            }
        }
        for (provider, n) in created {
            let budget = snapshot.providers[&provider].budget.unwrap();
            let spent = budget.projected() + budget.each(now()) * f64::from(n);
            prop_assert!(spent <= budget.monthly_budget + 1e-6,
                "{n} created: projected {spent} > budget {}", budget.monthly_budget);
        }
        // Wherever less was created than without a budget, a note says "budget … not created".
        let unbudgeted = plan(&build(&pools, [10_000, 10_000]), now());
        let count = |p: &pooladmin::scaler::plan::Plan| -> u32 {
            p.actions.iter().map(|a| match a { Action::Create { count, .. } => *count, _ => 0 }).sum()
        };
        if count(&out) < count(&unbudgeted) {
            prop_assert!(out.notes.iter().any(|n| n.message.starts_with("budget ")
                && n.message.contains("not created")), "{:?}", out.notes);
        }
    }
}

#[test]
fn a_budget_cut_and_the_warning_say_what_they_hold_to() {
    let seed = PoolSeed {
        servers: false,
        configs: vec![ConfigSeed {
            enabled: true,
            provider: 0,
            health: 0,
            backoff_s: 60,
            standby: 40,
            per_agent: 10,
            reusable: true,
        }],
        members: Vec::new(),
        staging_cores: 0,
        surplus_for_s: None,
    };
    let mut snapshot = build(&[seed], [100, 100]);
    snapshot.currency = "EUR".into();
    // 2027-01-15T08:00Z: 16 days 16 hours = 400 hours to the month's end.
    let now = "2027-01-15T08:00:00Z".parse::<Timestamp>().unwrap();
    snapshot.providers.get_mut(&VmProviderId(1)).unwrap().budget = Some(BudgetUse {
        hourly_price: 0.5,
        monthly_budget: 500.0,
        // 250 EUR projected already: room for one more instance at 200 EUR, not two.
        projected_millis: 500 * 3_600_000,
    });
    let out = plan(&snapshot, now);
    let created: u32 = out
        .actions
        .iter()
        .map(|a| match a {
            Action::Create { count, .. } => *count,
            _ => 0,
        })
        .sum();
    assert_eq!(created, 1);
    let messages: Vec<&str> = out.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        messages.contains(
            &"budget 500.00 EUR for provider 0: projected 1050.00 EUR — 3 agents of 10 cores / \
              1024 MB / 0 GPUs not created"
        ),
        "{messages:?}"
    );
    // 250 of 500 is not yet 80 %: no warning; 400 is.
    assert!(!messages.iter().any(|m| m.contains("80 %")));
    snapshot.providers.get_mut(&VmProviderId(1)).unwrap().budget = Some(BudgetUse {
        hourly_price: 0.5,
        monthly_budget: 500.0,
        projected_millis: 800 * 3_600_000,
    });
    let out = plan(&snapshot, now);
    let warning = out
        .notes
        .iter()
        .find(|n| n.kind == EventKind::Budget)
        .expect("a warning at 80 %");
    assert_eq!(
        warning.message,
        "budget 500.00 EUR for provider 0: the month's projected cost has reached 80 % of it"
    );
    assert!(
        out.actions
            .iter()
            .all(|a| !matches!(a, Action::Create { .. }))
    );
}
