//! What a host's agent tells the API: its check-in (who and what it is) and its heartbeats
//! (which sessions it still hosts).

use super::api_text::{HOST_MAX_LEN, VERSION_MAX_LEN, is_host, is_version};
use super::{Resources, SessionId, ValidationErrors};
use crate::model::field::ApiBodyField;

/// Largest memory a host may report, in MB (64 TB).
pub const MAX_MEMORY_MB: i64 = 64 * 1024 * 1024;
/// Most cores a host may report.
pub const MAX_CORES: f64 = 100_000.0;
/// Most GPUs a host may report.
pub const MAX_GPUS: i64 = 1024;

/// A check-in, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct HostReport {
    /// The host's name.
    pub hostname: String,
    /// The address sessions reach it at.
    pub address: String,
    /// What it has.
    pub resources: Resources,
    /// The agent's version.
    pub version: String,
}

impl HostReport {
    /// Checks every field; errors use the API's JSON key names.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, value) in [
            (ApiBodyField::Hostname, &self.hostname),
            (ApiBodyField::Address, &self.address),
        ] {
            if !is_host(value) {
                errors.push(
                    field,
                    format!("expected an IPv4 or IPv6 address or a DNS name of at most {HOST_MAX_LEN} characters, without spaces"),
                );
            }
        }
        let r = &self.resources;
        if !(r.cores.is_finite() && (0.0..=MAX_CORES).contains(&r.cores)) {
            errors.push(ApiBodyField::Cores, "expected a number from 0 to 100000");
        }
        if !(0..=MAX_MEMORY_MB).contains(&r.memory_mb) {
            errors.push(
                ApiBodyField::Memory,
                format!("expected a whole number from 0 to {MAX_MEMORY_MB}"),
            );
        }
        if !(0..=MAX_GPUS).contains(&r.gpus) {
            errors.push(ApiBodyField::Gpus, "expected a whole number from 0 to 1024");
        }
        if !is_version(&self.version) {
            errors.push(
                ApiBodyField::Version,
                format!("expected at most {VERSION_MAX_LEN} printable characters"),
            );
        }
        errors.into_result(())
    }
}

/// A heartbeat, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Heartbeat {
    /// The sessions the host runs now, when it keeps track of them.
    pub sessions: Option<Vec<SessionId>>,
    /// Its load (e.g. the 1-minute load average), when it says.
    pub load: Option<f64>,
}

impl Heartbeat {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.load.is_some_and(|l| !(l.is_finite() && l >= 0.0)) {
            errors.push(ApiBodyField::Load, "expected a number of at least 0");
        }
        if self.sessions.as_ref().is_some_and(|s| s.len() > 100_000) {
            errors.push(
                ApiBodyField::Sessions,
                "expected at most 100000 session ids",
            );
        }
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> HostReport {
        HostReport {
            hostname: "agent-01.demo.internal".into(),
            address: "10.0.0.7".into(),
            resources: Resources::new(8.0, 16384, 0),
            version: "pooladmin-agent 0.1.0".into(),
        }
    }

    #[test]
    fn a_plain_report_passes_and_bad_fields_are_named() {
        assert!(report().validate().is_ok());
        let mut bad = report();
        bad.address = "not an address!".into();
        bad.resources = Resources::new(f64::NAN, -1, 5000);
        bad.version = "x".repeat(65);
        let errors = bad.validate().unwrap_err();
        for field in [
            ApiBodyField::Address,
            ApiBodyField::Cores,
            ApiBodyField::Memory,
            ApiBodyField::Gpus,
            ApiBodyField::Version,
        ] {
            assert!(errors.for_field(field).is_some(), "{field}: {errors}");
        }
    }
}
