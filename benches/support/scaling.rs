//! A Docker Agent pool scaled on the simulated cloud, with a scaler running on a real tokio
//! runtime, for the reaction and provisioning benchmarks.

use pooladmin::cloud::simulated::{Behaviour, SimulatedCloud};
use pooladmin::cloud::{Clock, OneCloud};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
use pooladmin::model::{AutoScaleId, PoolId, PoolKind};
use pooladmin::scaler::{Command, Scaler, ScalerSettings};
use pooladmin::store::{Choice, Store};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The rig: the benchmark's own store connection, the cloud, and the scaler's mailbox.
pub struct Rig {
    pub _dir: tempfile::TempDir,
    pub store: Store,
    pub cloud: Arc<SimulatedCloud>,
    pub pool: PoolId,
    pub config: AutoScaleId,
    pub commands: mpsc::UnboundedSender<Command>,
}

/// A pool keeping `standby_cores` free with agents of 4 cores, at most `max` instances;
/// its scaler is spawned on the current tokio runtime.
pub fn rig(behaviour: Behaviour, standby_cores: u32, max: u32, settings: ScalerSettings) -> Rig {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("bench.sqlite")).expect("open");
    let zone = store.zones().expect("zones")[0].id;
    let pool = store
        .add_pool("agents", PoolKind::DockerAgent)
        .expect("pool");
    let mut provider = VmProviderSpec::new(ProviderKind::Simulator);
    provider.name = "simulated".into();
    provider.max_instances = max.to_string();
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
    spec.name = "bench".into();
    spec.require_check_in = false;
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = standby_cores.to_string();
        a.standby_memory_mb = "0".into();
        a.agent_cores_override = "4".into();
    }
    let config = store
        .save_autoscale(None, &spec, &Choice::New(provider), None)
        .expect("config");
    let clock = Clock::new();
    let cloud = Arc::new(SimulatedCloud::new(behaviour, clock));
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (updates, mut update_rx) = mpsc::unbounded_channel();
    let scaler = Scaler::new(
        store.sibling().expect("sibling"),
        Arc::new(OneCloud(cloud.clone())),
        clock,
        settings,
        updates,
    );
    tokio::spawn(async move { while update_rx.recv().await.is_some() {} });
    tokio::spawn(scaler.run(command_rx));
    Rig {
        _dir: dir,
        store,
        cloud,
        pool,
        config,
        commands,
    }
}
