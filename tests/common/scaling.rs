//! A scaler on a temporary database and a simulated cloud, on tokio's paused clock: an
//! hour of scaling runs in well under a second.
#![allow(dead_code)]

use pooladmin::cloud::simulated::{Behaviour, SimulatedCloud};
use pooladmin::cloud::{Clock, CloudFactory, OneCloud, tags};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::instance::{Instance, InstanceState};
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{AutoScaleId, PoolId, PoolKind, VmProviderId};
use pooladmin::scaler::failpoint::Failpoint;
use pooladmin::scaler::{Command, Halt, Scaler, ScalerSettings, Update};
use pooladmin::store::{Choice, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A database with one Docker Agent pool scaled by one config on the simulator.
pub struct Bench {
    pub dir: tempfile::TempDir,
    /// The test's own connection (the scaler has a sibling).
    pub store: Store,
    pub cloud: Arc<SimulatedCloud>,
    /// The one clock of this world: the cloud and every scaler read it, so a restarted
    /// scaler sees the simulated time that passed.
    pub clock: Clock,
    pub pool: PoolId,
    pub config: AutoScaleId,
    pub provider: VmProviderId,
    pub spec: AutoScaleSpec,
}

/// Agents of 4 cores / 8 GB; `standby_cores` kept free; at most `max_instances`.
pub fn agent_pool(behaviour: Behaviour, standby_cores: u32, max_instances: u32) -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = super::backend::open_store(dir.path(), "scaler.sqlite");
    let zone = store.zones().expect("zones")[0].id;
    let pool = store
        .add_pool("agents", PoolKind::DockerAgent)
        .expect("pool");
    let mut provider = VmProviderSpec::new(ProviderKind::Simulator);
    provider.name = "simulated".into();
    provider.max_instances = max_instances.to_string();
    if let ProviderSettings::Simulator(s) = &mut provider.settings {
        s.boot_delay_s = behaviour.boot_delay.as_secs().to_string();
    }
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
    spec.name = "agents on the simulator".into();
    spec.downscale_backoff_s = "600".into();
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = standby_cores.to_string();
        a.standby_memory_mb = "0".into();
        a.agent_cores_override = "4".into();
        a.agent_memory_override_gb = "8".into();
    }
    Bench::saving(dir, store, &spec, provider, behaviour)
}

impl Bench {
    /// A bench on `store` (in `dir`) with `spec` saved on the simulated `provider`, whose
    /// cloud behaves as `behaviour`.
    pub fn saving(
        dir: tempfile::TempDir,
        mut store: Store,
        spec: &AutoScaleSpec,
        provider: VmProviderSpec,
        behaviour: Behaviour,
    ) -> Self {
        let config = store
            .save_autoscale(None, spec, &Choice::New(provider), None)
            .expect("config");
        let spec = store
            .autoscale_configs()
            .expect("configs")
            .into_iter()
            .find(|c| c.id == config)
            .expect("saved")
            .spec;
        let provider = spec.vm_provider.expect("provider");
        let clock = Clock::new();
        let cloud = Arc::new(SimulatedCloud::new(behaviour, clock));
        Bench {
            dir,
            store,
            cloud,
            clock,
            pool: spec.pool,
            config,
            provider,
            spec,
        }
    }
}

impl Bench {
    /// An instance of the config made by hand (no scaler), running with its agent since
    /// `since`, as the instance history would have it.
    pub fn running_instance(&mut self, since: jiff::Timestamp) -> Instance {
        use pooladmin::model::instance::InstanceSize;
        use pooladmin::model::scaler_event::{EventKind, ScalerEvent};
        use pooladmin::model::{AgentSpec, Resources};
        use pooladmin::store::{InstanceChange, InstanceRequest, MemberTemplate};
        let event = || ScalerEvent::new(since, EventKind::Transition, "made by the test");
        let size = Resources::new(4.0, 8192, 0);
        let instance = self
            .store
            .request_instance(
                &InstanceRequest {
                    config: self.config,
                    vm_provider: self.provider,
                    pool: self.pool,
                    size: InstanceSize::Agent(size),
                    provision_timeout_s: 600,
                },
                since,
                event(),
            )
            .expect("intent");
        let booting = InstanceChange {
            cloud_id: Some(format!("sim-{}", instance.id.0)),
            ..InstanceChange::default()
        };
        self.store
            .move_instance(
                instance.id,
                &[InstanceState::Requested],
                InstanceState::Booting,
                &booting,
                since,
                event(),
            )
            .expect("booting");
        let member = MemberTemplate::Agent(AgentSpec {
            hostname: instance.name.clone(),
            enabled: true,
            zone: self.store.zones().expect("zones")[0].id,
            pool: Some(self.pool),
            reported: size,
            overrides: Resources::default(),
        });
        self.store
            .instance_running(instance.id, "10.0.0.1", &member, since, event())
            .expect("running");
        instance
    }
}

/// How many instances run, as `store`'s rows say.
pub fn running_instances(store: &Store) -> usize {
    store
        .live_instances()
        .expect("instances")
        .iter()
        .filter(|i| i.state == InstanceState::Running)
        .count()
}

/// A simulated cloud that answers in 200 ms and boots a VM in 30 s.
pub fn quick_cloud() -> Behaviour {
    Behaviour {
        api_latency: Duration::from_millis(200),
        boot_delay: Duration::from_secs(30),
        ..Behaviour::default()
    }
}

