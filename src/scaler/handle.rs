//! The window's end of a scaler running on its own thread and tokio runtime. A scaler that
//! stops on a fatal database error is started again with backoff (1 s doubling to 60 s, or
//! at once on "Restart scaler"); meanwhile the window is told why, and Test connections
//! asked in the gap are answered rather than left waiting.

use super::command::Command;
use super::executor::{Scaler, ScalerSettings, Update};
use super::gauges::ScalerGauges;
use crate::cloud::{Clock, CloudFactory};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::time::{Instant, sleep_until};

/// First wait before a stopped scaler is started again.
const FIRST_RESTART: Duration = Duration::from_secs(1);
/// Longest wait between restarts.
const LAST_RESTART: Duration = Duration::from_secs(60);
/// A scaler that ran this long before stopping starts the backoff afresh.
const STEADY: Duration = Duration::from_secs(60);

/// The window's end of the scaler.
pub struct ScalerHandle {
    commands: mpsc::UnboundedSender<Command>,
    updates: mpsc::UnboundedReceiver<Update>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The scaler's runtime, for what runs beside it (the HTTP API).
    runtime: Option<tokio::runtime::Handle>,
    gauges: Arc<ScalerGauges>,
    restart: Arc<Notify>,
}

/// What the restart loop needs to make a scaler again.
struct Maker {
    store: Store,
    clouds: Arc<dyn CloudFactory>,
    settings: ScalerSettings,
    updates: mpsc::UnboundedSender<Update>,
    gauges: Arc<ScalerGauges>,
}

impl Maker {
    fn make(&self, queued: Vec<Command>) -> Result<Scaler, String> {
        let store = self.store.sibling().map_err(|e| e.to_string())?;
        Ok(Scaler::new(
            store,
            Arc::clone(&self.clouds),
            Clock::new(),
            self.settings.clone(),
            self.updates.clone(),
        )
        .with_gauges(Arc::clone(&self.gauges))
        .with_queued(queued))
    }
}

/// Runs scalers one after another until shut down.
async fn keep_running(
    maker: Maker,
    mut commands: mpsc::UnboundedReceiver<Command>,
    restart: Arc<Notify>,
) {
    let mut backoff = FIRST_RESTART;
    let mut queued = Vec::new();
    loop {
        let started = Instant::now();
        let outcome = match maker.make(std::mem::take(&mut queued)) {
            Ok(scaler) => scaler
                .run_with(&mut commands)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!(
                "the scaler's database connection could not be opened: {e}"
            )),
        };
        let reason = match outcome {
            Ok(()) => return,
            Err(reason) => reason,
        };
        if started.elapsed() >= STEADY {
            backoff = FIRST_RESTART;
        }
        tracing::error!(%reason, restart_in_s = backoff.as_secs(), "the scaler stopped");
        let _ = maker.updates.send(Update::Stopped {
            reason: reason.clone(),
            restart_in: backoff,
        });
        let deadline = Instant::now() + backoff;
        loop {
            tokio::select! {
                () = sleep_until(deadline) => break,
                () = restart.notified() => break,
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return,
                    Some(Command::TestConnection(id, _)) => {
                        let answer = format!("the scaler stopped ({reason}); try again once it runs");
                        let _ = maker.updates.send(Update::ConnectionTested(id, Err(answer)));
                    }
                    Some(Command::ListCloud(id, ..)) => {
                        let answer = format!("the scaler stopped ({reason}); try again once it runs");
                        let _ = maker.updates.send(Update::CloudListed(id, Err(answer)));
                    }
                    // Pause, Resume, Drain and Wake wait for the next scaler.
                    Some(other) => queued.push(other),
                },
            }
        }
        backoff = (backoff * 2).min(LAST_RESTART);
        let _ = maker.updates.send(Update::Restarted);
    }
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
        let restart = Arc::new(Notify::new());
        let maker = Maker {
            store,
            clouds,
            settings,
            updates: update_tx,
            gauges: Arc::clone(&gauges),
        };
        let restart_now = Arc::clone(&restart);
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
                    keep_running(maker, command_rx, restart_now).await;
                });
            })?;
        Ok(Self {
            commands,
            updates,
            thread: Some(thread),
            runtime: Some(runtime_handle),
            gauges,
            restart,
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

    /// Starts a stopped scaler again now instead of after its backoff.
    pub fn restart_now(&self) {
        self.restart.notify_one();
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
            restart: Arc::default(),
        }
    }

    /// A sender of commands for another thread (the demo's users wake the scaler).
    pub fn commander(&self) -> mpsc::UnboundedSender<Command> {
        self.commands.clone()
    }

    /// Sends a command; one sent while the scaler is stopped waits for its restart.
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
