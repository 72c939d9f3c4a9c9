//! The scaler's task: wakes on every command and every finished cloud call, and on a
//! periodic tick for reconciliation; the window talks to it through a [`ScalerHandle`].

use super::executor::{Halt, Scaler, ScalerSettings, Update};
use super::gauges::ScalerGauges;
use crate::cloud::{Clock, CloudFactory};
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::instance::InstanceId;
use crate::model::ldap::LdapSpec;
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{AutoScaleId, DnsProviderId, VmProviderId};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until};

/// What a Test connection click asks about.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectionTarget {
    /// A VM Provider config.
    Vm(Box<VmProviderSpec>),
    /// A DNS Provider config.
    Dns(Box<DnsProviderSpec>),
    /// An LDAP config, and the computer OUs to look for.
    Ldap(Box<LdapSpec>, Vec<String>),
}

/// The id under which configs being tested get their client: never a stored row's.
const TEST_ID: i64 = 0;

/// How long a clean stop waits for calls in flight before leaving them to the next start.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What the window (or the headless loop) asks of the scaler.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Something changed: plan again now.
    Wake,
    /// Stop creating for this config until resumed.
    Pause(AutoScaleId),
    /// Resume a paused, backing-off or stopped config.
    Resume(AutoScaleId),
    /// Take no new sessions on this instance; delete it once empty.
    Drain(InstanceId),
    /// One cheap read against a provider config as typed (saved or not); the answer comes
    /// back as [`Update::ConnectionTested`] with the same number.
    TestConnection(u64, ConnectionTarget),
    /// Finish what is in flight and stop.
    Shutdown,
}

impl Scaler {
    /// Runs until shut down (or, in tests, until the failpoint trips).
    pub async fn run(self, commands: mpsc::UnboundedReceiver<Command>) -> Result<(), Halt> {
        let gauges = Arc::clone(&self.gauges);
        gauges.set_running(true);
        let result = self.run_loop(commands).await;
        gauges.set_running(false);
        result
    }

    async fn run_loop(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), Halt> {
        self.reconcile_now().await?;
        let mut next_tick = Instant::now() + self.settings.tick;
        loop {
            self.pass()?;
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return self.shut_down().await,
                    Some(command) => self.command(command)?,
                },
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    self.finished(done)?;
                }
                () = sleep_until(next_tick) => {
                    self.start_reconcile();
                    next_tick = Instant::now() + self.settings.tick;
                }
                () = sleep(self.settings.poll_every) => {}
            }
            // Everything else that is ready is taken before planning again.
            while let Some(done) = self.tasks.try_join_next_with_id() {
                self.finished(done)?;
            }
            while let Ok(command) = commands.try_recv() {
                if command == Command::Shutdown {
                    return self.shut_down().await;
                }
                self.command(command)?;
            }
            if self.failpoint.as_ref().is_some_and(|f| f.tripped()) {
                return Err(Halt::Crashed);
            }
        }
    }

    fn finished(
        &mut self,
        done: Result<(tokio::task::Id, super::operations::Outcome), tokio::task::JoinError>,
    ) -> Result<(), Halt> {
        match done {
            Ok((task, outcome)) => {
                self.task_owner.remove(&task);
                self.apply(outcome)
            }
            Err(e) => {
                tracing::error!(error = %e, "a scaler task ended without an answer");
                self.task_lost(e.id());
                Ok(())
            }
        }
    }

    fn command(&mut self, command: Command) -> Result<(), Halt> {
        let now = self.now();
        match command {
            Command::Wake | Command::Shutdown => Ok(()),
            Command::Pause(config) | Command::Resume(config) => {
                let mut health = self.health(config)?;
                let pause = matches!(command, Command::Pause(_));
                if pause {
                    health.paused = true;
                } else {
                    health.resume();
                }
                let event = ScalerEvent::new(
                    now,
                    EventKind::Command,
                    if pause {
                        "paused by the administrator"
                    } else {
                        "resumed by the administrator"
                    },
                )
                .with_config(config);
                self.step()?;
                self.store
                    .set_config_health(config, &health, Some(&event))?;
                self.emit(event);
                Ok(())
            }
            Command::TestConnection(id, target) => {
                let clouds = Arc::clone(&self.clouds);
                let updates = self.updates.clone();
                // Off the loop: a slow cloud never holds up scaling.
                tokio::spawn(async move {
                    let answer = match target {
                        ConnectionTarget::Vm(spec) => {
                            match clouds.vm_cloud(VmProviderId(TEST_ID), &spec) {
                                Ok(cloud) => cloud.test_connection().await,
                                Err(e) => Err(e),
                            }
                        }
                        .map_err(|e| e.to_string()),
                        ConnectionTarget::Dns(spec) => {
                            match clouds.dns_cloud(DnsProviderId(TEST_ID), &spec) {
                                Ok(dns) => dns.test_connection().await,
                                Err(e) => Err(e),
                            }
                        }
                        .map_err(|e| e.to_string()),
                        ConnectionTarget::Ldap(spec, ous) => {
                            crate::directory::test_connection(&spec, &ous)
                                .await
                                .map_err(|e| e.to_string())
                        }
                    };
                    let _ = updates.send(Update::ConnectionTested(id, answer));
                });
                Ok(())
            }
            Command::Drain(instance) => {
                let row = self.store.instance(instance)?;
                let event = ScalerEvent::new(
                    now,
                    EventKind::Command,
                    format!("{} drained by the administrator", row.name),
                )
                .with_pool(row.pool)
                .with_config(row.config)
                .with_instance(instance);
                self.step()?;
                if self.store.drain_instance(instance, now, event.clone())? {
                    self.emit(event);
                }
                Ok(())
            }
        }
    }

    /// Lets calls in flight finish and records them; what is still running after the
    /// grace is left in `creating`/`deleting` for the next start to resolve.
    async fn shut_down(mut self) -> Result<(), Halt> {
        self.stopping = true;
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while !self.tasks.is_empty() {
            tokio::select! {
                Some(done) = self.tasks.join_next_with_id() => self.finished(done)?,
                () = sleep_until(deadline) => break,
            }
        }
        tracing::info!(left = self.tasks.len(), "scaler stopped");
        Ok(())
    }
}

