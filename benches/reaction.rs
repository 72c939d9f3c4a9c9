//! Reaction: from a session burst that creates a deficit to the simulated cloud receiving
//! the create calls, through the real scaler runtime. Target: median ≤ 50 ms.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::instance::InstanceState;
use pooladmin::model::{Resources, SessionRequest};
use pooladmin::scaler::{Command, ScalerSettings};
use std::time::{Duration, Instant};
use support::scaling::rig;

fn reaction(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let behaviour = Behaviour {
        api_latency: Duration::from_millis(20),
        boot_delay: Duration::ZERO,
        ..Behaviour::default()
    };
    let settings = ScalerSettings {
        poll_every: Duration::from_millis(50),
        ..ScalerSettings::default()
    };
    let mut rig = runtime.block_on(async { rig(behaviour, 8, 1_000, settings) });
    let settled = |rig: &pooladmin::store::Store| {
        let live = rig.live_instances().expect("instances");
        !live.is_empty() && live.iter().all(|i| i.state == InstanceState::Running)
    };
    let mut group = c.benchmark_group("reaction");
    group.sample_size(20);
    group.bench_function("session_burst_to_create_call", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Untimed: the pool has settled with its standby free.
                while !settled(&rig.store) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let mut seen = rig.cloud.creates_seen();
                let before = *seen.borrow_and_update();
                let start = Instant::now();
                // Two sessions of 4 cores take the standby: a deficit of 8 cores.
                for n in 0..2 {
                    rig.store
                        .start_session(&SessionRequest {
                            pool: rig.pool,
                            user_label: format!("burst {n}"),
                            resources: Resources::new(4.0, 1024, 0),
                            staged: false,
                        })
                        .expect("session");
                }
                rig.commands.send(Command::Wake).expect("scaler running");
                runtime.block_on(async {
                    while *seen.borrow_and_update() == before {
                        seen.changed().await.expect("cloud alive");
                    }
                });
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
    let _ = rig.commands.send(Command::Shutdown);
    let _ = &mut rig;
}

criterion_group!(benches, reaction);
criterion_main!(benches);
