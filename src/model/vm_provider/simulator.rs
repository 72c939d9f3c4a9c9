//! The simulated cloud's settings, for demos and tests.

use crate::model::ValidationErrors;
use crate::model::field::SimulatorField;
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
    /// API Latency (ms): how long each call takes (a slow cloud, for demos and tests).
    pub api_latency_ms: String,
}

impl Default for SimulatorSettings {
    fn default() -> Self {
        Self {
            boot_delay_s: "20".into(),
            failure_rate_percent: "0".into(),
            throttle_rate_percent: "0".into(),
            capacity_error_percent: "0".into(),
            api_latency_ms: "150".into(),
        }
    }
}

/// How the simulated cloud behaves, parsed once from checked settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimulatorValues {
    /// Boot Delay (s).
    pub boot_delay_s: u32,
    /// Failure Rate, as a share from 0 to 1.
    pub failure_rate: f64,
    /// Throttle Rate, as a share from 0 to 1.
    pub throttle_rate: f64,
    /// Capacity Errors, as a share from 0 to 1.
    pub capacity_error_rate: f64,
    /// API Latency (ms).
    pub api_latency_ms: u64,
}

impl SimulatorSettings {
    /// Checks every field.
    pub fn check(&self, errors: &mut ValidationErrors) {
        self.parsed(errors);
    }

    /// The values, or every field that is wrong.
    pub fn values(&self) -> Result<SimulatorValues, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let values = self.parsed(&mut errors);
        errors.into_result(values)
    }

    fn parsed(&self, errors: &mut ValidationErrors) -> SimulatorValues {
        let boot_delay_s = parse_whole(
            errors,
            SimulatorField::BootDelay,
            &self.boot_delay_s,
            0,
            3600,
        );
        let api_latency_ms = parse_whole(
            errors,
            SimulatorField::ApiLatency,
            &self.api_latency_ms,
            0,
            60_000,
        );
        let mut share = |label: SimulatorField, value: &str| {
            parse_whole(errors, label, value, 0, 100) as f64 / 100.0
        };
        SimulatorValues {
            failure_rate: share(SimulatorField::FailureRate, &self.failure_rate_percent),
            throttle_rate: share(SimulatorField::ThrottleRate, &self.throttle_rate_percent),
            capacity_error_rate: share(
                SimulatorField::CapacityErrors,
                &self.capacity_error_percent,
            ),
            // Within their ranges once parsed.
            boot_delay_s: u32::try_from(boot_delay_s).unwrap_or(u32::MAX),
            api_latency_ms: u64::try_from(api_latency_ms).unwrap_or(u64::MAX),
        }
    }
}
