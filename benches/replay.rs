//! A what-if replay at the size of issue 15's target: one week of a Docker Agent pool with
//! 200 sessions a weekday (the stand-in demand), its standby on a weekday timetable, every
//! 20 s step planned by the real planner. Target: median ≤ 2 s.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use pooladmin::model::schedule::{Schedule, ScheduleWindow, ScheduledValues};
use pooladmin::model::{AutoScaleId, PoolKind, Resources, ValidationErrors, VmProviderId};
use pooladmin::replay::stand_in::StandIn;
use pooladmin::replay::{Setup, replay};
use pooladmin::scaler::snapshot::{ConfigSnapshot, Target};
use std::hint::black_box;

fn setup() -> Setup {
    let mut schedule = Schedule::default();
    schedule.windows.push(ScheduleWindow {
        days: [true, true, true, true, true, false, false],
        start: "08:00".into(),
        end: "18:00".into(),
        time_zone: "Europe/Berlin".into(),
        values: ScheduledValues {
            standby_cores: "24".into(),
            ..ScheduledValues::default()
        },
    });
    let mut errors = ValidationErrors::default();
    let schedule = schedule.parse(false, &mut errors);
    assert!(errors.is_empty(), "{errors}");
    Setup {
        kind: PoolKind::DockerAgent,
        config: ConfigSnapshot {
            id: AutoScaleId(1),
            name: "browser standby".into(),
            enabled: true,
            vm_provider: VmProviderId(1),
            health: Default::default(),
            downscale_backoff: SignedDuration::from_mins(10),
            target: Target::Agents {
                standby: Resources::new(8.0, 0, 0),
                per_agent: Resources::new(8.0, 16_384, 0),
            },
            schedule,
            boot_lead: SignedDuration::from_mins(4),
        },
        max_instances: 50,
        boot_time: SignedDuration::from_mins(4),
        fixed: vec![Resources::new(8.0, 16_384, 0); 4],
        initial: Vec::new(),
    }
}

fn bench_replay(c: &mut Criterion) {
    let from: Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
    let to = from + SignedDuration::from_hours(24 * 7);
    let requests = StandIn::new(Resources::new(2.0, 2_048, 0)).requests(from, to);
    assert!(requests.len() >= 990, "{}", requests.len());
    let setup = setup();
    let outcome = replay(&setup, &requests, from, to);
    assert_eq!(outcome.requests as usize, requests.len());
    c.bench_function("replay_week", |b| {
        b.iter(|| black_box(replay(black_box(&setup), &requests, from, to)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_replay
}
criterion_main!(benches);
