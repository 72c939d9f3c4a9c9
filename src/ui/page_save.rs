//! The save of a form that lives on its page (General settings, API settings): on a database
//! server it runs on the window's database thread and the page keeps its draft until the
//! answer is in; on a file it runs at once. Either way the answer is taken the same way.

use super::context::PageContext;
use super::promise::{Poll, Promise};
use crate::store::{Store, StoreError};

/// A page's save on its way, or its answer (what the save returns) not yet taken.
pub struct PageSave<T = ()> {
    on_its_way: Option<Promise<Result<T, StoreError>>>,
    answer: Option<Result<T, StoreError>>,
}

impl<T> Default for PageSave<T> {
    fn default() -> Self {
        Self {
            on_its_way: None,
            answer: None,
        }
    }
}

impl<T: Send + 'static> PageSave<T> {
    /// Saves with `work`, unless a save is already on its way.
    pub fn start(
        &mut self,
        ctx: &mut PageContext<'_>,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) {
        if self.busy() {
            return;
        }
        match ctx.worker {
            Some(worker) => self.on_its_way = Some(worker.run(work)),
            None => self.answer = Some(work(ctx.store)),
        }
    }

    /// Whether the database has not answered yet (the page shows a spinner, not Save).
    pub fn busy(&self) -> bool {
        self.on_its_way.is_some()
    }

    /// The answer, once, when it is in.
    pub fn answer(&mut self) -> Option<Result<T, StoreError>> {
        if let Some(answer) = self.answer.take() {
            return Some(answer);
        }
        let answer = match self.on_its_way.as_ref()?.poll() {
            Poll::Pending => return None,
            Poll::Ready(answer) => answer,
            Poll::Lost => Err(StoreError::Refused(
                "no answer came back from the database thread; nothing is known to be saved"
                    .to_owned(),
            )),
        };
        self.on_its_way = None;
        Some(answer)
    }
}
