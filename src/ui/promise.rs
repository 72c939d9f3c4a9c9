//! One shape for results a worker thread hands back to the window (file choosers, file
//! reads, replays): started with the work, polled each frame, the window woken when the
//! answer is in.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

/// A result on its way.
pub struct Promise<T> {
    rx: Receiver<T>,
}

/// Where a promise stands this frame.
pub enum Poll<T> {
    /// Still working.
    Pending,
    /// The answer (handed out once).
    Ready(T),
    /// The worker ended without an answer (it panicked).
    Lost,
}

impl<T: Send + 'static> Promise<T> {
    /// Runs `work` on a thread of its own; the window repaints when it is done.
    pub fn spawn(ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            // The receiver is gone only if the window closed meanwhile: nothing to do then.
            let _ = tx.send(work());
            ctx.request_repaint();
        });
        Self { rx }
    }

    /// A promise kept by whoever holds the sender (a worker that runs many jobs in turn):
    /// the answer goes in with [`Sender::send`], then the window is asked to repaint.
    pub fn kept_by(ctx: &egui::Context) -> (Self, Keeper<T>) {
        let (tx, rx) = channel();
        (
            Self { rx },
            Keeper {
                tx,
                ctx: ctx.clone(),
            },
        )
    }

    /// A promise already kept: `value` is the answer at the first poll.
    pub fn ready(value: T) -> Self {
        let (tx, rx) = channel();
        // The receiver is right here.
        let _ = tx.send(value);
        Self { rx }
    }

    /// The answer once it is in.
    pub fn poll(&self) -> Poll<T> {
        match self.rx.try_recv() {
            Ok(value) => Poll::Ready(value),
            Err(TryRecvError::Empty) => Poll::Pending,
            Err(TryRecvError::Disconnected) => Poll::Lost,
        }
    }

    /// Waits for the answer (tests).
    pub fn wait(self) -> Option<T> {
        self.rx.recv().ok()
    }
}

/// The answer of the promise in `slot` once it is in, taken once (the slot is emptied then);
/// `lost` stands in for a worker that ended without answering.
pub fn take<T: Send + 'static>(
    slot: &mut Option<Promise<T>>,
    lost: impl FnOnce() -> T,
) -> Option<T> {
    let answer = match slot.as_ref()?.poll() {
        Poll::Pending => return None,
        Poll::Ready(answer) => answer,
        Poll::Lost => lost(),
    };
    *slot = None;
    Some(answer)
}

/// The side of a [`Promise::kept_by`] that answers it.
pub struct Keeper<T> {
    tx: Sender<T>,
    ctx: egui::Context,
}

impl<T> Keeper<T> {
    /// Hands the answer over and wakes the window.
    pub fn keep(self, value: T) {
        // The promise is gone only if the window closed meanwhile: nothing to do then.
        let _ = self.tx.send(value);
        self.ctx.request_repaint();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_comes_once_and_a_lost_worker_is_told_apart() {
        let ctx = egui::Context::default();
        let promise = Promise::spawn(&ctx, || 42);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let answer = loop {
            match promise.poll() {
                Poll::Ready(v) => break Some(v),
                Poll::Lost => break None,
                Poll::Pending if std::time::Instant::now() > deadline => break None,
                Poll::Pending => std::thread::yield_now(),
            }
        };
        assert_eq!(answer, Some(42));
        assert!(!matches!(promise.poll(), Poll::Ready(_)), "handed out once");
        let lost: Promise<u8> = Promise::spawn(&ctx, || panic!("worker fails"));
        assert_eq!(lost.wait(), None);
    }
}
