//! Compute resources: cores, memory and GPUs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of compute. Cores may be fractional (a session may ask for half a core).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Resources {
    /// CPU cores.
    pub cores: f64,
    /// Memory in MB.
    pub memory_mb: i64,
    /// GPUs.
    pub gpus: i64,
}

impl Resources {
    /// Builds an amount.
    pub fn new(cores: f64, memory_mb: i64, gpus: i64) -> Self {
        Self {
            cores,
            memory_mb,
            gpus,
        }
    }

    /// Whether `self` fits into `free` in every resource.
    pub fn fits_in(&self, free: &Resources) -> bool {
        // A tolerance keeps sums of fractional cores (0.1 + 0.2) from refusing an exact fit.
        self.cores <= free.cores + 1e-9
            && self.memory_mb <= free.memory_mb
            && self.gpus <= free.gpus
    }

    /// `self + other`, resource by resource.
    pub fn plus(&self, other: &Resources) -> Resources {
        Resources::new(
            self.cores + other.cores,
            self.memory_mb + other.memory_mb,
            self.gpus + other.gpus,
        )
    }

    /// These, each resource at most `cap`'s.
    pub fn capped_at(&self, cap: &Resources) -> Resources {
        Resources::new(
            self.cores.min(cap.cores),
            self.memory_mb.min(cap.memory_mb),
            self.gpus.min(cap.gpus),
        )
    }

    /// `self - other`, resource by resource (may go negative when a member is over-committed).
    pub fn minus(&self, other: &Resources) -> Resources {
        Resources::new(
            self.cores - other.cores,
            self.memory_mb - other.memory_mb,
            self.gpus - other.gpus,
        )
    }
}

/// Formats a core count without a needless fraction: `4`, `0.5`.
pub fn format_cores(cores: f64) -> String {
    if cores.fract().abs() < 1e-9 {
        format!("{cores:.0}")
    } else {
        let text = format!("{cores:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cores, {} MB, {} GPUs",
            format_cores(self.cores),
            self.memory_mb,
            self.gpus
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_in_every_resource() {
        let free = Resources::new(2.0, 4096, 0);
        assert!(Resources::new(2.0, 4096, 0).fits_in(&free));
        assert!(!Resources::new(2.5, 1024, 0).fits_in(&free));
        assert!(!Resources::new(1.0, 5000, 0).fits_in(&free));
        assert!(!Resources::new(1.0, 1024, 1).fits_in(&free));
        assert!(Resources::new(0.3, 0, 0).fits_in(&Resources::new(0.1 + 0.2, 0, 0)));
    }

    #[test]
    fn formats_cores_without_needless_fraction() {
        assert_eq!(format_cores(4.0), "4");
        assert_eq!(format_cores(0.5), "0.5");
        assert_eq!(format_cores(1.25), "1.25");
    }
}
