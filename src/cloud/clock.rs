//! The scaler's clock: wall time that advances with tokio's clock, so tests that pause
//! tokio's time (and let it jump) run an hour of scaling in milliseconds.

use jiff::{SignedDuration, Timestamp};
use tokio::time::Instant;

/// Wall time read through tokio's clock.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start_wall: Timestamp,
    start: Instant,
}

impl Clock {
    /// A clock that reads the wall time now and advances with tokio's clock.
    pub fn new() -> Self {
        Self::starting_at(Timestamp::now())
    }

    /// A clock that reads `wall` now (tests pick a fixed start).
    pub fn starting_at(wall: Timestamp) -> Self {
        Self {
            start_wall: wall,
            start: Instant::now(),
        }
    }

    /// The time now.
    pub fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.start.elapsed()).unwrap_or(SignedDuration::MAX);
        self.start_wall
            .checked_add(elapsed)
            .unwrap_or(Timestamp::MAX)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}
