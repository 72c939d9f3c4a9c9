//! The planner at scale: 1,000 pools, 20,000 members, 100,000 sessions (their use summed
//! on each member, as the store keeps it). Target: median ≤ 10 ms; with a schedule (two
//! windows and a holiday, in Europe/Berlin) on every config, within 10 % of that.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use pooladmin::model::config_health::ConfigHealth;
use pooladmin::model::instance::{InstanceId, InstanceState};
use pooladmin::model::schedule::{
    DateOverride, Schedule, ScheduleSpec, ScheduleWindow, ScheduledValues,
};
use pooladmin::model::{AutoScaleId, PoolId, PoolKind, Resources, VmProviderId};
use pooladmin::scaler::plan::plan;
use pooladmin::scaler::snapshot::{
    ConfigSnapshot, MemberInstance, MemberSnapshot, PoolSnapshot, ProviderUse, Snapshot,
    StagingLack, Target,
};
use std::hint::black_box;

const POOLS: i64 = 1_000;
const MEMBERS_PER_POOL: i64 = 20;
const SESSIONS_PER_MEMBER: u32 = 5;

/// Weekdays 08:00–18:00, a night window across midnight and a weekend day, all at the
/// config's own `cores` (so the plan decides as without them: the bench measures the
/// timetable's cost), and a closed holiday that is over.
fn timetable(cores: f64) -> ScheduleSpec {
    let cores = cores.to_string();
    let cores = cores.as_str();
    let window = |days: [bool; 7], start: &str, end: &str, cores: &str| ScheduleWindow {
        days,
        start: start.into(),
        end: end.into(),
        time_zone: "Europe/Berlin".into(),
        values: ScheduledValues {
            standby_cores: cores.into(),
            ..ScheduledValues::default()
        },
    };
    let weekdays = [true, true, true, true, true, false, false];
    let schedule = Schedule {
        windows: vec![
            window(weekdays, "08:00", "18:00", cores),
            window(weekdays, "22:00", "06:00", cores),
            window(
                [false, false, false, false, false, true, true],
                "00:00",
                "23:59",
                cores,
            ),
        ],
        overrides: vec![DateOverride {
            date: "2025-12-25".into(),
            time_zone: "Europe/Berlin".into(),
            closed: true,
            values: ScheduledValues::default(),
        }],
    };
    let mut errors = pooladmin::model::ValidationErrors::default();
    let spec = schedule.parse(false, &mut errors);
    assert!(errors.is_empty(), "{errors}");
    spec
}

fn large_snapshot(now: Timestamp, scheduled: bool) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for p in 0..10 {
        snapshot.providers.insert(
            VmProviderId(p + 1),
            ProviderUse {
                name: format!("provider {p}"),
                max_instances: 1_000,
                live: 0,
                budget: None,
            },
        );
    }
    let mut instance = 0;
    for p in 0..POOLS {
        let config = AutoScaleId(p + 1);
        let vm_provider = VmProviderId(p % 10 + 1);
        let members = (0..MEMBERS_PER_POOL)
            .map(|m| {
                instance += 1;
                let autoscaled = m % 2 == 0;
                if autoscaled {
                    snapshot.providers.get_mut(&vm_provider).unwrap().live += 1;
                }
                MemberSnapshot {
                    instance: autoscaled.then_some(MemberInstance {
                        id: InstanceId(instance),
                        config,
                        state: InstanceState::Running,
                        used: true,
                    }),
                    enabled: true,
                    draining: false,
                    capacity: Resources::new(16.0, 65_536, 1),
                    used: Resources::new(
                        2.0 * f64::from(SESSIONS_PER_MEMBER),
                        2048 * i64::from(SESSIONS_PER_MEMBER),
                        0,
                    ),
                    sessions: SESSIONS_PER_MEMBER,
                    created_at: now - SignedDuration::from_secs(m * 60),
                }
            })
            .collect();
        // Every third pool is short, the rest have a surplus.
        let standby = if p % 3 == 0 { 200.0 } else { 16.0 };
        snapshot.pools.push(PoolSnapshot {
            id: PoolId(p + 1),
            name: format!("pool {p}"),
            kind: PoolKind::DockerAgent,
            configs: vec![ConfigSnapshot {
                id: config,
                name: format!("config {p}"),
                enabled: true,
                vm_provider,
                health: ConfigHealth::default(),
                downscale_backoff: SignedDuration::from_secs(600),
                target: Target::Agents {
                    standby: Resources::new(standby, 0, 0),
                    per_agent: Resources::new(16.0, 65_536, 1),
                },
                schedule: if scheduled {
                    timetable(standby)
                } else {
                    ScheduleSpec::default()
                },
                boot_lead: SignedDuration::from_secs(360),
            }],
            members,
            staging_lack: StagingLack::default(),
            surplus_since: Some(now - SignedDuration::from_secs(900)),
        });
    }
    snapshot
}

fn bench_plan(c: &mut Criterion) {
    let now = Timestamp::now();
    let snapshot = large_snapshot(now, false);
    let sessions: u32 = snapshot
        .pools
        .iter()
        .flat_map(|p| &p.members)
        .map(|m| m.sessions)
        .sum();
    assert_eq!(sessions, 100_000);
    c.bench_function("plan_1000_pools_20000_members_100000_sessions", |b| {
        b.iter(|| black_box(plan(black_box(&snapshot), now)))
    });
    let scheduled = large_snapshot(now, true);
    c.bench_function("plan_1000_pools_with_schedules", |b| {
        b.iter(|| black_box(plan(black_box(&scheduled), now)))
    });
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
