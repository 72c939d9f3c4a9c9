//! What the scaler's passes measured, for the API's `/metrics` and `/healthz`: each pool's
//! level, how long passes take, whether the scaler runs, and on a database several nodes
//! share, this node's part in the election.

use super::leadership::{Leadership, LeadershipView};
use super::plan::PoolLevel;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Shared between the scaler (writer) and the API (reader).
#[derive(Default)]
pub struct ScalerGauges {
    running: AtomicBool,
    inner: Mutex<Measured>,
    leadership: OnceLock<Arc<Leadership>>,
}

/// A copy of what was measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    /// Each pool's free capacity and target at the last pass.
    pub levels: Vec<PoolLevel>,
    /// Passes so far.
    pub passes: u64,
    /// Their total duration.
    pub pass_seconds_sum: f64,
}

impl ScalerGauges {
    /// Notes a pass.
    pub fn record_pass(&self, levels: &[PoolLevel], took: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.levels = levels.to_vec();
        inner.passes += 1;
        inner.pass_seconds_sum += took.as_secs_f64();
    }

    /// Notes that the scaler started or stopped.
    pub fn set_running(&self, running: bool) {
        self.running.store(running, Ordering::Relaxed);
    }

    /// Whether the scaler runs.
    pub fn running(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }

    /// Reports `leadership` too (a node on a database several nodes share).
    pub fn set_leadership(&self, leadership: Arc<Leadership>) {
        let _ = self.leadership.set(leadership);
    }

    /// This node's part in the election, if it is a node of several.
    pub fn leadership(&self) -> Option<LeadershipView> {
        self.leadership.get().map(|l| l.view())
    }

    /// How many nodes serve the API (this one alone, unless it is a node of several).
    pub fn api_nodes(&self) -> u32 {
        self.leadership.get().map_or(1, |l| l.api_nodes())
    }

    /// What was measured.
    pub fn measured(&self) -> Measured {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
