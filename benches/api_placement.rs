//! `POST /v1/pools/{pool}/sessions` through HTTP on loopback, with 10,000 agents and 100,000
//! sessions in the store, spread over 10 pools (`api_placement`) or all in one pool
//! (`api_placement_one_pool`), on SQLite and (side by side, when `POOLADMIN_TEST_POSTGRES`
//! names a cluster) on PostgreSQL over loopback TLS (`…_postgres`). Targets: median ≤ 2 ms
//! for one request on SQLite, ≤ 3 ms on PostgreSQL; ≥ 1,000 (SQLite) and ≥ 500 (PostgreSQL)
//! placements/s sustained (`burst_16_clients`: 400 requests from 16 concurrent clients,
//! elements/s). Several nodes (issue 24): with the 10 pools on PostgreSQL, the same burst
//! spread over the pools through one API (`burst_16_clients_ten_pools`) and through two API
//! nodes, each with its own runtime and connections, the clients alternating between them
//! (`…_two_nodes`); target ≥ 1.5× one node.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use support::Shape;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pooladmin::api::start_api;
use pooladmin::model::api_settings::ApiSettings;
use pooladmin::scaler::gauges::ScalerGauges;
use pooladmin::store::Store;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

fn api_placement(c: &mut Criterion) {
    for (group, shape) in [
        ("api_placement", Shape::SPREAD),
        ("api_placement_one_pool", Shape::ONE_POOL),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = support::large_deployment(&dir.path().join("bench.sqlite"), shape);
        placements(c, group, store, 1);
        if let Some(store) = support::large_postgres_deployment(dir.path(), shape) {
            placements(c, &format!("{group}_postgres"), store, shape.pools);
        }
    }
}

/// An API on its own runtime, as a node of its own serves it.
struct Node {
    runtime: tokio::runtime::Runtime,
    api: pooladmin::api::RunningApi,
}

fn node(store: &Store) -> Node {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let settings = ApiSettings {
        enabled: true,
        listen: "127.0.0.1:0".parse().unwrap(),
        rate_limit: 1_000_000,
        ..ApiSettings::default()
    };
    let api = runtime
        .block_on(start_api(
            store.sibling().expect("sibling"),
            &settings,
            Arc::new(|| {}),
            Arc::new(ScalerGauges::default()),
        ))
        .expect("API");
    Node { runtime, api }
}

/// A session request to one of `urls` (in turn) for one of `pools` pools (in turn).
type Place = Arc<dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

fn placer(urls: Vec<String>, pools: usize, key: String) -> Place {
    let client = reqwest::Client::new();
    let users = Arc::new(AtomicU64::new(0));
    let urls = Arc::new(urls);
    Arc::new(move || {
        let (client, urls, key, users) = (
            client.clone(),
            Arc::clone(&urls),
            key.clone(),
            Arc::clone(&users),
        );
        Box::pin(async move {
            let user = users.fetch_add(1, Ordering::Relaxed);
            let url = &urls[user as usize % urls.len()];
            let pool = (user / urls.len() as u64) % pools as u64;
            let answer = client
                .post(format!("{url}/v1/pools/agents-{pool:02}/sessions"))
                .bearer_auth(&key)
                .json(&json!({"user": format!("bench-{user}"), "cores": 0.01, "memory_mb": 1}))
                .send()
                .await
                .expect("answered");
            assert_eq!(answer.status(), reqwest::StatusCode::CREATED);
            let _ = answer.bytes().await;
        })
    })
}

const BURST: u64 = 400;

/// 400 placements by 16 concurrent clients.
fn burst(runtime: &tokio::runtime::Runtime, place: &Place) {
    runtime.block_on(async {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let place = Arc::clone(place);
            workers.spawn(async move {
                for _ in 0..BURST / 16 {
                    place().await;
                }
            });
        }
        while workers.join_next().await.is_some() {}
    });
}

/// One API on `store` (and, with `pools` > 1, the spread and two-node bursts).
fn placements(c: &mut Criterion, group_name: &str, mut store: Store, pools: usize) {
    let key = store
        .create_api_key(
            "bench",
            &pooladmin::store::KeyRights::default(),
            jiff::Timestamp::now(),
        )
        .expect("key");
    let one = node(&store);
    let key = key.expose().to_owned();
    let place = placer(vec![one.api.url.clone()], 1, key.clone());
    let mut group = c.benchmark_group(group_name);
    group.bench_function("post_session", |b| {
        b.iter(|| one.runtime.block_on(place()));
    });
    group.throughput(Throughput::Elements(BURST));
    group.sample_size(20);
    group.bench_function("burst_16_clients", |b| {
        b.iter(|| burst(&one.runtime, &place));
    });
    if pools > 1 {
        let spread = placer(vec![one.api.url.clone()], pools, key.clone());
        group.bench_function("burst_16_clients_ten_pools", |b| {
            b.iter(|| burst(&one.runtime, &spread));
        });
        let two = node(&store);
        let both = placer(vec![one.api.url.clone(), two.api.url.clone()], pools, key);
        group.bench_function("burst_16_clients_ten_pools_two_nodes", |b| {
            b.iter(|| burst(&one.runtime, &both));
        });
        two.runtime.block_on(two.api.stop());
    }
    group.finish();
    one.runtime.block_on(one.api.stop());
}

criterion_group!(benches, api_placement);
criterion_main!(benches);
