//! `POST /v1/pools/{pool}/sessions` through HTTP on loopback, with 10,000 agents and 100,000
//! sessions in the store, spread over 10 pools (`api_placement`) or all in one pool
//! (`api_placement_one_pool`), on SQLite and (side by side, when `POOLADMIN_TEST_POSTGRES`
//! names a cluster) on PostgreSQL over loopback TLS (`…_postgres`). Targets: median ≤ 2 ms
//! for one request on SQLite, ≤ 3 ms on PostgreSQL; ≥ 1,000 (SQLite) and ≥ 500 (PostgreSQL)
//! placements/s sustained (`burst_16_clients`: 400 requests from 16 concurrent clients,
//! elements/s).
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
        placements(c, group, store);
        if let Some(store) = support::large_postgres_deployment(dir.path(), shape) {
            placements(c, &format!("{group}_postgres"), store);
        }
    }
}

fn placements(c: &mut Criterion, group_name: &str, mut store: Store) {
    let key = store
        .create_api_key(
            "bench",
            &pooladmin::store::KeyRights::default(),
            jiff::Timestamp::now(),
        )
        .expect("key");
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
    let url = format!("{}/v1/pools/agents-00/sessions", api.url);
    let client = reqwest::Client::new();
    let users = Arc::new(AtomicU64::new(0));
    let place = {
        let (client, url, key, users) = (
            client.clone(),
            url.clone(),
            key.expose().to_owned(),
            Arc::clone(&users),
        );
        move || {
            let (client, url, key, users) =
                (client.clone(), url.clone(), key.clone(), Arc::clone(&users));
            async move {
                let user = users.fetch_add(1, Ordering::Relaxed);
                let answer = client
                    .post(&url)
                    .bearer_auth(&key)
                    .json(&json!({"user": format!("bench-{user}"), "cores": 0.01, "memory_mb": 1}))
                    .send()
                    .await
                    .expect("answered");
                assert_eq!(answer.status(), reqwest::StatusCode::CREATED);
                let _ = answer.bytes().await;
            }
        }
    };
    let mut group = c.benchmark_group(group_name);
    group.bench_function("post_session", |b| {
        b.iter(|| runtime.block_on(place()));
    });
    const BURST: u64 = 400;
    group.throughput(Throughput::Elements(BURST));
    group.sample_size(20);
    group.bench_function("burst_16_clients", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut workers = tokio::task::JoinSet::new();
                for _ in 0..16 {
                    let place = place.clone();
                    workers.spawn(async move {
                        for _ in 0..BURST / 16 {
                            place().await;
                        }
                    });
                }
                while workers.join_next().await.is_some() {}
            })
        });
    });
    group.finish();
    runtime.block_on(api.stop());
}

criterion_group!(benches, api_placement);
criterion_main!(benches);
