//! The scaler's task: wakes on every command and every finished cloud call, and on a
//! periodic tick for reconciliation; the window talks to it through a
//! [`super::ScalerHandle`].

use super::command::{Command, ConnectionTarget};
use super::executor::{Halt, Update};
use super::state::Scaler;
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::{DnsProviderId, VmProviderId};
use crate::store::StoreError;
use crate::store::db::Changes;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until};

/// What a database error means for the scaler's loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StoreTrouble {
    /// Another connection held the database past the busy timeout, or the database
    /// server went away (the next call reconnects): try again.
    Busy,
    /// A row was deleted while the scaler worked on it.
    Gone,
    /// The database cannot grow (a full disk): creates wait, the scaler goes on.
    Full,
    /// Corruption, a newer schema…: the scaler stops and says why.
    Fatal,
}

impl StoreTrouble {
    fn of(error: &StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => Self::Gone,
            StoreError::Database(e) if e.is_busy() || e.is_unreachable() => Self::Busy,
            StoreError::Database(e) if e.is_disk_full() => Self::Full,
            _ => Self::Fatal,
        }
    }
}

/// Resolves when another process writes to the database; never on SQLite.
async fn written_elsewhere(changes: Option<&Changes>) {
    match changes {
        Some(changes) => changes.written_elsewhere().await,
        None => std::future::pending().await,
    }
}

/// The id under which configs being tested get their client: never a stored row's.
const TEST_ID: i64 = 0;

/// How long a clean stop waits for calls in flight before leaving them to the next start.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

impl Scaler {
    /// Runs until shut down (or, in tests, until the failpoint trips). A busy database or a
    /// row deleted meanwhile does not stop it; only a fatal database error does, and then
    /// it says why.
    pub async fn run(self, mut commands: mpsc::UnboundedReceiver<Command>) -> Result<(), Halt> {
        self.run_with(&mut commands).await
    }

    /// [`Scaler::run`] on a command channel the caller keeps, so a scaler that stopped can be
    /// started again on it.
    pub async fn run_with(
        self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), Halt> {
        // Also when the scaler is dropped mid-way (its node lost the lease).
        struct Running(Arc<super::gauges::ScalerGauges>);
        impl Drop for Running {
            fn drop(&mut self) {
                self.0.set_running(false);
            }
        }
        let running = Running(Arc::clone(&self.gauges));
        running.0.set_running(true);
        self.run_loop(commands).await
    }

