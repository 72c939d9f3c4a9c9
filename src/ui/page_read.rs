//! A page's own read (the event log, a pool's Status tab): on a database server it runs on
//! the window's database thread and the page shows what it has until the answer is in; on a
//! file it runs at once. Either way the answer is taken the same way, once.

use super::context::PageContext;
use super::promise::{Poll, Promise};
use crate::store::{Store, StoreError};

/// A page's read on its way, or its answer not yet taken.
pub struct PageRead<T> {
    on_its_way: Option<Promise<Result<T, StoreError>>>,
    answer: Option<Result<T, StoreError>>,
}

impl<T> Default for PageRead<T> {
    fn default() -> Self {
        Self {
            on_its_way: None,
            answer: None,
        }
    }
}

impl<T: Send + 'static> PageRead<T> {
    /// Reads with `work`, unless a read is already on its way.
    pub fn start(
        &mut self,
        ctx: &PageContext<'_>,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) {
        if self.on_its_way.is_some() {
            return;
        }
        match ctx.worker {
            Some(worker) => {
                self.on_its_way = Some(worker.run(move |store: &mut Store| work(store)));
            }
            None => self.answer = Some(work(ctx.store)),
        }
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
                "no answer came back from the database thread".to_owned(),
            )),
        };
        self.on_its_way = None;
        Some(answer)
    }
}