/// The window's end of a scaler running on its own thread and tokio runtime.
pub struct ScalerHandle {
    commands: mpsc::UnboundedSender<Command>,
    updates: mpsc::UnboundedReceiver<Update>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The scaler's runtime, for what runs beside it (the HTTP API).
    runtime: Option<tokio::runtime::Handle>,
    gauges: Arc<ScalerGauges>,
}

impl ScalerHandle {
    /// Starts a scaler on a sibling connection of `store`. `repaint` is called whenever an
    /// update is waiting, so the window redraws without polling.
    pub fn start(
        store: Store,
        clouds: Arc<dyn CloudFactory>,
        settings: ScalerSettings,
        repaint: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<Self> {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (update_tx, mut update_rx) = mpsc::unbounded_channel();
        let (forward_tx, updates) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pooladmin-scaler")
            .enable_all()
            .build()?;
        let runtime_handle = runtime.handle().clone();
        let gauges = Arc::new(ScalerGauges::default());
        let scaler_gauges = Arc::clone(&gauges);
        let thread = std::thread::Builder::new()
            .name("pooladmin-scaler".into())
            .spawn(move || {
                runtime.block_on(async move {
                    // Every update nudges the window.
                    tokio::spawn(async move {
                        while let Some(update) = update_rx.recv().await {
                            if forward_tx.send(update).is_err() {
                                break;
                            }
                            repaint();
                        }
                    });
                    let scaler = Scaler::new(store, clouds, Clock::new(), settings, update_tx)
                        .with_gauges(scaler_gauges);
                    if let Err(e) = scaler.run(command_rx).await {
                        tracing::error!(error = %e, "the scaler stopped");
                    }
                });
            })?;
        Ok(Self {
            commands,
            updates,
            thread: Some(thread),
            runtime: Some(runtime_handle),
            gauges,
        })
    }

    /// The scaler's runtime (none for a handle made of bare channels).
    pub fn runtime(&self) -> Option<&tokio::runtime::Handle> {
        self.runtime.as_ref()
    }

    /// What the scaler's passes measured.
    pub fn gauges(&self) -> Arc<ScalerGauges> {
        Arc::clone(&self.gauges)
    }

    /// A handle on channels whose other ends the caller holds: GUI tests feed updates and
    /// read the commands the window sends, without a scaler thread.
    pub fn from_channels(
        commands: mpsc::UnboundedSender<Command>,
        updates: mpsc::UnboundedReceiver<Update>,
    ) -> Self {
        Self {
            commands,
            updates,
            thread: None,
            runtime: None,
            gauges: Arc::default(),
        }
    }

    /// A sender of commands for another thread (the demo's users wake the scaler).
    pub fn commander(&self) -> mpsc::UnboundedSender<Command> {
        self.commands.clone()
    }

    /// Sends a command; a scaler that has stopped ignores it.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next waiting update, if any.
    pub fn try_update(&mut self) -> Option<Update> {
        self.updates.try_recv().ok()
    }

    /// Stops the scaler and waits for it.
    pub fn shut_down(&mut self) {
        self.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ScalerHandle {
    fn drop(&mut self) {
        self.shut_down();
    }
}
