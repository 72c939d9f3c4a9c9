//! Provisioning throughput: 200 creates against the simulator with 200 ms API latency at a
//! concurrency of 16, through the real scaler. Target: ≤ 4 s.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::scaler::ScalerSettings;
use std::time::{Duration, Instant};
use support::scaling::rig;

const CREATES: u64 = 200;

fn provision_throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("provision_throughput");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(40));
    group.bench_function("200_creates_200ms_latency_concurrency_16", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += runtime.block_on(async {
                    let behaviour = Behaviour {
                        api_latency: Duration::from_millis(200),
                        boot_delay: Duration::from_secs(3600),
                        ..Behaviour::default()
                    };
                    let settings = ScalerSettings {
                        concurrency: 16,
                        ..ScalerSettings::default()
                    };
                    // 800 standby cores in agents of 4: 200 creates, all at once.
                    let start = Instant::now();
                    let rig = rig(behaviour, 800, 200, settings);
                    while rig.cloud.calls().vms_made < CREATES {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    let elapsed = start.elapsed();
                    let _ = rig.commands.send(pooladmin::scaler::Command::Shutdown);
                    elapsed
                });
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, provision_throughput);
criterion_main!(benches);
