//! Sessions that ended, as kept on record: the real demand a what-if replay plays back.

use super::{PoolId, Resources};
use jiff::{SignedDuration, Timestamp};

/// One ended session.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EndedSession {
    /// The pool it ran in.
    pub pool: PoolId,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// What it used (a server pool's sessions use a slot, not these).
    pub resources: Resources,
    /// Pre-started by a staging config rather than asked for by a user.
    pub staged: bool,
}

impl EndedSession {
    /// How long it ran.
    pub fn duration(&self) -> SignedDuration {
        self.ended_at.duration_since(self.started_at)
    }
}
