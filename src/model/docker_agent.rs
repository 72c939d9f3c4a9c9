//! Docker Agents: container hosts whose reported resources (or overrides) give their capacity.

use super::validation::{check_host, parse_decimal, parse_whole};
use super::{AgentId, Origin, PoolId, Resources, ValidationErrors, ZoneId};
use crate::model::field::AgentField;
use jiff::Timestamp;

/// Largest memory a form accepts, in MB (64 TB).
const MAX_MEMORY_MB: i64 = 64 * 1024 * 1024;
/// Largest GPU count a form accepts.
const MAX_GPUS: i64 = 1024;

/// Everything an administrator sets on a docker agent.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentSpec {
    /// Host name or IP address; unique.
    pub hostname: String,
    /// Disabled agents take no new sessions.
    pub enabled: bool,
    /// Deployment zone.
    pub zone: ZoneId,
    /// Docker Agent pool it belongs to, if any.
    pub pool: Option<PoolId>,
    /// What the agent reports it has.
    pub reported: Resources,
    /// Overrides of the reported values; 0 in a resource means no override.
    pub overrides: Resources,
}

/// [`AgentSpec::capacity`] for one resource (`cores`, `memory_mb`, `gpus`) of a
/// `docker_agents` row, as SQL for the queries that sum or sort by it: `$row` is the row's
/// alias with its dot (`"a."`) or `""`. A literal, so queries can `concat!` it; a store test
/// holds it to the method.
macro_rules! agent_capacity_sql {
    ($row:literal, $resource:literal) => {
        concat!(
            "(CASE WHEN ",
            $row,
            "override_",
            $resource,
            " > 0 THEN ",
            $row,
            "override_",
            $resource,
            " ELSE ",
            $row,
            "reported_",
            $resource,
            " END)"
        )
    };
}
pub(crate) use agent_capacity_sql;

/// [`agent_capacity_sql`] for cores, memory and GPUs, in that order, as three columns.
macro_rules! agent_capacities_sql {
    ($row:literal) => {
        concat!(
            $crate::model::docker_agent::agent_capacity_sql!($row, "cores"),
            ", ",
            $crate::model::docker_agent::agent_capacity_sql!($row, "memory_mb"),
            ", ",
            $crate::model::docker_agent::agent_capacity_sql!($row, "gpus")
        )
    };
}
pub(crate) use agent_capacities_sql;

impl AgentSpec {
    /// Capacity: each override where it is above 0, else the reported value.
    pub fn capacity(&self) -> Resources {
        Resources::new(
            if self.overrides.cores > 0.0 {
                self.overrides.cores
            } else {
                self.reported.cores
            },
            if self.overrides.memory_mb > 0 {
                self.overrides.memory_mb
            } else {
                self.reported.memory_mb
            },
            if self.overrides.gpus > 0 {
                self.overrides.gpus
            } else {
                self.reported.gpus
            },
        )
    }

    /// Checks every field again, as the store does before writing.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.check(&mut errors);
        errors.into_result(())
    }

    fn check(&self, errors: &mut ValidationErrors) {
        check_host(errors, AgentField::Hostname, &self.hostname);
        let checks: [(AgentField, bool); 6] = [
            (
                AgentField::Cores,
                self.reported.cores >= 0.0 && self.reported.cores.is_finite(),
            ),
            (
                AgentField::Memory,
                (0..=MAX_MEMORY_MB).contains(&self.reported.memory_mb),
            ),
            (
                AgentField::Gpus,
                (0..=MAX_GPUS).contains(&self.reported.gpus),
            ),
            (
                AgentField::CoresOverride,
                self.overrides.cores >= 0.0 && self.overrides.cores.is_finite(),
            ),
            (
                AgentField::MemoryOverride,
                (0..=MAX_MEMORY_MB).contains(&self.overrides.memory_mb),
            ),
            (
                AgentField::GpusOverride,
                (0..=MAX_GPUS).contains(&self.overrides.gpus),
            ),
        ];
        for (field, ok) in checks {
            if !ok {
                errors.push(field, "expected a number of at least 0");
            }
        }
    }
}

