//! The executor: writes each decision down before it acts (DESIGN §4.1) and starts the cloud
//! calls as bounded background tasks; `outcome.rs` writes what they learned. It is the only
//! writer of instance state, so a crash at any point leaves rows the next start can resolve.

use super::computer_target::computer_target;
use super::operations::{self, CheckInProbe, Outcome, TaskContext};
use super::plan::{Action, DeleteCause, Plan, plan};
use super::world::World;
use crate::cloud::{CloudError, CreateRequest, ErrorClass, VmCloud, tags};
use crate::directory::powershell_single_quoted;
use crate::model::VmProviderId;
use crate::model::autoscale::{Scaling, ScalingValues};
use crate::model::decision::Decision;
use crate::model::instance::{Instance, InstanceId, InstanceState};
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::startup_script::{ScriptValues, check_size};
use crate::model::vm_names::vm_names;
use crate::store::{InstanceChange, InstanceRequest, StoreError};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The port a docker agent answers on once its service is up.
pub const AGENT_PORT: u16 = 443;

/// Why the scaler stopped running.
#[derive(Debug, thiserror::Error)]
pub enum Halt {
    /// The crash tests' failpoint tripped.
    #[error("stopped at a failpoint")]
    Crashed,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another node took the scaler's lease over (this one was paused, cut off or slow):
    /// this scaler stops at once, leaving what it had in flight to the new one.
    #[error("this node no longer holds the scaler's lease")]
    LostLease,
}

pub use super::settings::ScalerSettings;
pub use super::state::Scaler;
pub use super::update::Update;

impl Scaler {
    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Writes `event` to the log and shows it.
    pub(super) fn record(&mut self, event: ScalerEvent) -> Result<(), Halt> {
        self.store.record_events(std::slice::from_ref(&event))?;
        self.emit(event);
        Ok(())
    }

    pub(super) fn emit(&self, event: ScalerEvent) {
        // A create's numbers go with it as fields, so a log reader need not parse words.
        let created = match event.decision {
            Some(Decision::Create { count, need, free }) => Some((count, need.cores, free.cores)),
            _ => None,
        };
        tracing::info!(
            kind = event.kind.as_str(),
            pool = event.pool.map(|p| p.0),
            config = event.config.map(|c| c.0),
            instance = event.instance.map(|i| i.0),
            count = created.map(|c| c.0),
            need_cores = created.map(|c| c.1),
            free_cores = created.map(|c| c.2),
            "{}",
            event.message
        );
        // The window may be gone (headless); the log above still has it.
        let _ = self.updates.send(Update::Event(event));
    }

    /// One pass: plan, write the decisions down, act, and move every instance along.
    pub fn pass(&mut self) -> Result<(), Halt> {
        let started = std::time::Instant::now();
        let now = self.now();
        self.writes_again(now)?;
        if !self.stopping {
            self.replace_dead_hosts(now)?;
        }
        self.world = Arc::new(World::load(&self.store, now)?);
        let world = Arc::clone(&self.world);
        self.stop_invalid_configs(&world, now)?;
        let plan = plan(&world.snapshot, now);
        self.store.set_surplus_clocks(&plan.clocks)?;
        self.log_notes(&plan, now)?;
        if !self.stopping {
            self.act(&world, &plan, now)?;
        }
        self.progress()?;
        self.gauges.record_pass(&plan.levels, started.elapsed());
        let _ = self.updates.send(Update::Levels(now, plan.levels));
        Ok(())
    }

    /// While the disk is full, a pass starts by writing the event that says it is not: once
    /// that succeeds, creates go on.
    fn writes_again(&mut self, now: Timestamp) -> Result<(), Halt> {
        if self.memory.disk_full.is_none() {
            return Ok(());
        }
        let event = ScalerEvent::new(
            now,
            EventKind::Error,
            "the database accepts writes again: creates go on",
        );
        self.store.record_events(std::slice::from_ref(&event))?;
        self.memory.disk_full = None;
        tracing::info!("the database accepts writes again; creates go on");
        self.emit(event);
        let _ = self.updates.send(Update::CreatesResumed);
        Ok(())
    }

