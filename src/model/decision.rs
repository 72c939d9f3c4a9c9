//! What a scaling decision was made of, as data beside its words: whoever reads the log by
//! machine (a test, the headless scaler's log, the events table) checks the numbers, not the
//! wording.

use super::Resources;
use serde::{Deserialize, Serialize};

/// Why an instance is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteCause {
    /// The pool had more than it needs for Downscale Backoff.
    Surplus,
    /// It was drained and is empty.
    Drained,
    /// A server that is not Reusable served its session.
    Spent,
}

/// One decision of the planner.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Decision {
    /// Instances created because the pool was short: it needed `need` free and had `free`
    /// (for a Server pool, sessions are counted as cores).
    Create {
        /// How many instances.
        count: u32,
        /// What the pool must have free (standby, or the minimum available sessions).
        need: Resources,
        /// What it had free.
        free: Resources,
    },
    /// One instance deleted.
    Delete {
        /// Why.
        cause: DeleteCause,
    },
}
