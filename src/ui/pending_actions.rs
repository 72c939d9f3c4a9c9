//! Actions of the pages (enable, drain, unassign, move, assign, delete) sent to the
//! window's database thread on PostgreSQL: each comes back as a toast once the database has
//! answered, and the window reloads then. On an SQLite file they run at once instead.

use super::command::UiCommand;
use super::promise::{Poll, Promise};
use crate::store::StoreError;

/// One action on its way.
struct Pending {
    // What the window does with the answer (show a new token once), if anything.
    answer: Promise<Result<Option<UiCommand>, StoreError>>,
    done: String,
    then: Option<UiCommand>,
}

/// How an action ended, for the window to say.
pub enum Answered {
    /// It went through: its message, and what the window does next.
    Done(String, Vec<UiCommand>),
    /// It was refused or failed.
    Failed(String),
}

/// The actions on their way, in the order they were sent.
#[derive(Default)]
pub struct PendingActions {
    waiting: Vec<Pending>,
}

impl PendingActions {
    /// Waits for `answer`; `done` is said when it succeeds, and the command the answer
    /// brings (a secret to show once), then `then`, are done.
    pub fn wait_for(
        &mut self,
        answer: Promise<Result<Option<UiCommand>, StoreError>>,
        done: String,
        then: Option<UiCommand>,
    ) {
        self.waiting.push(Pending { answer, done, then });
    }

    /// Whether any is still on its way.
    pub fn any(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// The actions answered since the last call, in order.
    pub fn answered(&mut self) -> Vec<Answered> {
        let mut answered = Vec::new();
        self.waiting
            .retain_mut(|pending| match pending.answer.poll() {
                Poll::Pending => true,
                Poll::Ready(Ok(command)) => {
                    answered.push(Answered::Done(
                        std::mem::take(&mut pending.done),
                        command.into_iter().chain(pending.then.take()).collect(),
                    ));
                    false
                }
                Poll::Ready(Err(e)) => {
                    answered.push(Answered::Failed(e.to_string()));
                    false
                }
                Poll::Lost => {
                    answered.push(Answered::Failed(format!(
                        "{}: no answer came back from the database thread",
                        pending.done
                    )));
                    false
                }
            });
        answered
    }
}