/// A stored docker agent.
#[derive(Clone, Debug, PartialEq)]
pub struct DockerAgent {
    /// Its key in the database, stable for its life.
    pub id: AgentId,
    /// What the administrator set.
    pub spec: AgentSpec,
    /// A draining agent accepts no new sessions.
    pub draining: bool,
    /// Added by hand or autoscaled.
    pub origin: Origin,
    /// When the agent last reported its resources, if ever.
    pub last_report: Option<Timestamp>,
    /// When it was added; older agents win placement ties.
    pub created_at: Timestamp,
}

/// The agent form as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentDraft {
    /// Hostname.
    pub hostname: String,
    /// Enabled.
    pub enabled: bool,
    /// Deployment Zone; `None` until chosen.
    pub zone: Option<ZoneId>,
    /// Pool.
    pub pool: Option<PoolId>,
    /// Cores.
    pub cores: String,
    /// Memory (MB).
    pub memory_mb: String,
    /// GPUs.
    pub gpus: String,
    /// Cores Override.
    pub cores_override: String,
    /// Memory Override (MB).
    pub memory_override_mb: String,
    /// GPUs Override.
    pub gpus_override: String,
}

impl AgentDraft {
    /// An empty form: enabled, 4 cores, 8 GB, no GPU, no overrides.
    pub fn new(zone: Option<ZoneId>, pool: Option<PoolId>) -> Self {
        Self {
            hostname: String::new(),
            enabled: true,
            zone,
            pool,
            cores: "4".into(),
            memory_mb: "8192".into(),
            gpus: "0".into(),
            cores_override: "0".into(),
            memory_override_mb: "0".into(),
            gpus_override: "0".into(),
        }
    }

    /// The form filled from a stored agent, for editing.
    pub fn from_spec(spec: &AgentSpec) -> Self {
        use super::resources::format_cores;
        Self {
            hostname: spec.hostname.clone(),
            enabled: spec.enabled,
            zone: Some(spec.zone),
            pool: spec.pool,
            cores: format_cores(spec.reported.cores),
            memory_mb: spec.reported.memory_mb.to_string(),
            gpus: spec.reported.gpus.to_string(),
            cores_override: format_cores(spec.overrides.cores),
            memory_override_mb: spec.overrides.memory_mb.to_string(),
            gpus_override: spec.overrides.gpus.to_string(),
        }
    }

    /// Parses and checks every field; the errors name each bad field.
    pub fn parse(&self) -> Result<AgentSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let zone = self.zone.unwrap_or_else(|| {
            errors.push(AgentField::Zone, "choose a deployment zone");
            ZoneId(0)
        });
        let reported = Resources::new(
            parse_decimal(&mut errors, AgentField::Cores, &self.cores, 0.0),
            parse_whole(
                &mut errors,
                AgentField::Memory,
                &self.memory_mb,
                0,
                MAX_MEMORY_MB,
            ),
            parse_whole(&mut errors, AgentField::Gpus, &self.gpus, 0, MAX_GPUS),
        );
        let overrides = Resources::new(
            parse_decimal(
                &mut errors,
                AgentField::CoresOverride,
                &self.cores_override,
                0.0,
            ),
            parse_whole(
                &mut errors,
                AgentField::MemoryOverride,
                &self.memory_override_mb,
                0,
                MAX_MEMORY_MB,
            ),
            parse_whole(
                &mut errors,
                AgentField::GpusOverride,
                &self.gpus_override,
                0,
                MAX_GPUS,
            ),
        );
        let spec = AgentSpec {
            hostname: self.hostname.trim().to_owned(),
            enabled: self.enabled,
            zone,
            pool: self.pool,
            reported,
            overrides,
        };
        spec.check(&mut errors);
        errors.into_result(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_where_above_zero() {
        let mut draft = AgentDraft::new(Some(ZoneId(1)), None);
        draft.hostname = "agent-1".into();
        draft.cores_override = "16".into();
        let spec = draft.parse().unwrap();
        assert_eq!(spec.capacity(), Resources::new(16.0, 8192, 0));
    }

    #[test]
    fn bad_numbers_are_named() {
        let mut draft = AgentDraft::new(Some(ZoneId(1)), None);
        draft.hostname = "agent 1".into();
        draft.cores = "-2".into();
        draft.gpus_override = "x".into();
        let errors = draft.parse().unwrap_err();
        assert!(errors.for_field(AgentField::Hostname).is_some());
        assert!(errors.for_field(AgentField::Cores).is_some());
        assert!(errors.for_field(AgentField::GpusOverride).is_some());
        assert!(errors.for_field(AgentField::Memory).is_none());
    }
}
