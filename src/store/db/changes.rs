//! What other connections wrote, as PostgreSQL announces it: every table's statement-level
//! trigger sends `NOTIFY pooladmin_changes` with the writer's application name, and a
//! connection that listens counts them. The window reads the count each frame without a
//! round trip (the SQLite file's `data_version` does the same locally); the scaler wakes on
//! the ones another process sent, so a session placed by another node's API is seen at
//! once, not at the next tick.

use std::sync::atomic::{AtomicI64, Ordering};
use tokio::sync::Notify;

/// The channel the triggers notify on.
pub const CHANNEL: &str = "pooladmin_changes";

/// The channel a node that hands the scaler's lease back notifies on, so a standby takes it
/// at once instead of at its next try.
pub const LEASE_CHANNEL: &str = "pooladmin_lease";

/// The count of announced writes, and a signal for those of other processes.
#[derive(Debug, Default)]
pub struct Changes {
    seen: AtomicI64,
    foreign: Notify,
    lease: Notify,
}

impl Changes {
    /// How many writes were announced so far (changes whenever someone wrote).
    pub fn seen(&self) -> i64 {
        self.seen.load(Ordering::Acquire)
    }

    /// Resolves when another process writes next.
    pub async fn written_elsewhere(&self) {
        self.foreign.notified().await;
    }

    /// Resolves when a node hands the scaler's lease back.
    pub async fn lease_handed_back(&self) {
        self.lease.notified().await;
    }

    pub(super) fn lease_freed(&self) {
        self.lease.notify_one();
    }

    /// Takes one announcement whose payload is the writer's application name.
    pub(super) fn announced(&self, writer: &str) {
        self.seen.fetch_add(1, Ordering::AcqRel);
        if !writer.contains(&own_marker()) {
            self.foreign.notify_one();
        }
    }

    /// Counts a reconnection: what was written meanwhile was not announced to this one.
    pub(super) fn missed_some(&self) {
        self.seen.fetch_add(1, Ordering::AcqRel);
        self.foreign.notify_one();
    }
}

/// What every connection of this process has in its application name.
pub fn own_marker() -> String {
    format!("pid {} on", std::process::id())
}
