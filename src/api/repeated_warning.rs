//! A warning that may repeat thousands of times a second (accept failures, refused
//! connections) is logged at most once an interval, with how many times it happened since:
//! an attack must not also flood the log and the disk.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often one kind of warning is logged at most.
pub const WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// One kind of warning, logged once an interval.
#[derive(Debug)]
pub struct RepeatedWarning {
    what: &'static str,
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    last_logged: Option<Instant>,
    since: u64,
}

impl RepeatedWarning {
    /// A warning saying `what`, logged at most once every [`WARNING_INTERVAL`].
    pub const fn new(what: &'static str) -> Self {
        Self {
            what,
            interval: WARNING_INTERVAL,
            state: Mutex::new(State {
                last_logged: None,
                since: 0,
            }),
        }
    }

    /// Notes one occurrence (with its detail); returns whether it was logged.
    pub fn note(&self, detail: &dyn std::fmt::Display) -> bool {
        self.note_at(detail, Instant::now())
    }

    fn note_at(&self, detail: &dyn std::fmt::Display, now: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.since += 1;
        let due = state
            .last_logged
            .is_none_or(|at| now.saturating_duration_since(at) >= self.interval);
        if !due {
            return false;
        }
        let count = std::mem::take(&mut state.since);
        state.last_logged = Some(now);
        drop(state);
        tracing::warn!(
            count,
            interval_s = self.interval.as_secs(),
            "{} ({detail}); {count} time(s) since the last such warning",
            self.what
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_once_an_interval() {
        let warning = RepeatedWarning::new("refused");
        let start = Instant::now();
        assert!(warning.note_at(&"first", start));
        for i in 1..1000 {
            assert!(!warning.note_at(&"again", start + Duration::from_millis(i)));
        }
        assert!(warning.note_at(&"later", start + WARNING_INTERVAL));
        assert_eq!(warning.state.lock().unwrap().since, 0);
    }
}
