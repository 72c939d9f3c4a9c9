//! The window's end of a scaler running on its own thread and tokio runtime, kept running
//! by `supervisor.rs` (and on a database several nodes share, run only while this node
//! leads).

use super::command::Command;
use super::election::{self, ElectionSettings};
use super::executor::{ScalerSettings, Update};
use super::gauges::ScalerGauges;
use super::leadership::Leadership;
use super::supervisor::{Maker, supervise};
use crate::cloud::CloudFactory;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};

/// The window's end of the scaler.
pub struct ScalerHandle {
    commands: mpsc::UnboundedSender<Command>,
    updates: mpsc::UnboundedReceiver<Update>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The scaler's runtime, for what runs beside it (the HTTP API).
    runtime: Option<tokio::runtime::Handle>,
    gauges: Arc<ScalerGauges>,
    restart: Arc<Notify>,
    /// This node's election, on a database several nodes share.
    election: Option<(Arc<Leadership>, Option<std::thread::JoinHandle<()>>)>,
}

impl ScalerHandle {
    /// Starts a scaler on a sibling connection of `store` (with `leadership`, only while
    /// this node leads). `repaint` is called whenever an update is waiting, so the window
    /// redraws without polling.
    pub fn start(
        store: Store,
        clouds: Arc<dyn CloudFactory>,
        settings: ScalerSettings,
        repaint: Arc<dyn Fn() + Send + Sync>,
        leadership: Option<Arc<Leadership>>,
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
        let election = match &leadership {
            Some(leadership) => {
                gauges.set_leadership(Arc::clone(leadership));
                let thread = election::start(
                    store.sibling().map_err(std::io::Error::other)?,
                    Arc::clone(leadership),
                    ElectionSettings::default(),
                )
                .map_err(std::io::Error::other)?;
                Some((Arc::clone(leadership), Some(thread)))
            }
            None => None,
        };
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
                    supervise(maker, command_rx, restart_now, leadership).await;
                });
            })?;
        Ok(Self {
            commands,
            updates,
            thread: Some(thread),
            runtime: Some(runtime_handle),
            gauges,
            restart,
            election,
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
            election: None,
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

    /// This node's election, on a database several nodes share (none on an SQLite file).
    pub fn leadership(&self) -> Option<Arc<Leadership>> {
        self.election.as_ref().map(|(l, _)| Arc::clone(l))
    }

    /// Stops the scaler and waits for it; then hands the scaler's lease back, if this node
    /// held it, so another node takes over at once.
    pub fn shut_down(&mut self) {
        self.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some((leadership, thread)) = &mut self.election
            && let Some(thread) = thread.take()
        {
            election::stop(leadership, thread);
        }
    }
}

impl Drop for ScalerHandle {
    fn drop(&mut self) {
        self.shut_down();
    }
}
