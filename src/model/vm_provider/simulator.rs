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
}

impl Default for SimulatorSettings {
    fn default() -> Self {
        Self {
            boot_delay_s: "20".into(),
            failure_rate_percent: "0".into(),
        }
    }
}

impl SimulatorSettings {
    /// Checks both fields.
    pub fn check(&self, errors: &mut ValidationErrors) {
        parse_whole(errors, "Boot Delay (s)", &self.boot_delay_s, 0, 3600);
        parse_whole(
            errors,
            "Failure Rate (%)",
            &self.failure_rate_percent,
            0,
            100,
        );
    }

    /// Boot delay in seconds (valid once checked).
    pub fn boot_delay_s(&self) -> u32 {
        self.boot_delay_s.trim().parse().unwrap_or(0)
    }

    /// Failure rate in percent (valid once checked).
    pub fn failure_rate_percent(&self) -> u32 {
        self.failure_rate_percent.trim().parse().unwrap_or(0)
    }
}
