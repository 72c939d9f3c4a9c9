//! What a scaler task asks before each cloud or directory call: the crash tests' failpoint
//! (a crash on purpose), and on a database several nodes share, whether this node still
//! holds the scaler's lease — a node that lost it (paused, cut off, slow past its lease)
//! makes no further call, even one a task had already started to retry.

use super::failpoint::Failpoint;
use super::leadership::Leadership;
use crate::cloud::{CloudError, ErrorClass};
use std::sync::Arc;

/// The lease a scaler runs on: this node's leadership, and the epoch it was elected with.
#[derive(Clone, Debug)]
pub struct LeaseHold {
    /// This node's leadership.
    pub leadership: Arc<Leadership>,
    /// The epoch this scaler runs with.
    pub epoch: i64,
}

impl LeaseHold {
    /// Whether the lease is still this scaler's, here and now.
    pub fn valid(&self) -> bool {
        self.leadership.still_leads(self.epoch)
    }
}

/// See the module comment.
#[derive(Clone, Debug, Default)]
pub struct CallGuard {
    /// The crash tests' failpoint.
    pub failpoint: Option<Arc<Failpoint>>,
    /// The lease this scaler runs on (none on an SQLite file, which one process holds).
    pub lease: Option<LeaseHold>,
}

impl CallGuard {
    /// Counts a step at the failpoint; true when the task must end as if crashed.
    pub fn crashed(&self) -> bool {
        self.failpoint.as_ref().is_some_and(|f| f.hit())
    }

    /// Whether the lease still allows a call now.
    pub fn leads(&self) -> bool {
        self.lease.as_ref().is_none_or(LeaseHold::valid)
    }

    /// Whether the next attempt of a call may be made: refused once the lease is lost.
    pub fn may_call(&self) -> Result<(), CloudError> {
        if self.leads() {
            Ok(())
        } else {
            Err(CloudError::new(
                ErrorClass::InvalidConfig,
                "not called: this node no longer runs the scaler (its lease passed to another node)",
            ))
        }
    }
}