/// Settings for tests: the defaults of DESIGN §4, retries quick.
pub fn settings() -> ScalerSettings {
    ScalerSettings::default()
}

/// A scaler running as a task, with its command sender and update receiver.
pub struct Running {
    pub commands: mpsc::UnboundedSender<Command>,
    pub updates: mpsc::UnboundedReceiver<Update>,
    pub task: JoinHandle<Result<(), Halt>>,
}

impl Running {
    /// Stops it cleanly and waits.
    pub async fn stop(self) {
        let _ = self.commands.send(Command::Shutdown);
        let _ = self.task.await.expect("scaler task");
    }

    /// Every update so far.
    pub fn drain(&mut self) -> Vec<Update> {
        let mut all = Vec::new();
        while let Ok(u) = self.updates.try_recv() {
            all.push(u);
        }
        all
    }
}

/// Starts a scaler on a sibling connection of `store`, reaching clouds through `clouds`,
/// crashing at `failpoint` if given.
pub fn run_scaler(
    store: &Store,
    clouds: Arc<dyn CloudFactory>,
    clock: Clock,
    settings: ScalerSettings,
    failpoint: Option<Arc<Failpoint>>,
) -> Running {
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (update_tx, updates) = mpsc::unbounded_channel();
    let mut scaler = Scaler::new(
        store.sibling().expect("sibling"),
        clouds,
        clock,
        settings,
        update_tx,
    );
    if let Some(f) = failpoint {
        scaler = scaler.with_failpoint(f);
    }
    let task = tokio::spawn(scaler.run(command_rx));
    Running {
        commands,
        updates,
        task,
    }
}

impl Bench {
    /// Starts a scaler on a sibling connection, crashing at `failpoint` if given.
    pub fn start(&self, settings: ScalerSettings, failpoint: Option<Arc<Failpoint>>) -> Running {
        run_scaler(
            &self.store,
            Arc::new(OneCloud(self.cloud.clone())),
            self.clock,
            settings,
            failpoint,
        )
    }

    /// Gives the VM Provider config an Hourly Price and a Monthly Budget (blank: none).
    pub fn set_cost(&mut self, hourly_price: &str, monthly_budget: &str) {
        let mut provider: VmProviderSpec = self
            .store
            .configs::<VmProviderSpec>()
            .expect("configs")
            .into_iter()
            .find(|row| row.id == self.provider)
            .expect("the bench's provider")
            .spec;
        provider.hourly_price = hourly_price.into();
        provider.monthly_budget = monthly_budget.into();
        self.store
            .update_config(self.provider, &provider)
            .expect("save the provider");
    }

    /// Changes the config's standby cores (as the wizard would).
    pub fn set_standby_cores(&mut self, cores: u32, backoff_s: u32) {
        if let Scaling::Agents(a) = &mut self.spec.scaling {
            a.standby_cores = cores.to_string();
        }
        self.spec.downscale_backoff_s = backoff_s.to_string();
        self.store
            .save_autoscale(
                Some(self.config),
                &self.spec,
                &Choice::Existing(self.provider),
                None,
            )
            .expect("save config");
    }

    /// The last ten events of `kind`, newest first.
    pub fn events_of(
        &self,
        kind: pooladmin::model::scaler_event::EventKind,
    ) -> Vec<(i64, pooladmin::model::scaler_event::ScalerEvent)> {
        let filter = pooladmin::store::EventFilter {
            kinds: vec![kind],
            ..Default::default()
        };
        self.store.events(&filter, 10).expect("events")
    }

    /// Instances not over yet.
    pub fn live(&self) -> Vec<Instance> {
        self.store.live_instances().expect("instances")
    }

    /// Live instances in `state`.
    pub fn count(&self, state: InstanceState) -> usize {
        self.live().iter().filter(|i| i.state == state).count()
    }

    /// Checks DESIGN §4's promise after reconciliation: every VM in the cloud is claimed by
    /// exactly one live row with its id (no orphan, no twin), and every live row that has a
    /// cloud id points at a VM that exists.
    pub fn assert_consistent(&self) {
        let owner = self.store.installation_id().to_owned();
        let vms = self.cloud.vms();
        let live = self.live();
        let mut claimed: HashMap<String, usize> = HashMap::new();
        for vm in &vms {
            assert_eq!(vm.tags.get(tags::OWNER), Some(&owner), "untagged VM {vm:?}");
            let row = live
                .iter()
                .find(|i| i.cloud_id.as_deref() == Some(vm.cloud_id.as_str()));
            assert!(row.is_some(), "orphan VM {} ({:?})", vm.cloud_id, vm.tags);
            *claimed.entry(vm.tags[tags::INSTANCE].clone()).or_default() += 1;
        }
        assert!(
            claimed.values().all(|n| *n == 1),
            "duplicate VMs for one instance: {claimed:?}"
        );
        for row in &live {
            if let Some(id) = &row.cloud_id {
                assert!(
                    vms.iter().any(|vm| &vm.cloud_id == id),
                    "row {} points at {id}, which does not exist",
                    row.name
                );
            }
            assert!(
                !matches!(
                    row.state,
                    InstanceState::Requested | InstanceState::Creating
                ),
                "row {} still {:?} after reconciliation",
                row.name,
                row.state
            );
        }
    }
}

/// Lets simulated time pass.
pub async fn wait(seconds: u64) {
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}
