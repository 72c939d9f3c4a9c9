//! Opening a database with 10,000 agents and 100,000 sessions and building the Pools
//! overview. Target: median ≤ 150 ms. Also measured: loading everything the window shows;
//! both again on PostgreSQL (over loopback TLS) when `POOLADMIN_TEST_POSTGRES` names a
//! cluster, side by side.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use support::Shape;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::store::Store;
use pooladmin::ui::catalog::Catalog;
use std::hint::black_box;

fn store_load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite");
    let sessions = Shape::SPREAD.for_this_run().sessions as u32;
    drop(support::large_deployment(&path, Shape::SPREAD));
    let mut group = c.benchmark_group("store_load");
    group.sample_size(20);
    group.bench_function("open_and_pools_overview", |b| {
        b.iter(|| {
            let store = Store::open(&path).expect("open");
            let overview = store.pool_overview().expect("overview");
            assert_eq!(overview.iter().map(|p| p.sessions).sum::<u32>(), sessions);
            black_box(overview)
        })
    });
    group.bench_function("open_and_full_catalog", |b| {
        b.iter(|| {
            let store = Store::open(&path).expect("open");
            black_box(Catalog::load(&store, 1).expect("catalog"))
        })
    });
    group.finish();
    let Some(store) = support::large_postgres_deployment(dir.path(), Shape::SPREAD) else {
        return;
    };
    let database = store.database().clone();
    let key = pooladmin::store::KeySource::File(dir.path().join("bench.key"));
    drop(store);
    let mut group = c.benchmark_group("store_load_postgres");
    group.sample_size(10);
    group.bench_function("open_and_pools_overview", |b| {
        b.iter(|| {
            let store = Store::open_database_for_command(&database, &key).expect("open");
            let overview = store.pool_overview().expect("overview");
            assert_eq!(overview.iter().map(|p| p.sessions).sum::<u32>(), sessions);
            black_box(overview)
        })
    });
    group.bench_function("open_and_full_catalog", |b| {
        b.iter(|| {
            let store = Store::open_database_for_command(&database, &key).expect("open");
            black_box(Catalog::load(&store, 1).expect("catalog"))
        })
    });
    group.finish();
}

criterion_group!(benches, store_load);
criterion_main!(benches);
