//! Keeps a scaler running: one that stops on a fatal database error is started again with
//! backoff (1 s doubling to 60 s, or at once on "Restart scaler"); meanwhile its owner is
//! told why, and Test connections asked in the gap are answered rather than left waiting.
//!
//! On a database several nodes share, a scaler runs only while this node holds the lease
//! (`election.rs`). Until then the node stands by: the commands its window or API sends are
//! carried out here — a Test connection or a picker's list from this process's own cloud
//! clients, a pause, resume or drain written to the database, where the leader reads it.
//! When the lease goes, the scaler is dropped on the spot (its calls in flight with it) and
//! the node stands by again.

use super::call_guard::LeaseHold;
use super::command::Command;
use super::executor::{Halt, Scaler, ScalerSettings, Update};
use super::gauges::ScalerGauges;
use super::leadership::Leadership;
use crate::cloud::{Clock, CloudFactory};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::{Instant, sleep_until};

/// First wait before a stopped scaler is started again.
const FIRST_RESTART: Duration = Duration::from_secs(1);
/// Longest wait between restarts.
const LAST_RESTART: Duration = Duration::from_secs(60);
/// A scaler that ran this long before stopping starts the backoff afresh.
const STEADY: Duration = Duration::from_secs(60);

/// What the restart loop needs to make a scaler again.
pub struct Maker {
    /// The connection scalers are opened beside.
    pub store: Store,
    /// The clouds, shared by every scaler this process makes (their clients stay warm).
    pub clouds: Arc<dyn CloudFactory>,
    /// The scalers' settings.
    pub settings: ScalerSettings,
    /// Where scalers tell what they do.
    pub updates: mpsc::UnboundedSender<Update>,
    /// Where passes are measured.
    pub gauges: Arc<ScalerGauges>,
}

impl Maker {
    fn make(&self, queued: Vec<Command>, lease: Option<LeaseHold>) -> Result<Scaler, String> {
        let store = self.store.sibling().map_err(|e| e.to_string())?;
        let scaler = Scaler::new(
            store,
            Arc::clone(&self.clouds),
            Clock::new(),
            self.settings.clone(),
            self.updates.clone(),
        )
        .with_gauges(Arc::clone(&self.gauges))
        .with_queued(queued);
        match lease {
            Some(lease) => scaler.with_lease(lease).map_err(|e| e.to_string()),
            None => Ok(scaler),
        }
    }

    fn answer_stopped(&self, command: Command, reason: &str, queued: &mut Vec<Command>) {
        let answer = || format!("the scaler stopped ({reason}); try again once it runs");
        match command {
            Command::TestConnection(id, _) => {
                let _ = self
                    .updates
                    .send(Update::ConnectionTested(id, Err(answer())));
            }
            Command::ListCloud(id, ..) => {
                let _ = self.updates.send(Update::CloudListed(id, Err(answer())));
            }
            // Pause, Resume, Drain and Wake wait for the next scaler.
            other => queued.push(other),
        }
    }
}

/// Runs scalers one after another until shut down; with `leadership`, only while this node
/// leads.
pub async fn supervise(
    maker: Maker,
    mut commands: mpsc::UnboundedReceiver<Command>,
    restart: Arc<Notify>,
    leadership: Option<Arc<Leadership>>,
) {
    let mut backoff = FIRST_RESTART;
    let mut queued = Vec::new();
    loop {
        let lease = match &leadership {
            None => None,
            Some(leadership) => match stand_by(&maker, leadership, &mut commands).await {
                Some(epoch) => Some(LeaseHold {
                    leadership: Arc::clone(leadership),
                    epoch,
                }),
                None => return,
            },
        };
        let started = Instant::now();
        let outcome = match maker.make(std::mem::take(&mut queued), lease.clone()) {
            Ok(scaler) => match &lease {
                Some(lease) => {
                    let mut watch = lease.leadership.watch();
                    tokio::select! {
                        ran = scaler.run_with(&mut commands) => ran,
                        () = lost(&mut watch, lease.epoch) => Err(Halt::LostLease),
                    }
                }
                None => scaler.run_with(&mut commands).await,
            }
            .map_err(Some),
            Err(e) => {
                tracing::error!(error = %e, "the scaler's database connection could not be opened");
                Err(None)
            }
        };
        let reason = match outcome {
            Ok(()) => return,
            Err(Some(Halt::LostLease)) => {
                tracing::warn!(
                    "this node lost the scaler's lease: its scaler stopped; it stands by"
                );
                // The database may have said so before this node's clock did: the lease is
                // given up here too, so no scaler is made again on it.
                if let Some(lease) = &lease {
                    lease.leadership.lose();
                }
                continue;
            }
            Err(Some(halt)) => halt.to_string(),
            Err(None) => "its database connection could not be opened".to_owned(),
        };
        if started.elapsed() >= STEADY {
            backoff = FIRST_RESTART;
        }
        tracing::error!(%reason, restart_in_s = backoff.as_secs(), "the scaler stopped");
        let _ = maker.updates.send(Update::Stopped {
            reason: reason.clone(),
            restart_in: backoff,
        });
        // A node whose scaler fails lets another lead meanwhile.
        let campaigned = leadership.as_ref().map(|l| {
            let was = l.campaigns();
            l.set_campaign(false);
            was
        });
        let deadline = Instant::now() + backoff;
        loop {
            tokio::select! {
                () = sleep_until(deadline) => break,
                () = restart.notified() => break,
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return,
                    Some(command) => maker.answer_stopped(command, &reason, &mut queued),
                },
            }
        }
        if let (Some(leadership), Some(was)) = (&leadership, campaigned) {
            leadership.set_campaign(was);
        }
        backoff = (backoff * 2).min(LAST_RESTART);
        let _ = maker.updates.send(Update::Restarted);
    }
}

/// Resolves once this node no longer leads with `epoch`.
async fn lost(watch: &mut watch::Receiver<Option<i64>>, epoch: i64) {
    loop {
        if *watch.borrow_and_update() != Some(epoch) {
            return;
        }
        if watch.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// Waits until this node leads, carrying out the commands that come meanwhile (see the
/// module comment): the epoch it leads with, or none once shut down.
async fn stand_by(
    maker: &Maker,
    leadership: &Leadership,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> Option<i64> {
    let mut watch = leadership.watch();
    // A scaler that never runs, for the commands: made at the first one.
    let mut helper: Option<Scaler> = None;
    loop {
        if let Some(epoch) = leadership.leading() {
            return Some(epoch);
        }
        tokio::select! {
            changed = watch.changed() => if changed.is_err() { return None },
            command = commands.recv() => match command {
                None | Some(Command::Shutdown) => return None,
                // The leader wakes on this node's writes through the database (NOTIFY).
                Some(Command::Wake) => {}
                Some(command) => {
                    if helper.is_none() {
                        match maker.make(Vec::new(), None) {
                            Ok(made) => helper = Some(made),
                            Err(e) => {
                                maker.answer_stopped(command, &e, &mut Vec::new());
                                continue;
                            }
                        }
                    }
                    if let Some(helper) = helper.as_mut()
                        && let Err(e) = helper.command(command)
                    {
                        tracing::warn!(error = %e, "a command could not be carried out on this standby node");
                    }
                }
            },
        }
    }
}
