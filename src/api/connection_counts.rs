//! The API's connections for `/metrics`: open now, refused over a cap, closed for taking
//! too long.

use super::connection::Closed;
use super::connection_limits::Admission;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What `/metrics` says of the connections.
#[derive(Debug, Default)]
pub struct ConnectionCounts {
    admission: Mutex<Option<Arc<Admission>>>,
    timed_out: AtomicU64,
}

/// The counts at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionSnapshot {
    /// Open now.
    pub open: usize,
    /// Refused at once for being over a cap.
    pub refused: u64,
    /// Closed because a phase's time ran out.
    pub timed_out: u64,
}

impl ConnectionCounts {
    /// Counts what `admission` admits.
    pub fn watch(&self, admission: Arc<Admission>) {
        *self.admission.lock().unwrap_or_else(|e| e.into_inner()) = Some(admission);
    }

    /// Notes how a connection ended.
    pub fn closed(&self, how: Closed) {
        if how == Closed::TimedOut {
            self.timed_out.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts now.
    pub fn snapshot(&self) -> ConnectionSnapshot {
        let admission = self.admission.lock().unwrap_or_else(|e| e.into_inner());
        ConnectionSnapshot {
            open: admission.as_ref().map_or(0, |a| a.open()),
            refused: admission.as_ref().map_or(0, |a| a.refused()),
            timed_out: self.timed_out.load(Ordering::Relaxed),
        }
    }
}