    fn log_notes(&mut self, plan: &Plan, now: Timestamp) -> Result<(), Halt> {
        let mut fresh = Vec::new();
        let mut current = HashSet::new();
        for note in &plan.notes {
            let key = (note.pool, note.config, note.message.clone());
            // A standing condition is logged once, and again when its words change.
            if !self.memory.notes_seen.contains(&key) {
                let mut event =
                    ScalerEvent::new(now, note.kind, &note.message).with_pool(note.pool);
                event.config = note.config;
                fresh.push(event);
            }
            current.insert(key);
        }
        self.memory.notes_seen = current;
        if !fresh.is_empty() {
            self.store.record_events(&fresh)?;
            for event in fresh {
                self.emit(event);
            }
        }
        Ok(())
    }

    fn act(&mut self, world: &World, plan: &Plan, now: Timestamp) -> Result<(), Halt> {
        for action in &plan.actions {
            match action {
                // No room for the intent row: nothing is created without one.
                Action::Create { .. } if self.memory.disk_full.is_some() => {}
                Action::Create {
                    pool,
                    config,
                    vm_provider,
                    count,
                    size,
                    need,
                    free,
                    reason,
                } => {
                    let decision = ScalerEvent::new(now, EventKind::Decision, reason)
                        .with_pool(*pool)
                        .with_config(*config)
                        .with_decision(Decision::Create {
                            count: *count,
                            need: *need,
                            free: *free,
                        });
                    self.store.record_events(std::slice::from_ref(&decision))?;
                    self.emit(decision);
                    // The planner creates only for configs whose values parse.
                    let Some(values) = world.values.get(config) else {
                        continue;
                    };
                    let request = InstanceRequest {
                        config: *config,
                        vm_provider: *vm_provider,
                        pool: *pool,
                        size: *size,
                        provision_timeout_s: values.provision_timeout_s,
                    };
                    for _ in 0..*count {
                        let event = ScalerEvent::new(now, EventKind::Transition, "requested")
                            .with_pool(*pool)
                            .with_config(*config);
                        let instance = self.store.request_instance(&request, now, event)?;
                        self.emit(
                            ScalerEvent::new(
                                now,
                                EventKind::Transition,
                                format!("{}: requested", instance.name),
                            )
                            .with_pool(*pool)
                            .with_config(*config)
                            .with_instance(instance.id),
                        );
                    }
                }
                Action::Delete {
                    instance,
                    cause: DeleteCause::Surplus,
                    ..
                } if world
                    .instances
                    .get(instance)
                    .is_some_and(|i| self.memory.listing_failed.contains(&i.vm_provider)) => {}
                Action::Delete {
                    pool,
                    config,
                    instance,
                    cause,
                    reason,
                } => {
                    let name = world
                        .instances
                        .get(instance)
                        .map_or_else(|| format!("instance {instance}"), |i| i.name.clone());
                    let event =
                        ScalerEvent::new(now, EventKind::Decision, format!("{name}: {reason}"))
                            .with_pool(*pool)
                            .with_config(*config)
                            .with_instance(*instance)
                            .with_decision(Decision::Delete { cause: *cause });
                    if self
                        .store
                        .begin_delete(*instance, reason, false, now, event.clone())?
                    {
                        self.emit(event);
                    }
                }
            }
        }
        Ok(())
    }

    /// Starts the next call for every instance that needs one and has none in flight.
    fn progress(&mut self) -> Result<(), Halt> {
        let now = self.now();
        let world = Arc::clone(&self.world);
        for instance in self.store.live_instances()? {
            // An agent's check-in is acted on at once (the cloud is asked for the instance's
            // addresses), not at the next poll — once: a look started after the check-in
            // has seen it.
            let last_look = self
                .memory
                .next_try
                .get(&instance.id)
                .map(|t| *t - self.settings.poll_every);
            let checked_in = instance.state == InstanceState::Booting
                && instance
                    .check_in
                    .as_ref()
                    .is_some_and(|c| last_look.is_none_or(|looked| c.at > looked))
                && world
                    .configs
                    .get(&instance.config)
                    .is_some_and(|c| c.spec.require_check_in && c.spec.agent_check_in);
            if self.calls.busy.contains(&instance.id)
                || (!checked_in
                    && self
                        .memory
                        .next_try
                        .get(&instance.id)
                        .is_some_and(|t| *t > now))
            {
                continue;
            }
            match instance.state {
                InstanceState::Requested | InstanceState::Creating
                    if !self.stopping && self.memory.disk_full.is_none() =>
                {
                    self.start_create(&instance)?;
                }
                InstanceState::Booting => self.watch_boot(&instance)?,
                InstanceState::Deleting => self.start_delete(&instance)?,
                _ => {}
            }
        }
        self.remove_computers()
    }

