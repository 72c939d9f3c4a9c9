//! What every real cloud's tests share: a Docker Agent pool on a VM Provider config, a full
//! scaler run up and down, and a crash between the create call and the store, checked for
//! adoption by tag. Real time: the clouds' peers answer over real sockets.
#![allow(dead_code)]

use super::scaling::{run_scaler, settings};
use pooladmin::cloud::{
    Clock, CloudError, CloudFactory, CloudVm, CreateRequest, OneCloud, VmCloud,
};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::instance::InstanceState;
use pooladmin::model::vm_provider::VmProviderSpec;
use pooladmin::model::{AutoScaleId, PoolKind, VmProviderId};
use pooladmin::scaler::{Command, ScalerSettings};
use pooladmin::store::{Choice, Store};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A store with one Docker Agent pool kept at `standby` free cores (4-core agents) by a
/// config on `provider`; check-in off, a 2 s Downscale Backoff.
pub struct CloudPool {
    pub store: Store,
    pub config: AutoScaleId,
    pub provider: VmProviderId,
    pub spec: AutoScaleSpec,
}

pub fn cloud_pool(dir: &std::path::Path, provider: VmProviderSpec, standby: u32) -> CloudPool {
    let mut store = Store::open(&dir.join("cloud.sqlite")).unwrap();
    let zone = store.zones().unwrap()[0].id;
    let pool = store.add_pool("agents", PoolKind::DockerAgent).unwrap();
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
    spec.name = "agents".into();
    spec.require_check_in = false;
    spec.downscale_backoff_s = "2".into();
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = standby.to_string();
        a.standby_memory_mb = "0".into();
        a.agent_cores_override = "4".into();
    }
    let config = store
        .save_autoscale(None, &spec, &Choice::New(provider), None)
        .unwrap();
    let provider = store.autoscale_configs().unwrap()[0]
        .spec
        .vm_provider
        .unwrap();
    CloudPool {
        store,
        config,
        provider,
        spec,
    }
}

/// Quick pacing for real-time runs.
pub fn quick() -> ScalerSettings {
    ScalerSettings {
        poll_every: Duration::from_millis(200),
        tick: Duration::from_secs(1),
        grace: Duration::from_secs(1),
        ..settings()
    }
}

/// Waits (real time, at most 60 s) until `done` holds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "waited 60 s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn running(store: &Store) -> usize {
    store
        .live_instances()
        .unwrap()
        .iter()
        .filter(|i| i.state == InstanceState::Running)
        .count()
}

/// Grows the pool to `expected` agents through the real clients, checks the cloud lists
/// them by owner tag, then sets standby to 0 and waits until every one is gone.
pub async fn scale_up_and_down(mut pool: CloudPool, cloud: Arc<dyn VmCloud>, expected: usize) {
    let clouds = Arc::new(pooladmin::cloud::ProviderClouds::new(Clock::new(), None));
    let scaler = run_scaler(&pool.store, clouds, Clock::new(), quick(), None);
    until(&format!("{expected} agents running"), || {
        running(&pool.store) == expected
    })
    .await;
    let owner = pool.store.installation_id().to_owned();
    assert_eq!(cloud.list_owned(&owner).await.unwrap().len(), expected);
    if let Scaling::Agents(a) = &mut pool.spec.scaling {
        a.standby_cores = "0".into();
    }
    pool.store
        .save_autoscale(
            Some(pool.config),
            &pool.spec,
            &Choice::Existing(pool.provider),
            None,
        )
        .unwrap();
    scaler.commands.send(Command::Wake).unwrap();
    until("the pool back to 0", || {
        pool.store.live_instances().unwrap().is_empty()
    })
    .await;
    assert!(
        cloud.list_owned(&owner).await.unwrap().is_empty(),
        "every instance deleted"
    );
    scaler.stop().await;
}

/// A cloud whose create call reaches the cloud, then never answers.
struct HangsAfterCreate {
    inner: Arc<dyn VmCloud>,
    created: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl VmCloud for HangsAfterCreate {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        let vm = self.inner.create(request).await?;
        self.created.lock().unwrap().push(vm.cloud_id);
        std::future::pending().await
    }
    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        self.inner.list_owned(owner).await
    }
    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        self.inner.status(cloud_id).await
    }
    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        self.inner.delete(cloud_id).await
    }
}

/// The scaler is killed after its `expected` create calls reached the cloud but before any
/// answer reached the store; a restart adopts those VMs by tag: no twin, no orphan, no row
/// pointing at nothing.
pub async fn crash_after_create_is_adopted(
    pool: CloudPool,
    cloud: Arc<dyn VmCloud>,
    expected: usize,
) {
    let created = Arc::new(Mutex::new(Vec::new()));
    let hanging: Arc<dyn CloudFactory> = Arc::new(OneCloud(Arc::new(HangsAfterCreate {
        inner: Arc::clone(&cloud),
        created: created.clone(),
    })));
    let first = run_scaler(&pool.store, hanging, Clock::new(), quick(), None);
    until("every create call reached the cloud", || {
        created.lock().unwrap().len() == expected
    })
    .await;
    first.task.abort();
    let _ = first.task.await;
    assert!(
        pool.store
            .live_instances()
            .unwrap()
            .iter()
            .all(|i| i.cloud_id.is_none()),
        "no answer reached the store"
    );
    let clouds = Arc::new(pooladmin::cloud::ProviderClouds::new(Clock::new(), None));
    let second = run_scaler(&pool.store, clouds, Clock::new(), quick(), None);
    until("the instances running", || running(&pool.store) == expected).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    second.stop().await;
    let mut ids: Vec<String> = cloud
        .list_owned(pool.store.installation_id())
        .await
        .unwrap()
        .into_iter()
        .map(|vm| vm.cloud_id)
        .collect();
    ids.sort();
    let mut made: Vec<String> = created.lock().unwrap().clone();
    made.sort();
    assert_eq!(
        ids, made,
        "the first run's VMs were adopted, none made twice"
    );
    let rows: Vec<String> = pool
        .store
        .live_instances()
        .unwrap()
        .into_iter()
        .filter_map(|i| i.cloud_id)
        .collect();
    assert_eq!(rows.len(), expected);
    assert!(
        rows.iter().all(|id| ids.contains(id)),
        "no row points at nothing"
    );
}

/// Asks a running scaler (on an empty database) to test each target, as the forms' Test
/// connection buttons do; the answers in the same order.
pub async fn test_connections(
    targets: Vec<pooladmin::scaler::ConnectionTarget>,
) -> Vec<Result<String, String>> {
    use pooladmin::scaler::Update;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("tests.sqlite")).unwrap();
    let clouds = Arc::new(pooladmin::cloud::ProviderClouds::new(Clock::new(), None));
    let mut running = run_scaler(&store, clouds, Clock::new(), settings(), None);
    let count = targets.len();
    for (id, target) in targets.into_iter().enumerate() {
        running
            .commands
            .send(Command::TestConnection(id as u64, target))
            .unwrap();
    }
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < count {
        let update = tokio::time::timeout(Duration::from_secs(20), running.updates.recv())
            .await
            .expect("an answer within 20 s")
            .expect("scaler alive");
        if let Update::ConnectionTested(id, answer) = update {
            answers.insert(id, answer);
        }
    }
    running.stop().await;
    answers.into_values().collect()
}
