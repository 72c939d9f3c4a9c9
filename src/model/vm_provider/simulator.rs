//! The simulated cloud's settings, for demos and tests.

use crate::model::ValidationErrors;
use crate::model::validation::parse_whole;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the simulated cloud behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SimulatorSettings {
    /// Boot Delay (s): time from create to running.
    pub boot_delay_s: String,
    /// Failure Rate (%): share of creates that fail.
    pub failure_rate_percent: String,
    /// Throttle Rate (%): share of API calls refused as throttled.
    pub throttle_rate_percent: String,
    /// Capacity Errors (%): share of creates refused for lack of capacity.
    pub capacity_error_percent: String,
}

impl Default for SimulatorSettings {
    fn default() -> Self {
        Self {
            boot_delay_s: "20".into(),
            failure_rate_percent: "0".into(),
            throttle_rate_percent: "0".into(),
            capacity_error_percent: "0".into(),
        }
    }
}

impl SimulatorSettings {
    /// Checks both fields.
    pub fn check(&self, errors: &mut ValidationErrors) {
        parse_whole(errors, "Boot Delay (s)", &self.boot_delay_s, 0, 3600);
        for (label, value) in [
            ("Failure Rate (%)", &self.failure_rate_percent),
            ("Throttle Rate (%)", &self.throttle_rate_percent),
            ("Capacity Errors (%)", &self.capacity_error_percent),
        ] {
            parse_whole(errors, label, value, 0, 100);
        }
    }

    /// Boot delay in seconds (valid once checked).
    pub fn boot_delay_s(&self) -> u32 {
        self.boot_delay_s.trim().parse().unwrap_or(0)
    }

    /// Failure rate as a share (valid once checked).
    pub fn failure_rate(&self) -> f64 {
        share(&self.failure_rate_percent)
    }

    /// Throttle rate as a share (valid once checked).
    pub fn throttle_rate(&self) -> f64 {
        share(&self.throttle_rate_percent)
    }

    /// Capacity error rate as a share (valid once checked).
    pub fn capacity_error_rate(&self) -> f64 {
        share(&self.capacity_error_percent)
    }
}

/// A checked percentage as a share from 0 to 1.
fn share(percent: &str) -> f64 {
    f64::from(percent.trim().parse::<u32>().unwrap_or(0).min(100)) / 100.0
}
