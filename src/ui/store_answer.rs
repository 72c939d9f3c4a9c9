//! Database work a page or form waits for (a save, a read of its own): on a database server
//! it runs on the window's database thread and the page keeps what it shows and what was
//! typed until the answer is in; on a file it runs at once and has answered when it
//! starts. Either way the answer is taken the same way, once.

use super::context::PageContext;
use super::promise::{Promise, take};
use super::store_worker::{StoreWorker, lost};
use crate::store::{Store, StoreError};

/// Work on its way, or its answer not yet taken.
pub struct StoreAnswer<T>(Option<Promise<Result<T, StoreError>>>);

impl<T> Default for StoreAnswer<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T: Send + 'static> StoreAnswer<T> {
    /// Starts `work`, unless work is already on its way.
    pub fn start(
        &mut self,
        ctx: &mut PageContext<'_>,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) {
        if self.0.is_none() {
            self.0 = Some(StoreWorker::run_or_here(ctx.worker, ctx.store, work));
        }
    }

    /// Whether the answer is not taken yet (the page shows a spinner, not its buttons).
    pub fn busy(&self) -> bool {
        self.0.is_some()
    }

    /// The answer, once, when it is in.
    pub fn answer(&mut self) -> Option<Result<T, StoreError>> {
        take(&mut self.0, lost)
    }
}