    /// The VM client and concurrency permits of a provider config, as last read.
    pub(super) fn context(&mut self, provider: VmProviderId) -> Result<TaskContext, CloudError> {
        let spec = self.world.vm_providers.get(&provider).ok_or_else(|| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("VM Provider config #{provider} is gone"),
            )
        })?;
        let cloud: Arc<dyn VmCloud> = self.clouds.vm_cloud(provider, spec)?;
        let concurrency = self.settings.concurrency;
        let permits = Arc::clone(
            self.calls
                .permits
                .entry(provider)
                .or_insert_with(|| Arc::new(Semaphore::new(concurrency))),
        );
        Ok(TaskContext {
            cloud,
            permits,
            retry: self.settings.retry,
            guard: self.call_guard(),
        })
    }

    pub(super) fn spawn(
        &mut self,
        instance: Option<InstanceId>,
        task: impl Future<Output = Outcome> + Send + 'static,
    ) {
        let handle = self.calls.tasks.spawn(task);
        if let Some(id) = instance {
            self.calls.busy.insert(id);
            self.calls.task_owner.insert(handle.id(), id);
        }
    }

    fn start_create(&mut self, instance: &Instance) -> Result<(), Halt> {
        let world = Arc::clone(&self.world);
        let now = self.now();
        let ctx = match self.context(instance.vm_provider) {
            Ok(ctx) => ctx,
            Err(e) => return self.create_failed(instance, &e, now),
        };
        let Some(config) = world.configs.get(&instance.config) else {
            return Ok(());
        };
        if let Some(reason) = world.invalid.get(&instance.config) {
            let error = CloudError::new(ErrorClass::InvalidConfig, reason.clone());
            return self.create_failed(instance, &error, now);
        }
        // A server config that creates computer records: the record comes first.
        let mut join = None;
        match computer_target(&config.spec, &world.ldap) {
            None => {}
            Some(Err(reason)) => {
                let error = CloudError::new(ErrorClass::InvalidConfig, reason);
                return self.create_failed(instance, &error, now);
            }
            Some(Ok(target)) => match self.computer_ready(instance, &target, now)? {
                Some(password) => join = Some((password, target.domain())),
                None => return Ok(()),
            },
        }
        // A computer claim may have named the host since the pass read the row.
        let claimed;
        let instance = if join.is_some() {
            claimed = self.store.instance(instance.id)?;
            &claimed
        } else {
            instance
        };
        let pool_name = world
            .snapshot
            .pools
            .iter()
            .find(|p| p.id == instance.pool)
            .map_or("", |p| p.name.as_str());
        // The client was made from this config above: it is there.
        let Some(provider) = world.vm_providers.get(&instance.vm_provider) else {
            return Ok(());
        };
        let names = vm_names(
            &provider.settings,
            &instance.name,
            instance.computer_name.as_deref(),
        );
        let checkin_token = self.store.checkin_token(instance.id)?;
        let join_credential = join
            .as_ref()
            .map(|(password, _)| powershell_single_quoted(password.expose()));
        let fqdn = config
            .spec
            .scaling
            .dns_record_name(&instance.name, instance.id.0);
        let script = ScriptValues {
            server_id: instance.id.0,
            server_hostname: &names.host_name,
            provider_name: &provider.name,
            pool_name,
            checkin_url: &world.checkin_url,
            checkin_token: checkin_token.as_ref().map(|t| t.expose()),
            ad_join_credential: join_credential.as_deref(),
            domain: join.as_ref().and_then(|(_, domain)| domain.as_deref()),
            nginx: match &config.spec.scaling {
                Scaling::Agents(a) => Some((a.nginx_cert.as_str(), a.nginx_key.expose())),
                Scaling::Servers(_) => None,
            },
            server_external_fqdn: fqdn.as_deref(),
        }
        .render(&provider.startup_script);
        // Placeholders can make a script grow past what the cloud takes: refuse before the
        // call, with the numbers, rather than let the cloud refuse it.
        let kind = provider.settings.kind();
        if let Some(message) = check_size(&script, kind.user_data_limit(), kind.label()) {
            let error = CloudError::new(
                ErrorClass::InvalidConfig,
                format!("the rendered startup script {message}"),
            );
            return self.create_failed(instance, &error, now);
        }
        let request = CreateRequest {
            name: names.vm_name,
            host_name: names.host_name,
            token: instance.token.clone(),
            tags: tags::ownership(
                self.store.installation_id(),
                instance.id.0,
                instance.config.0,
            ),
            startup_script: script,
        };
        if instance.state == InstanceState::Requested {
            let event = ScalerEvent::new(
                now,
                EventKind::Transition,
                format!("{}: create call sent", instance.name),
            )
            .with_pool(instance.pool)
            .with_config(instance.config);
            if self.store.move_instance(
                instance.id,
                &[InstanceState::Requested],
                InstanceState::Creating,
                &InstanceChange::default(),
                now,
                event.clone(),
            )? {
                self.emit(event.with_instance(instance.id));
            }
        }
        self.spawn(
            Some(instance.id),
            operations::create(ctx, instance.id, request),
        );
        Ok(())
    }

    fn watch_boot(&mut self, instance: &Instance) -> Result<(), Halt> {
        let world = Arc::clone(&self.world);
        let now = self.now();
        let Some(config) = world.configs.get(&instance.config) else {
            return Ok(());
        };
        // A config whose settings no longer parse has no timeout or port to go by: its
        // booting instances are left as they are, nothing is destroyed on a guess.
        let Some(values) = world.values.get(&instance.config) else {
            return Ok(());
        };
        let timeout = SignedDuration::from_secs(values.provision_timeout_s);
        // After a restart an instance is looked at once before its age can condemn it: it
        // may have come up while pooladmin was closed.
        let looked_at = self.memory.next_try.contains_key(&instance.id);
        if looked_at && now.duration_since(instance.created_at) > timeout {
            let reason = format!(
                "did not check in within the provision timeout of {}s",
                timeout.as_secs()
            );
            let event = ScalerEvent::new(
                now,
                EventKind::Error,
                format!("{}: {reason} → destroy it", instance.name),
            )
            .with_pool(instance.pool)
            .with_config(instance.config);
            if self
                .store
                .begin_delete(instance.id, &reason, true, now, event.clone())?
            {
                self.emit(event);
                self.instance_failed(instance, &reason, now)?;
            }
            return Ok(());
        }
        let Some(cloud_id) = instance.cloud_id.clone() else {
            return Ok(());
        };
        let probe = match (config.spec.require_check_in, config.spec.agent_check_in) {
            (false, _) => CheckInProbe::CloudOnly,
            // Agent check-in: running once its agent has called POST /v1/checkin and the
            // cloud, asked for the instance's addresses, says it runs.
            (true, true) => CheckInProbe::Agent,
            (true, false) => CheckInProbe::Port(match values.scaling {
                ScalingValues::Servers { port, .. } => port,
                ScalingValues::Agents { .. } => AGENT_PORT,
            }),
        };
        match self.context(instance.vm_provider) {
            Ok(ctx) => {
                self.memory
                    .next_try
                    .insert(instance.id, now + self.settings.poll_every);
                self.spawn(
                    Some(instance.id),
                    operations::poll(ctx, instance.id, cloud_id, probe),
                );
            }
            Err(e) => self.log_error(instance, &e, now)?,
        }
        Ok(())
    }

    fn start_delete(&mut self, instance: &Instance) -> Result<(), Halt> {
        let now = self.now();
        let Some(cloud_id) = instance.cloud_id.clone() else {
            // Never reached the cloud as far as we know; the orphan sweep catches a VM
            // whose create answer was lost.
            return self.finish_delete(instance, now);
        };
        match self.context(instance.vm_provider) {
            Ok(ctx) => self.spawn(
                Some(instance.id),
                operations::delete(ctx, instance.id, cloud_id),
            ),
            Err(e) => {
                self.memory
                    .next_try
                    .insert(instance.id, now + self.settings.tick);
                self.log_error(instance, &e, now)?;
            }
        }
        Ok(())
    }
}
