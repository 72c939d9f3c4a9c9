//! A crash on purpose, for the crash tests: after a set number of steps the scaler stops
//! dead, as if the process were killed, with whatever it had in flight.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// Counts the scaler's steps — each commit of its store connection (`Store::refuse_commits_when`)
/// and each cloud call of its tasks (`operations::guarded`) — and trips at one.
#[derive(Debug)]
pub struct Failpoint {
    steps_left: AtomicI64,
    tripped: AtomicBool,
}

impl Failpoint {
    /// Trips at step `step` (1 = the first).
    pub fn at_step(step: i64) -> Self {
        Self {
            steps_left: AtomicI64::new(step),
            tripped: AtomicBool::new(false),
        }
    }

    /// Counts one step; true when this step (or an earlier one) tripped it.
    pub fn hit(&self) -> bool {
        if self.steps_left.fetch_sub(1, Ordering::SeqCst) <= 1 {
            self.tripped.store(true, Ordering::SeqCst);
        }
        self.tripped()
    }

    /// Whether it has tripped.
    pub fn tripped(&self) -> bool {
        self.tripped.load(Ordering::SeqCst)
    }
}
