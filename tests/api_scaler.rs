//! The API and the scaler together, in real time on a simulated cloud: an instance with
//! Agent check-in runs only once its agent checks in with the token its startup script got,
//! and a host silent past the Host Dead Expiration is destroyed and replaced.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::api::host_report;
use common::api::{loopback_settings, serve_api_waking};
use common::scaling::{Bench, run_scaler};
use pooladmin::cloud::OneCloud;
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::instance::InstanceState;
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{PoolKind, Resources};
use pooladmin::scaler::{Command, ScalerSettings};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let mut store = common::backend::open_store(dir.path(), "api.sqlite");
    let zone = store.zones().unwrap()[0].id;
    let pool = store.add_pool("agents", PoolKind::DockerAgent).unwrap();
    let mut provider = VmProviderSpec::new(ProviderKind::Simulator);
    provider.name = "simulated".into();
    provider.max_instances = "4".into();
    provider.startup_script =
        "#!/bin/sh\necho {checkin_token} > /etc/pooladmin-token\npooladmin agent --url {checkin_url} --token-file /etc/pooladmin-token\n".into();
    if let ProviderSettings::Simulator(s) = &mut provider.settings {
        s.boot_delay_s = "1".into();
    }
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
    spec.name = "agents checking in".into();
    spec.require_check_in = true;
    spec.agent_check_in = true;
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = "4".into();
        a.standby_memory_mb = "0".into();
        a.agent_cores_override = "4".into();
        a.agent_memory_override_gb = "8".into();
    }
    let behaviour = Behaviour {
        api_latency: Duration::from_millis(10),
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    };
    Bench::saving(dir, store, &spec, provider, behaviour)
}

/// The address the simulated cloud reports for `cloud_id` now.
fn vm_address(bench: &Bench, cloud_id: &str) -> String {
    bench
        .cloud
        .vms()
        .into_iter()
        .find(|vm| vm.cloud_id == cloud_id)
        .and_then(|vm| vm.address)
        .expect("the VM has an address")
}

fn quick() -> ScalerSettings {
    ScalerSettings {
        tick: Duration::from_secs(1),
        poll_every: Duration::from_millis(100),
        ..ScalerSettings::default()
    }
}

/// Waits up to `seconds` for `done`.
async fn until(seconds: u64, what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..seconds * 20 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within {seconds} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_check_in_runs_the_instance_and_a_dead_host_is_replaced() {
    let bench = bench();
    let mut running = run_scaler(
        &bench.store,
        Arc::new(OneCloud(bench.cloud.clone())),
        bench.clock,
        quick(),
        None,
    );
    let commands = running.commands.clone();
    let api = serve_api_waking(
        &bench.store,
        &loopback_settings(),
        Some(Arc::new(move || {
            let _ = commands.send(Command::Wake);
        })),
    )
    .await;

    until(10, "a VM", || !bench.cloud.vms().is_empty()).await;
    let vm = bench.cloud.vms()[0].clone();
    let script = bench.cloud.startup_script(&vm.cloud_id).unwrap();
    let start = script
        .find("pa_a_")
        .expect("the script holds the check-in token");
    let token = &script[start..start + 48];
    assert!(
        script.contains("--url http://127.0.0.1:8443/v1/checkin"),
        "{script}"
    );

    // The cloud says it runs, but without its agent's check-in it is not a member.
    until(10, "the VM running in the cloud", || {
        bench.cloud.vms()[0].state == pooladmin::cloud::VmState::Running
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(bench.count(InstanceState::Booting), 1);
    assert!(bench.store.agents().unwrap().is_empty());

    // The agent claims more than its config gives an instance, and an address the cloud
    // does not report for it.
    let answer = api.post("/v1/checkin", token, &json!({"hostname": "vm-1", "address": "10.1.2.3", "cores": 6, "memory_mb": 12288, "gpus": 0, "version": "test"})).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["state"], "booting");
    // The bootstrap token from the startup script is exchanged for the working token, once.
    let working = body["token"].as_str().expect("a working token").to_owned();
    assert_ne!(working, token);
    let again = api.post("/v1/checkin", token, &json!({"hostname": "vm-1", "address": "10.1.2.3", "cores": 4, "memory_mb": 8192, "gpus": 0, "version": "test"})).await;
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "a bootstrap token works once"
    );
    until(10, "the instance running", || {
        bench.count(InstanceState::Running) == 1
    })
    .await;
    let agent = &bench.store.agents().unwrap()[0];
    assert_eq!(
        agent.agent.spec.reported,
        Resources::new(4.0, 8192, 0),
        "the claim capped at what the config gives an instance"
    );
    assert!(agent.agent.last_report.is_some());
    let instance = bench
        .live()
        .into_iter()
        .find(|i| i.state == InstanceState::Running)
        .unwrap();
    let cloud_address = vm_address(&bench, &vm.cloud_id);
    assert_eq!(
        instance.address.as_deref(),
        Some(cloud_address.as_str()),
        "the cloud's address, not the agent's claim"
    );
    let said: Vec<String> = bench
        .store
        .events(&pooladmin::store::EventFilter::default(), 200)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.message)
        .collect();
    for words in ["claimed 10.1.2.3", "reported 6 cores"] {
        assert!(
            said.iter().any(|m| m.contains(words)),
            "no event with {words:?}: {said:#?}"
        );
    }
    assert!(
        bench.store.checkin_token(instance.id).unwrap().is_none(),
        "the sealed token is gone once it runs"
    );

    // Its heartbeats (with the working token) keep it; then it falls silent past the Host
    // Dead Expiration. (With a session list, a heartbeat is written at once; without,
    // within a second.)
    let stale = api
        .post("/v1/heartbeat", token, &json!({"sessions": []}))
        .await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    let token = working.as_str();
    let beat = api
        .post("/v1/heartbeat", token, &json!({"sessions": []}))
        .await;
    assert_eq!(beat.status(), StatusCode::OK);
    let owner = bench.store.token_owner(token).unwrap().unwrap();
    let report = host_report("vm-1", "10.1.2.3", Resources::new(6.0, 12288, 0));
    let mut store = bench.store.sibling().unwrap();
    store
        .check_in(
            owner,
            &report,
            jiff::Timestamp::now() - jiff::SignedDuration::from_secs(4000),
        )
        .unwrap();
    until(10, "the dead host destroyed and replaced", || {
        let live = bench.live();
        live.iter().all(|i| i.id != instance.id) && !live.is_empty()
    })
    .await;
    let dead = bench.store.instance(instance.id).unwrap();
    assert!(dead.reason.unwrap_or_default().contains("host dead"));
    assert!(
        bench.store.token_owner(token).unwrap().is_none(),
        "its token died with it"
    );
    running.drain();
    running.stop().await;
    api.running.stop().await;
}

crate::also_on_postgres!(agent_check_in_runs_the_instance_and_a_dead_host_is_replaced);