    async fn run_loop(
        mut self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), Halt> {
        let reconciled = self.reconcile_now().await;
        self.survive(reconciled)?;
        for command in std::mem::take(&mut self.queued) {
            let done = self.command(command);
            self.survive(done)?;
        }
        let mut next_tick = Instant::now() + self.settings.tick;
        // On PostgreSQL, what other processes write (another node's API placing a session)
        // wakes the scaler at once.
        let changes = self.store.changes().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "writes elsewhere will be seen at the next tick");
            None
        });
        loop {
            let passed = self.pass();
            self.survive(passed)?;
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return self.shut_down().await,
                    Some(command) => {
                        let done = self.command(command);
                        self.survive(done)?;
                    }
                },
                Some(done) = self.calls.tasks.join_next_with_id(), if !self.calls.tasks.is_empty() => {
                    let applied = self.finished(done);
                    self.survive(applied)?;
                }
                () = sleep_until(next_tick) => {
                    let pruned = self.prune_history();
                    self.survive(pruned)?;
                    self.start_reconcile();
                    next_tick = Instant::now() + self.settings.tick;
                }
                () = sleep(self.settings.poll_every) => {}
                () = written_elsewhere(changes.as_deref()) => {}
            }
            // Everything else that is ready is taken before planning again.
            while let Some(done) = self.calls.tasks.try_join_next_with_id() {
                let applied = self.finished(done);
                self.survive(applied)?;
            }
            while let Ok(command) = commands.try_recv() {
                if command == Command::Shutdown {
                    return self.shut_down().await;
                }
                let done = self.command(command);
                self.survive(done)?;
            }
            if self.failpoint.as_ref().is_some_and(|f| f.tripped()) {
                return Err(Halt::Crashed);
            }
            if self.lease.as_ref().is_some_and(|l| !l.valid()) {
                return Err(Halt::LostLease);
            }
        }
    }

    /// Lets the loop go on after what it can live with: a database busy past its timeout
    /// (the next pass tries again) or a row deleted while a call was in flight (that
    /// outcome is dropped). Anything else stops the scaler.
    fn survive(&mut self, result: Result<(), Halt>) -> Result<(), Halt> {
        let error = match result {
            Ok(()) => return Ok(()),
            // A write the failpoint refused: the crash it stands for.
            Err(_) if self.failpoint.as_ref().is_some_and(|f| f.tripped()) => {
                return Err(Halt::Crashed);
            }
            Err(Halt::Store(error)) => error,
            Err(other) => return Err(other),
        };
        if let StoreError::Database(e) = &error
            && e.is_fenced()
        {
            return Err(Halt::LostLease);
        }
        match StoreTrouble::of(&error) {
            StoreTrouble::Busy => {
                let what = match &error {
                    StoreError::Database(e) if e.is_unreachable() => "the database is unreachable",
                    _ => "the database is busy",
                };
                tracing::warn!(error = %error, "{what}; the scaler tries again on its next pass");
                Ok(())
            }
            StoreTrouble::Gone => {
                let event = ScalerEvent::new(
                    self.now(),
                    EventKind::Error,
                    format!(
                        "{error} (deleted meanwhile): what the scaler learned about it is dropped"
                    ),
                );
                // The log is best effort here: the row's absence is the news.
                let _ = self.store.record_events(std::slice::from_ref(&event));
                self.emit(event);
                Ok(())
            }
            StoreTrouble::Full => {
                if self.memory.disk_full.is_none() {
                    let reason = format!("the database cannot grow ({error})");
                    tracing::error!(%reason, "creates are paused until the database accepts writes again");
                    let _ = self.updates.send(Update::CreatesPaused(reason.clone()));
                    self.memory.disk_full = Some(reason);
                }
                Ok(())
            }
            StoreTrouble::Fatal => Err(Halt::Store(error)),
        }
    }

    fn finished(
        &mut self,
        done: Result<(tokio::task::Id, super::operations::Outcome), tokio::task::JoinError>,
    ) -> Result<(), Halt> {
        match done {
            Ok((task, outcome)) => {
                self.calls.task_owner.remove(&task);
                self.apply(outcome)
            }
            Err(e) => {
                tracing::error!(error = %e, "a scaler task ended without an answer");
                self.task_lost(e.id());
                Ok(())
            }
        }
    }

    /// Commands that arrived while no scaler ran (it had stopped): carried out first.
    pub fn with_queued(mut self, commands: Vec<Command>) -> Self {
        self.queued = commands;
        self
    }

    pub(super) fn command(&mut self, command: Command) -> Result<(), Halt> {
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
            Command::ListCloud(id, spec, kind, search) => {
                let clouds = Arc::clone(&self.clouds);
                let updates = self.updates.clone();
                tokio::spawn(async move {
                    let answer = match clouds.vm_cloud(VmProviderId(TEST_ID), &spec) {
                        Ok(cloud) => cloud.list(kind, &search).await,
                        Err(e) => Err(e),
                    }
                    .map_err(|e| e.to_string());
                    let _ = updates.send(Update::CloudListed(id, answer));
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
        while !self.calls.tasks.is_empty() {
            tokio::select! {
                Some(done) = self.calls.tasks.join_next_with_id() => self.finished(done)?,
                () = sleep_until(deadline) => break,
            }
        }
        tracing::info!(left = self.calls.tasks.len(), "scaler stopped");
        Ok(())
    }
}
