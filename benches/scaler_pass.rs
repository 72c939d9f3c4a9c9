//! A scaler pass's database side at scale, on SQLite and (side by side, when
//! `POOLADMIN_TEST_POSTGRES` names a cluster) on PostgreSQL over loopback TLS: the world
//! loaded from the store (pools, configs, members with their use, instances, health) and
//! planned, with 1,000 pools of 20 Docker Agents each (20,000 members), one AutoScale config
//! per pool. Target: PostgreSQL within 3× of SQLite.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
use pooladmin::model::{AgentDraft, PoolKind};
use pooladmin::scaler::plan::plan;
use pooladmin::scaler::world::World;
use pooladmin::store::{Choice, Store};
use std::hint::black_box;
use support::Shape;

const MEMBERS_PER_POOL: usize = 20;

/// 1,000 pools (a tenth when run once as a test) of 20 agents, each pool with a config on
/// one simulated provider.
fn fill(store: &mut Store) -> usize {
    let pools = Shape::new(1_000, 1_000 * MEMBERS_PER_POOL, 0)
        .for_this_run()
        .pools;
    let zone = store.zones().expect("zones")[0].id;
    let mut provider = None;
    let mut specs = Vec::new();
    for p in 0..pools {
        let pool = store
            .add_pool(&format!("pool-{p:04}"), PoolKind::DockerAgent)
            .expect("pool");
        for m in 0..MEMBERS_PER_POOL {
            let mut draft = AgentDraft::new(Some(zone), Some(pool));
            draft.hostname = format!("agent-{p:04}-{m:02}.bench.internal");
            draft.cores = "16".into();
            draft.memory_mb = "65536".into();
            specs.push(draft.parse().expect("valid agent"));
        }
        let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
        spec.name = format!("config {p}");
        if let Scaling::Agents(a) = &mut spec.scaling {
            a.standby_cores = if p % 3 == 0 { "400" } else { "16" }.into();
            a.agent_cores_override = "16".into();
            a.agent_memory_override_gb = "64".into();
        }
        let choice = match provider {
            Some(id) => Choice::Existing(id),
            None => {
                let mut simulated = VmProviderSpec::new(ProviderKind::Simulator);
                simulated.name = "simulated".into();
                simulated.max_instances = "1000".into();
                Choice::New(simulated)
            }
        };
        let config = store
            .save_autoscale(None, &spec, &choice, None)
            .expect("config");
        if provider.is_none() {
            provider = store
                .autoscale_configs()
                .expect("configs")
                .into_iter()
                .find(|c| c.id == config)
                .and_then(|c| c.spec.vm_provider);
        }
    }
    store.add_agents(&specs).expect("agents");
    pools
}

fn pass(c: &mut Criterion, group: &str, mut store: Store) {
    let pools = fill(&mut store);
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    group.bench_function("load_and_plan", |b| {
        b.iter(|| {
            let now = jiff::Timestamp::now();
            let world = World::load(&store, now).expect("world");
            assert_eq!(world.snapshot.pools.len(), pools);
            black_box(plan(&world.snapshot, now))
        })
    });
    group.finish();
}

fn scaler_pass(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.sqlite")).expect("open");
    pass(c, "scaler_pass", store);
    if let Some(store) = support::postgres_store(dir.path(), "scaler_pass") {
        pass(c, "scaler_pass_postgres", store);
    }
}

criterion_group!(benches, scaler_pass);
criterion_main!(benches);
