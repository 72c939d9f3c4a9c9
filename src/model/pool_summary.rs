//! One row of the Pools overview: members, sessions and free capacity of a pool.

use super::resources::format_cores;
use super::{Pool, Resources};
use std::fmt;

/// Free capacity of a pool: session slots for servers, compute for docker agents.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FreeCapacity {
    /// Unused session slots over enabled servers.
    Slots(i64),
    /// Unused compute over enabled, non-draining agents.
    Compute(Resources),
}

impl FreeCapacity {
    /// A single number to sort by: slots, or cores.
    pub fn sort_key(&self) -> f64 {
        match self {
            // Slot counts are far below 2^52, so the conversion is exact.
            Self::Slots(n) => *n as f64,
            Self::Compute(r) => r.cores,
        }
    }
}

impl fmt::Display for FreeCapacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Slots(1) => f.write_str("1 session"),
            Self::Slots(n) => write!(f, "{n} sessions"),
            Self::Compute(r) => write!(
                f,
                "{} cores · {} MB · {} GPUs",
                format_cores(r.cores),
                r.memory_mb,
                r.gpus
            ),
        }
    }
}

/// A pool with its counts.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSummary {
    /// The pool.
    pub pool: Pool,
    /// Servers or agents assigned to it.
    pub members: u32,
    /// Sessions running in it.
    pub sessions: u32,
    /// What is left for new sessions.
    pub free: FreeCapacity,
}
