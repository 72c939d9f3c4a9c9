//! Keeps the session history within its retention setting: pruned at the first tick and
//! then once an hour, off the planner's path.

use super::executor::{Halt, Scaler};
use jiff::SignedDuration;

/// How often the history is pruned.
const PRUNE_EVERY: SignedDuration = SignedDuration::from_hours(1);

impl Scaler {
    /// Forgets ended sessions older than the retention setting, at most once an hour.
    pub(super) fn prune_history(&mut self) -> Result<(), Halt> {
        let now = self.now();
        if self
            .memory
            .history_pruned
            .is_some_and(|at| now.duration_since(at) < PRUNE_EVERY && at <= now)
        {
            return Ok(());
        }
        let pruned = self.store.prune_session_history(now)?;
        if pruned > 0 {
            tracing::info!(
                pruned,
                "ended sessions past the retention setting forgotten"
            );
        }
        self.memory.history_pruned = Some(now);
        Ok(())
    }
}
