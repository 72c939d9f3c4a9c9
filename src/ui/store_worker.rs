//! The window's database work when the database is a server (PostgreSQL): reads and saves
//! run on a thread of their own, in the order they were asked for, so no frame waits on
//! the network; each answer comes back as a [`Promise`] the page polls. On an SQLite file
//! the window keeps calling the store directly (a local file answers within a frame).

use super::promise::{Keeper, Promise};
use crate::store::db::Changes;
use crate::store::{Store, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// The answer for database work whose thread ended without one (a job panicked).
pub fn lost<T>() -> Result<T, StoreError> {
    Err(StoreError::Refused(
        "no answer came back from the window's database thread; nothing is known to be done"
            .to_owned(),
    ))
}

/// How often an idle worker looks whether the server closed its connection.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// A thread with a connection of its own, running the window's database work in turn.
pub struct StoreWorker {
    jobs: Sender<Job>,
    // The window to wake with each answer, known from its first frame.
    ctx: Arc<OnceLock<egui::Context>>,
    // Writes announced to the worker's connection (LISTEN): the window's data version.
    changes: Option<Arc<Changes>>,
    // The server closed the worker's connection; the next job reconnects.
    lost: Arc<AtomicBool>,
}

impl StoreWorker {
    /// Starts the thread on `store` (a sibling of the window's connection).
    pub fn start(mut store: Store) -> Self {
        let changes = store.changes().ok().flatten();
        let (jobs, queue) = channel::<Job>();
        let ctx: Arc<OnceLock<egui::Context>> = Arc::default();
        let lost = Arc::new(AtomicBool::new(false));
        let (wake, noted) = (Arc::clone(&ctx), Arc::clone(&lost));
        std::thread::Builder::new()
            .name("window database".to_owned())
            .spawn(move || {
                loop {
                    match queue.recv_timeout(LOOK_EVERY) {
                        Ok(job) => job(&mut store),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    let lost_now = store.connection_lost();
                    if noted.swap(lost_now, Ordering::AcqRel) != lost_now
                        && let Some(ctx) = wake.get()
                    {
                        ctx.request_repaint();
                    }
                }
            })
            .unwrap_or_else(|e| panic!("the window's database thread could not start: {e}"));
        Self {
            jobs,
            ctx,
            changes,
            lost,
        }
    }

    /// The window each answer wakes.
    pub fn wakes(&self, ctx: &egui::Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// How many writes the server announced so far: changes whenever anyone wrote. No
    /// round trip.
    pub fn data_version(&self) -> Option<i64> {
        self.changes.as_ref().map(|changes| changes.seen())
    }

    /// Whether the server closed the worker's connection (a reload reconnects it).
    pub fn connection_lost(&self) -> bool {
        self.lost.load(Ordering::Acquire)
    }

    /// Runs `work` on `worker` when the window has one (a database server), else at once on
    /// `store`; the answer comes back by the promise either way (already kept when run here).
    pub fn run_or_here<T: Send + 'static>(
        worker: Option<&Self>,
        store: &mut Store,
        work: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Promise<T> {
        match worker {
            Some(worker) => worker.run(work),
            None => Promise::ready(work(store)),
        }
    }

    /// Runs `work` after the work asked for before it; its answer comes back by the promise.
    pub fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Promise<T> {
        let ctx = self.ctx.get().cloned().unwrap_or_default();
        let (promise, keeper): (Promise<T>, Keeper<T>) = Promise::kept_by(&ctx);
        // A send fails only when the thread ended (a job panicked): the promise then
        // reads as lost, which the page reports.
        let _ = self
            .jobs
            .send(Box::new(move |store: &mut Store| keeper.keep(work(store))));
        promise
    }
}
