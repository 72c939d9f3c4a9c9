//! How the scaler paces itself: its tick, polling, concurrency, grace and retries.

use super::retry::RetryPolicy;
use std::time::Duration;

/// How the scaler paces itself.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalerSettings {
    /// Reconciliation period (DESIGN §3: 15 s).
    pub tick: Duration,
    /// How often a booting instance is looked at.
    pub poll_every: Duration,
    /// Calls in flight per VM Provider config.
    pub concurrency: usize,
    /// Age before an unclaimed VM is an orphan, or a missing one is lost.
    pub grace: Duration,
    /// How retryable errors are repeated.
    pub retry: RetryPolicy,
}

impl Default for ScalerSettings {
    fn default() -> Self {
        Self {
            tick: Duration::from_secs(15),
            poll_every: Duration::from_secs(2),
            concurrency: 8,
            grace: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}
